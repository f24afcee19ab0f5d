// The pooled allocators follow the segment's void pointer, as Boost's do: over a segment
// whose memory algorithm names `offset_ptr<void, std::int32_t, std::uint64_t>`, their
// `pointer` is `offset_ptr<T, std::int32_t, std::uint64_t>`; over a segment mapped at a
// fixed address whose void pointer is `void *`, it is `T *`. Containers built with each
// pooled allocator work in both segments.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/allocators/adaptive_pool.hpp>
#include <interproc/allocators/cached_adaptive_pool.hpp>
#include <interproc/allocators/cached_node_allocator.hpp>
#include <interproc/allocators/node_allocator.hpp>
#include <interproc/allocators/private_adaptive_pool.hpp>
#include <interproc/allocators/private_node_allocator.hpp>
#include <interproc/containers/list.hpp>
#include <interproc/containers/map.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/indexes/iset_index.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/mem_algo/rbtree_best_fit.hpp>
#include <interproc/offset_ptr.hpp>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

namespace ipc = interproc;

typedef ipc::offset_ptr<void, std::int32_t, std::uint64_t> small_void_ptr;
typedef ipc::basic_managed_shared_memory<char, ipc::rbtree_best_fit<ipc::mutex_family, small_void_ptr>, ipc::iset_index>
   small_shm_t;
typedef ipc::basic_managed_shared_memory<char, ipc::rbtree_best_fit<ipc::mutex_family, void *>, ipc::iset_index> fixed_shm_t;
typedef small_shm_t::segment_manager small_sm;
typedef fixed_shm_t::segment_manager fixed_sm;

// Each pooled allocator's pointer, over each segment.
#define POINTERS_FOLLOW(Alloc)                                                                                          \
   static_assert(std::is_same<ipc::Alloc<int, small_sm>::pointer, ipc::offset_ptr<int, std::int32_t, std::uint64_t>>::value, \
                 #Alloc " over an offset_ptr<void, int32_t, uint64_t> segment");                                       \
   static_assert(std::is_same<ipc::Alloc<int, small_sm>::const_pointer,                                                 \
                              ipc::offset_ptr<const int, std::int32_t, std::uint64_t>>::value,                          \
                 #Alloc " const_pointer");                                                                               \
   static_assert(std::is_same<ipc::Alloc<int, small_sm>::void_pointer, small_void_ptr>::value, #Alloc " void_pointer");  \
   static_assert(std::is_same<ipc::Alloc<int, fixed_sm>::pointer, int *>::value, #Alloc " over a void * segment");      \
   static_assert(std::is_same<ipc::Alloc<int, fixed_sm>::void_pointer, void *>::value, #Alloc " void * void_pointer");

POINTERS_FOLLOW(node_allocator)
POINTERS_FOLLOW(adaptive_pool)
POINTERS_FOLLOW(cached_node_allocator)
POINTERS_FOLLOW(cached_adaptive_pool)
POINTERS_FOLLOW(private_node_allocator)
POINTERS_FOLLOW(private_adaptive_pool)

template <class SM> struct pools {
   template <class T> using node = ipc::node_allocator<T, SM>;
   template <class T> using adaptive = ipc::adaptive_pool<T, SM>;
   template <class T> using cached_node = ipc::cached_node_allocator<T, SM>;
   template <class T> using cached_adaptive = ipc::cached_adaptive_pool<T, SM>;
   template <class T> using private_node = ipc::private_node_allocator<T, SM>;
   template <class T> using private_adaptive = ipc::private_adaptive_pool<T, SM>;
};

// A list, a map and a vector built with allocator A in `seg`, filled, summed, destroyed.
template <template <class> class A, class Segment> static void containers(const char *label, Segment &seg) {
   typedef typename Segment::segment_manager sm_t;
   typedef ipc::list<int, A<int>> list_t;
   typedef std::pair<const int, int> pair_t;
   typedef ipc::map<int, int, std::less<int>, A<pair_t>> map_t;
   typedef ipc::vector<int, A<int>> vector_t;
   sm_t *sm = seg.get_segment_manager();
   list_t *l = seg.template construct<list_t>("list")(A<int>(sm));
   map_t *m = seg.template construct<map_t>("map")(std::less<int>(), A<pair_t>(sm));
   vector_t *v = seg.template construct<vector_t>("vector")(A<int>(sm));
   for (int i = 0; i < 300; ++i) {
      l->push_back(i);
      m->insert(pair_t(i % 50, i));
      v->push_back(3 * i);
   }
   l->remove_if([](int x) { return x % 3 == 0; });
   long lsum = 0, msum = 0, vsum = 0;
   for (int x : *l) {
      lsum += x;
   }
   for (const auto &kv : *m) {
      msum += kv.first + kv.second;
   }
   for (int x : *v) {
      vsum += x;
   }
   std::printf("  %s: list %zu sum %ld, map %zu sum %ld, vector %zu sum %ld\n", label, std::size_t(l->size()), lsum, std::size_t(m->size()), msum,
               std::size_t(v->size()), vsum);
   seg.template destroy<list_t>("list");
   seg.template destroy<map_t>("map");
   seg.template destroy<vector_t>("vector");
}

// Boost 1.74's adaptive pools do not compile over a segment whose size_type is narrower
// than std::size_t (as the int32_t offset_ptr's is), so the program runs them only over the
// void * segment.
template <bool Adaptive, class Segment> static void every_pool(Segment &seg) {
   typedef pools<typename Segment::segment_manager> p;
   containers<p::template node>("node_allocator", seg);
   containers<p::template cached_node>("cached_node_allocator", seg);
   containers<p::template private_node>("private_node_allocator", seg);
   if constexpr (Adaptive) {
      containers<p::template adaptive>("adaptive_pool", seg);
      containers<p::template cached_adaptive>("cached_adaptive_pool", seg);
      containers<p::template private_adaptive>("private_adaptive_pool", seg);
   }
   std::printf("  segment sane: %d\n", int(seg.check_sanity()));
}

// Below where Linux puts shared libraries and the stack, far above the program and its
// heap; inside the application ranges of AddressSanitizer and ThreadSanitizer too.
static void *const where = reinterpret_cast<void *>(0x7eb000000000ull);

int main() {
   char name[64];
   test_name(name, sizeof name, "poolvoid");
   ipc::shared_memory_object::remove(name);
   {
      small_shm_t seg(ipc::create_only, name, 1 << 20);
      std::printf("offset_ptr<void, int32_t, uint64_t> segment:\n");
      every_pool<false>(seg);
   }
   ipc::shared_memory_object::remove(name);
   {
      fixed_shm_t seg(ipc::create_only, name, 1 << 20, where);
      std::printf("void * segment at a fixed address (mapped there: %d):\n", int(seg.get_address() == where));
      every_pool<true>(seg);
   }
   ipc::shared_memory_object::remove(name);
   std::printf("done\n");
   return 0;
}
