// interproc C++ wrapper: the allocator-aware copy and move assignment of a container, and
// its move construction with another allocator, written once for the sequence containers
// (not part of the public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_CONTAINER_ASSIGNMENT_HPP
#define INTERPROC_CONTAINERS_DETAIL_CONTAINER_ASSIGNMENT_HPP

#include <interproc/containers/detail/uses_allocator.hpp>

#include <iterator>
#include <memory>
#include <type_traits>

namespace interproc {
namespace detail {

/// Whether moving a container with allocator `Alloc` into another never throws: the
/// allocator moves with the elements, or any two allocators can free each other's memory.
template <class Alloc>
inline constexpr bool nothrow_move_assignable = std::allocator_traits<Alloc>::propagate_on_container_move_assignment::value ||
                                                std::allocator_traits<Alloc>::is_always_equal::value;

/// The assignments of a container `C`, which befriends this class and gives (privately):
/// - `alloc()`: its stored allocator;
/// - `drop_storage()`: destroys the elements and frees all its memory, so that the
///   allocator may change;
/// - `take_storage(C &other)`: takes `other`'s elements and memory (its own storage is
///   empty), leaving `other` empty;
/// - `replace_with(first, last)`: replaces its elements with those of `[first, last)`,
///   allocating with its own allocator;
/// and a public `clear()`, `begin()` and `end()`.
struct container_assignment {
   /// Copies `other`'s elements into `self` (returned), and its allocator if it propagates on copy
   /// (the old elements and memory are freed with the old allocator first).
   template <class C> static C &copy(C &self, const C &other) {
      if (&self == &other) {
         return self;
      }
      typedef std::allocator_traits<std::decay_t<decltype(self.alloc())>> traits;
      if (traits::propagate_on_container_copy_assignment::value && !alloc_equal(self.alloc(), other.alloc())) {
         self.drop_storage();
      }
      assign_alloc_on_copy(self.alloc(), other.alloc());
      self.replace_with(other.begin(), other.end());
      return self;
   }

   /// Gives `self` (returned) `other`'s elements: their memory when the allocator propagates on move or
   /// the two allocators are equal, else the elements moved one by one (and `other` is
   /// cleared).
   template <class C> static C &move(C &self, C &other) {
      if (&self == &other) {
         return self;
      }
      typedef std::allocator_traits<std::decay_t<decltype(self.alloc())>> traits;
      if (traits::propagate_on_container_move_assignment::value || alloc_equal(self.alloc(), other.alloc())) {
         self.drop_storage();
         assign_alloc_on_move(self.alloc(), other.alloc());
         self.take_storage(other);
      } else {
         self.replace_with(std::make_move_iterator(other.begin()), std::make_move_iterator(other.end()));
         other.clear();
      }
      return self;
   }

   /// The body of the allocator-extended move constructor (`self` is empty, with its own
   /// allocator): takes `other`'s memory if the allocators are equal, else moves the
   /// elements one by one.
   template <class C> static void move_construct(C &self, C &other) {
      if (alloc_equal(self.alloc(), other.alloc())) {
         self.take_storage(other);
      } else {
         self.replace_with(std::make_move_iterator(other.begin()), std::make_move_iterator(other.end()));
      }
   }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_CONTAINER_ASSIGNMENT_HPP
