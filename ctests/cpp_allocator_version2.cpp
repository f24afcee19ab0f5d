// The version 2 allocator protocol with Boost.Container (when its headers are installed;
// otherwise the program says so and passes). interproc's allocator and every pooled
// allocator say `version` 2, as Boost's do, so Boost.Container's containers take their
// version 2 paths: vector grows through allocation_command (expand_fwd, expand_bwd,
// shrink_in_place), node containers take and give nodes through allocate_one,
// allocate_individual and deallocate_individual with the allocator's multiallocation_chain.
// Every container lives in a managed_shared_memory segment.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"

#if !__has_include(<boost/container/vector.hpp>)
#include <cstdio>
int main() {
   std::printf("cpp_allocator_version2: skipped (Boost.Container headers not installed)\n");
   return 0;
}
#else

#include "every_allocator.hpp"
#include <interproc/managed_shared_memory.hpp>

#include <boost/container/deque.hpp>
#include <boost/container/list.hpp>
#include <boost/container/map.hpp>
#include <boost/container/set.hpp>
#include <boost/container/slist.hpp>
#include <boost/container/stable_vector.hpp>
#include <boost/container/string.hpp>
#include <boost/container/vector.hpp>

#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

namespace bc = boost::container;
using namespace interproc;

static const char *yes(bool b) { return b ? "yes" : "no"; }

// A value larger than a pool's smallest node, so a vector of one is one node's worth.
struct Big {
   int v[16];
   explicit Big(int x = 0) {
      for (int &e : v) {
         e = x;
      }
   }
};

template <class C> static long sum(const C &c) {
   long s = 0;
   for (const auto &e : c) {
      s += e;
   }
   return s;
}

// vector: growth in place forwards, backwards into a freed neighbour, and shrink_to_fit.
template <template <class> class A> static void vectors(managed_shared_memory &seg) {
   typedef bc::vector<int, A<int>> vec_t;
   vec_t *v = seg.construct<vec_t>(anonymous_instance)(A<int>(seg.get_segment_manager()));
   v->reserve(100);
   const int *before = v->data();
   v->reserve(400);
   std::printf("  vector reserve grew in place forwards: %s\n", yes(v->data() == before));
   for (int i = 0; i < 400; ++i) {
      v->push_back(i);
   }
   v->resize(10);
   v->shrink_to_fit();
   std::printf("  vector shrink_to_fit kept the buffer: %s, capacity >= 10: %s, sum %ld\n", yes(v->data() == before),
               yes(v->capacity() >= 10), sum(*v));
   seg.destroy_ptr(v);

   // Backwards: [free hole][the vector's buffer][a block that stops forward growth].
   void *hole = seg.allocate(2048);
   vec_t *w = seg.construct<vec_t>(anonymous_instance)(A<int>(seg.get_segment_manager()));
   w->reserve(64);
   for (int i = 0; i < 64; ++i) {
      w->push_back(i);
   }
   const int *wbefore = w->data();
   void *stop = seg.allocate(64);
   seg.deallocate(hole);
   w->reserve(400);
   std::printf("  vector reserve grew backwards: %s, elements kept: %s\n", yes(w->data() < wbefore),
               yes(w->size() == 64 && sum(*w) == 64 * 63 / 2));
   for (int i = 64; i < 1000; ++i) {
      w->push_back(i);
   }
   std::printf("  vector of 1000 after growth: sum %ld\n", sum(*w));
   seg.destroy_ptr(w);
   seg.deallocate(stop);

   // A vector of one large value gives back a buffer of the segment's, never a pool node.
   typedef bc::vector<Big, A<Big>> big_t;
   big_t *b = seg.construct<big_t>(anonymous_instance)(A<Big>(seg.get_segment_manager()));
   b->push_back(Big(3));
   b->shrink_to_fit();
   b->push_back(Big(4));
   b->clear();
   b->shrink_to_fit();
   std::printf("  vector of Big emptied: %s\n", yes(b->empty() && b->capacity() == 0));
   seg.destroy_ptr(b);
}

// Node containers: range inserts take nodes with allocate_individual, range erases and
// clear give them back with deallocate_individual.
template <template <class> class A> static void node_containers(managed_shared_memory &seg) {
   std::vector<int> src(500);
   std::iota(src.begin(), src.end(), 1);
   SM *sm = seg.get_segment_manager();

   typedef bc::list<int, A<int>> list_t;
   list_t *l = seg.construct<list_t>(anonymous_instance)(src.begin(), src.end(), A<int>(sm));
   auto mid = l->begin();
   std::advance(mid, 100);
   l->erase(l->begin(), mid);
   l->insert(l->end(), src.begin(), src.begin() + 50);
   std::printf("  list: %zu elements, sum %ld\n", l->size(), sum(*l));
   l->clear();
   seg.destroy_ptr(l);

   typedef bc::slist<int, A<int>> slist_t;
   slist_t *sl = seg.construct<slist_t>(anonymous_instance)(src.begin(), src.end(), A<int>(sm));
   sl->erase_after(sl->before_begin(), std::next(sl->begin(), 250));
   std::printf("  slist: %zu elements, sum %ld\n", sl->size(), sum(*sl));
   seg.destroy_ptr(sl);

   typedef bc::stable_vector<int, A<int>> sv_t;
   sv_t *sv = seg.construct<sv_t>(anonymous_instance)(src.begin(), src.end(), A<int>(sm));
   sv->erase(sv->begin() + 10, sv->begin() + 300);
   sv->reserve(1000);
   sv->insert(sv->begin(), src.begin(), src.end());
   sv->shrink_to_fit();
   std::printf("  stable_vector: %zu elements, sum %ld\n", sv->size(), sum(*sv));
   seg.destroy_ptr(sv);

   typedef bc::deque<int, A<int>> deque_t;
   deque_t *d = seg.construct<deque_t>(anonymous_instance)(src.begin(), src.end(), A<int>(sm));
   for (int i = 0; i < 300; ++i) {
      d->push_front(-i);
   }
   d->erase(d->begin() + 5, d->begin() + 400);
   std::printf("  deque: %zu elements, sum %ld\n", d->size(), sum(*d));
   seg.destroy_ptr(d);

   typedef bc::set<int, std::less<int>, A<int>> set_t;
   set_t *s = seg.construct<set_t>(anonymous_instance)(src.begin(), src.end(), std::less<int>(), A<int>(sm));
   s->erase(s->lower_bound(100), s->upper_bound(399));
   std::printf("  set: %zu elements, sum %ld\n", s->size(), sum(*s));
   seg.destroy_ptr(s);

   typedef std::pair<const int, int> pair_t;
   typedef bc::map<int, int, std::less<int>, A<pair_t>> map_t;
   map_t *m = seg.construct<map_t>(anonymous_instance)(std::less<int>(), A<pair_t>(sm));
   for (int i : src) {
      (*m)[i % 97] += i;
   }
   long msum = 0;
   for (const auto &kv : *m) {
      msum += kv.first * 1000 + kv.second;
   }
   std::printf("  map: %zu keys, checksum %ld\n", m->size(), msum);
   m->clear();
   seg.destroy_ptr(m);

   typedef bc::basic_string<char, std::char_traits<char>, A<char>> string_t;
   string_t *str = seg.construct<string_t>(anonymous_instance)(A<char>(sm));
   for (int i = 0; i < 200; ++i) {
      str->append("abc");
   }
   str->resize(17);
   str->shrink_to_fit();
   std::printf("  string: \"%s\"\n", str->c_str());
   seg.destroy_ptr(str);
}

// Each allocator in a fresh segment, so that where the heap puts a buffer is the same
// for every allocator: right after the objects made before it.
template <template <class> class A> static void run(const char *label) {
   char name[64];
   test_name(name, sizeof name, "allocv2");
   shared_memory_object::remove(name);
   {
      managed_shared_memory seg(create_only, name, 1 << 20);
      const managed_shared_memory::size_type free_before = seg.get_free_memory();
      std::printf("%s: version %u\n", label, static_cast<unsigned>(A<int>::version::value));
      vectors<A>(seg);
      node_containers<A>(seg);
      std::printf("  segment sane: %s\n", yes(seg.check_sanity()));
      if (std::string(label) == "allocator") {
         std::printf("  all memory returned: %s\n", yes(seg.get_free_memory() == free_before));
      }
   }
   shared_memory_object::remove(name);
}

int main() {
   run<Plain>("allocator");
   run<NodeA>("node_allocator");
   run<PrivateNodeA>("private_node_allocator");
   run<CachedNodeA>("cached_node_allocator");
   run<AdaptiveA>("adaptive_pool");
   run<PrivateAdaptiveA>("private_adaptive_pool");
   run<CachedAdaptiveA>("cached_adaptive_pool");
   std::printf("done\n");
   return 0;
}

#endif
