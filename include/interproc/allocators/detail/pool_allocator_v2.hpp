// interproc C++ wrapper: the version 2 allocator protocol of the pooled allocators
// (node_allocator, adaptive_pool and their private and cached forms); not part of the
// public API.
#ifndef INTERPROC_ALLOCATORS_DETAIL_POOL_ALLOCATOR_V2_HPP
#define INTERPROC_ALLOCATORS_DETAIL_POOL_ALLOCATOR_V2_HPP

#include <interproc/allocators/detail/node_pool.hpp>
#include <interproc/allocators/detail/object_members.hpp>
#include <interproc/containers/allocation_type.hpp>
#include <interproc/detail/allocation_command.hpp>

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// A pooled allocator base (`shared_pool_allocator_base`, `cached_pool_allocator_base`,
/// `private_pool_allocator_base`) with the members Boost's pooled allocators have beyond
/// allocate and deallocate: single objects through the base's pool (`allocate_one`,
/// `allocate_individual`, `deallocate_individual`), arrays straight from the segment
/// (`allocation_command`, `allocate_many`, `deallocate_many`, `size`), and `address`,
/// `construct`, `destroy` (from `allocator_object_members`).
template <class Base>
class pool_allocator_v2
    : public Base,
      public allocator_object_members<typename Base::value_type, typename Base::pointer, typename Base::const_pointer,
                                      pool_allocator_v2<Base>> {
   typedef typename sized_value<typename Base::value_type>::type sized_type;

public:
   typedef typename Base::value_type value_type;
   typedef typename Base::pointer pointer;
   typedef typename Base::const_pointer const_pointer;
   typedef typename Base::size_type size_type;
   typedef typename Base::multiallocation_chain multiallocation_chain;

   using Base::Base;

   /// The number of objects the memory at `p` holds (memory from `allocation_command`,
   /// `allocate_many` or `allocate(n)` with n > 1: those come from the segment).
   size_type size(const pointer &p) const {
      return static_cast<size_type>(allocation_bytes(this->get_segment_manager()->native(), to_raw_pointer(p)) / element_size);
   }

   /// Boost's allocation command, in objects of T, on memory straight from the segment
   /// (see `segment_manager::allocation_command`). A buffer it returns holds at least two
   /// objects, so that `deallocate(p, capacity)` never takes it for a pool's node.
   pointer allocation_command(allocation_type command, size_type limit_size, size_type &prefer_in_recvd_out_size,
                              pointer &reuse) {
      const size_type least = 2;
      if (command & (shrink_in_place | try_shrink_in_place)) {
         prefer_in_recvd_out_size = prefer_in_recvd_out_size < least ? least : prefer_in_recvd_out_size;
         limit_size = limit_size < prefer_in_recvd_out_size ? prefer_in_recvd_out_size : limit_size;
      } else {
         limit_size = limit_size < least ? least : limit_size;
      }
      void *r = static_cast<void *>(to_raw_pointer(reuse));
      std::size_t n = prefer_in_recvd_out_size;
      segment_manager_t *mgr = this->get_segment_manager();
      void *p = detail::allocation_command(mgr->native(), command, limit_size, n, r, element_size,
                                           [mgr](std::size_t bytes) { return raw_allocate(mgr, bytes); });
      prefer_in_recvd_out_size = static_cast<size_type>(n);
      reuse = pointer(static_cast<value_type *>(r));
      return pointer(static_cast<value_type *>(p));
   }

   /// `n_elements` buffers of `elem_size` objects each onto `chain`, from the segment.
   void allocate_many(size_type elem_size, size_type n_elements, multiallocation_chain &chain) {
      const std::size_t bytes = bytes_of(elem_size, element_size);
      segment_manager_t *mgr = this->get_segment_manager();
      detail::allocate_many(
         chain, n_elements, [=](std::size_t) { return bytes; }, [mgr](std::size_t b) { return raw_allocate(mgr, b); },
         [mgr](void *q) { mgr->deallocate(q); }, false);
   }
   /// `n_elements` buffers, the i-th of `elem_sizes[i]` objects, onto `chain`, from the segment.
   void allocate_many(const size_type *elem_sizes, size_type n_elements, multiallocation_chain &chain) {
      segment_manager_t *mgr = this->get_segment_manager();
      detail::allocate_many(
         chain, n_elements, [=](std::size_t i) { return bytes_of(elem_sizes[i], element_size); },
         [mgr](std::size_t b) { return raw_allocate(mgr, b); }, [mgr](void *q) { mgr->deallocate(q); }, false);
   }
   /// Gives back every buffer of `chain` (from `allocate_many`) to the segment.
   void deallocate_many(multiallocation_chain &chain) {
      segment_manager_t *mgr = this->get_segment_manager();
      detail::deallocate_many(chain, [mgr](void *q) { mgr->deallocate(q); });
   }

   /// Like `allocate(1)`: a single object from the base's pool (or cache).
   pointer allocate_one() { return this->allocate(1); }
   /// Like `deallocate(p, 1)`.
   void deallocate_one(const pointer &p) { this->deallocate(p, 1); }

   /// `num_elements` single objects from the pool onto `chain`; throws `bad_alloc` (and
   /// takes none) when the segment runs out.
   void allocate_individual(size_type num_elements, multiallocation_chain &chain) {
      multiallocation_chain got;
      try {
         for (size_type i = 0; i < num_elements; ++i) {
            got.push_back(this->allocate_one());
         }
      } catch (...) {
         deallocate_individual(got);
         throw;
      }
      chain.splice_after(chain.last(), got);
   }
   /// Gives every object of `chain` (from `allocate_one` or `allocate_individual`) back to
   /// the pool.
   void deallocate_individual(multiallocation_chain &chain) {
      while (!chain.empty()) {
         this->deallocate_one(chain.pop_front());
      }
   }

private:
   typedef typename Base::segment_manager segment_manager_t;
   static constexpr std::size_t element_size = sizeof(sized_type);
   static constexpr std::size_t element_align = alignof(sized_type);

   /// `bytes` from the segment, aligned for T; null when it is full.
   static void *raw_allocate(segment_manager_t *mgr, std::size_t bytes) {
      return element_align > 16 ? mgr->allocate_aligned(bytes, element_align, std::nothrow) : mgr->allocate(bytes, std::nothrow);
   }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_ALLOCATORS_DETAIL_POOL_ALLOCATOR_V2_HPP
