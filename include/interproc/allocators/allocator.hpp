// interproc C++ wrapper: the segment allocator, as in
// <boost/interprocess/allocators/allocator.hpp>.
#ifndef INTERPROC_ALLOCATORS_ALLOCATOR_HPP
#define INTERPROC_ALLOCATORS_ALLOCATOR_HPP

#include <interproc/allocators/detail/object_members.hpp>
#include <interproc/containers/allocation_type.hpp>
#include <interproc/detail/allocation_command.hpp>
#include <interproc/detail/multiallocation_chain.hpp>
#include <interproc/exceptions.hpp>
#include <interproc/offset_ptr.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <new>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// The void pointer of a segment manager (`offset_ptr<void>` for one that names none).
template <class SegmentManager, class = void> struct segment_void_pointer {
   typedef offset_ptr<void> type;
   typedef std::size_t size_type;
};
template <class SegmentManager>
struct segment_void_pointer<SegmentManager, std::void_t<typename SegmentManager::void_pointer>> {
   typedef typename SegmentManager::void_pointer type;
   typedef typename SegmentManager::size_type size_type;
};

/// `VoidPointer` rebound to T (`offset_ptr<T, ...>`, or `T *` for `void *`).
template <class VoidPointer, class T> using rebind_pointer_t = typename std::pointer_traits<VoidPointer>::template rebind<T>;

} // namespace detail

/// An STL allocator that allocates from a managed segment. It stores the segment manager
/// as the segment's void pointer rebound (an offset_ptr by default) and its pointer type is
/// that pointer for T (offset_ptr<T>), so a container that uses it can live inside the
/// segment and be used from every process.
template <class T, class SegmentManager>
class allocator
    : public detail::allocator_object_members<
          T, detail::rebind_pointer_t<typename detail::segment_void_pointer<SegmentManager>::type, T>,
          detail::rebind_pointer_t<typename detail::segment_void_pointer<SegmentManager>::type, const T>,
          allocator<T, SegmentManager>> {
   typedef typename detail::segment_void_pointer<SegmentManager>::type segment_void_pointer;

public:
   typedef T value_type;
   typedef detail::rebind_pointer_t<segment_void_pointer, T> pointer;
   typedef detail::rebind_pointer_t<segment_void_pointer, const T> const_pointer;
   typedef detail::rebind_pointer_t<segment_void_pointer, void> void_pointer;
   typedef detail::rebind_pointer_t<segment_void_pointer, const void> const_void_pointer;
   typedef typename detail::add_reference<T>::type reference;
   typedef typename detail::add_reference<const T>::type const_reference;
   typedef typename detail::segment_void_pointer<SegmentManager>::size_type size_type;
   typedef typename std::pointer_traits<pointer>::difference_type difference_type;
   typedef SegmentManager segment_manager;
   typedef std::false_type propagate_on_container_copy_assignment;
   typedef std::true_type propagate_on_container_move_assignment;
   typedef std::true_type propagate_on_container_swap;
   typedef std::false_type is_always_equal;
   /// The allocator protocol version: 2, as Boost's. Boost.Container's containers then grow
   /// a vector in place through `allocation_command` and take and give nodes through
   /// `allocate_one`, `allocate_individual` and `deallocate_individual`.
   typedef std::integral_constant<unsigned, 2> version;
   /// The list of buffers of `allocate_many`/`allocate_individual`, holding `pointer`s
   /// (the shape Boost.Container's version 2 code walks and splices).
   typedef detail::basic_multiallocation_chain<pointer> multiallocation_chain;

   /// The same allocator for U.
   template <class U> struct rebind { typedef allocator<U, SegmentManager> other; };

   /// An allocator for the segment of `segment_mngr`.
   allocator(segment_manager *segment_mngr) noexcept : mp_mngr(segment_mngr) {}
   allocator(const allocator &other) noexcept : mp_mngr(other.get_segment_manager()) {}
   /// The same segment, another type.
   template <class U> allocator(const allocator<U, SegmentManager> &other) noexcept : mp_mngr(other.get_segment_manager()) {}
   allocator &operator=(const allocator &other) noexcept {
      mp_mngr = other.get_segment_manager();
      return *this;
   }

   /// The segment manager.
   segment_manager *get_segment_manager() const noexcept { return to_raw_pointer(mp_mngr); }

   /// Memory for `count` objects; throws `bad_alloc` when the segment is full.
   pointer allocate(size_type count, const void * = nullptr) {
      if (count > max_size()) {
         throw bad_alloc();
      }
      void *p = element_align > 16 ? mp_mngr->allocate_aligned(count * element_size, element_align)
                                   : mp_mngr->allocate(count * element_size);
      return pointer(static_cast<T *>(p));
   }
   /// Gives memory back.
   void deallocate(const pointer &ptr, size_type = 0) { mp_mngr->deallocate(static_cast<void *>(to_raw_pointer(ptr))); }

   /// The largest count `allocate` may be asked for.
   size_type max_size() const noexcept { return size_type(std::numeric_limits<size_type>::max() / element_size); }

   /// Grows the memory at `ptr` (from `allocate`) in place, keeping its address and
   /// contents, to hold at least `min_count` objects, and up to `preferred_count` when the
   /// segment has room right after it. Returns how many objects it holds afterwards:
   /// fewer than `min_count` when it could not grow, and then nothing changed. vector uses
   /// it to grow without copying. (An interproc extension.)
   size_type expand_in_place(const pointer &ptr, size_type min_count, size_type preferred_count) {
      const size_type limit = max_size();
      const size_type got = mp_mngr->expand_in_place(static_cast<void *>(to_raw_pointer(ptr)), std::min(min_count, limit) * element_size,
                                                     std::min(preferred_count, limit) * element_size);
      return size_type(got / element_size);
   }

   /// Boost's allocation command, in objects of T (see `segment_manager::allocation_command`).
   pointer allocation_command(allocation_type command, size_type limit_size, size_type &prefer_in_recvd_out_size,
                              pointer &reuse) {
      void *r = static_cast<void *>(to_raw_pointer(reuse));
      std::size_t n = prefer_in_recvd_out_size;
      void *p = detail::allocation_command(mp_mngr->native(), command, limit_size, n, r, element_size,
                                           [this](std::size_t bytes) { return raw_allocate(bytes); });
      prefer_in_recvd_out_size = static_cast<size_type>(n);
      reuse = pointer(static_cast<T *>(r));
      return pointer(static_cast<T *>(p));
   }
   /// The number of objects the memory at `p` (from `allocate`) holds.
   size_type size(const pointer &p) const {
      return static_cast<size_type>(detail::allocation_bytes(mp_mngr->native(), to_raw_pointer(p)) / element_size);
   }
   /// Memory for one object.
   pointer allocate_one() { return allocate(1); }
   /// Gives back memory from `allocate_one`.
   void deallocate_one(const pointer &p) { deallocate(p, 1); }
   /// Memory for `num_elements` single objects onto `chain`; throws `bad_alloc` (and
   /// allocates none) when the segment runs out.
   void allocate_individual(size_type num_elements, multiallocation_chain &chain) { allocate_many(1, num_elements, chain); }
   /// Gives back every buffer of `chain`.
   void deallocate_individual(multiallocation_chain &chain) { deallocate_many(chain); }
   /// `n_elements` buffers of `elem_size` objects each onto `chain`.
   void allocate_many(size_type elem_size, size_type n_elements, multiallocation_chain &chain) {
      const std::size_t bytes = detail::bytes_of(elem_size, element_size);
      detail::allocate_many(
         chain, n_elements, [=](std::size_t) { return bytes; }, [this](std::size_t b) { return raw_allocate(b); },
         [this](void *p) { mp_mngr->deallocate(p); }, false);
   }
   /// `n_elements` buffers, the i-th of `elem_sizes[i]` objects, onto `chain`.
   void allocate_many(const size_type *elem_sizes, size_type n_elements, multiallocation_chain &chain) {
      detail::allocate_many(
         chain, n_elements, [=](std::size_t i) { return detail::bytes_of(elem_sizes[i], element_size); },
         [this](std::size_t b) { return raw_allocate(b); }, [this](void *p) { mp_mngr->deallocate(p); }, false);
   }
   /// Gives back every buffer of `chain`.
   void deallocate_many(multiallocation_chain &chain) {
      detail::deallocate_many(chain, [this](void *p) { mp_mngr->deallocate(p); });
   }

   /// Exchanges two allocators.
   friend void swap(allocator &a, allocator &b) noexcept {
      segment_manager *t = a.get_segment_manager();
      a.mp_mngr = b.get_segment_manager();
      b.mp_mngr = t;
   }

private:
   /// `bytes` from the segment, aligned for T; null when it is full.
   void *raw_allocate(std::size_t bytes) {
      return element_align > 16 ? mp_mngr->allocate_aligned(bytes, element_align, std::nothrow) : mp_mngr->allocate(bytes, std::nothrow);
   }

   // allocator<void> is used to carry the segment (shared_ptr's VoidAllocator); it counts
   // in bytes.
   static constexpr std::size_t element_size = std::is_void<T>::value ? 1 : sizeof(typename std::conditional<std::is_void<T>::value, char, T>::type);
   static constexpr std::size_t element_align = std::is_void<T>::value ? 1 : alignof(typename std::conditional<std::is_void<T>::value, char, T>::type);

   detail::rebind_pointer_t<segment_void_pointer, segment_manager> mp_mngr;
};

/// Allocators are equal when they allocate from the same segment.
template <class T, class U, class S> bool operator==(const allocator<T, S> &a, const allocator<U, S> &b) noexcept {
   return a.get_segment_manager() == b.get_segment_manager();
}
template <class T, class U, class S> bool operator!=(const allocator<T, S> &a, const allocator<U, S> &b) noexcept {
   return !(a == b);
}
/// Exchanges the segments two allocators allocate from.
template <class T, class S> void swap(allocator<T, S> &a, allocator<T, S> &b) noexcept {
   allocator<T, S> t(a);
   a = b;
   b = t;
}

} // namespace interproc

#endif // INTERPROC_ALLOCATORS_ALLOCATOR_HPP
