// The allocation API of Boost's segment manager and allocator: allocation_command with
// allocate_new, expand_fwd, expand_bwd, shrink_in_place, try_shrink_in_place,
// nothrow_allocation and zero_memory; allocate_many/deallocate_many with a
// multiallocation_chain; size, get_min_size, shrink_to_fit; the allocator's allocate_one,
// allocate_individual, size and construct/destroy through its own pointer type.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/allocators/adaptive_pool.hpp>
#include <interproc/allocators/allocator.hpp>
#include <interproc/allocators/cached_node_allocator.hpp>
#include <interproc/allocators/node_allocator.hpp>
#include <interproc/allocators/private_adaptive_pool.hpp>
#include <interproc/allocators/private_node_allocator.hpp>
#include <interproc/containers/allocation_type.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <cstring>
#include <string>

using namespace interproc;

typedef managed_shared_memory::segment_manager segment_manager_t;

static const char *yes(bool b) { return b ? "yes" : "no"; }

int main() {
   char name[64];
   test_name(name, sizeof name, "alloc_cmd");
   shared_memory_object::remove(name);
   {
      managed_shared_memory seg(create_only, name, 1 << 20);
      segment_manager_t *mgr = seg.get_segment_manager();
      const std::size_t free0 = seg.get_free_memory();

      // allocate_new: a new buffer of the preferred size; reuse comes back null.
      managed_shared_memory::size_type received = 200;
      int *reuse = nullptr;
      int *p = seg.allocation_command<int>(allocate_new, 100, received, reuse);
      std::printf("allocate_new: %s, received >= 200: %s, reuse null: %s\n", yes(p != nullptr), yes(received >= 200),
                  yes(reuse == nullptr));
      for (int i = 0; i < 200; ++i) {
         p[i] = i;
      }

      // expand_fwd into the free memory after it: same address, contents kept.
      received = 400;
      reuse = p;
      int *q = seg.allocation_command<int>(expand_fwd, 300, received, reuse);
      std::printf("expand_fwd: same address %s, received >= 400: %s, contents kept: %s\n", yes(q == p),
                  yes(received >= 400), yes(q[199] == 199 && q[0] == 0));

      // shrink_in_place: the end moves back, between the preferred and the limit size.
      received = 50;
      reuse = p;
      q = seg.allocation_command<int>(shrink_in_place, 400, received, reuse);
      std::printf("shrink_in_place: same address %s, 50 <= received <= 400: %s, contents kept: %s\n", yes(q == p),
                  yes(received >= 50 && received <= 400), yes(q[49] == 49));
      const std::size_t after_shrink = mgr->size(p);

      // try_shrink_in_place (a raw command in Boost) says how far it could go and changes
      // nothing; a buffer already below the preferred size cannot shrink to it.
      received = 10;
      void *vreuse = p;
      void *vq = mgr->raw_allocation_command(try_shrink_in_place, 400, received, vreuse, sizeof(int));
      std::printf("try_shrink_in_place: %s, 10 <= received <= 400: %s, size unchanged: %s\n", yes(vq == p),
                  yes(received >= 10 && received <= 400), yes(mgr->size(p) == after_shrink));
      received = 1000;
      vreuse = p;
      vq = mgr->raw_allocation_command(try_shrink_in_place | nothrow_allocation, 2000, received, vreuse, sizeof(int));
      std::printf("try_shrink_in_place to more than it holds: null %s\n", yes(vq == nullptr));

      // A block after p: forward expansion beyond the segment fails, null with nothrow.
      int *wall = static_cast<int *>(seg.allocate(64));
      received = 1 << 22;
      reuse = p;
      q = seg.allocation_command<int>(expand_fwd | nothrow_allocation, 1 << 22, received, reuse);
      std::printf("expand_fwd past the segment with nothrow: null %s\n", yes(q == nullptr));
      bool threw = false;
      try {
         received = 1 << 22;
         reuse = p;
         seg.allocation_command<int>(expand_fwd, 1 << 22, received, reuse);
      } catch (const bad_alloc &) {
         threw = true;
      }
      std::printf("expand_fwd past the segment: bad_alloc %s\n", yes(threw));

      // expand_fwd | allocate_new falls back to a new buffer; reuse becomes null.
      received = 5000;
      reuse = p;
      q = seg.allocation_command<int>(expand_fwd | allocate_new, 5000, received, reuse);
      std::printf("expand_fwd | allocate_new: new buffer %s, reuse null: %s\n", yes(q != nullptr && q != p),
                  yes(reuse == nullptr));
      seg.deallocate(q);

      // expand_bwd: the block before b is free, so b's start moves back by whole ints.
      seg.deallocate(wall);
      seg.deallocate(p);
      char *a = static_cast<char *>(seg.allocate(4000));
      int *b = static_cast<int *>(seg.allocate(100 * sizeof(int)));
      char *c = static_cast<char *>(seg.allocate(64));
      seg.deallocate(a);
      received = 800;
      reuse = b;
      q = seg.allocation_command<int>(expand_bwd | nothrow_allocation, 600, received, reuse);
      const bool moved_back = q != nullptr && q < b && (reinterpret_cast<char *>(b) - reinterpret_cast<char *>(q)) % sizeof(int) == 0;
      std::printf("expand_bwd: start moved back by whole ints %s, received >= 600: %s\n", yes(moved_back),
                  yes(received >= 600));
      seg.deallocate(q ? q : b);
      seg.deallocate(c);

      // zero_memory is accepted with allocate_new (Boost 1.74's segments ignore it;
      // interproc's zero the memory, which cpp_managed checks).
      received = 512;
      char *creuse = nullptr;
      char *z = seg.allocation_command<char>(allocate_new | zero_memory, 512, received, creuse);
      std::printf("allocate_new | zero_memory: %s\n", yes(z != nullptr && received >= 512));
      seg.deallocate(z);

      // allocate_many / deallocate_many.
      managed_shared_memory::multiallocation_chain chain;
      seg.allocate_many(64, 10, chain);
      std::printf("allocate_many: %zu buffers\n", static_cast<std::size_t>(chain.size()));
      const managed_shared_memory::size_type sizes[3] = {1, 10, 100};
      seg.allocate_many(sizes, 3, 8, chain);
      std::printf("allocate_many by sizes: %zu buffers\n", static_cast<std::size_t>(chain.size()));
      void *popped = chain.pop_front();
      std::memset(popped, 0, 64);
      seg.deallocate(popped);
      seg.deallocate_many(chain);
      std::printf("deallocate_many: chain empty %s\n", yes(chain.empty()));
      seg.allocate_many(std::nothrow, 1 << 19, 100, chain);
      std::printf("allocate_many past the segment with nothrow: chain empty %s\n", yes(chain.empty()));
      threw = false;
      try {
         seg.allocate_many(1 << 19, 100, chain);
      } catch (const bad_alloc &) {
         threw = true;
      }
      std::printf("allocate_many past the segment: bad_alloc %s, chain empty %s\n", yes(threw), yes(chain.empty()));
      std::printf("all memory back: %s\n", yes(seg.get_free_memory() == free0 && seg.all_memory_deallocated()));

      // The allocator's members.
      typedef allocator<std::string, segment_manager_t> string_alloc;
      string_alloc sa(mgr);
      string_alloc::pointer one = sa.allocate_one();
      sa.construct(one, "through offset_ptr");
      std::printf("allocator construct(pointer): %s\n", one->c_str());
      sa.destroy(one);
      sa.deallocate_one(one);
      typedef allocator<int, segment_manager_t> int_alloc;
      int_alloc ia(mgr);
      int_alloc::multiallocation_chain ichain;
      ia.allocate_individual(5, ichain);
      std::printf("allocate_individual: %zu\n", static_cast<std::size_t>(ichain.size()));
      int_alloc::pointer first = ichain.pop_front();
      *first = 5;
      ia.deallocate_one(first);
      ia.deallocate_individual(ichain);
      int_alloc::pointer arr = ia.allocate(50);
      std::printf("allocator size(p) >= 50: %s\n", yes(ia.size(arr) >= 50));
      int_alloc::size_type got = 80;
      int_alloc::pointer r = arr;
      int_alloc::pointer grown = ia.allocation_command(expand_fwd | allocate_new, 80, got, r);
      std::printf("allocator allocation_command: in place %s, received >= 80: %s\n", yes(grown == arr), yes(got >= 80));
      ia.deallocate(grown, got);
      std::printf("all memory back: %s\n", yes(seg.all_memory_deallocated()));

      // The pools' deallocate_free_blocks: a private pool's wholly free blocks go back to
      // the segment; the shared pools' may stay (interproc keeps them), so only the call is
      // made here.
      {
         const std::size_t free_before = seg.get_free_memory();
         private_node_allocator<double, segment_manager_t> pa(mgr);
         private_node_allocator<double, segment_manager_t>::pointer nodes[3];
         for (auto &n : nodes) {
            n = pa.allocate(1);
         }
         std::printf("private_node_allocator took memory: %s\n", yes(seg.get_free_memory() < free_before));
         for (auto &n : nodes) {
            pa.deallocate(n, 1);
         }
         pa.deallocate_free_blocks();
         std::printf("private_node_allocator deallocate_free_blocks: memory back %s\n",
                     yes(seg.get_free_memory() == free_before));
         private_adaptive_pool<double, segment_manager_t> pp(mgr);
         pp.deallocate_one(pp.allocate_one());
         pp.deallocate_free_blocks();
         node_allocator<int, segment_manager_t> na(mgr);
         na.deallocate(na.allocate(1), 1);
         na.deallocate_free_blocks();
         adaptive_pool<int, segment_manager_t> ap(mgr);
         ap.deallocate(ap.allocate(1), 1);
         ap.deallocate_free_blocks();
         cached_node_allocator<int, segment_manager_t> ca(mgr);
         ca.deallocate(ca.allocate(1), 1);
         ca.deallocate_free_blocks();
      }

      // get_min_size and shrink_to_fit.
      std::printf("get_min_size within the segment: %s\n", yes(segment_manager_t::get_min_size() > 0 &&
                                                              segment_manager_t::get_min_size() < seg.get_size()));
      int *kept = seg.construct<int>("kept")(7);
      const std::size_t size_before = seg.get_size();
      mgr->shrink_to_fit();
      std::printf("shrink_to_fit: smaller %s, object kept %s\n", yes(seg.get_size() < size_before),
                  yes(*seg.find<int>("kept").first == 7 && kept == seg.find<int>("kept").first));
      seg.destroy<int>("kept");


      // Bad input is an error, never a crash: a command without a buffer to reuse.
      threw = false;
      try {
         received = 10;
         reuse = nullptr;
         seg.allocation_command<int>(expand_fwd, 10, received, reuse);
      } catch (const interprocess_exception &) {
         threw = true;
      } catch (...) {
         threw = true;
      }
      (void)threw;
   }
   shared_memory_object::remove(name);
   std::printf("done\n");
   return 0;
}
