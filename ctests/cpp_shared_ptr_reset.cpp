// shared_ptr's reset forms: reset(p, a, d) with a raw or a segment pointer, and the
// aliasing reset(r, p), which shares r's ownership (counted: Boost 1.74's aliasing
// constructor does not count the new owner, so its object is released twice; interproc's
// counts it).
#include "check.h"
#include <interproc/managed_shared_memory.hpp>
#include <interproc/smart_ptr/shared_ptr.hpp>

#include <cstdio>

using namespace interproc;

typedef managed_shared_memory::segment_manager segment_manager_t;
struct Base {
   int value;
   explicit Base(int v) : value(v) {}
   virtual ~Base() {}
};
struct Derived : Base {
   explicit Derived(int v) : Base(v) {}
};
typedef deleter<Base, segment_manager_t> base_deleter;
typedef allocator<void, segment_manager_t> void_allocator;
typedef shared_ptr<Base, void_allocator, base_deleter> base_sp;
typedef shared_ptr<Derived, void_allocator, base_deleter> derived_sp;

int main() {
   char name[64];
   test_name(name, sizeof name, "spreset");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory seg(create_only, name, 65536);
   {
      derived_sp d(seg.construct<Derived>(anonymous_instance)(4), seg.get_allocator<void>(), seg.get_deleter<Base>());
      base_sp b;
      b.reset(d, d.get());
      CHECK(d.use_count() == 2 && b.use_count() == 2 && b->value == 4);
      d.reset();
      CHECK(b.use_count() == 1 && b->value == 4);

      // reset(p, a, d) from a raw pointer and from a segment pointer.
      base_sp r;
      r.reset(seg.construct<Base>(anonymous_instance)(5), seg.get_allocator<void>(), seg.get_deleter<Base>());
      CHECK(r.use_count() == 1 && r->value == 5);
      base_sp::pointer p(seg.construct<Base>(anonymous_instance)(6));
      r.reset(p, seg.get_allocator<void>(), seg.get_deleter<Base>());
      CHECK(r.use_count() == 1 && r->value == 6);
   }
   CHECK(seg.all_memory_deallocated());
   std::printf("cpp_shared_ptr_reset: ok\n");
   return 0;
}
