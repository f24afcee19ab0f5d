// interproc C++ wrapper: Boost's allocation_command and allocate_many over a segment
// manager's C handle. Not for direct use: call them on the segment manager, a managed
// segment or an allocator.
#ifndef INTERPROC_DETAIL_ALLOCATION_COMMAND_HPP
#define INTERPROC_DETAIL_ALLOCATION_COMMAND_HPP

#include <interproc.h>
#include <interproc/containers/allocation_type.hpp>
#include <interproc/exceptions.hpp>
#include <interproc/offset_ptr.hpp>

#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

namespace interproc {
namespace detail {

[[noreturn]] inline void bad_command(const char *why) { throw interprocess_exception(error_info(invalid_argument), why); }

/// The usable bytes of the allocation at `p`.
inline std::size_t allocation_bytes(interproc_segment_manager_t *m, const void *p) {
   std::size_t n = 0;
   check(::interproc_segment_allocation_size(m, p, &n));
   return n;
}

/// `n` objects of `object_size` bytes, or the largest size_t when that overflows (an
/// allocation that then fails as too large).
inline std::size_t bytes_of(std::size_t n, std::size_t object_size) noexcept {
   return n > std::numeric_limits<std::size_t>::max() / object_size ? std::numeric_limits<std::size_t>::max()
                                                                     : n * object_size;
}

/// Boost's `raw_allocation_command`, with counts in objects of `object_size` bytes.
/// `allocate` is the segment's allocation of bytes (honouring its alignment), null on
/// failure. On success returns the buffer and sets `prefer_in_recvd_out` to the objects it
/// holds; `reuse` becomes null when the buffer is a new one and stays when `reuse` grew or
/// shrank (a backward expansion returns the new start: the caller moves the objects). On
/// failure returns null with `nothrow_allocation` (and `prefer_in_recvd_out` the objects
/// `reuse` holds, or 0), and throws `bad_alloc` without it. A contradictory command throws
/// `interprocess_exception` (`invalid_argument`).
template <class Allocate>
void *allocation_command(interproc_segment_manager_t *m, allocation_type command, std::size_t limit_objects,
                         std::size_t &prefer_in_recvd_out, void *&reuse, std::size_t object_size, Allocate allocate) {
   const allocation_type shrinks = shrink_in_place | try_shrink_in_place;
   const allocation_type expands = expand_fwd | expand_bwd;
   if (object_size == 0) {
      bad_command("allocation_command: the object size is 0");
   }
   if ((command & shrinks) && (command & (expands | allocate_new))) {
      bad_command("allocation_command: shrink_in_place cannot be combined with expand_fwd, expand_bwd or allocate_new");
   }
   if ((command & shrinks) && reuse == nullptr) {
      bad_command("allocation_command: shrink_in_place and try_shrink_in_place need the buffer to reuse");
   }
   if (!(command & (shrinks | expands | allocate_new))) {
      bad_command("allocation_command: the command has none of allocate_new, expand_fwd, expand_bwd, shrink_in_place");
   }
   if (reuse == nullptr) {
      // As Boost's: with no buffer to grow, expand_fwd and expand_bwd are skipped (a vector
      // with no storage yet asks allocate_new | expand_fwd | expand_bwd).
      command &= ~expands;
      if (!(command & allocate_new)) {
         prefer_in_recvd_out = 0;
         if (command & nothrow_allocation) {
            return nullptr;
         }
         throw bad_alloc();
      }
   }
   const std::size_t preferred = prefer_in_recvd_out;
   const auto fail = [&]() -> void * {
      prefer_in_recvd_out = reuse ? allocation_bytes(m, reuse) / object_size : 0;
      if (command & nothrow_allocation) {
         return nullptr;
      }
      throw bad_alloc();
   };
   const auto zero_from = [&](void *p, std::size_t from_bytes, std::size_t to_bytes) {
      if ((command & zero_memory) && to_bytes > from_bytes) {
         std::memset(static_cast<char *>(p) + from_bytes, 0, to_bytes - from_bytes);
      }
   };

   if (command & shrinks) {
      // Boost's contract: the buffer ends between `preferred` and `limit_objects` objects.
      if (limit_objects < preferred) {
         bad_command("allocation_command: shrinking needs limit_size >= the preferred size");
      }
      const std::size_t before = allocation_bytes(m, reuse);
      const std::size_t preferred_bytes = bytes_of(preferred, object_size);
      std::size_t got = 0;
      check(::interproc_segment_shrink_in_place(m, reuse, preferred_bytes, (command & shrink_in_place) != 0, &got));
      // As Boost's: a buffer smaller than the preferred size, or one that could not shrink
      // below the limit, is a failure.
      if (before < preferred_bytes || got / object_size > limit_objects) {
         return fail();
      }
      prefer_in_recvd_out = got / object_size;
      return reuse;
   }
   const std::size_t want = preferred < limit_objects ? limit_objects : preferred;
   if (command & expand_fwd) {
      const std::size_t before = allocation_bytes(m, reuse);
      std::size_t got = 0;
      check(::interproc_segment_expand_in_place(m, reuse, bytes_of(limit_objects, object_size), bytes_of(want, object_size),
                                                &got));
      if (got / object_size >= limit_objects) {
         zero_from(reuse, before, got);
         prefer_in_recvd_out = got / object_size;
         return reuse;
      }
   }
   if (command & expand_bwd) {
      void *start = nullptr;
      std::size_t got = 0;
      check(::interproc_segment_expand_backwards(m, reuse, bytes_of(limit_objects, object_size), bytes_of(want, object_size),
                                                 object_size, &start, &got));
      if (start != nullptr && got / object_size >= limit_objects) {
         // The new bytes are in front of the old ones; the old ones are the caller's.
         zero_from(start, 0, static_cast<std::size_t>(static_cast<char *>(reuse) - static_cast<char *>(start)));
         prefer_in_recvd_out = got / object_size;
         return start;
      }
   }
   if (command & allocate_new) {
      void *p = allocate(bytes_of(want, object_size));
      if (p == nullptr && want != limit_objects) {
         p = allocate(bytes_of(limit_objects, object_size));
      }
      if (p != nullptr) {
         const std::size_t got = allocation_bytes(m, p);
         zero_from(p, 0, got);
         prefer_in_recvd_out = got / object_size;
         reuse = nullptr;
         return p;
      }
   }
   return fail();
}

/// Allocates `n` buffers, the i-th of `size_of(i)` bytes, onto the back of `chain`. If one
/// fails, the ones allocated here are given back and the chain is as it was: then it throws
/// `bad_alloc`, or with `nothrow` returns false.
template <class Chain, class SizeOf, class Allocate, class Deallocate>
bool allocate_many(Chain &chain, std::size_t n, SizeOf size_of, Allocate allocate, Deallocate deallocate, bool nothrow) {
   Chain got;
   for (std::size_t i = 0; i < n; ++i) {
      void *p = allocate(size_of(i));
      if (p == nullptr) {
         while (!got.empty()) {
            deallocate(static_cast<void *>(to_raw_pointer(got.pop_front())));
         }
         if (nothrow) {
            return false;
         }
         throw bad_alloc();
      }
      got.push_back(typename Chain::void_pointer(static_cast<typename std::pointer_traits<typename Chain::void_pointer>::element_type *>(p)));
   }
   chain.splice_back(got);
   return true;
}

/// Gives every buffer of `chain` back; the chain is left empty.
template <class Chain, class Deallocate> void deallocate_many(Chain &chain, Deallocate deallocate) {
   while (!chain.empty()) {
      deallocate(static_cast<void *>(to_raw_pointer(chain.pop_front())));
   }
}

} // namespace detail
} // namespace interproc

#endif // INTERPROC_DETAIL_ALLOCATION_COMMAND_HPP
