// Uses-allocator construction by construct<T> and find_or_construct<T>, as newer Boost
// documents it: a T whose `allocator_type` the segment manager converts to gets the
// segment's allocator without the program passing it, by the leading convention
// (`T(allocator_arg, alloc, args...)`) or else the trailing one (`T(args..., alloc)`); a T
// that takes no allocator, or a program that passes one itself, builds from its arguments.
#include "check.h"
#include <interproc/allocators/allocator.hpp>
#include <interproc/containers/map.hpp>
#include <interproc/containers/string.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <memory>
#include <type_traits>

using namespace interproc;

typedef managed_shared_memory::segment_manager segment_manager_t;
typedef allocator<void, segment_manager_t> void_allocator;
typedef allocator<int, segment_manager_t> int_allocator;
typedef vector<int, int_allocator> int_vector;

// Takes its allocator first, after allocator_arg.
struct Leading {
   typedef void_allocator allocator_type;
   int_vector values;
   int how;
   Leading(std::allocator_arg_t, const allocator_type &a, std::size_t n) : values(n, 7, int_allocator(a)), how(1) {}
   Leading(std::allocator_arg_t, const allocator_type &a) : values(int_allocator(a)), how(1) {}
};

// Takes its allocator last.
struct Trailing {
   typedef int_allocator allocator_type;
   int_vector values;
   float f;
   Trailing(float v, int n, const allocator_type &a) : values(static_cast<std::size_t>(n), 3, a), f(v) {}
   explicit Trailing(const allocator_type &a) : values(a), f(0) {}
};

// Has an allocator_type but the program passes the allocator itself, as before.
struct Explicit {
   typedef void_allocator allocator_type;
   int_vector values;
   Explicit(std::size_t n, const allocator_type &a) : values(n, 1, int_allocator(a)) {}
};

// Takes no allocator at all.
struct Plain {
   int a, b;
   Plain(int x, int y) : a(x), b(y) {}
};

static_assert(std::uses_allocator<Leading, segment_manager_t *>::value, "Leading uses the segment's allocator");
static_assert(std::uses_allocator<Trailing, segment_manager_t *>::value, "Trailing uses the segment's allocator");
static_assert(!std::uses_allocator<Plain, segment_manager_t *>::value, "Plain uses none");

int main() {
   char name[64];
   test_name(name, sizeof name, "usealloc");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory ms(create_only, name, 65536);

   Leading *l0 = ms.construct<Leading>("leading0")();
   Leading *l3 = ms.construct<Leading>(anonymous_instance)(3u);
   CHECK(l0->values.empty() && l0->how == 1);
   CHECK(l3->values.size() == 3 && l3->values[2] == 7);
   CHECK(l3->values.get_allocator().get_segment_manager() == ms.get_segment_manager());
   CHECK(ms.belongs_to_segment(&l3->values[0]));

   Trailing *t = ms.construct<Trailing>("trailing")(1.5f, 2);
   CHECK(t->values.size() == 2 && t->values[1] == 3 && t->f == 1.5f);
   Trailing *t_again = ms.find_or_construct<Trailing>("trailing")(9.0f, 9);
   CHECK(t_again == t && t->values.size() == 2);
   Trailing *fresh = ms.find_or_construct<Trailing>("fresh")();
   CHECK(fresh->values.empty() && ms.belongs_to_segment(fresh));

   // Each element of an array gets the allocator too.
   Trailing *arr = ms.construct<Trailing>("array")[4](0.5f, 1);
   for (int i = 0; i < 4; ++i) {
      CHECK(arr[i].values.size() == 1 && arr[i].values.get_allocator().get_segment_manager() == ms.get_segment_manager());
   }
   // The unique instance too.
   Leading *u = ms.construct<Leading>(unique_instance)(2u);
   CHECK(u->values.size() == 2);

   Explicit *e = ms.construct<Explicit>("explicit")(4u, ms.get_allocator<void>());
   Explicit *e2 = ms.construct<Explicit>(anonymous_instance)(1u, ms.get_segment_manager());
   CHECK(e->values.size() == 4 && e2->values.size() == 1);
   Plain *p = ms.construct<Plain>("plain")(1, 2);
   CHECK(p->a == 1 && p->b == 2);

   // interproc's own containers are such types: the allocator may be left out, or passed.
   typedef basic_string<char, std::char_traits<char>, allocator<char, segment_manager_t>> shm_string;
   shm_string *s1 = ms.construct<shm_string>("s1")("segment");
   shm_string *s2 = ms.construct<shm_string>(anonymous_instance)("passed", ms.get_allocator<char>());
   int_vector *v = ms.find_or_construct<int_vector>("v")(3u, 9);
   CHECK(*s1 == "segment" && *s2 == "passed" && v->size() == 3 && (*v)[2] == 9);
   CHECK(s1->get_allocator().get_segment_manager() == ms.get_segment_manager());
   ms.destroy_ptr(s1);
   ms.destroy_ptr(s2);
   ms.destroy_ptr(v);

   // A map with a transparent ordering builds a missing key from what try_emplace is given,
   // and its value, both with the segment's allocator; a present key builds nothing.
   {
      typedef std::pair<const shm_string, Trailing> entry;
      typedef map<shm_string, Trailing, std::less<>, allocator<entry, segment_manager_t>> named_map;
      named_map *m = ms.construct<named_map>("map")();
      CHECK(m->try_emplace("key", 2.5f, 3).second);
      const std::size_t free_after_one = ms.get_free_memory();
      const auto again = m->try_emplace("key", 9.0f, 9);
      CHECK(!again.second && again.first->second.values.size() == 3 && ms.get_free_memory() == free_after_one);
      const entry &e0 = *m->find("key");
      CHECK(e0.first.get_allocator().get_segment_manager() == ms.get_segment_manager());
      CHECK(e0.second.values.get_allocator().get_segment_manager() == ms.get_segment_manager());
      CHECK(e0.second.f == 2.5f && ms.belongs_to_segment(&e0.second.values[0]));
      ms.destroy_ptr(m);
   }

   ms.destroy<Leading>("leading0");
   ms.destroy_ptr(l3);
   ms.destroy<Trailing>("trailing");
   ms.destroy<Trailing>("fresh");
   ms.destroy<Trailing>("array");
   ms.destroy<Leading>(unique_instance);
   ms.destroy<Explicit>("explicit");
   ms.destroy_ptr(e2);
   ms.destroy<Plain>("plain");
   CHECK(ms.all_memory_deallocated());
   std::printf("cpp_uses_allocator_construction: ok\n");
   return 0;
}
