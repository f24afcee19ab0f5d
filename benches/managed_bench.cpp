// Managed segment benchmark, built twice from this one source: against interproc and, with
// -DBENCH_BOOST, against Boost.Interprocess. benches/run.sh builds both, runs them one
// after the other on the same machine and prints the ratios. Prints "name nanoseconds".
#ifdef BENCH_BOOST
#include <boost/interprocess/managed_shared_memory.hpp>
namespace ipc = boost::interprocess;
#else
#include <interproc/managed_shared_memory.hpp>
namespace ipc = interproc;
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "measuring.hpp"

namespace {

using bench::clock_type;
using bench::ns_since;
using bench::xorshift;

std::string seg_name(const char *what) { return std::string("bench_") + what + "_" + std::to_string(getpid()); }

double pairs64(long n) {
   const std::string name = seg_name("pairs");
   ipc::shared_memory_object::remove(name.c_str());
   ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), 1 << 20);
   for (int i = 0; i < 1000; ++i) {
      seg.deallocate(seg.allocate(64));
   }
   auto t = clock_type::now();
   for (long i = 0; i < n; ++i) {
      seg.deallocate(seg.allocate(64));
   }
   double r = ns_since(t, double(n));
   ipc::shared_memory_object::remove(name.c_str());
   return r;
}

// Keeps `live` blocks of random sizes 16..4096; each op frees a random one and allocates
// a new one in its place.
void mix_ops(ipc::managed_shared_memory &seg, std::size_t live, long ops, std::uint64_t seed) {
   xorshift rng{seed};
   std::vector<void *> blocks(live);
   for (auto &b : blocks) {
      b = seg.allocate(16 + rng.next() % 4081);
   }
   for (long i = 0; i < ops; ++i) {
      std::size_t k = rng.next() % live;
      seg.deallocate(blocks[k]);
      blocks[k] = seg.allocate(16 + rng.next() % 4081);
   }
   for (auto b : blocks) {
      seg.deallocate(b);
   }
}

double mix(long ops) {
   const std::string name = seg_name("mix");
   ipc::shared_memory_object::remove(name.c_str());
   ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), 256u << 20);
   mix_ops(seg, 10000, 10000, 7);
   auto t = clock_type::now();
   mix_ops(seg, 10000, ops, 11);
   double r = ns_since(t, double(ops));
   ipc::shared_memory_object::remove(name.c_str());
   return r;
}

double mix_two_processes(long ops) {
   const std::string name = seg_name("mix2");
   ipc::shared_memory_object::remove(name.c_str());
   ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), 256u << 20);
   auto t = clock_type::now();
   pid_t kids[2];
   for (int k = 0; k < 2; ++k) {
      kids[k] = fork();
      if (kids[k] == 0) {
         ipc::managed_shared_memory child(ipc::open_only, name.c_str());
         mix_ops(child, 5000, ops, 100 + k);
         _exit(0);
      }
   }
   for (pid_t k : kids) {
      int st = 0;
      waitpid(k, &st, 0);
      if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
         std::fprintf(stderr, "child failed\n");
         std::exit(1);
      }
   }
   double r = ns_since(t, double(2 * ops));
   ipc::shared_memory_object::remove(name.c_str());
   return r;
}

void named(long n, double &construct, double &find, double &destroy) {
   const std::string name = seg_name("named");
   ipc::shared_memory_object::remove(name.c_str());
   ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), 64u << 20);
   std::vector<std::string> names(n);
   for (long i = 0; i < n; ++i) {
      names[i] = "object_" + std::to_string(i);
   }
   std::vector<long> order(n);
   xorshift rng{3};
   for (long i = 0; i < n; ++i) {
      order[i] = i;
   }
   for (long i = n - 1; i > 0; --i) {
      std::swap(order[i], order[rng.next() % (i + 1)]);
   }
   auto t = clock_type::now();
   for (long i = 0; i < n; ++i) {
      seg.construct<long>(names[i].c_str())(i);
   }
   construct = ns_since(t, double(n));
   t = clock_type::now();
   long sum = 0;
   for (long i = 0; i < n; ++i) {
      sum += *seg.find<long>(names[order[i]].c_str()).first;
   }
   find = ns_since(t, double(n));
   if (sum != n * (n - 1) / 2) {
      std::fprintf(stderr, "wrong sum\n");
      std::exit(1);
   }
   t = clock_type::now();
   for (long i = 0; i < n; ++i) {
      seg.destroy<long>(names[order[i]].c_str());
   }
   destroy = ns_since(t, double(n));
   ipc::shared_memory_object::remove(name.c_str());
}

// Bytes of segment used per live 64-byte allocation.
double overhead64() {
   const std::string name = seg_name("overhead");
   ipc::shared_memory_object::remove(name.c_str());
   ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), 16u << 20);
   const std::size_t before = seg.get_free_memory();
   const int n = 10000;
   std::vector<void *> v(n);
   for (auto &p : v) {
      p = seg.allocate(64);
   }
   double per = double(before - seg.get_free_memory()) / n;
   for (auto p : v) {
      seg.deallocate(p);
   }
   ipc::shared_memory_object::remove(name.c_str());
   return per;
}

// Bytes of segment used per named object: a `long` named "object_<i>", 100 000 of them
// (the object, its name, and what the name index spends on it).
double overhead_named() {
   const std::string name = seg_name("overhead_named");
   ipc::shared_memory_object::remove(name.c_str());
   ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), 64u << 20);
   const std::size_t before = seg.get_free_memory();
   const long n = 100000;
   for (long i = 0; i < n; ++i) {
      seg.construct<long>(("object_" + std::to_string(i)).c_str())(i);
   }
   double per = double(before - seg.get_free_memory()) / double(n);
   ipc::shared_memory_object::remove(name.c_str());
   return per;
}

// Bytes of segment used per small named object: an `int` named "name_<i>", 100 000 of them.
double overhead_named_int() {
   const std::string name = seg_name("overhead_int");
   ipc::shared_memory_object::remove(name.c_str());
   ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), 64u << 20);
   const std::size_t before = seg.get_free_memory();
   const int n = 100000;
   char buf[32];
   for (int i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof buf, "name_%d", i);
      seg.construct<int>(buf)(i);
   }
   double per = double(before - seg.get_free_memory()) / double(n);
   ipc::shared_memory_object::remove(name.c_str());
   return per;
}

} // namespace

// Usage: managed_bench [scale] [named]   ("named": only the named-object rows)
int main(int argc, char **argv) {
   const long scale = argc > 1 ? std::atol(argv[1]) : 1;
   const bool only_named = argc > 2 && std::string(argv[2]) == "named";
   if (!only_named) {
      std::printf("alloc_free_64 %.1f\n", pairs64(2000000 * scale));
      std::printf("random_mix %.1f\n", mix(1000000 * scale));
      std::printf("random_mix_2proc %.1f\n", mix_two_processes(500000 * scale));
   }
   double c = 0, f = 0, d = 0;
   named(100000, c, f, d);
   std::printf("named_construct %.1f\n", c);
   std::printf("named_find %.1f\n", f);
   std::printf("named_destroy %.1f\n", d);
   if (!only_named) {
      std::printf("bytes_per_64B_block %.1f\n", overhead64());
   }
   std::printf("bytes_per_named_object %.1f\n", overhead_named());
   std::printf("bytes_per_named_int %.1f\n", overhead_named_int());
   return 0;
}
