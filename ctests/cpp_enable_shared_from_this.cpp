// enable_shared_from_this as Boost documents it: an object owned by a managed shared_ptr
// gives shared_ptrs (and, through them, weak_ptrs) sharing that ownership; a copy of the
// object is owned by no one, so its shared_from_this throws bad_weak_ptr; assigning to an
// owned object keeps its owners; once the last owner resets, the object is destroyed and
// weak_ptrs taken from shared_from_this expire; a copy later owned by a shared_ptr of its
// own answers with that one.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/managed_shared_memory.hpp>
#include <interproc/smart_ptr/enable_shared_from_this.hpp>
#include <interproc/smart_ptr/shared_ptr.hpp>
#include <interproc/smart_ptr/weak_ptr.hpp>

#include <cstdio>

using namespace interproc;

typedef managed_shared_memory::segment_manager segment_manager_t;
typedef allocator<void, segment_manager_t> void_allocator;
typedef deleter<struct Self, segment_manager_t> self_deleter;

static int alive = 0;

struct Self : public enable_shared_from_this<Self, void_allocator, self_deleter> {
   int value;
   Self() : value(0) { ++alive; }
   Self(const Self &other) : enable_shared_from_this<Self, void_allocator, self_deleter>(other), value(other.value) { ++alive; }
   Self &operator=(const Self &other) {
      enable_shared_from_this<Self, void_allocator, self_deleter>::operator=(other);
      value = other.value;
      return *this;
   }
   ~Self() { --alive; }
};

typedef managed_shared_ptr<Self, managed_shared_memory>::type self_ptr;
typedef managed_weak_ptr<Self, managed_shared_memory>::type self_weak;

static bool throws_bad_weak_ptr(const Self &s) {
   try {
      shared_ptr<const Self, void_allocator, self_deleter> r = s.shared_from_this();
      return false;
   } catch (const bad_weak_ptr &) {
      return true;
   }
}

int main() {
   char name[64];
   test_name(name, sizeof name, "esft");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory segment(create_only, name, 65536);

   self_ptr p = make_managed_shared_ptr(segment.construct<Self>(anonymous_instance)(), segment);
   self_ptr q = p->shared_from_this();
   std::printf("same object: %d, ordered alike: %d, use_count %ld\n", int(p == q), int(!(p < q) && !(q < p)), p.use_count());
   const Self &cref = *p;
   std::printf("const shared_from_this: %d\n", int(cref.shared_from_this().get() == p.get()));

   // A weak_ptr from shared_from_this observes the same ownership.
   self_weak w(p->shared_from_this());
   std::printf("weak use_count %ld, expired %d\n", w.use_count(), int(w.expired()));

   // A copy is owned by no one.
   Self copy(*p);
   std::printf("copy throws bad_weak_ptr: %d\n", int(throws_bad_weak_ptr(copy)));

   // Assigning to an owned object keeps its owners.
   p->value = 5;
   *p = Self();
   self_ptr r = p->shared_from_this();
   std::printf("after assignment: same %d, value %d\n", int(r == p), r->value);

   // A copy placed in the segment and owned there answers with its own owner.
   self_ptr c = make_managed_shared_ptr(segment.construct<Self>(anonymous_instance)(copy), segment);
   std::printf("copy owned: own pointer %d, not the original %d\n", int(c->shared_from_this() == c), int(c != p));

   // Every owner reset: the object goes, the weak_ptr expires.
   q.reset();
   r.reset();
   p.reset();
   std::printf("after reset: expired %d, alive %d\n", int(w.expired()), alive);
   c.reset();
   w.reset();
   std::printf("all gone: alive %d, all memory deallocated %d\n", alive, int(segment.all_memory_deallocated()));
   return 0;
}
