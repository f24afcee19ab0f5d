// interproc C++ wrapper: the members every interproc allocator has for the objects it
// holds; not part of the public API.
#ifndef INTERPROC_ALLOCATORS_DETAIL_OBJECT_MEMBERS_HPP
#define INTERPROC_ALLOCATORS_DETAIL_OBJECT_MEMBERS_HPP

#include <interproc/offset_ptr.hpp>

#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// Boost's allocator members for objects of T, whose pointers are `Pointer` and
/// `ConstPointer`: `address`, and `construct`/`destroy` on raw pointers and on the
/// allocator's own pointer type. An empty base of `allocator` and of the pooled allocators.
template <class T, class Pointer, class ConstPointer> class allocator_object_members {
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
   /// Builds a U at `p` from `args`.
   template <class U, class... Args> void construct(U *p, Args &&...args) {
      ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
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
