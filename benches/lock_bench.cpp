// Uncontended lock+unlock of a process-shared mutex, Boost.Interprocess and interproc in
// one process, measured in alternating rounds (A B B A ...) so that both see the same
// machine: a few nanoseconds per operation are easily moved by a neighbour's load or a
// frequency change between two separate runs. Prints "name boost_ns interproc_ns" lines
// for the best round and the median round of each: the anonymous mutexes
// (`interprocess_mutex`, both in one shared page) and the named ones (`named_mutex`).
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/named_mutex.hpp>
#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/named_mutex.hpp>

#include <unistd.h>

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "measuring.hpp"

using bench::median;
using bench::now_ns;

// Nanoseconds per lock+unlock over `n` pairs.
template <class M> static double round_ns(M &m, long n) {
   const double t0 = now_ns();
   for (long i = 0; i < n; ++i) {
      m.lock();
      m.unlock();
   }
   return (now_ns() - t0) / double(n);
}

// Rounds of `n` pairs on each of two mutexes, alternating which goes first; prints the
// best and the median round of each as "<label>_best" and "<label>_median" lines.
template <class B, class O> static void compare(const char *label, B &boost_mutex, O &our_mutex, long n) {
   round_ns(boost_mutex, n); // warm up both
   round_ns(our_mutex, n);
   std::vector<double> boost_rounds, our_rounds;
   for (int r = 0; r < 20; ++r) {
      if (r % 2 == 0) {
         boost_rounds.push_back(round_ns(boost_mutex, n));
         our_rounds.push_back(round_ns(our_mutex, n));
      } else {
         our_rounds.push_back(round_ns(our_mutex, n));
         boost_rounds.push_back(round_ns(boost_mutex, n));
      }
   }
   std::printf("%s_best %.2f %.2f\n", label, *std::min_element(boost_rounds.begin(), boost_rounds.end()),
               *std::min_element(our_rounds.begin(), our_rounds.end()));
   std::printf("%s_median %.2f %.2f\n", label, median(boost_rounds), median(our_rounds));
}

int main(int argc, char **argv) {
   const long scale = argc > 1 ? std::atol(argv[1]) : 1;
   // Both mutexes in one shared page, a cache line apart, as they would be in a segment.
   void *page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
   if (page == MAP_FAILED) {
      std::perror("mmap");
      return 1;
   }
   auto *boost_mutex = new (page) boost::interprocess::interprocess_mutex;
   auto *our_mutex = new (static_cast<char *>(page) + 128) interproc::interprocess_mutex;

   const long n = 250000 * scale;
   compare("uncontended", *boost_mutex, *our_mutex, n);
   {
      const std::string name = "ipbench_lock_" + std::to_string(getpid());
      boost::interprocess::named_mutex::remove(name.c_str());
      interproc::named_mutex::remove((name + "_i").c_str());
      boost::interprocess::named_mutex boost_named(boost::interprocess::create_only, name.c_str());
      interproc::named_mutex our_named(interproc::create_only, (name + "_i").c_str());
      compare("named_uncontended", boost_named, our_named, n);
      boost::interprocess::named_mutex::remove(name.c_str());
      interproc::named_mutex::remove((name + "_i").c_str());
   }
   our_mutex->~interprocess_mutex();
   boost_mutex->~interprocess_mutex();
   munmap(page, 4096);
   return 0;
}
