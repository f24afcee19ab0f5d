// Declarations of Boost's API that code ported from Boost uses: smart pointers that convert
// to bool implicitly (`bool b = sp;`), weak_ptr<Base> from shared_ptr<Derived>, shared_ptr's
// stream output, intrusive_ptr compared with its raw pointer and
// ordered, scoped_ptr's deleter_type, swap and to_raw_pointer, offset_ptr compared with a
// raw pointer, error_info from an errno value, and the free
// swap of mapped_region and allocator.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/allocators/allocator.hpp>
#include <interproc/errors.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/mapped_region.hpp>
#include <interproc/offset_ptr.hpp>
#include <interproc/smart_ptr/intrusive_ptr.hpp>
#include <interproc/smart_ptr/scoped_ptr.hpp>
#include <interproc/smart_ptr/shared_ptr.hpp>
#include <interproc/smart_ptr/weak_ptr.hpp>

#include <cerrno>
#include <cstdio>
#include <sstream>
#include <type_traits>

using namespace interproc;

typedef managed_shared_memory::segment_manager segment_manager_t;
typedef allocator<void, segment_manager_t> void_allocator;

struct Base {
   int value;
   explicit Base(int v) : value(v) {}
   virtual ~Base() {}
};
struct Derived : Base {
   explicit Derived(int v) : Base(v) {}
};
typedef deleter<Base, segment_manager_t> base_deleter;
typedef shared_ptr<Base, void_allocator, base_deleter> base_sp;
typedef shared_ptr<Derived, void_allocator, base_deleter> derived_sp;
typedef weak_ptr<Base, void_allocator, base_deleter> base_wp;
typedef weak_ptr<Derived, void_allocator, base_deleter> derived_wp;
typedef scoped_ptr<Base, base_deleter> base_scoped;

struct Counted {
   int refs;
   Counted() : refs(0) {}
};
inline void intrusive_ptr_add_ref(Counted *p) { ++p->refs; }
inline void intrusive_ptr_release(Counted *p) { --p->refs; }
typedef intrusive_ptr<Counted, offset_ptr<void>> counted_ip;

static_assert(std::is_convertible<base_sp, bool>::value, "shared_ptr converts to bool");
static_assert(std::is_convertible<base_scoped, bool>::value, "scoped_ptr converts to bool");
static_assert(std::is_convertible<counted_ip, bool>::value, "intrusive_ptr converts to bool");
static_assert(!std::is_convertible<base_sp, int>::value, "a shared_ptr is not a number");
static_assert(std::is_same<base_scoped::deleter_type, base_deleter>::value, "scoped_ptr::deleter_type");
static_assert(std::is_same<base_wp::value_type, Base>::value, "weak_ptr::value_type");
static_assert(std::is_same<base_sp::reference, Base &>::value, "shared_ptr::reference");

static void shared_pointers(managed_shared_memory &seg) {
   base_deleter del = seg.get_deleter<Base>();
   derived_sp d(seg.construct<Derived>(anonymous_instance)(4), seg.get_allocator<void>(), del);
   const bool owns = d;
   base_wp w(d); // weak_ptr<Base> from shared_ptr<Derived>
   derived_wp dw(d);
   base_wp from_weak(dw);
   std::printf("shared_ptr: owns %d, weak use_count %ld, from weak %ld, weak order %d\n", int(owns), w.use_count(),
               from_weak.use_count(), int(!(w < from_weak) && !(from_weak < w)));
   base_sp b;
   std::printf("empty shared_ptr: %d\n", int(bool(b)));
   b = d;
   std::ostringstream a;
   a << b;
   std::printf("stream output written: %d\n", int(!a.str().empty()));
   base_wp other;
   other = d;
   swap(w, other);
   std::printf("weak swap: %ld %ld\n", w.use_count(), other.use_count());
}

static void scoped_pointers(managed_shared_memory &seg) {
   base_deleter del = seg.get_deleter<Base>();
   base_scoped s(seg.construct<Base>(anonymous_instance)(7), del);
   base_scoped t(nullptr, del);
   const bool before = t;
   swap(s, t);
   const bool after = t;
   std::printf("scoped_ptr: %d %d, raw value %d\n", int(before), int(after), to_raw_pointer(t)->value);
}

static void intrusive_pointers() {
   Counted c1, c2;
   counted_ip p(&c1), q(&c2);
   const bool owns = p;
   const counted_ip::pointer raw(&c1);
   std::printf("intrusive_ptr: owns %d, == raw %d, != raw %d, raw == %d, ordered %d, refs %d\n", int(owns), int(p == raw),
               int(q != raw), int(raw == p), int((p < q) != (q < p)), c1.refs);
}

static void offset_pointers() {
   int arr[3] = {1, 2, 3};
   offset_ptr<int> p(&arr[1]);
   std::printf("offset_ptr vs raw: %d %d %d %d %d %d\n", int(p < &arr[2]), int(&arr[0] < p), int(p <= &arr[1]),
               int(p > &arr[0]), int(&arr[2] >= p), int(p >= &arr[2]));
}

static void errors_and_swaps(managed_shared_memory &seg) {
   error_info e(ENOENT);
   error_info f(EEXIST);
   error_info g(no_error);
   g = EACCES;
   std::printf("error_info: %d %d %d %d\n", int(e.get_error_code() == not_found_error), int(f.get_error_code() == already_exists_error),
               int(g.get_error_code() == security_error), e.get_native_error() == ENOENT ? 1 : 0);
   mapped_region r1, r2;
   swap(r1, r2);
   std::printf("mapped_region swap: %zu %zu\n", r1.get_size(), r2.get_size());
   allocator<int, segment_manager_t> a1 = seg.get_allocator<int>(), a2 = a1;
   swap(a1, a2);
   std::printf("allocator swap: same segment %d\n", int(a1 == a2));
}

int main() {
   char name[64];
   test_name(name, sizeof name, "apiadd");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory seg(create_only, name, 65536);
   shared_pointers(seg);
   scoped_pointers(seg);
   intrusive_pointers();
   offset_pointers();
   errors_and_swaps(seg);
   std::printf("all memory deallocated: %d\n", int(seg.all_memory_deallocated()));
   return 0;
}
