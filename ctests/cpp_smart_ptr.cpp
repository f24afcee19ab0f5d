// Smart pointers in a managed segment: shared_ptr/weak_ptr (also stored in the segment
// and used from another process), enable_shared_from_this, unique_ptr, scoped_ptr,
// intrusive_ptr, the casts and make_managed_*.
#include "check.h"
#include <interproc/managed_shared_memory.hpp>
#include <interproc/smart_ptr/intrusive_ptr.hpp>
#include <interproc/smart_ptr/scoped_ptr.hpp>
#include <interproc/smart_ptr/shared_ptr.hpp>
#include <interproc/smart_ptr/unique_ptr.hpp>
#include <interproc/smart_ptr/weak_ptr.hpp>

#include <cstdio>
#include <string>

using namespace interproc;
typedef managed_shared_memory::segment_manager SegmentManager;

static int alive = 0;

struct Base {
   int base_value = 1;
   virtual ~Base() {}
};

struct Item : Base {
   int value;
   explicit Item(int v) : value(v) { ++alive; }
   ~Item() override { --alive; }
};

typedef managed_shared_ptr<Item, managed_shared_memory>::type ItemPtr;

// What two processes share must not be polymorphic: a vtable pointer is only valid in the
// process that wrote it (as with Boost).
struct Plain {
   int value;
   explicit Plain(int v) : value(v) { ++alive; }
   ~Plain() { --alive; }
};
typedef managed_shared_ptr<Plain, managed_shared_memory>::type PlainPtr;
typedef managed_weak_ptr<Item, managed_shared_memory>::type ItemWeak;

struct Node : enable_shared_from_this<Node, allocator<void, SegmentManager>, deleter<Node, SegmentManager>> {
   int id = 7;
};

struct Counted {
   int refs = 0;
   int value = 3;
};
static int released = 0;
inline void intrusive_ptr_add_ref(Counted *p) { ++p->refs; }
inline void intrusive_ptr_release(Counted *p) {
   if (--p->refs == 0) {
      ++released;
   }
}

static int child(const char *name) {
   managed_shared_memory segment(open_only, name);
   PlainPtr *stored = segment.find<PlainPtr>("stored").first;
   if (!stored || (*stored)->value != 42 || stored->use_count() != 1) {
      return 2;
   }
   // Another owner, created in this process, stored in the segment.
   segment.construct<PlainPtr>("second")(*stored);
   return stored->use_count() == 2 ? 0 : 3;
}

int main(int argc, char **argv) {
   if (argc == 4 && std::string(argv[1]) == "child") {
      return child(argv[3]);
   }
   char buf[64];
   test_name(buf, sizeof buf, "cpp_smart");
   shared_memory_object::remove(buf);
   remove_shared_memory_on_destroy cleanup(buf);
   managed_shared_memory segment(create_only, buf, 1 << 16);
   const auto free0 = segment.get_free_memory();
   {
      ItemPtr a = make_managed_shared_ptr(segment.construct<Item>(anonymous_instance)(5), segment);
      CHECK(a && a->value == 5 && a.use_count() == 1 && a.unique());
      ItemPtr b = a;
      CHECK(a.use_count() == 2 && b == a);
      ItemWeak w(a);
      CHECK(!w.expired() && w.use_count() == 2);
      {
         ItemPtr c = w.lock();
         CHECK(c && c->value == 5 && a.use_count() == 3);
      }
      typedef shared_ptr<Base, allocator<void, SegmentManager>, deleter<Item, SegmentManager>> BasePtr;
      BasePtr base = static_pointer_cast<Base>(a);
      CHECK(base->base_value == 1 && a.use_count() == 3);
      shared_ptr<Item, allocator<void, SegmentManager>, deleter<Item, SegmentManager>> back = dynamic_pointer_cast<Item>(base);
      CHECK(back && back->value == 5);
      back.reset();
      base.reset();
      a.reset();
      b.reset();
      CHECK(w.expired() && !w.lock());
      CHECK(alive == 0);
   }
   CHECK(segment.get_free_memory() == free0);

   // enable_shared_from_this.
   {
      typedef managed_shared_ptr<Node, managed_shared_memory>::type NodePtr;
      NodePtr n = make_managed_shared_ptr(segment.construct<Node>(anonymous_instance)(), segment);
      NodePtr again = n->shared_from_this();
      CHECK(again == n && n.use_count() == 2 && again->id == 7);
   }
   CHECK(segment.get_free_memory() == free0);

   // A shared_ptr stored in the segment, shared with another process.
   {
      PlainPtr *stored = segment.construct<PlainPtr>("stored")(
         make_managed_shared_ptr(segment.construct<Plain>(anonymous_instance)(42), segment));
      CHECK(stored->use_count() == 1);
      CHECK(run_child(argv[0], "share", buf) == 0);
      CHECK(stored->use_count() == 2);
      PlainPtr *second = segment.find<PlainPtr>("second").first;
      CHECK(second && *second == *stored && (*second)->value == 42);
      segment.destroy<PlainPtr>("second");
      CHECK(stored->use_count() == 1 && alive == 1);
      segment.destroy<PlainPtr>("stored");
      CHECK(alive == 0);
   }
   CHECK(segment.all_memory_deallocated());

   // unique_ptr and scoped_ptr destroy their object through the segment.
   {
      auto u = make_managed_unique_ptr(segment.construct<Item>("unique_item")(9), segment);
      CHECK(u && u->value == 9 && alive == 1);
      auto moved = std::move(u);
      CHECK(!u && moved->value == 9);
   }
   CHECK(alive == 0 && segment.find<Item>("unique_item").first == nullptr);
   {
      scoped_ptr<Item, deleter<Item, SegmentManager>> s(segment.construct<Item>("scoped_item")(4), segment.get_deleter<Item>());
      CHECK(s && s->value == 4 && (*s).value == 4);
      s.reset(segment.construct<Item>("scoped_item2")(6));
      CHECK(alive == 1 && segment.find<Item>("scoped_item").first == nullptr && s->value == 6);
   }
   CHECK(alive == 0);

   // intrusive_ptr.
   {
      Counted *c = segment.construct<Counted>("counted")();
      {
         intrusive_ptr<Counted, offset_ptr<void>> p(c);
         intrusive_ptr<Counted, offset_ptr<void>> q = p;
         CHECK(c->refs == 2 && q->value == 3 && p == q);
      }
      CHECK(c->refs == 0 && released == 1);
      segment.destroy_ptr(c);
   }
   CHECK(segment.all_memory_deallocated());
   std::printf("cpp_smart_ptr: ok\n");
   return 0;
}
