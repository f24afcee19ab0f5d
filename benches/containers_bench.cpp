// Container benchmark, built twice from this one source like managed_bench.cpp: against
// interproc and, with -DBENCH_BOOST, against Boost.Interprocess. Each case runs inside a
// managed segment and, for reference, with std:: containers. Prints "name nanoseconds"
// (per operation), the format benches/run.sh tabulates:
//   g++ -std=c++17 -O2 -DNDEBUG -Iinclude benches/containers_bench.cpp -Ltarget/release -linterproc ...
//   g++ -std=c++17 -O2 -DNDEBUG -DBENCH_BOOST benches/containers_bench.cpp -lrt -lpthread
#ifdef BENCH_BOOST
#include <boost/interprocess/allocators/allocator.hpp>
#include <boost/interprocess/allocators/node_allocator.hpp>
#include <boost/interprocess/containers/list.hpp>
#include <boost/interprocess/containers/map.hpp>
#include <boost/interprocess/containers/string.hpp>
#include <boost/interprocess/containers/vector.hpp>
#include <boost/interprocess/managed_shared_memory.hpp>
namespace ipc = boost::interprocess;
#else
#include <interproc/allocators/allocator.hpp>
#include <interproc/allocators/node_allocator.hpp>
#include <interproc/containers/list.hpp>
#include <interproc/containers/map.hpp>
#include <interproc/containers/string.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/managed_shared_memory.hpp>
namespace ipc = interproc;
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include "measuring.hpp"

namespace {

using bench::clock_type;
using bench::ns_since;
using bench::xorshift;
typedef ipc::managed_shared_memory::segment_manager segment_manager;

// Runs `body(segment_manager*)` in a fresh segment of `bytes`, removed afterwards.
template <class Body> void with_segment(std::size_t bytes, Body body) {
   const std::string name = "bench_cont_" + std::to_string(getpid());
   ipc::shared_memory_object::remove(name.c_str());
   {
      ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), bytes);
      body(seg.get_segment_manager());
   }
   ipc::shared_memory_object::remove(name.c_str());
}

// As with_segment; returns the body's time per op (creating the segment is not timed).
template <class Body> double in_segment(std::size_t bytes, double ops, Body body) {
   double r = 0;
   with_segment(bytes, [&](segment_manager *sm) {
      auto t = clock_type::now();
      body(sm);
      r = ns_since(t, ops);
   });
   return r;
}

template <class Vec> void push_ints(Vec &v, long n) {
   for (long i = 0; i < n; ++i) {
      v.push_back(static_cast<int>(i));
   }
}

// Inserts n pseudo-random keys with operator[], then finds each of them, timing the two
// phases apart; prints "<prefix>_insert" and "<prefix>_find" (time per operation).
template <class Map> long map_insert_then_find(Map &m, long n, const char *prefix) {
   auto t = clock_type::now();
   xorshift rng{88172645463325252ull};
   for (long i = 0; i < n; ++i) {
      m[static_cast<int>(rng.next())] = static_cast<int>(i);
   }
   std::printf("%s_insert %.2f\n", prefix, ns_since(t, double(n)));
   t = clock_type::now();
   long found = 0;
   xorshift again{88172645463325252ull};
   for (long i = 0; i < n; ++i) {
      found += m.find(static_cast<int>(again.next())) != m.end() ? 1 : 0;
   }
   std::printf("%s_find %.2f\n", prefix, ns_since(t, double(n)));
   return found;
}

template <class Str> std::size_t append_pieces(Str &s, long n) {
   static const char piece[] = "0123456789abcdefghij";
   for (long i = 0; i < n; ++i) {
      s.append(piece, 20);
   }
   return s.size();
}

template <class List> long list_push_pop(List &l, long n) {
   long sum = 0;
   for (long i = 0; i < n; ++i) {
      l.push_back(static_cast<int>(i));
      if (i % 3 == 2) {
         sum += l.front();
         l.pop_front();
      }
   }
   return sum;
}

} // namespace

int main(int argc, char **argv) {
   const long scale = argc > 1 ? std::atol(argv[1]) : 1;
   const long nvec = 10000000 * scale;
   const long nmap = 1000000 * scale;
   const long nstr = 2000000 * scale;
   const long nlist = 2000000 * scale;
   volatile long sink = 0;

   std::printf("vector_push_back %.2f\n", in_segment(std::size_t(nvec) * 16 + (64 << 20), double(nvec), [&](segment_manager *sm) {
                  ipc::vector<int, ipc::allocator<int, segment_manager>> v(sm);
                  push_ints(v, nvec);
                  sink = sink + v.back();
               }));
   with_segment(std::size_t(nmap) * 160 + (64 << 20), [&](segment_manager *sm) {
      typedef ipc::allocator<std::pair<const int, int>, segment_manager> A;
      ipc::map<int, int, std::less<int>, A> m(std::less<int>(), sm);
      sink = sink + map_insert_then_find(m, nmap, "map");
   });
   std::printf("string_append_20B %.2f\n", in_segment(std::size_t(nstr) * 80 + (64 << 20), double(nstr), [&](segment_manager *sm) {
                  ipc::basic_string<char, std::char_traits<char>, ipc::allocator<char, segment_manager>> s(sm);
                  sink = sink + static_cast<long>(append_pieces(s, nstr));
               }));
   std::printf("list_push_pop %.2f\n", in_segment(std::size_t(nlist) * 64 + (64 << 20), double(nlist), [&](segment_manager *sm) {
                  ipc::list<int, ipc::allocator<int, segment_manager>> l(sm);
                  sink = sink + list_push_pop(l, nlist);
               }));
   std::printf("list_push_pop_node_allocator %.2f\n", in_segment(std::size_t(nlist) * 64 + (64 << 20), double(nlist), [&](segment_manager *sm) {
                  ipc::list<int, ipc::node_allocator<int, segment_manager>> l(sm);
                  sink = sink + list_push_pop(l, nlist);
               }));

   // The std:: containers with std::allocator, for the "within 1.5x of std" comparison.
   {
      auto t = clock_type::now();
      std::vector<int> v;
      push_ints(v, nvec);
      std::printf("std_vector_push_back %.2f\n", ns_since(t, double(nvec)));
   }
   {
      std::map<int, int> m;
      sink = sink + map_insert_then_find(m, nmap, "std_map");
   }
   {
      auto t = clock_type::now();
      std::string s;
      sink = sink + static_cast<long>(append_pieces(s, nstr));
      std::printf("std_string_append_20B %.2f\n", ns_since(t, double(nstr)));
   }
   {
      auto t = clock_type::now();
      std::list<int> l;
      sink = sink + list_push_pop(l, nlist);
      std::printf("std_list_push_pop %.2f\n", ns_since(t, double(nlist)));
   }
   return sink == 42 ? 1 : 0;
}
