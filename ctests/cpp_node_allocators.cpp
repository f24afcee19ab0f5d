// The pooled allocators. node_allocator and adaptive_pool share a lock-free node pool in
// the segment (threads and processes hammer it; no node is lost or handed out twice);
// cached_* keep a per-allocator cache in front of it; private_* own a pool each, which
// goes back to the segment with the allocator. Containers use them all, are copied,
// moved, swapped and assigned, and give every byte back.
#include "child.hpp"
#include <interproc/allocators/adaptive_pool.hpp>
#include <interproc/allocators/cached_adaptive_pool.hpp>
#include <interproc/allocators/cached_node_allocator.hpp>
#include <interproc/allocators/node_allocator.hpp>
#include <interproc/allocators/private_adaptive_pool.hpp>
#include <interproc/allocators/private_node_allocator.hpp>
#include <interproc/containers/list.hpp>
#include <interproc/containers/map.hpp>
#include <interproc/containers/set.hpp>
#include <interproc/containers/slist.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <list>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

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
   CHECK(a.get_node_pool()->blocks() >= 1);
   a.deallocate(p, 1);
   typename Alloc::pointer r = a.allocate(1);
   CHECK(r == p); // the freed node is the next one handed out
   a.deallocate(r, 1);
   a.deallocate(q, 1);
   typename Alloc::pointer arr = a.allocate(100);
   arr[99] = 7;
   a.deallocate(arr, 100);
   typename Alloc::pointer one = a.allocate_one();
   a.deallocate_one(one);
   CHECK(a.max_size() > 1000);
}

// Every node the pool holds is free: taking them all must give distinct nodes without a
// new block, and one more must take a new block.
template <class Alloc> static void check_pool_whole(Alloc &a) {
   const std::size_t blocks = a.get_node_pool()->blocks();
   const std::size_t nodes = blocks * Alloc::pool_type::nodes_per_block;
   std::vector<typename Alloc::pointer> taken;
   std::set<const void *> distinct;
   for (std::size_t i = 0; i < nodes; ++i) {
      taken.push_back(a.allocate(1));
      distinct.insert(taken.back().get());
   }
   CHECK(distinct.size() == nodes);
   CHECK(a.get_node_pool()->blocks() == blocks);
   taken.push_back(a.allocate(1));
   CHECK(a.get_node_pool()->blocks() == blocks + 1);
   for (auto &p : taken) {
      a.deallocate(p, 1);
   }
}

// Takes and gives back nodes in bursts, stamping each node and checking the stamps, so a
// node handed to two owners at once is caught.
static int hammer(SM *sm, int stamp, int rounds) {
   typedef node_allocator<std::pair<int, int>, SM> PairNodes;
   PairNodes a(sm);
   std::vector<PairNodes::pointer> held;
   for (int r = 0; r < rounds; ++r) {
      for (int i = 0; i < 16; ++i) {
         PairNodes::pointer p = a.allocate(1);
         p->first = stamp;
         p->second = i;
         held.push_back(p);
      }
      for (std::size_t i = 0; i < held.size(); ++i) {
         if (held[i]->first != stamp || held[i]->second != static_cast<int>(i)) {
            return 4;
         }
      }
      for (auto &p : held) {
         a.deallocate(p, 1);
      }
      held.clear();
   }
   return 0;
}

static int child(const char *role, const char *name) {
   managed_shared_memory segment(open_only, name);
   if (std::string(role) == "hammer") {
      return hammer(segment.get_segment_manager(), static_cast<int>(getpid()), 20000);
   }
   NodeList *l = segment.find<NodeList>("list").first;
   if (!l) {
      return 2;
   }
   for (int i = 0; i < 500; ++i) {
      l->push_back(1000 + i);
   }
   return 0;
}

static void shared_pools(managed_shared_memory &segment, const char *self, const char *name) {
   SM *sm = segment.get_segment_manager();
   // One pool per node size, shared by every allocator of that size.
   node_allocator<int, SM> a1(sm), a2(sm);
   node_allocator<double, SM> d(a1);
   node_allocator<char[40], SM> big(a1);
   CHECK(a1.get_node_pool() == a2.get_node_pool() && a1 == a2 && a1 == d);
   // int and double nodes are both 16 bytes: the rebound allocator reuses the pool.
   CHECK(static_cast<void *>(d.get_node_pool()) == static_cast<void *>(a1.get_node_pool()));
   CHECK(static_cast<void *>(big.get_node_pool()) != static_cast<void *>(a1.get_node_pool()));
   adaptive_pool<int, SM> ap(sm);
   CHECK(static_cast<void *>(ap.get_node_pool()) == static_cast<void *>(a1.get_node_pool()));
   node_allocator<int, SM> assigned(a1);
   assigned = a2;
   swap(assigned, a1);
   CHECK(assigned == a1);

   // Threads and processes (each mapping the segment elsewhere) on one pool.
   std::vector<std::thread> threads;
   int results[3] = {1, 1, 1};
   for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&results, sm, t] { results[t] = hammer(sm, -1 - t, 20000); });
   }
   pid_t pids[2];
   for (int i = 0; i < 2; ++i) {
      pids[i] = spawn_child(self, "hammer", name);
      CHECK(pids[i] > 0);
   }
   for (auto &t : threads) {
      t.join();
   }
   for (int i = 0; i < 2; ++i) {
      CHECK(wait_bounded(pids[i], 60) == 0);
   }
   CHECK(results[0] == 0 && results[1] == 0 && results[2] == 0);
   node_allocator<std::pair<int, int>, SM> pairs(sm);
   check_pool_whole(pairs);
}

static void cached_allocators(managed_shared_memory &segment) {
   SM *sm = segment.get_segment_manager();
   typedef cached_node_allocator<int, SM> Cached;
   Cached c(sm);
   CHECK(c.get_max_cached_nodes() == 64);
   Cached::pointer p = c.allocate(1);
   CHECK(c.get_num_cached_nodes() == 31); // refilled half full, one handed out
   c.deallocate(p, 1);
   CHECK(c.get_num_cached_nodes() == 32);
   // The cache never holds more than its capacity; the surplus goes back to the pool.
   c.set_max_cached_nodes(10);
   CHECK(c.get_max_cached_nodes() == 10 && c.get_num_cached_nodes() == 10);
   std::vector<Cached::pointer> held;
   for (int i = 0; i < 100; ++i) {
      held.push_back(c.allocate(1));
      CHECK(c.get_num_cached_nodes() <= 10);
   }
   for (auto &h : held) {
      c.deallocate(h, 1);
      CHECK(c.get_num_cached_nodes() <= 10);
   }
   // Copies and rebound allocators share the pool and the capacity, not the nodes.
   Cached copy(c);
   CHECK(copy.get_max_cached_nodes() == 10 && copy.get_num_cached_nodes() == 0);
   CHECK(copy == c && copy.get_node_pool() == c.get_node_pool());
   cached_node_allocator<float, SM> rebound(c);
   CHECK(rebound.get_max_cached_nodes() == 10);
   CHECK(static_cast<void *>(rebound.get_node_pool()) == static_cast<void *>(c.get_node_pool()));
   // A node given back through one cache can be taken through another.
   Cached::pointer mine = copy.allocate(1);
   c.deallocate(mine, 1);
   c.deallocate_cached_nodes();
   CHECK(c.get_num_cached_nodes() == 0);
   {
      // A destroyed cache gives its nodes back to the shared pool.
      Cached scoped(sm);
      scoped.deallocate(scoped.allocate(1), 1);
      CHECK(scoped.get_num_cached_nodes() == 32);
   }
   // Boost's name for the same: the cache is emptied into the shared pool.
   copy.deallocate(copy.allocate(1), 1);
   CHECK(copy.get_num_cached_nodes() > 0);
   copy.deallocate_cache();
   CHECK(copy.get_num_cached_nodes() == 0);
   {
      // More cached nodes than one give-back takes (64): they go back in several.
      Cached big(sm, 300);
      std::vector<Cached::pointer> many;
      for (int i = 0; i < 200; ++i) {
         many.push_back(big.allocate(1));
      }
      for (auto &h : many) {
         big.deallocate(h, 1);
      }
      CHECK(big.get_num_cached_nodes() >= 200);
      big.deallocate_cached_nodes();
      CHECK(big.get_num_cached_nodes() == 0);
   }
   node_allocator<int, SM> plain(sm);
   check_pool_whole(plain);

   cached_adaptive_pool<int, SM> cap(sm, 8);
   CHECK(cap.get_max_cached_nodes() == 8);
   cap.set_max_cached_nodes(4);
   CHECK(cap.get_max_cached_nodes() == 4);
   Cached a(sm), b(sm, 3);
   swap(a, b);
   CHECK(a.get_max_cached_nodes() == 3 && b.get_max_cached_nodes() == 64);
}

template <class Alloc> static void private_pool(managed_shared_memory &segment) {
   SM *sm = segment.get_segment_manager();
   const std::size_t free_before = segment.get_free_memory();
   {
      Alloc p(sm);
      CHECK(p.get_node_pool()->blocks() == 0);
      typename Alloc::pointer n = p.allocate(1);
      CHECK(p.get_node_pool()->blocks() == 1 && p.get_node_pool()->free_nodes() == 63);
      Alloc q(p);
      CHECK(q.get_node_pool() != p.get_node_pool() && q.get_node_pool()->blocks() == 0);
      CHECK(p == p && !(q == p) && q != p);
      typename Alloc::template rebind<double>::other r(p);
      CHECK(r.get_node_pool()->blocks() == 0);
      // A moved-to allocator takes the pool and its nodes.
      Alloc moved(std::move(p));
      CHECK(moved.get_node_pool()->blocks() == 1 && p.get_node_pool()->blocks() == 0);
      moved.deallocate(n, 1);
      CHECK(moved.get_node_pool()->free_nodes() == 64);
      swap(moved, q);
      CHECK(q.get_node_pool()->blocks() == 1 && moved.get_node_pool()->blocks() == 0);
      moved = std::move(q);
      CHECK(moved.get_node_pool()->blocks() == 1 && q.get_node_pool()->blocks() == 0);
   }
   // The blocks went back with the allocators.
   CHECK(segment.get_free_memory() == free_before);
}

// A container on each allocator, against its std twin, through copies, moves, swaps,
// assignments and removals.
template <template <class> class Alloc> static void container_workload(managed_shared_memory &segment) {
   SM *sm = segment.get_segment_manager();
   typedef list<int, Alloc<int>> L;
   typedef slist<int, Alloc<int>> S;
   typedef std::pair<const int, int> V;
   typedef map<int, int, std::less<int>, Alloc<V>> M;
   typedef set<int, std::less<int>, Alloc<int>> St;
   {
      L *l = segment.construct<L>("plist")(sm);
      std::list<int> twin;
      for (int i = 0; i < 3000; ++i) {
         l->push_back(i % 97);
         twin.push_back(i % 97);
         if (i % 5 == 0) {
            l->pop_front();
            twin.pop_front();
         }
      }
      CHECK(std::equal(l->begin(), l->end(), twin.begin(), twin.end()));
      L copy(*l);
      CHECK(copy == *l);
      L moved(std::move(copy));
      CHECK(moved == *l && copy.empty());
      copy.push_back(5); // a moved-from list still works
      moved.remove_if([](int x) { return x % 2 == 0; });
      twin.remove_if([](int x) { return x % 2 == 0; });
      CHECK(std::equal(moved.begin(), moved.end(), twin.begin(), twin.end()));
      moved.sort();
      twin.sort();
      moved.unique();
      twin.unique();
      CHECK(std::equal(moved.begin(), moved.end(), twin.begin(), twin.end()));
      moved.insert(moved.begin(), 3, 42);
      moved.insert(moved.end(), twin.begin(), twin.end());
      moved.resize(moved.size() + 10);
      moved.assign(twin.begin(), twin.end());
      CHECK(std::equal(moved.begin(), moved.end(), twin.begin(), twin.end()));
      swap(moved, *l);
      CHECK(std::equal(l->begin(), l->end(), twin.begin(), twin.end()));
      *l = std::move(moved);
      *l = copy;
      CHECK(l->size() == 1 && l->front() == 5);
      typename L::stored_allocator_type &stored = l->get_stored_allocator();
      (void)stored;
      CHECK(l->get_allocator().get_segment_manager() == sm);
      segment.destroy<L>("plist");

      S s(sm);
      for (int i = 0; i < 500; ++i) {
         s.push_front(i);
      }
      S s2(s);
      s2.remove_if([](int x) { return x % 3 == 0; });
      S s3(std::move(s2));
      s.swap(s3);
      s.assign(10, 1);
      CHECK(std::distance(s.begin(), s.end()) == 10);

      M *m = segment.construct<M>("pmap")(std::less<int>(), sm);
      std::map<int, int> mtwin;
      for (int i = 0; i < 2000; ++i) {
         (*m)[i * 7 % 1000] = i;
         mtwin[i * 7 % 1000] = i;
      }
      M mcopy(*m);
      M mmoved(std::move(mcopy));
      for (int i = 0; i < 1000; i += 3) {
         mmoved.erase(i);
         mtwin.erase(i);
      }
      CHECK(std::equal(mmoved.begin(), mmoved.end(), mtwin.begin(), mtwin.end()));
      swap(mmoved, *m);
      CHECK(std::equal(m->begin(), m->end(), mtwin.begin(), mtwin.end()));
      segment.destroy<M>("pmap");

      St st(std::less<int>(), sm);
      for (int i = 0; i < 1000; ++i) {
         st.insert(i % 300);
      }
      St st2(st);
      CHECK(st2.size() == 300);
   }
}

// The second run of the workload takes no byte more than the first: private pools gave
// their blocks back, shared pools and caches gave their nodes back for reuse.
template <template <class> class Alloc> static void containers_on(managed_shared_memory &segment) {
   container_workload<Alloc>(segment);
   const std::size_t after_first = segment.get_free_memory();
   container_workload<Alloc>(segment);
   CHECK(segment.get_free_memory() == after_first);
}

template <class T> using PrivateNodes = private_node_allocator<T, SM>;
template <class T> using PrivatePool = private_adaptive_pool<T, SM>;
template <class T> using CachedNodes = cached_node_allocator<T, SM>;
template <class T> using CachedPool = cached_adaptive_pool<T, SM>;
template <class T> using SharedNodes = node_allocator<T, SM>;
template <class T> using SharedPool = adaptive_pool<T, SM>;

int main(int argc, char **argv) {
   if (is_child(argc, argv)) {
      return as_child(argv, child, 3);
   }
   char name[64];
   test_name(name, sizeof name, "cpp_nodes");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory segment(create_only, name, 8 << 20);

   exercise<node_allocator<int, SM>>(segment);
   exercise<private_node_allocator<int, SM>>(segment);
   exercise<cached_node_allocator<int, SM>>(segment);
   exercise<adaptive_pool<int, SM>>(segment);
   exercise<private_adaptive_pool<int, SM>>(segment);
   exercise<cached_adaptive_pool<int, SM>>(segment);

   shared_pools(segment, argv[0], name);
   cached_allocators(segment);
   private_pool<private_node_allocator<int, SM>>(segment);
   private_pool<private_adaptive_pool<int, SM>>(segment);
   containers_on<PrivateNodes>(segment);
   containers_on<PrivatePool>(segment);
   containers_on<CachedNodes>(segment);
   containers_on<CachedPool>(segment);
   containers_on<SharedNodes>(segment);
   containers_on<SharedPool>(segment);

   // A list on pooled nodes, and another process, mapping elsewhere, adding to it.
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
   static_assert(std::is_same<NodeList::allocator_type, IntNodes>::value, "the list's allocator type is A");
   const std::size_t before = l->size();
   CHECK(run_child(argv[0], "grow", name) == 0);
   CHECK(l->size() == before + 500 && l->back() == 1499);
   segment.destroy<NodeList>("list");
   std::printf("cpp_node_allocators: ok\n");
   return 0;
}
