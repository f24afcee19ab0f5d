// A sweep of the containers of <boost/interprocess/containers/...> (Boost.Container's,
// interproc's own), one member at a time, every container in a managed segment: vector,
// string, list, slist, deque, stable_vector, map, multimap, set, multiset, flat_map,
// flat_set; and the allocators' own members (rebind, address, max_size, equality,
// get_segment_manager, the pools' node counts and caches).
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/allocators/allocator.hpp>
#include <interproc/allocators/cached_node_allocator.hpp>
#include <interproc/allocators/node_allocator.hpp>
#include <interproc/allocators/private_node_allocator.hpp>
#include <interproc/containers/deque.hpp>
#include <interproc/containers/flat_map.hpp>
#include <interproc/containers/flat_set.hpp>
#include <interproc/containers/list.hpp>
#include <interproc/containers/map.hpp>
#include <interproc/containers/set.hpp>
#include <interproc/containers/slist.hpp>
#include <interproc/containers/stable_vector.hpp>
#include <interproc/containers/string.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>

using namespace interproc;

typedef managed_shared_memory::segment_manager SM;
typedef allocator<int, SM> int_alloc;
typedef allocator<char, SM> char_alloc;
typedef basic_string<char, std::char_traits<char>, char_alloc> shm_string;

static const char *yes(bool b) { return b ? "yes" : "no"; }

template <class C> static void print(const char *label, const C &c) {
   std::printf("%s [%u]:", label, unsigned(c.size()));
   for (const auto &e : c) {
      std::printf(" %d", int(e));
   }
   std::printf("\n");
}

template <class M> static void print_map(const char *label, const M &m) {
   std::printf("%s [%u]:", label, unsigned(m.size()));
   for (const auto &kv : m) {
      std::printf(" %d=%d", int(kv.first), int(kv.second));
   }
   std::printf("\n");
}

static void sequences(managed_shared_memory &seg) {
   int_alloc a(seg.get_segment_manager());
   vector<int, int_alloc> v(a);
   v.assign(5, 1);
   v.insert(v.begin() + 2, 3, 7);
   v.emplace_back(9);
   v.emplace(v.begin(), 0);
   const int arr[3] = {4, 5, 6};
   v.insert(v.end(), arr, arr + 3);
   v.erase(v.begin() + 1);
   print("vector", v);
   std::printf("vector: front %d, back %d, data[2] %d, rbegin %d, capacity >= size %s\n", v.front(), v.back(), v.data()[2],
               *v.rbegin(), yes(v.capacity() >= v.size()));
   try {
      (void)v.at(100);
   } catch (const std::out_of_range &) {
      std::printf("vector at(100): out_of_range\n");
   }
   v.resize(3);
   v.resize(5, 8);
   vector<int, int_alloc> w(v.begin(), v.end(), a);
   std::printf("vector compare: equal %s, less %s\n", yes(v == w), yes(v < w));
   w.pop_back();
   w.swap(v);
   print("vector swapped", v);
   v.clear();
   v.shrink_to_fit();
   std::printf("vector cleared: empty %s\n", yes(v.empty()));

   shm_string s("hello", char_alloc(seg.get_segment_manager()));
   s.append(" world");
   s += '!';
   s.insert(0, ">> ");
   std::printf("string: \"%s\", size %u, find world %d, rfind o %d, npos %s\n", s.c_str(), unsigned(s.size()),
               int(s.find("world")), int(s.rfind('o')), yes(s.find("zzz") == shm_string::npos));
   shm_string sub = s.substr(3, 5);
   std::printf("substr \"%s\", compare %d, == %s, < %s\n", sub.c_str(), sub.compare("hello") == 0 ? 0 : 1, yes(sub == "hello"),
               yes(sub < s));
   s.replace(0, 3, "<<");
   s.erase(s.size() - 1);
   s.resize(8);
   std::printf("replace/erase/resize: \"%s\"\n", s.c_str());

   list<int, int_alloc> l(a);
   for (int i : {5, 3, 9, 3, 1}) {
      l.push_back(i);
   }
   l.push_front(7);
   l.sort();
   l.unique();
   print("list sorted unique", l);
   list<int, int_alloc> l2(a);
   l2.push_back(4);
   l2.push_back(8);
   l.merge(l2);
   print("list merged", l);
   l.reverse();
   l.remove(8);
   l.remove_if([](int x) { return x == 1; });
   list<int, int_alloc> l3(a);
   l3.push_back(100);
   l.splice(l.begin(), l3);
   print("list reversed, removed, spliced", l);

   slist<int, int_alloc> sl(a);
   sl.push_front(3);
   sl.push_front(2);
   sl.insert_after(sl.begin(), 10);
   sl.reverse();
   print("slist", sl);

   deque<int, int_alloc> d(a);
   for (int i = 0; i < 5; ++i) {
      d.push_back(i);
      d.push_front(-i);
   }
   d.pop_front();
   d.erase(d.begin() + 2);
   print("deque", d);
   std::printf("deque: at(3) %d, [4] %d\n", d.at(3), d[4]);

   stable_vector<int, int_alloc> sv(a);
   for (int i = 0; i < 6; ++i) {
      sv.push_back(i * i);
   }
   int *third = &sv[3];
   sv.erase(sv.begin());
   sv.insert(sv.begin(), 42);
   std::printf("stable_vector: element kept its address %s, value %d\n", yes(third == &sv[3]), *third);
   print("stable_vector", sv);
}

static void associative(managed_shared_memory &seg) {
   typedef std::pair<const int, int> value_t;
   typedef allocator<value_t, SM> pair_alloc;
   map<int, int, std::less<int>, pair_alloc> m(std::less<int>(), pair_alloc(seg.get_segment_manager()));
   m[3] = 30;
   m.insert(value_t(1, 10));
   m.emplace(2, 20);
   m.try_emplace(2, 99);
   m.insert_or_assign(4, 40);
   m.insert_or_assign(4, 44);
   m.emplace_hint(m.end(), 5, 50);
   print_map("map", m);
   std::printf("map: count(2) %u, find(9) end %s, lower_bound(3) %d, upper_bound(3) %d, at(1) %d\n", unsigned(m.count(2)),
               yes(m.find(9) == m.end()), m.lower_bound(3)->first, m.upper_bound(3)->first, m.at(1));
   try {
      (void)m.at(9);
   } catch (const std::out_of_range &) {
      std::printf("map at(9): out_of_range\n");
   }
   std::printf("map erase(3): %u\n", unsigned(m.erase(3)));
   m.erase(m.begin());
   print_map("map after erases", m);

   multimap<int, int, std::less<int>, pair_alloc> mm(std::less<int>(), pair_alloc(seg.get_segment_manager()));
   mm.insert(value_t(1, 1));
   mm.insert(value_t(1, 2));
   mm.insert(value_t(2, 3));
   auto range = mm.equal_range(1);
   std::printf("multimap: count(1) %u, range length %d\n", unsigned(mm.count(1)), int(std::distance(range.first, range.second)));

   int_alloc a(seg.get_segment_manager());
   set<int, std::less<int>, int_alloc> s(std::less<int>(), a);
   for (int i : {4, 1, 4, 9, 2}) {
      s.insert(i);
   }
   print("set", s);
   multiset<int, std::less<int>, int_alloc> ms(s.begin(), s.end(), std::less<int>(), a);
   ms.insert(4);
   std::printf("multiset: count(4) %u\n", unsigned(ms.count(4)));

   flat_map<int, int, std::less<int>, allocator<std::pair<int, int>, SM>> fm(
      std::less<int>(), allocator<std::pair<int, int>, SM>(seg.get_segment_manager()));
   fm.reserve(10);
   fm[5] = 1;
   fm[2] = 2;
   fm.insert(std::pair<int, int>(8, 3));
   fm.emplace(1, 4);
   print_map("flat_map", fm);
   std::printf("flat_map: nth(1) %d, index_of(find(5)) %u, capacity >= 10 %s\n", fm.nth(1)->first,
               unsigned(fm.index_of(fm.find(5))),
               yes(fm.capacity() >= 10));
   flat_set<int, std::less<int>, int_alloc> fs(std::less<int>(), a);
   for (int i : {3, 1, 3, 2}) {
      fs.insert(i);
   }
   fs.erase(2);
   print("flat_set", fs);
}

static void allocators(managed_shared_memory &seg) {
   int_alloc a(seg.get_segment_manager());
   int_alloc::rebind<char>::other c(a);
   std::printf("allocator: rebind equal %s, same segment %s, max_size > 0 %s\n", yes(char_alloc(a) == c),
               yes(c.get_segment_manager() == seg.get_segment_manager()), yes(a.max_size() > 0));
   int_alloc::pointer p = a.allocate(4);
   int_alloc::value_type x = 5;
   std::printf("allocate(4): in segment %s, address %s\n", yes(seg.belongs_to_segment(p.get())), yes(a.address(x).get() == &x));
   a.deallocate(p, 4);

   typedef node_allocator<int, SM> node_t;
   node_t n(seg.get_segment_manager());
   node_t::pointer q = n.allocate(1);
   n.deallocate(q, 1);
   node_t n2(n);
   std::printf("node_allocator: copies equal %s\n", yes(n == n2));
   n.deallocate_free_blocks();

   typedef cached_node_allocator<int, SM> cached_t;
   cached_t cn(seg.get_segment_manager());
   cn.set_max_cached_nodes(10);
   cached_t::pointer r = cn.allocate(1);
   cn.deallocate(r, 1);
   std::printf("cached_node_allocator: max cached %u\n", unsigned(cn.get_max_cached_nodes()));
   cn.deallocate_cache();

   typedef private_node_allocator<int, SM> private_t;
   private_t pn(seg.get_segment_manager());
   private_t::pointer t = pn.allocate(1);
   pn.deallocate(t, 1);
   std::printf("private_node_allocator: equals itself %s\n", yes(pn == pn));
   pn.deallocate_free_blocks();
}

int main() {
   char name[64];
   test_name(name, sizeof name, "sweep_cont");
   shared_memory_object::remove(name);
   {
      managed_shared_memory seg(create_only, name, 1 << 20);
      sequences(seg);
      associative(seg);
      allocators(seg);
   }
   shared_memory_object::remove(name);
   std::printf("done\n");
   return 0;
}
