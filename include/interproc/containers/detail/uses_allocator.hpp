// interproc C++ wrapper: what every container shares (not part of the public API):
// raw pointers from allocator pointers, uses-allocator construction of elements, and the
// allocator propagation rules of std::allocator_traits.
#ifndef INTERPROC_CONTAINERS_DETAIL_USES_ALLOCATOR_HPP
#define INTERPROC_CONTAINERS_DETAIL_USES_ALLOCATOR_HPP

#include <interproc/offset_ptr.hpp>

#include <iterator>
#include <memory>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// The raw address held by a raw pointer.
template <class T> inline T *raw_address(T *p) noexcept { return p; }
/// The raw address held by a fancy pointer (offset_ptr and the like; its `->` maps null to null).
template <class Ptr> inline auto raw_address(const Ptr &p) noexcept -> decltype(p.operator->()) { return p.operator->(); }

/// The allocator pointer for a raw address (null for null).
template <class Ptr, class T> inline Ptr pointer_from(T *p) noexcept {
   if constexpr (std::is_constructible<Ptr, T *>::value) {
      return Ptr(p);
   } else {
      if (!p) {
         return Ptr();
      }
      return std::pointer_traits<Ptr>::pointer_to(*p);
   }
}

/// The pointer type like `Ptr` (a raw or an offset_ptr-like pointer) that points to U.
template <class Ptr, class U> struct rebind_pointer {
   typedef typename Ptr::template rebind<U>::other type;
};
template <class U> struct rebind_pointer<void *, U> {
   typedef U *type;
};

/// Whether `It` is at least an input iterator (used to tell `(n, value)` from `(first, last)`).
template <class It, class = void> struct is_input_iterator : std::false_type {};
template <class It>
struct is_input_iterator<It, std::enable_if_t<std::is_convertible<typename std::iterator_traits<It>::iterator_category,
                                                                  std::input_iterator_tag>::value>> : std::true_type {};

/// Whether `It` is at least a forward iterator (its distance can be taken up front).
template <class It>
struct is_forward_iterator
   : std::is_convertible<typename std::iterator_traits<It>::iterator_category, std::forward_iterator_tag> {};

template <class T> struct is_std_pair : std::false_type {};
template <class A, class B> struct is_std_pair<std::pair<A, B>> : std::true_type {};

/// The arguments that build a T from `args` with allocator `a` under the uses-allocator
/// rule: `(allocator_arg, a, args...)`, `(args..., a)`, or `args` alone when T takes no
/// allocator. This is what lets `map<string, vector<int>>` in a segment build its keys and
/// values in the same segment.
template <class T, class Alloc, class... Args> auto uses_alloc_args(const Alloc &a, Args &&...args) {
   if constexpr (!std::uses_allocator<T, Alloc>::value) {
      return std::forward_as_tuple(std::forward<Args>(args)...);
   } else if constexpr (std::is_constructible<T, std::allocator_arg_t, const Alloc &, Args...>::value) {
      return std::tuple<std::allocator_arg_t, const Alloc &, Args &&...>(std::allocator_arg, a, std::forward<Args>(args)...);
   } else if constexpr (std::is_constructible<T, Args..., const Alloc &>::value) {
      return std::tuple<Args &&..., const Alloc &>(std::forward<Args>(args)..., a);
   } else {
      return std::forward_as_tuple(std::forward<Args>(args)...);
   }
}

template <class T, class Tuple, std::size_t... I> void construct_from_tuple(T *p, Tuple &&t, std::index_sequence<I...>) {
   ::new (static_cast<void *>(p)) T(std::get<I>(std::forward<Tuple>(t))...);
}

template <class T, class Tuple> void construct_from_tuple(T *p, Tuple &&t) {
   construct_from_tuple(p, std::forward<Tuple>(t),
                        std::make_index_sequence<std::tuple_size<std::remove_reference_t<Tuple>>::value>());
}

template <class T, class Alloc, class Tuple, std::size_t... I>
auto uses_alloc_args_from_tuple(const Alloc &a, Tuple &&t, std::index_sequence<I...>) {
   return uses_alloc_args<T>(a, std::get<I>(std::forward<Tuple>(t))...);
}

template <class T, class Alloc, class Tuple> auto uses_alloc_args_from_tuple(const Alloc &a, Tuple &&t) {
   return uses_alloc_args_from_tuple<T>(a, std::forward<Tuple>(t),
                                        std::make_index_sequence<std::tuple_size<std::remove_reference_t<Tuple>>::value>());
}

/// Builds a std::pair piece by piece, each half under the uses-allocator rule.
template <class Pair, class Alloc, class T1, class T2>
void construct_pair_piecewise(Pair *p, const Alloc &a, T1 &&first_args, T2 &&second_args) {
   typedef typename Pair::first_type F;
   typedef typename Pair::second_type S;
   ::new (static_cast<void *>(p))
      Pair(std::piecewise_construct, uses_alloc_args_from_tuple<F>(a, std::forward<T1>(first_args)),
           uses_alloc_args_from_tuple<S>(a, std::forward<T2>(second_args)));
}

/// Builds the pair at `p` from one argument (a pair to copy or move, or anything else).
template <class T, class Alloc, class U> void construct_pair_from_one(const Alloc &a, T *p, U &&u) {
   typedef std::remove_cv_t<std::remove_reference_t<U>> D;
   if constexpr (is_std_pair<D>::value) {
      if constexpr (std::is_lvalue_reference<U>::value) {
         construct_pair_piecewise(p, a, std::forward_as_tuple(u.first), std::forward_as_tuple(u.second));
      } else {
         construct_pair_piecewise(p, a, std::forward_as_tuple(std::move(u.first)), std::forward_as_tuple(std::move(u.second)));
      }
   } else {
      ::new (static_cast<void *>(p)) T(std::forward<U>(u));
   }
}

/// Builds the std::pair at `p` from `args` (none, two, one pair, or piecewise), each half
/// by uses-allocator construction with the allocator argument `a`.
template <class T, class Alloc, class... Args> void construct_pair(const Alloc &a, T *p, Args &&...args) {
   if constexpr (sizeof...(Args) == 0) {
      construct_pair_piecewise(p, a, std::tuple<>(), std::tuple<>());
   } else if constexpr (sizeof...(Args) == 3) {
      construct_pair_piecewise(p, a, std::get<1>(std::forward_as_tuple(std::forward<Args>(args)...)),
                               std::get<2>(std::forward_as_tuple(std::forward<Args>(args)...)));
   } else if constexpr (sizeof...(Args) == 2) {
      auto t = std::forward_as_tuple(std::forward<Args>(args)...);
      construct_pair_piecewise(p, a, std::forward_as_tuple(std::get<0>(std::move(t))),
                               std::forward_as_tuple(std::get<1>(std::move(t))));
   } else {
      static_assert(sizeof...(Args) == 1, "a pair is built from 0, 1, 2 or piecewise arguments");
      construct_pair_from_one(a, p, std::forward<Args>(args)...);
   }
}

/// Builds a T at `p` from `args`, passing the container's allocator `a` (rebound) to T if
/// T uses an allocator, and to both halves of a std::pair.
template <class T, class Alloc, class... Args> void construct_element(const Alloc &a, T *p, Args &&...args) {
   if constexpr (is_std_pair<T>::value) {
      construct_pair(a, p, std::forward<Args>(args)...);
   } else {
      typedef typename std::allocator_traits<Alloc>::template rebind_alloc<T> TAlloc;
      if constexpr (std::uses_allocator<T, TAlloc>::value) {
         const TAlloc ta(a);
         construct_from_tuple(p, uses_alloc_args<T>(ta, std::forward<Args>(args)...));
      } else {
         // No allocator to pass: rebinding one (a pool lookup for pooled allocators) would be wasted.
         (void)a;
         ::new (static_cast<void *>(p)) T(std::forward<Args>(args)...);
      }
   }
}

/// Builds a T at `p` from `args` by uses-allocator construction with `mgr`, a segment
/// manager: T gets it (converted to T's `allocator_type`) when T uses an allocator that
/// converts from it, and so do both halves of a std::pair. This is what Boost's
/// allocators' `construct` does since Boost 1.91 (`uses_segment_manager`).
template <class T, class SegmentManager, class... Args>
void construct_with_segment_manager(SegmentManager *mgr, T *p, Args &&...args) {
   if constexpr (is_std_pair<T>::value) {
      construct_pair(mgr, p, std::forward<Args>(args)...);
   } else {
      construct_from_tuple(p, uses_alloc_args<T>(mgr, std::forward<Args>(args)...));
   }
}

/// Runs the destructor of the object at `p`.
template <class T> inline void destroy_element(T *p) noexcept { p->~T(); }

/// Takes `from`'s allocator on copy assignment when the allocator says so.
template <class Alloc> void assign_alloc_on_copy(Alloc &to, const Alloc &from) {
   if constexpr (std::allocator_traits<Alloc>::propagate_on_container_copy_assignment::value) {
      to = from;
   }
}
/// Takes `from`'s allocator on move assignment when the allocator says so.
template <class Alloc> void assign_alloc_on_move(Alloc &to, Alloc &from) {
   if constexpr (std::allocator_traits<Alloc>::propagate_on_container_move_assignment::value) {
      to = std::move(from);
   }
}
/// Exchanges allocators on swap when the allocator says so.
template <class Alloc> void swap_alloc(Alloc &a, Alloc &b) {
   if constexpr (std::allocator_traits<Alloc>::propagate_on_container_swap::value) {
      using std::swap;
      swap(a, b);
   }
}
/// Whether two allocators can free each other's memory.
template <class Alloc> bool alloc_equal(const Alloc &a, const Alloc &b) {
   if constexpr (std::allocator_traits<Alloc>::is_always_equal::value) {
      (void)a;
      (void)b;
      return true;
   } else {
      return a == b;
   }
}

/// Holds an allocator without taking room when it is empty (std::allocator).
template <class Alloc, bool Empty = std::is_empty<Alloc>::value && !std::is_final<Alloc>::value> class alloc_holder;

template <class Alloc> class alloc_holder<Alloc, true> : private Alloc {
public:
   explicit alloc_holder(const Alloc &a) : Alloc(a) {}
   /// Takes `a` (a private pool allocator hands over its pool).
   explicit alloc_holder(Alloc &&a) : Alloc(std::move(a)) {}
   Alloc &alloc() noexcept { return *this; }
   const Alloc &alloc() const noexcept { return *this; }
};

template <class Alloc> class alloc_holder<Alloc, false> {
public:
   explicit alloc_holder(const Alloc &a) : m_alloc(a) {}
   /// Takes `a` (a private pool allocator hands over its pool).
   explicit alloc_holder(Alloc &&a) : m_alloc(std::move(a)) {}
   Alloc &alloc() noexcept { return m_alloc; }
   const Alloc &alloc() const noexcept { return m_alloc; }

private:
   Alloc m_alloc;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_USES_ALLOCATOR_HPP
