// A sweep of Boost's smart pointers, one API at a time: shared_ptr (constructors, the
// aliasing constructor, reset forms, casts, comparisons, get_deleter), weak_ptr (lock,
// expired, the bad_weak_ptr that shared_ptr's constructor throws), enable_shared_from_this,
// unique_ptr and make_managed_unique_ptr, scoped_ptr (reset, release, swap), intrusive_ptr
// (add_ref, reset, comparisons), deleter and the make_managed_* helpers.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/allocators/allocator.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/smart_ptr/deleter.hpp>
#include <interproc/smart_ptr/enable_shared_from_this.hpp>
#include <interproc/smart_ptr/intrusive_ptr.hpp>
#include <interproc/smart_ptr/scoped_ptr.hpp>
#include <interproc/smart_ptr/shared_ptr.hpp>
#include <interproc/smart_ptr/unique_ptr.hpp>
#include <interproc/smart_ptr/weak_ptr.hpp>

#include <cstdio>
#include <utility>

using namespace interproc;
typedef managed_shared_memory::segment_manager segment_manager_type;

static int live = 0;

static const char *yes(bool b) { return b ? "yes" : "no"; }

struct Base {
   int id;
   explicit Base(int i) : id(i) { ++live; }
   virtual ~Base() { --live; }
};
struct Derived : Base {
   int extra;
   Derived(int i, int e) : Base(i), extra(e) {}
};

typedef managed_shared_ptr<Base, managed_shared_memory>::type base_sp;
typedef managed_weak_ptr<Base, managed_shared_memory>::type base_wp;
typedef managed_unique_ptr<Base, managed_shared_memory>::type base_up;
typedef deleter<Base, segment_manager_type> base_deleter;
typedef allocator<void, segment_manager_type> void_allocator;
// Conversions keep the allocator and the deleter: a Derived owned through Base's deleter.
typedef shared_ptr<Derived, void_allocator, base_deleter> derived_sp;

struct SelfAware
   : enable_shared_from_this<SelfAware, allocator<void, segment_manager_type>, deleter<SelfAware, segment_manager_type>> {
   int value = 7;
};
typedef managed_shared_ptr<SelfAware, managed_shared_memory>::type self_sp;

// An intrusively counted object: the count lives in the object.
struct Counted {
   int refs = 0;
   int value = 0;
   managed_shared_memory::segment_manager *mgr = nullptr;
};
inline void intrusive_ptr_add_ref(Counted *p) { ++p->refs; }
inline void intrusive_ptr_release(Counted *p) {
   if (--p->refs == 0) {
      p->mgr->destroy_ptr(p);
   }
}
typedef intrusive_ptr<Counted, offset_ptr<void>> counted_ip;

static void shared_and_weak(managed_shared_memory &seg) {
   base_sp a = make_managed_shared_ptr(seg.construct<Base>(anonymous_instance)(1), seg);
   base_sp nothrow_made = make_managed_shared_ptr(seg.construct<Base>(anonymous_instance)(0), seg, std::nothrow);
   std::printf("make_managed_shared_ptr nothrow: %s\n", yes(nothrow_made && nothrow_made.unique()));
   nothrow_made.reset();
   std::printf("shared: use_count %ld, unique %d, id %d, bool %d\n", a.use_count(), int(a.unique()), a->id, int(bool(a)));
   base_sp b(a);
   std::printf("copy: use_count %ld, equal %d, not less %d\n", a.use_count(), int(a == b), int(!(a < b) && !(b < a)));
   base_sp c(std::move(b));
   std::printf("move: source empty %d, use_count %ld\n", int(!b), c.use_count());
   derived_sp d(seg.construct<Derived>(anonymous_instance)(2, 20), void_allocator(seg.get_segment_manager()),
                base_deleter(seg.get_segment_manager()));
   base_sp up(d);
   std::printf("upcast: id %d, use_count %ld\n", up->id, d.use_count());
   derived_sp down = static_pointer_cast<Derived>(up);
   derived_sp dyn = dynamic_pointer_cast<Derived>(up);
   derived_sp nodyn = dynamic_pointer_cast<Derived>(a);
   std::printf("casts: static extra %d, dynamic extra %d, failed dynamic empty %d\n", down->extra, dyn->extra, int(!nodyn));
   // (Boost 1.74's aliasing constructor, shared_ptr(other, p), takes no reference, and the
   // owner is destroyed one release early; interproc's takes one. It is not swept here.)
   std::printf("get_deleter: %d\n", int(a.get_deleter() != nullptr));

   base_wp w(a);
   std::printf("weak: use_count %ld, expired %d\n", w.use_count(), int(w.expired()));
   {
      base_sp locked = w.lock();
      std::printf("lock: got id %d, use_count %ld\n", locked->id, a.use_count());
   }
   // (make_managed_weak_ptr does not compile in Boost 1.74, so it is not swept here.)
   a.reset();
   c.reset();
   std::printf("all owners gone: expired %d, lock empty %d\n", int(w.expired()), int(!w.lock()));
   try {
      base_sp from_dead(w);
      std::printf("no exception\n");
   } catch (const bad_weak_ptr &e) {
      std::printf("bad_weak_ptr thrown\n");
   }
   base_wp empty_weak;
   std::printf("empty weak: expired %d, use_count %ld\n", int(empty_weak.expired()), empty_weak.use_count());
   w.reset();
   base_wp w3(d);
   base_wp w4;
   w4 = w3;
   w4.swap(w);
   std::printf("weak swap: w alive %d, w4 empty %d\n", int(!w.expired()), int(w4.expired()));

   // reset with a new object, allocator and deleter.
   base_sp r;
   r.reset(seg.construct<Base>(anonymous_instance)(4), void_allocator(seg.get_segment_manager()),
           base_deleter(seg.get_segment_manager()));
   std::printf("reset(p, a, d): id %d, use_count %ld\n", r->id, r.use_count());
   base_sp s;
   swap(r, s);
   std::printf("swap: r empty %d, s id %d\n", int(!r), s->id);
   self_sp self = make_managed_shared_ptr(seg.construct<SelfAware>(anonymous_instance)(), seg);
   self_sp again = self->shared_from_this();
   std::printf("shared_from_this: same %d, use_count %ld, value %d\n", int(again == self), self.use_count(), again->value);
}

static void unique_and_scoped(managed_shared_memory &seg) {
   {
      base_up u = make_managed_unique_ptr(seg.construct<Base>(anonymous_instance)(5), seg);
      std::printf("unique: id %d, live %d\n", u->id, live);
      base_up v(std::move(u));
      std::printf("unique moved: source empty %d, id %d\n", int(!u), v->id);
      base_up w = make_managed_unique_ptr(seg.construct<Base>(anonymous_instance)(50), seg);
      v.swap(w);
      base_deleter &del = v.get_deleter();
      (void)del;
      std::printf("unique swap: v id %d, w id %d\n", v->id, w->id);
      w.reset();
      std::printf("unique reset: empty %s, live %d\n", yes(!w), live);
      Base *raw = to_raw_pointer(v.release());
      std::printf("release: live %d\n", live);
      seg.destroy_ptr(raw);
   }
   std::printf("after unique: live %d\n", live);
   {
      base_deleter del(seg.get_segment_manager());
      scoped_ptr<Base, base_deleter> sp(seg.construct<Base>(anonymous_instance)(6), del);
      std::printf("scoped: id %d, bool %d, live %d\n", sp->id, int(bool(sp)), live);
      sp.reset(seg.construct<Base>(anonymous_instance)(8), del);
      std::printf("scoped reset(p, d): id %d, via * %d, live %d\n", sp.get()->id, (*sp).id, live);
      scoped_ptr<Base, base_deleter> other(nullptr, del);
      sp.swap(other);
      std::printf("scoped swap: empty %d, other id %d\n", int(!sp), other->id);
      Base *released = to_raw_pointer(other.release());
      std::printf("scoped release: live %d\n", live);
      del(released);
   }
   std::printf("after scoped: live %d\n", live);
}

static void intrusive(managed_shared_memory &seg) {
   Counted *obj = seg.construct<Counted>(anonymous_instance)();
   obj->mgr = seg.get_segment_manager();
   obj->value = 9;
   {
      counted_ip p(obj);
      counted_ip q(p);
      std::printf("intrusive: refs %d, equal %d, value %d\n", obj->refs, int(p == q), q->value);
      counted_ip n(obj, false);
      ++obj->refs;
      std::printf("no add_ref: refs %d\n", obj->refs);
      n.reset();
      std::printf("reset: refs %d, empty %d\n", obj->refs, int(!n));
      counted_ip m;
      m = p;
      m.swap(n);
      std::printf("assign and swap: refs %d, m empty %d, n == p %d\n", obj->refs, int(!m), int(n == p));
      std::printf("raw: %d\n", int(to_raw_pointer(p) == obj));
   }
   std::printf("intrusive gone: objects left %u\n", unsigned(seg.get_num_unique_objects() + seg.get_num_named_objects()));
}

int main() {
   char name[64];
   test_name(name, sizeof name, "sweep_sp");
   shared_memory_object::remove(name);
   {
      managed_shared_memory seg(create_only, name, 65536);
      const managed_shared_memory::size_type free_before = seg.get_free_memory();
      shared_and_weak(seg);
      std::printf("after shared: live %d\n", live);
      unique_and_scoped(seg);
      intrusive(seg);
      std::printf("memory returned: %d\n", int(seg.get_free_memory() == free_before));
   }
   shared_memory_object::remove(name);
   std::printf("done\n");
   return 0;
}
