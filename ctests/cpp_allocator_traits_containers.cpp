// Every interproc allocator (allocator, node_allocator, adaptive_pool and their private
// and cached forms) as allocator_traits-based containers use it: std::vector, and
// Boost.Container's vector, list and map when its headers are installed. (libstdc++'s
// std::list and std::map need an allocator whose pointer converts to a raw pointer, which
// neither Boost's offset_ptr nor interproc's does.)
// - std::allocator_traits and boost::container::allocator_traits read the same pointer,
//   size, propagate_on_container_* and is_always_equal members, rebind to the same
//   allocator family, and the protocol `version` is 2.
// - `construct` does uses-allocator construction with the segment manager, as newer Boost
//   documents it: a container of elements that take an allocator (by the leading
//   `allocator_arg` convention or the trailing one) value-initialises and emplaces them
//   with the segment's allocator, and both halves of a std::pair get it too; an element
//   that takes no allocator is built from its arguments.
// - Move assignment and swap between containers of one segment keep every element.
#include "check.h"
#include "every_allocator.hpp"
#include <interproc/containers/vector.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#if __has_include(<boost/container/vector.hpp>)
#define HAVE_BOOST_CONTAINER 1
#include <boost/container/allocator_traits.hpp>
#include <boost/container/list.hpp>
#include <boost/container/map.hpp>
#include <boost/container/vector.hpp>
#else
#define HAVE_BOOST_CONTAINER 0
#endif

using namespace interproc;

typedef allocator<void, SM> void_allocator;
typedef allocator<int, SM> int_allocator;
typedef interproc::vector<int, int_allocator> int_vector;

// Takes the segment's allocator first, after allocator_arg.
struct Leading {
   typedef void_allocator allocator_type;
   int_vector values;
   Leading(std::allocator_arg_t, const allocator_type &a) : values(int_allocator(a)) {}
   Leading(std::allocator_arg_t, const allocator_type &a, int n) : values(std::size_t(n), n, int_allocator(a)) {}
   Leading(std::allocator_arg_t, const allocator_type &a, const Leading &o) : values(o.values, int_allocator(a)) {}
   Leading(std::allocator_arg_t, const allocator_type &a, Leading &&o) : values(std::move(o.values), int_allocator(a)) {}
};

// Takes the segment's allocator last.
struct Trailing {
   typedef void_allocator allocator_type;
   int_vector values;
   explicit Trailing(const allocator_type &a) : values(int_allocator(a)) {}
   Trailing(int n, const allocator_type &a) : values(std::size_t(n), n, int_allocator(a)) {}
   Trailing(const Trailing &o, const allocator_type &a) : values(o.values, int_allocator(a)) {}
   Trailing(Trailing &&o, const allocator_type &a) : values(std::move(o.values), int_allocator(a)) {}
};

template <class A, class U> using rebind_t = typename std::allocator_traits<A>::template rebind_alloc<U>;

template <class A> void check_traits() {
   typedef std::allocator_traits<A> st;
   static_assert(std::is_same<typename st::pointer, typename A::pointer>::value, "pointer");
   static_assert(std::is_same<typename st::size_type, typename A::size_type>::value, "size_type");
   static_assert(!st::is_always_equal::value, "segment allocators compare their segments");
   static_assert(A::version::value == 2, "protocol version 2");
   static_assert(std::is_same<rebind_t<rebind_t<A, long>, typename A::value_type>, A>::value, "rebind round trip");
   static_assert(std::is_same<typename A::template rebind<long>::other, rebind_t<A, long>>::value, "rebind member");
#if HAVE_BOOST_CONTAINER
   typedef boost::container::allocator_traits<A> bt;
   static_assert(std::is_same<typename bt::pointer, typename st::pointer>::value, "Boost.Container pointer");
   static_assert(bt::propagate_on_container_copy_assignment::value == st::propagate_on_container_copy_assignment::value,
                 "copy assignment propagation");
   static_assert(bt::propagate_on_container_move_assignment::value == st::propagate_on_container_move_assignment::value,
                 "move assignment propagation");
   static_assert(bt::propagate_on_container_swap::value == st::propagate_on_container_swap::value, "swap propagation");
   static_assert(bt::is_always_equal::value == st::is_always_equal::value, "is_always_equal");
   static_assert(std::is_same<typename bt::template portable_rebind_alloc<long>::type, rebind_t<A, long>>::value,
                 "Boost.Container rebind");
#endif
}

template <class E> static bool in_segment(const E &e, SM *sm) {
   return e.values.get_allocator().get_segment_manager() == sm;
}

template <class E> static bool holds(const E &e, int n) {
   if (e.values.size() != std::size_t(n)) {
      return false;
   }
   for (int v : e.values) {
      if (v != n) {
         return false;
      }
   }
   return true;
}

// A sequence container of E: value-initialised elements, emplaced ones, move and swap.
template <class Seq, class A> void check_sequence(SM *sm, const A &a) {
   typedef rebind_t<A, typename Seq::value_type> EA;
   Seq s(3, EA(a));
   CHECK(s.size() == 3);
   for (const auto &e : s) {
      CHECK(in_segment(e, sm) && e.values.empty());
   }
   s.emplace_back(4);
   CHECK(in_segment(s.back(), sm) && holds(s.back(), 4));
   Seq t{EA(a)};
   t.emplace_back(2);
   t = std::move(s);
   CHECK(t.size() == 4 && holds(t.back(), 4));
   Seq u{EA(a)};
   u.emplace_back(5);
   u.swap(t);
   CHECK(u.size() == 4 && t.size() == 1 && holds(t.back(), 5) && holds(u.back(), 4));
}

// A vector of pairs of int and E: the pair's second half gets the segment's allocator.
template <class E, class A> void check_pairs(SM *sm, const A &a) {
   typedef std::pair<int, E> P;
   std::vector<P, rebind_t<A, P>> v{rebind_t<A, P>(a)};
   v.emplace_back(1, 3);
   v.emplace_back(std::piecewise_construct, std::forward_as_tuple(2), std::forward_as_tuple(2));
   v.emplace_back();
   CHECK(v.size() == 3 && in_segment(v[0].second, sm) && holds(v[0].second, 3) && holds(v[1].second, 2));
   CHECK(in_segment(v[2].second, sm) && v[2].second.values.empty());
}

template <template <class> class Alloc> void check_allocator(managed_shared_memory &segment, const char *what) {
   SM *sm = segment.get_segment_manager();
   const Alloc<int> a(sm);
   check_traits<Alloc<int>>();
   check_traits<Alloc<Leading>>();
   check_sequence<std::vector<Leading, Alloc<Leading>>>(sm, a);
   check_sequence<std::vector<Trailing, Alloc<Trailing>>>(sm, a);
   check_pairs<Trailing>(sm, a);
   check_pairs<Leading>(sm, a);
   // An element that takes no allocator is built from its arguments.
   std::vector<std::pair<int, long>, Alloc<std::pair<int, long>>> plain(a);
   plain.emplace_back(1, 2L);
   CHECK(plain.back().first == 1 && plain.back().second == 2L);
#if HAVE_BOOST_CONTAINER
   check_sequence<boost::container::vector<Leading, Alloc<Leading>>>(sm, a);
   check_sequence<boost::container::vector<Trailing, Alloc<Trailing>>>(sm, a);
   check_sequence<boost::container::list<Trailing, Alloc<Trailing>>>(sm, a);
   boost::container::map<int, int, std::less<int>, Alloc<std::pair<const int, int>>> bm(std::less<int>(), a);
   for (int i = 0; i < 100; ++i) {
      bm.emplace(i, i * i);
   }
   CHECK(bm.size() == 100 && bm.at(9) == 81);
#endif
   std::printf("%s: ok\n", what);
}

int main() {
   char name[64];
   test_name(name, sizeof name, "alloc_traits");
   shared_memory_object::remove(name);
   {
      managed_shared_memory segment(create_only, name, 1 << 20);
      const std::size_t free_before = segment.get_free_memory();
      check_allocator<Plain>(segment, "allocator");
      check_allocator<NodeA>(segment, "node_allocator");
      check_allocator<PrivateNodeA>(segment, "private_node_allocator");
      check_allocator<CachedNodeA>(segment, "cached_node_allocator");
      check_allocator<AdaptiveA>(segment, "adaptive_pool");
      check_allocator<PrivateAdaptiveA>(segment, "private_adaptive_pool");
      check_allocator<CachedAdaptiveA>(segment, "cached_adaptive_pool");
      CHECK(segment.get_free_memory() <= free_before);
   }
   shared_memory_object::remove(name);
   return 0;
}
