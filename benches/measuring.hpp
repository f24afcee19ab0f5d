// What the C++ benchmarks measure with: the steady clock per operation, the median of
// rounds, a fast random sequence, and pinning the calling process to one CPU. Included by
// the benchmarks of both builds (interproc and -DBENCH_BOOST); it names neither library.
#pragma once

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace bench {

using clock_type = std::chrono::steady_clock;

/// Nanoseconds per operation of `ops` operations begun at `start`.
inline double ns_since(clock_type::time_point start, double ops) {
   return std::chrono::duration<double, std::nano>(clock_type::now() - start).count() / ops;
}

/// The steady clock now, in nanoseconds (a point to subtract from another, also across
/// processes of one machine).
inline double now_ns() {
   return std::chrono::duration<double, std::nano>(clock_type::now().time_since_epoch()).count();
}

/// The median of `v` (the upper one of an even count); `v` is not empty.
inline double median(std::vector<double> v) {
   std::sort(v.begin(), v.end());
   return v[v.size() / 2];
}

/// Marsaglia's xorshift64: a fast sequence of numbers that look random, from a non-zero seed.
struct xorshift {
   std::uint64_t s;
   std::uint64_t next() {
      s ^= s << 13;
      s ^= s >> 7;
      s ^= s << 17;
      return s;
   }
};

/// Runs the calling process on CPU `cpu` only.
inline void pin(int cpu) {
   cpu_set_t set;
   CPU_ZERO(&set);
   CPU_SET(cpu, &set);
   sched_setaffinity(0, sizeof set, &set);
}

/// How many CPUs the calling process may run on.
inline int cpus() {
   cpu_set_t set;
   sched_getaffinity(0, sizeof set, &set);
   return CPU_COUNT(&set);
}

} // namespace bench
