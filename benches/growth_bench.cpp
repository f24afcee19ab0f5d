// What online growth costs (interproc only; benches/run.sh builds and runs it).
//
// 1. The common path: the same operations on a fixed segment and on a growable one that
//    has room (so nothing grows while measured), in one process, alternating rounds so
//    that a neighbour's load falls on both arms alike. Prints the best and the median
//    round of each arm and their ratio.
// 2. One growth step: `grow` by 64 KiB, 1 MiB and 16 MiB (reserving the memory with
//    posix_fallocate, publishing, extending the heap), and an allocation that has to grow
//    the segment, against one that does not.
// 3. A `push_back` loop in a segment that starts small and grows on demand, against the
//    same loop in a fixed segment of the size the growable one ended at.
#include <interproc/allocators/allocator.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <time.h>
#include <unistd.h>
#include <vector>

#include "measuring.hpp"

namespace {

using bench::clock_type;
using bench::ns_since;

std::string seg_name(const char *what) { return std::string("bench_growth_") + what + "_" + std::to_string(getpid()); }

double alloc_free_64(interproc::managed_shared_memory &seg, long n) {
   auto t = clock_type::now();
   for (long i = 0; i < n; ++i) {
      seg.deallocate(seg.allocate(64));
   }
   return ns_since(t, double(n));
}

double named_find(interproc::managed_shared_memory &seg, long n) {
   auto t = clock_type::now();
   long found = 0;
   for (long i = 0; i < n; ++i) {
      found += seg.find<long>("needle").first != nullptr;
   }
   if (found != n) {
      std::abort();
   }
   return ns_since(t, double(n));
}

double random_mix(interproc::managed_shared_memory &seg, long n) {
   std::vector<void *> blocks(256, nullptr);
   std::uint64_t s = 88172645463325252ull;
   auto t = clock_type::now();
   for (long i = 0; i < n; ++i) {
      s ^= s << 13;
      s ^= s >> 7;
      s ^= s << 17;
      void *&b = blocks[s % blocks.size()];
      if (b != nullptr) {
         seg.deallocate(b);
      }
      b = seg.allocate(16 + (s >> 20) % 4080);
   }
   double r = ns_since(t, double(n));
   for (void *b : blocks) {
      if (b != nullptr) {
         seg.deallocate(b);
      }
   }
   return r;
}

struct arm {
   std::vector<double> rounds;
   double best() const { return *std::min_element(rounds.begin(), rounds.end()); }
   double median() const {
      std::vector<double> v = rounds;
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
   }
};

void compare(const char *what, double (*op)(interproc::managed_shared_memory &, long),
             interproc::managed_shared_memory &fixed, interproc::managed_shared_memory &growable, long n,
             int rounds) {
   arm f, g;
   op(fixed, n / 10);
   op(growable, n / 10);
   // Which arm goes first alternates too: the second of a pair runs on warmer caches.
   for (int r = 0; r < rounds; ++r) {
      if (r % 2 == 0) {
         f.rounds.push_back(op(fixed, n));
         g.rounds.push_back(op(growable, n));
      } else {
         g.rounds.push_back(op(growable, n));
         f.rounds.push_back(op(fixed, n));
      }
   }
   std::printf("| %s | %.1f ns | %.1f ns | %.1f ns | %.1f ns | %.3f | %.3f |\n", what, f.best(), g.best(), f.median(),
               g.median(), g.best() / f.best(), g.median() / f.median());
}

double grow_step(std::size_t step, int times) {
   const std::string name = seg_name("step");
   interproc::shared_memory_object::remove(name.c_str());
   double total = 0;
   {
      interproc::managed_shared_memory seg(interproc::create_only, name.c_str(), 64 * 1024,
                                           interproc::max_size_t(std::size_t(times + 1) * step + (1 << 20)));
      for (int i = 0; i < times; ++i) {
         auto t = clock_type::now();
         seg.grow(step);
         total += ns_since(t, 1);
      }
   }
   interproc::shared_memory_object::remove(name.c_str());
   return total / times;
}

// An allocation of 32 KiB that finds no room and grows the segment by one doubling step,
// against the same allocation with room (averaged over the doublings from 64 KiB).
void allocation_that_grows() {
   const std::string name = seg_name("demand");
   interproc::shared_memory_object::remove(name.c_str());
   double growing = 0, plain = 0;
   int grew = 0, fitted = 0;
   {
      interproc::managed_shared_memory seg(interproc::create_only, name.c_str(), 64 * 1024,
                                           interproc::max_size_t(std::size_t(1) << 30));
      while (seg.get_size() < (std::size_t(256) << 20)) {
         const std::uint32_t g = seg.get_generation();
         auto t = clock_type::now();
         seg.allocate(32 * 1024);
         const double ns = ns_since(t, 1);
         if (seg.get_generation() != g) {
            growing += ns;
            ++grew;
         } else {
            plain += ns;
            ++fitted;
         }
      }
   }
   interproc::shared_memory_object::remove(name.c_str());
   std::printf("| allocation of 32 KiB that doubles the segment (%d steps to 256 MiB) | %.1f us |\n", grew,
               growing / grew / 1000);
   std::printf("| allocation of 32 KiB with room (the same first touches of fresh pages) | %.1f us |\n", plain / fitted / 1000);
}

// This process's CPU time (user and kernel, page faults and fallocate included) in ns: a
// single-threaded loop's cost that a neighbour's load on the machine does not inflate.
double cpu_ns() {
   timespec ts{};
   clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
   return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

struct loop_cost {
   double wall = 0, cpu = 0; // ns per element
};

// Creates a segment and fills its vector with `n` ints by `push_back`; returns the cost per
// element, and the segment's size at the end in `final_size`.
loop_cost push_back_loop(const std::string &name, std::size_t size, std::size_t max, long n, std::size_t &final_size) {
   using alloc_t = interproc::allocator<int, interproc::managed_shared_memory::segment_manager>;
   interproc::shared_memory_object::remove(name.c_str());
   loop_cost r;
   // The creation is timed too: a fixed segment reserves its memory there (posix_fallocate),
   // where a growable one reserves it step by step in the loop.
   const double c = cpu_ns();
   auto t = clock_type::now();
   {
      interproc::managed_shared_memory seg = max == 0
         ? interproc::managed_shared_memory(interproc::create_only, name.c_str(), size)
         : interproc::managed_shared_memory(interproc::create_only, name.c_str(), size, interproc::max_size_t(max));
      auto *v = seg.construct<interproc::vector<int, alloc_t>>("v")(alloc_t(seg.get_segment_manager()));
      for (long i = 0; i < n; ++i) {
         v->push_back(int(i));
      }
      r.wall = ns_since(t, double(n));
      r.cpu = (cpu_ns() - c) / double(n);
      if (long(v->size()) != n || (*v)[std::size_t(n) - 1] != int(n - 1)) {
         std::abort();
      }
      final_size = seg.get_size();
   }
   interproc::shared_memory_object::remove(name.c_str());
   return r;
}

// The growable arm starts at 64 KiB and may grow to 1 GiB; the fixed arm is created at the
// size the growable one ended at, so both touch the same amount of fresh memory. Wall time
// and CPU time, alternating rounds.
void push_back_growing(long n, int rounds) {
   const std::string name = seg_name("vector");
   std::size_t final_size = 0, unused = 0;
   push_back_loop(name, 64 * 1024, std::size_t(1) << 30, n, final_size);
   arm fw, gw, fc, gc;
   auto fixed = [&] {
      const loop_cost c = push_back_loop(name, final_size, 0, n, unused);
      fw.rounds.push_back(c.wall);
      fc.rounds.push_back(c.cpu);
   };
   auto growable = [&] {
      const loop_cost c = push_back_loop(name, 64 * 1024, std::size_t(1) << 30, n, unused);
      gw.rounds.push_back(c.wall);
      gc.rounds.push_back(c.cpu);
   };
   for (int r = 0; r < rounds; ++r) {
      if (r % 2 == 0) {
         fixed();
         growable();
      } else {
         growable();
         fixed();
      }
   }
   std::printf("\n| push_back of %ld ints (growable: 64 KiB to %.1f MiB) | fixed best | growable best | fixed "
               "median | growable median | best ratio | median ratio |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
               n, double(final_size) / (1 << 20));
   std::printf("| vector_push_back (wall) | %.2f ns | %.2f ns | %.2f ns | %.2f ns | %.3f | %.3f |\n", fw.best(), gw.best(),
               fw.median(), gw.median(), gw.best() / fw.best(), gw.median() / fw.median());
   std::printf("| vector_push_back (CPU) | %.2f ns | %.2f ns | %.2f ns | %.2f ns | %.3f | %.3f |\n", fc.best(), gc.best(),
               fc.median(), gc.median(), gc.best() / fc.best(), gc.median() / fc.median());
}

} // namespace

int main(int argc, char **argv) {
   const long scale = argc > 1 ? std::atol(argv[1]) : 1;
   const int rounds = 21;
   const std::string fname = seg_name("fixed"), gname = seg_name("growable");
   interproc::shared_memory_object::remove(fname.c_str());
   interproc::shared_memory_object::remove(gname.c_str());
   {
      interproc::managed_shared_memory fixed(interproc::create_only, fname.c_str(), 64 << 20);
      interproc::managed_shared_memory growable(interproc::create_only, gname.c_str(), 64 << 20,
                                                interproc::max_size_t(std::size_t(1) << 30));
      fixed.construct<long>("needle")(1);
      growable.construct<long>("needle")(1);
      std::printf("| growth_bench | fixed best | growable best | fixed median | growable median | best ratio | "
                  "median ratio |\n");
      std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
      compare("alloc_free_64", alloc_free_64, fixed, growable, 200000 * scale, rounds);
      compare("named_find", named_find, fixed, growable, 200000 * scale, rounds);
      compare("random_mix", random_mix, fixed, growable, 100000 * scale, rounds);
      if (growable.get_generation() != 0) {
         std::abort(); // the common path must not have grown
      }
   }
   interproc::shared_memory_object::remove(fname.c_str());
   interproc::shared_memory_object::remove(gname.c_str());
   std::printf("\n| one growth step | time |\n| --- | ---: |\n");
   std::printf("| grow by 64 KiB | %.1f us |\n", grow_step(64 * 1024, 200) / 1000);
   std::printf("| grow by 1 MiB | %.1f us |\n", grow_step(1 << 20, 100) / 1000);
   std::printf("| grow by 16 MiB | %.1f us |\n", grow_step(16 << 20, 16) / 1000);
   allocation_that_grows();
   push_back_growing(4000000 * scale, 9);
   return 0;
}
