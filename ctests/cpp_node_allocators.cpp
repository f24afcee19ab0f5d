// The pooled allocators: node_allocator, adaptive_pool and their private/cached forms share
// a node pool in the segment; containers use them; a second process allocates from the
// same pool; nodes go back to the pool and arrays to the segment.
#include "check.h"
#include <interproc/allocators/adaptive_pool.hpp>
#include <interproc/allocators/cached_adaptive_pool.hpp>
#include <interproc/allocators/cached_node_allocator.hpp>
#include <interproc/allocators/node_allocator.hpp>
#include <interproc/allocators/private_adaptive_pool.hpp>
#include <interproc/allocators/private_node_allocator.hpp>
#include <interproc/containers/list.hpp>
#include <interproc/containers/map.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <functional>
#include <list>
#include <string>

using namespace interproc;
typedef managed_shared_memory::segment_manager SM;
typedef node_allocator<int, SM> IntNodes;
typedef list<int, IntNodes> NodeList;

template <class Alloc> static void exercise(managed_shared_memory &segment) {
   Alloc a(segment.get_segment_manager());
   typename Alloc::pointer p = a.allocate(1);
   typename Alloc::pointer q = a.allocate(1);
   CHECK(p != q);
   *p = 1;
   *q = 2;
   CHECK(a.get_node_pool()->in_use() >= 2);
   a.deallocate(p, 1);
   typename Alloc::pointer r = a.allocate(1);
   CHECK(r == p); // the freed node is the next one handed out
   a.deallocate(r, 1);
   a.deallocate(q, 1);
   typename Alloc::pointer arr = a.allocate(100);
   arr[99] = 7;
   a.deallocate(arr, 100);
   Alloc copy(a);
   CHECK(copy == a && copy.get_node_pool() == a.get_node_pool());
}

static int child(const char *name) {
   managed_shared_memory segment(open_only, name);
   NodeList *l = segment.find<NodeList>("list").first;
   if (!l) {
      return 2;
   }
   for (int i = 0; i < 500; ++i) {
      l->push_back(1000 + i);
   }
   return 0;
}

int main(int argc, char **argv) {
   if (argc == 4 && std::string(argv[1]) == "child") {
      return child(argv[3]);
   }
   char name[64];
   test_name(name, sizeof name, "cpp_nodes");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory segment(create_only, name, 1 << 20);

   exercise<node_allocator<int, SM>>(segment);
   exercise<private_node_allocator<int, SM>>(segment);
   exercise<cached_node_allocator<int, SM>>(segment);
   exercise<adaptive_pool<int, SM>>(segment);
   exercise<private_adaptive_pool<int, SM>>(segment);
   exercise<cached_adaptive_pool<int, SM>>(segment);

   // One pool per node size, shared by every allocator of that size.
   node_allocator<int, SM> a1(segment.get_segment_manager()), a2(segment.get_segment_manager());
   node_allocator<double, SM> d(a1);
   CHECK(a1.get_node_pool() == a2.get_node_pool());
   CHECK(static_cast<void *>(d.get_node_pool()) != static_cast<void *>(a1.get_node_pool()));

   // A list and a map on pooled nodes, against their std twins.
   NodeList *l = segment.construct<NodeList>("list")(IntNodes(segment.get_segment_manager()));
   std::list<int> twin;
   for (int i = 0; i < 2000; ++i) {
      l->push_back(i);
      twin.push_back(i);
      if (i % 3 == 0) {
         l->pop_front();
         twin.pop_front();
      }
   }
   CHECK(std::equal(l->begin(), l->end(), twin.begin(), twin.end()));
   typedef std::pair<const int, int> V;
   typedef map<int, int, std::less<int>, adaptive_pool<V, SM>> PoolMap;
   PoolMap *m = segment.construct<PoolMap>("map")(std::less<int>(), adaptive_pool<V, SM>(segment.get_segment_manager()));
   for (int i = 0; i < 1000; ++i) {
      (*m)[i * 7 % 1000] = i;
   }
   CHECK(m->size() == 1000 && (*m)[7] == 1);

   // Another process, mapping elsewhere, adds nodes from the same pool.
   const std::size_t before = l->size();
   CHECK(run_child(argv[0], "grow", name) == 0);
   CHECK(l->size() == before + 500 && l->back() == 1499);
   segment.destroy<NodeList>("list");
   segment.destroy<PoolMap>("map");
   std::printf("cpp_node_allocators: ok\n");
   return 0;
}
