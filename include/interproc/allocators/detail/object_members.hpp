// interproc C++ wrapper: the members every interproc allocator has for the objects it
// holds; not part of the public API.
#ifndef INTERPROC_ALLOCATORS_DETAIL_OBJECT_MEMBERS_HPP
#define INTERPROC_ALLOCATORS_DETAIL_OBJECT_MEMBERS_HPP

#include <interproc/containers/detail/uses_allocator.hpp>
#include <interproc/offset_ptr.hpp>

#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// Boost's allocator members for objects of T, whose pointers are `Pointer` and
/// `ConstPointer`: `address`, and `construct`/`destroy` on raw pointers and on the
/// allocator's own pointer type. An empty base of `allocator` and of the pooled allocators
/// (`Derived`, which has `get_segment_manager()`).
template <class T, class Pointer, class ConstPointer, class Derived> class allocator_object_members {
public:
   /// The address of `value`.
   template <class U = T, class = typename std::enable_if<!std::is_void<U>::value>::type>
   Pointer address(U &value) const noexcept {
      return Pointer(std::addressof(value));
   }
   /// The address of `value`.
   template <class U = T, class = typename std::enable_if<!std::is_void<U>::value>::type>
   ConstPointer address(const U &value) const noexcept {
      return ConstPointer(std::addressof(value));
   }
   /// Builds a U at `p` from `args` by uses-allocator construction with the segment manager,
   /// as Boost's allocators do: a U whose `allocator_type` converts from the segment manager
   /// gets one (`U(allocator_arg, alloc, args...)` or `U(args..., alloc)`), and so do both
   /// halves of a std::pair; any other U is built from `args`. A container of containers
   /// (Boost.Container's or the standard ones) thus builds its elements in the segment.
   template <class U, class... Args> void construct(U *p, Args &&...args) {
      construct_with_segment_manager(static_cast<const Derived &>(*this).get_segment_manager(), p,
                                     std::forward<Args>(args)...);
   }
   /// Destroys the U at `p`.
   template <class U> void destroy(U *p) { p->~U(); }
   /// Builds a T at `p` (the allocator's own pointer) from `args`.
   template <class... Args, class P = Pointer, class = typename std::enable_if<!std::is_pointer<P>::value>::type>
   void construct(const P &p, Args &&...args) {
      ::new (static_cast<void *>(to_raw_pointer(p))) T(std::forward<Args>(args)...);
   }
   /// Destroys the T at `p` (the allocator's own pointer).
   template <class P = Pointer, class = typename std::enable_if<!std::is_pointer<P>::value>::type> void destroy(const P &p) {
      to_raw_pointer(p)->~T();
   }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_ALLOCATORS_DETAIL_OBJECT_MEMBERS_HPP
