// Synchronisation benchmarks, built twice by run.sh: against interproc and (with
// -DBENCH_BOOST) against Boost.Interprocess. Prints "name nanoseconds" lines (the
// uncontended lock+unlock is measured by lock_bench.cpp, both libraries in one process):
// - counter_2proc: one increment under the mutex, two processes contending;
// - cond_pingpong_{1cpu,2cpu}: one round trip between two processes through a mutex and
//   two conditions (both processes on one CPU, or on two);
// - sem_pingpong_{1cpu,2cpu}: one round trip through two semaphores.
#ifdef BENCH_BOOST
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <boost/interprocess/sync/interprocess_condition.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/interprocess_semaphore.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
namespace ip = boost::interprocess;
#else
#include <interproc/mapped_region.hpp>
#include <interproc/shared_memory_object.hpp>
#include <interproc/sync/interprocess_condition.hpp>
#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/interprocess_semaphore.hpp>
#include <interproc/sync/scoped_lock.hpp>
namespace ip = interproc;
#endif

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "measuring.hpp"

using bench::cpus;
using bench::now_ns;
using bench::pin;

struct Shared {
   ip::interprocess_mutex mutex;
   ip::interprocess_condition ping, pong;
   ip::interprocess_semaphore sem_ping{0}, sem_pong{0};
   long counter = 0;
   int turn = 0;
   std::atomic<int> go{0};        // the parent starts the child's work with its own
   std::atomic<double> child_end{0}; // when the child finished its work (steady clock)
};

// Runs `child` in a forked process pinned to `child_cpu` and `parent` here pinned to
// `parent_cpu`, both starting together; returns the time until both have finished their
// work (a lock that lets one process starve the other must not look fast by timing only
// the one that got it).
template <class C, class P>
static double two_procs(Shared *s, int parent_cpu, int child_cpu, C child, P parent) {
   s->go = 0;
   s->child_end = 0;
   pid_t pid = fork();
   if (pid == 0) {
      pin(child_cpu);
      while (s->go.load() == 0) {
         sched_yield(); // the parent may share this CPU
      }
      child();
      s->child_end = now_ns();
      _exit(0);
   }
   pin(parent_cpu);
   double t0 = now_ns();
   s->go = 1;
   parent();
   double t1 = now_ns();
   int st = 0;
   waitpid(pid, &st, 0);
   return std::max(t1, s->child_end.load()) - t0;
}

int main(int argc, char **argv) {
   long scale = argc > 1 ? std::atol(argv[1]) : 1;
   std::string name = "ipbench_sync_" + std::to_string(getpid());
   ip::shared_memory_object::remove(name.c_str());
   ip::shared_memory_object shm(ip::create_only, name.c_str(), ip::read_write);
   shm.truncate(sizeof(Shared));
   ip::mapped_region region(shm, ip::read_write);
   Shared *s = new (region.get_address()) Shared;
   const int two = cpus() > 1 ? 1 : 0;

   {
      const long n = 500000 * scale;
      auto work = [&] {
         for (long i = 0; i < n; ++i) {
            ip::scoped_lock<ip::interprocess_mutex> lock(s->mutex);
            s->counter++;
         }
      };
      s->counter = 0;
      double t = two_procs(s, 0, two, work, work);
      if (s->counter != 2 * n) {
         std::fprintf(stderr, "counter %ld, expected %ld\n", s->counter, 2 * n);
         return 1;
      }
      std::printf("counter_2proc %.2f\n", t / double(2 * n));
   }
   for (int cpu : {0, two}) {
      const long n = 20000 * scale;
      s->turn = 0;
      auto child = [&] {
         ip::scoped_lock<ip::interprocess_mutex> lock(s->mutex);
         for (long i = 0; i < n; ++i) {
            while (s->turn != 1) {
               s->ping.wait(lock);
            }
            s->turn = 0;
            s->pong.notify_one();
         }
      };
      auto parent = [&] {
         ip::scoped_lock<ip::interprocess_mutex> lock(s->mutex);
         for (long i = 0; i < n; ++i) {
            s->turn = 1;
            s->ping.notify_one();
            while (s->turn != 0) {
               s->pong.wait(lock);
            }
         }
      };
      double t = two_procs(s, 0, cpu, child, parent);
      std::printf("cond_pingpong_%s %.1f\n", cpu == 0 ? "1cpu" : "2cpu", t / double(n));
   }
   for (int cpu : {0, two}) {
      const long n = 20000 * scale;
      auto child = [&] {
         for (long i = 0; i < n; ++i) {
            s->sem_ping.wait();
            s->sem_pong.post();
         }
      };
      auto parent = [&] {
         for (long i = 0; i < n; ++i) {
            s->sem_ping.post();
            s->sem_pong.wait();
         }
      };
      double t = two_procs(s, 0, cpu, child, parent);
      std::printf("sem_pingpong_%s %.1f\n", cpu == 0 ? "1cpu" : "2cpu", t / double(n));
   }
   s->~Shared();
   ip::shared_memory_object::remove(name.c_str());
   return 0;
}
