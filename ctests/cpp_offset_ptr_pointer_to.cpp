// offset_ptr<T>::pointer_to(r) and std::pointer_traits<offset_ptr<T>>::pointer_to(r) point
// at the very object `r` refers to (never at a copy), for several offset_ptr forms, both on
// the stack and inside a managed segment; `reference` of offset_ptr<void> is a stand-in
// type so pointer_to is well formed there too (as generic code such as Boost.Intrusive's
// pointer_traits needs). When Boost.Intrusive is installed, its pointer_traits is checked
// against offset_ptr the same way.
#include "check.h"
#include <interproc/managed_shared_memory.hpp>
#include <interproc/offset_ptr.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>

#if __has_include(<boost/intrusive/pointer_traits.hpp>)
#include <boost/intrusive/pointer_traits.hpp>
#define HAVE_BOOST_INTRUSIVE 1
#endif

using namespace interproc;

struct Base {
   int b = 1;
};
struct Derived : Base {
   int d = 2;
};

// pointer_to must take a reference: a by-value parameter would make the result dangle.
template <class P> static void check_signature() {
   typedef typename P::reference R;
   static_assert(std::is_reference<R>::value, "offset_ptr::reference is a reference type");
   static_assert(std::is_same<decltype(P::pointer_to(std::declval<R>())), P>::value, "pointer_to returns the pointer");
   static_assert(std::is_same<decltype(&P::pointer_to), P (*)(R) noexcept>::value, "offset_ptr::pointer_to(reference)");
   typedef std::pointer_traits<P> PT;
   static_assert(std::is_same<typename PT::pointer, P>::value, "std::pointer_traits::pointer");
   static_assert(std::is_same<decltype(&PT::pointer_to), P (*)(R) noexcept>::value, "std::pointer_traits::pointer_to(reference)");
}

// Identity through the member, through std::pointer_traits and, when installed, through
// boost::intrusive::pointer_traits; and the object is reached through the result.
template <class P, class T> static void check_identity(T &x) {
   check_signature<P>();
   P a = P::pointer_to(x);
   CHECK(a.get() == &x);
   P b = std::pointer_traits<P>::pointer_to(x);
   CHECK(b.get() == &x);
   CHECK(a == b);
#ifdef HAVE_BOOST_INTRUSIVE
   P c = boost::intrusive::pointer_traits<P>::pointer_to(x);
   CHECK(c.get() == &x);
#endif
}

// For void forms the reference is a stand-in type: pointer_to of a stand-in reference made
// from an address gives back that address.
template <class P> static void check_void_form(void *addr) {
   check_signature<P>();
   typedef typename std::remove_reference<typename P::reference>::type Standin;
   static_assert(!std::is_void<Standin>::value, "offset_ptr<void>::reference is not void");
   Standin &r = *static_cast<Standin *>(addr);
   CHECK(P::pointer_to(r).get() == addr);
   CHECK(std::pointer_traits<P>::pointer_to(r).get() == addr);
#ifdef HAVE_BOOST_INTRUSIVE
   typedef boost::intrusive::pointer_traits<P> BPT;
   static_assert(std::is_same<typename BPT::element_type, typename P::element_type>::value, "element_type");
   static_assert(std::is_same<typename BPT::difference_type, typename P::difference_type>::value, "difference_type");
   // Boost.Intrusive names its own stand-in for a void reference (it cannot see a member
   // `reference` that is a reference type), and converts its address.
   typedef typename std::remove_reference<typename BPT::reference>::type BoostStandin;
   CHECK(BPT::pointer_to(*static_cast<BoostStandin *>(addr)).get() == addr);
   // Rebinding the void pointer to an object pointer and back keeps the address.
   typedef typename BPT::template rebind_pointer<int>::type IntP;
   static_assert(std::is_same<IntP, typename P::template rebind<int>::other>::value, "rebind_pointer");
#endif
}

static void on_the_stack() {
   int i = 41;
   const int ci = 42;
   Derived d;
   long arr[4] = {1, 2, 3, 4};

   check_identity<offset_ptr<int>>(i);
   check_identity<offset_ptr<const int>>(ci);
   check_identity<offset_ptr<const int>>(i);
   check_identity<offset_ptr<Derived>>(d);
   check_identity<offset_ptr<Base>>(static_cast<Base &>(d));
   check_identity<offset_ptr<long>>(arr[2]);
   check_identity<offset_ptr<int, std::int64_t, std::uint64_t>>(i);
   check_identity<offset_ptr<int, std::int32_t, std::uint64_t>>(i);
   check_identity<offset_ptr<Derived, std::ptrdiff_t, std::size_t, 8>>(d);

   check_void_form<offset_ptr<void>>(&i);
   check_void_form<offset_ptr<const void>>(&i);
   check_void_form<offset_ptr<void, std::int32_t, std::uint64_t>>(&d);
   check_void_form<offset_ptr<const void, std::int32_t, std::uint64_t>>(&arr[1]);

   // Writing through the result changes the original (a pointer to a copy would not).
   offset_ptr<int>::pointer_to(i).get()[0] = 7;
   CHECK(i == 7);
   *std::pointer_traits<offset_ptr<long>>::pointer_to(arr[3]) = 40;
   CHECK(arr[3] == 40);
   offset_ptr<Derived>::pointer_to(d)->d = 9;
   CHECK(d.d == 9);
}

// The pointers themselves live in the segment (as a container's links do), and a result
// stored there is an offset from its own address.
struct Node {
   int value;
   offset_ptr<Node> next;
   offset_ptr<void, std::int32_t, std::uint64_t> any;
};

static void in_a_segment() {
   char buf[64];
   test_name(buf, sizeof buf, "ptr_to");
   shared_memory_object::remove(buf);
   remove_shared_memory_on_destroy cleanup(buf);
   managed_shared_memory segment(create_only, buf, 65536);
   Node *nodes = segment.construct<Node>("nodes")[3]();
   for (int k = 0; k < 3; ++k) {
      nodes[k].value = 10 * k;
      nodes[k].next = std::pointer_traits<offset_ptr<Node>>::pointer_to(nodes[(k + 1) % 3]);
      nodes[k].any = offset_ptr<void, std::int32_t, std::uint64_t>(&nodes[k]);
   }
   int sum = 0;
   Node *n = nodes;
   for (int k = 0; k < 6; ++k) {
      sum += n->value;
      n = n->next.get();
   }
   CHECK(sum == 2 * (0 + 10 + 20));
   CHECK(n == nodes);
   for (int k = 0; k < 3; ++k) {
      CHECK(nodes[k].next.get() == &nodes[(k + 1) % 3]);
      CHECK(nodes[k].any.get() == &nodes[k]);
      check_identity<offset_ptr<Node>>(nodes[k]);
      check_identity<offset_ptr<int, std::int32_t, std::uint64_t>>(nodes[k].value);
      check_void_form<offset_ptr<void, std::int32_t, std::uint64_t>>(&nodes[k]);
   }
   CHECK(segment.destroy<Node>("nodes"));
}

int main() {
   on_the_stack();
   in_a_segment();
   std::printf("cpp_offset_ptr_pointer_to: ok%s\n",
#ifdef HAVE_BOOST_INTRUSIVE
               " (with boost::intrusive::pointer_traits)"
#else
               ""
#endif
   );
   return 0;
}
