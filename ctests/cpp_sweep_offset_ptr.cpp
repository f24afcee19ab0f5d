// A sweep of Boost's offset_ptr and exceptions, one API at a time: construction from raw
// pointers, other offset_ptrs and null; get, get_offset, arithmetic, comparisons, [],
// swap, the casts (static, const, dynamic, reinterpret), pointer_to, stream output and
// to_raw_pointer, and offset_ptrs that live in a segment and are read through another
// mapping; interprocess_exception, bad_alloc and lock_exception with their error codes.
// (Boost's casts name the whole offset_ptr type: static_pointer_cast<T, D, O, A>(p).)
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/exceptions.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/offset_ptr.hpp>

#include <cstdio>
#include <sstream>
#include <string>

using namespace interproc;

static const char *yes(bool b) { return b ? "yes" : "no"; }

struct Base {
   int b = 1;
   virtual ~Base() {}
};
struct Derived : Base {
   int d = 2;
};
struct Other : Base {};

struct Node {
   int value;
   offset_ptr<Node> next;
};

static void basics() {
   int arr[5] = {10, 20, 30, 40, 50};
   offset_ptr<int> p(arr);
   offset_ptr<int> null_p;
   offset_ptr<int> from_zero = 0;
   std::printf("null: default %s, from 0 %s, bool %s, not %s\n", yes(!null_p), yes(from_zero == nullptr), yes(bool(p)),
               yes(!null_p));
   std::printf("get %s, *p %d, p[2] %d, *(p + 3) %d\n", yes(p.get() == arr), *p, p[2], *(p + 3));
   offset_ptr<int> q = p;
   ++q;
   q += 2;
   const int at_q = *q;
   const int post_decrement = *q--;
   std::printf("q - p %d, *q %d, *q-- %d, *q %d\n", int(q - p), at_q, post_decrement, *q);
   std::printf("compare: < %s, <= %s, > %s, == %s, != %s\n", yes(p < q), yes(p <= p), yes(q > p), yes(p == arr), yes(p != q));
   offset_ptr<int> r(arr + 4);
   swap(p, r);
   std::printf("swap: *p %d, *r %d\n", *p, *r);
   offset_ptr<const int> c(p);
   offset_ptr<int> mutable_again = const_pointer_cast<int, std::ptrdiff_t, std::size_t, 0>(c);
   std::printf("const_pointer_cast: %s\n", yes(mutable_again == p));
   offset_ptr<void> v(p);
   offset_ptr<int> back = static_pointer_cast<int, std::ptrdiff_t, std::size_t, 0>(v);
   std::printf("void and static_pointer_cast: %s\n", yes(back == p));
   offset_ptr<char> bytes = reinterpret_pointer_cast<char, std::ptrdiff_t, std::size_t, 0>(p);
   std::printf("reinterpret_pointer_cast: %s\n", yes(static_cast<void *>(bytes.get()) == static_cast<void *>(p.get())));
   Derived dd;
   offset_ptr<Base> base(&dd);
   offset_ptr<Derived> down = dynamic_pointer_cast<Derived, std::ptrdiff_t, std::size_t, 0>(base);
   offset_ptr<Other> wrong = dynamic_pointer_cast<Other, std::ptrdiff_t, std::size_t, 0>(base);
   std::printf("dynamic_pointer_cast: %s, wrong type null %s, d %d\n", yes(down.get() == &dd), yes(!wrong), down->d);
   offset_ptr<Derived> sdown = static_pointer_cast<Derived, std::ptrdiff_t, std::size_t, 0>(base);
   std::printf("static_pointer_cast down: %s\n", yes(sdown.get() == &dd));
   int x = 3;
   offset_ptr<int> to = offset_ptr<int>::pointer_to(x);
   std::printf("pointer_to: %s, to_raw_pointer %s\n", yes(to.get() == &x), yes(to_raw_pointer(to) == &x));
   std::ostringstream a, b;
   a << to;
   b << to.get_offset();
   std::printf("stream output is the offset: %s\n", yes(a.str() == b.str()));
   to = nullptr;
   std::printf("assign nullptr: %s\n", yes(!to));
   offset_ptr<int> self;
   self = arr;
   std::printf("offset to arr is the distance: %s\n",
               yes(self.get_offset() ==
                   offset_ptr<int>::offset_type(reinterpret_cast<char *>(arr) - reinterpret_cast<char *>(&self))));
}

static void in_segment(const char *name) {
   shared_memory_object::remove(name);
   managed_shared_memory seg(create_only, name, 65536);
   Node *head = nullptr;
   for (int i = 0; i < 5; ++i) {
      Node *n = seg.construct<Node>(anonymous_instance)();
      n->value = i;
      n->next = head;
      head = n;
   }
   seg.construct<offset_ptr<Node>>("head")(head);
   {
      // A second mapping of the same segment, elsewhere in this process.
      managed_shared_memory again(open_only, name);
      Node *h = again.find<offset_ptr<Node>>("head").first->get();
      int sum = 0, count = 0;
      for (Node *n = h; n; n = n->next.get()) {
         sum += n->value;
         ++count;
      }
      std::printf("list through a second mapping: different address %s, %d nodes, sum %d\n",
                  yes(static_cast<void *>(h) != static_cast<void *>(head)), count, sum);
   }
   shared_memory_object::remove(name);
}

static void exceptions(const char *name) {
   try {
      managed_shared_memory seg(open_only, "interproc_sweep_no_such_segment");
   } catch (const interprocess_exception &e) {
      std::printf("interprocess_exception: not_found %s, native error ENOENT %s, what non-empty %s\n",
                  yes(e.get_error_code() == not_found_error), yes(e.get_native_error() == ENOENT), yes(e.what()[0] != '\0'));
   }
   shared_memory_object::remove(name);
   {
      managed_shared_memory seg(create_only, name, 65536);
      try {
         seg.allocate(1 << 20);
      } catch (const interprocess_exception &e) {
         const bool is_bad_alloc = dynamic_cast<const bad_alloc *>(&e) != nullptr;
         // (Boost's bad_alloc carries whatever errno held; interproc's says out_of_memory_error.)
         std::printf("bad_alloc is an interprocess_exception: %s\n", yes(is_bad_alloc));
      }
      try {
         throw lock_exception();
      } catch (const interprocess_exception &e) {
         std::printf("lock_exception: lock_error %s\n", yes(e.get_error_code() == lock_error));
      }
      interprocess_exception made("a message");
      std::printf("interprocess_exception(\"a message\"): what \"%s\"\n", made.what());
   }
   shared_memory_object::remove(name);
}

int main() {
   char name[64];
   test_name(name, sizeof name, "sweep_optr");
   basics();
   in_segment(name);
   exceptions(name);
   std::printf("done\n");
   return 0;
}
