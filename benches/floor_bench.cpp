// Cross-CPU round trips against the hardware floor, built twice by run.sh: against interproc
// and (with -DBENCH_BOOST) against Boost.Interprocess. One pair of processes, pinned to
// CPUs 0 and 1, runs alternating blocks of round trips: the floor (each side spins on one
// shared cache line until the other has written it), then a message queue, a pair of
// semaphores and a mutex with two conditions, the same exchanges as mq_bench.cpp and
// sync_bench.cpp, the message queue again with queues of one message (interproc keeps
// those in its locked mode, the design Boost uses for every queue), and the first queues
// again with 8-byte messages (interproc keeps a message of at most 32 bytes in its slot's
// header line). The floor moves with where the two vCPUs land, so each block is divided
// by the floor block measured just before it, by the same two processes. Prints
// "name value" lines:
// - floor_2cpu: the floor's round trip in nanoseconds (median over blocks);
// - {queue,sem,cond,queue1,queue8}_2cpu: that round trip in nanoseconds (median over blocks);
// - {queue,sem,cond,queue1,queue8}_2cpu_x_floor: the median over blocks of that block / the
//   floor block.
// A second argument names the one kind to run beside the floor (queue, sem, cond, queue1 or
// queue8), so that
// `perf stat` counts (system calls, context switches) belong to that kind alone.
#ifdef BENCH_BOOST
#include <boost/interprocess/ipc/message_queue.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <boost/interprocess/sync/interprocess_condition.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/interprocess_semaphore.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
namespace ip = boost::interprocess;
#else
#include <interproc/ipc/message_queue.hpp>
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
#include <vector>

#include "measuring.hpp"

namespace {

using bench::cpus;
using bench::median;
using bench::pin;

enum kind { floor_kind, queue_kind, sem_kind, cond_kind, queue1_kind, queue8_kind, kinds };
const char *const kind_names[kinds] = {"floor", "queue", "sem", "cond", "queue1", "queue8"};

struct Shared {
   // The floor's line, alone on its pair of cache lines (CPUs fetch lines in aligned pairs).
   alignas(128) std::atomic<long> line{0};
   alignas(128) ip::interprocess_mutex mutex;
   ip::interprocess_condition ping, pong;
   int turn = 0;
   ip::interprocess_semaphore sem_ping{0}, sem_pong{0};
};

// The queues of the queue ping-pongs (16 messages, then 1), opened by both processes after
// the fork.
struct queues {
   ip::message_queue to_child, to_parent, to_child1, to_parent1;
   explicit queues(const std::string &n)
      : to_child(ip::open_only, (n + "_a").c_str()), to_parent(ip::open_only, (n + "_b").c_str()),
        to_child1(ip::open_only, (n + "_a1").c_str()), to_parent1(ip::open_only, (n + "_b1").c_str()) {}
};

// One queue round trip of a `len`-byte message, from the parent's side or the child's.
void queue_round_trip(ip::message_queue &to_child, ip::message_queue &to_parent, char *buf, std::size_t size, std::size_t len, bool parent) {
   ip::message_queue::size_type got;
   unsigned prio;
   if (parent) {
      to_child.send(buf, len, 0);
      to_parent.receive(buf, size, got, prio);
   } else {
      to_child.receive(buf, size, got, prio);
      to_parent.send(buf, got, prio);
   }
}

// One block of `n` round trips of kind `k`, from the parent's side (`parent`) or the
// child's. The floor's line counts exchanges: the parent writes odd values, the child even
// ones; `base` is the count before the block.
void block(Shared *s, queues &q, kind k, long n, long base, bool parent) {
   char buf[64] = {1};
   switch (k) {
   case floor_kind:
      for (long i = 0; i < n; ++i) {
         const long mine = base + 2 * i + (parent ? 1 : 2);
         // Each side waits for the other's value; acquire pairs with the other's release
         // store, so the exchange orders each side's accesses as a real hand-off would.
         while (s->line.load(std::memory_order_acquire) != mine - 1) {
         }
         s->line.store(mine, std::memory_order_release);
      }
      if (parent) { // the child's last answer closes the block
         while (s->line.load(std::memory_order_acquire) != base + 2 * n) {
         }
      }
      break;
   case queue_kind:
      for (long i = 0; i < n; ++i) {
         queue_round_trip(q.to_child, q.to_parent, buf, sizeof buf, sizeof buf, parent);
      }
      break;
   case queue8_kind:
      for (long i = 0; i < n; ++i) {
         queue_round_trip(q.to_child, q.to_parent, buf, sizeof buf, 8, parent);
      }
      break;
   case queue1_kind:
      for (long i = 0; i < n; ++i) {
         queue_round_trip(q.to_child1, q.to_parent1, buf, sizeof buf, sizeof buf, parent);
      }
      break;
   case sem_kind:
      for (long i = 0; i < n; ++i) {
         if (parent) {
            s->sem_ping.post();
            s->sem_pong.wait();
         } else {
            s->sem_ping.wait();
            s->sem_pong.post();
         }
      }
      break;
   case cond_kind: {
      ip::scoped_lock<ip::interprocess_mutex> lock(s->mutex);
      for (long i = 0; i < n; ++i) {
         if (parent) {
            s->turn = 1;
            s->ping.notify_one();
            while (s->turn != 0) {
               s->pong.wait(lock);
            }
         } else {
            while (s->turn != 1) {
               s->ping.wait(lock);
            }
            s->turn = 0;
            s->pong.notify_one();
         }
      }
      break;
   }
   default:
      break;
   }
}

} // namespace

int main(int argc, char **argv) {
   const long scale = argc > 1 ? std::atol(argv[1]) : 1;
   if (cpus() < 2) {
      std::fprintf(stderr, "floor_bench needs two CPUs\n");
      return 0;
   }
   const long rounds = 15 * scale; // blocks of each kind
   const long n = 2000;            // round trips per block
   const std::string only = argc > 2 ? argv[2] : "";
   bool run[kinds];
   for (int k = 0; k < kinds; ++k) {
      run[k] = k == floor_kind || only.empty() || only == kind_names[k];
   }
   const std::string name = "ipbench_floor_" + std::to_string(getpid());
   const std::string queue_names[4] = {name + "_a", name + "_b", name + "_a1", name + "_b1"};
   ip::shared_memory_object::remove(name.c_str());
   for (const std::string &qn : queue_names) {
      ip::message_queue::remove(qn.c_str());
   }
   ip::shared_memory_object shm(ip::create_only, name.c_str(), ip::read_write);
   shm.truncate(sizeof(Shared));
   ip::mapped_region region(shm, ip::read_write);
   Shared *s = new (region.get_address()) Shared;
   for (int i = 0; i < 4; ++i) {
      ip::message_queue(ip::create_only, queue_names[i].c_str(), i < 2 ? 16 : 1, 64);
   }

   pid_t pid = fork();
   const bool parent = pid != 0;
   pin(parent ? 0 : 1);
   queues q(name);
   std::vector<double> ns[kinds], ratio[kinds];
   long base = 0;
   for (long r = 0; r < rounds + 1; ++r) { // round 0 warms up
      double floor_ns = 0;
      for (int k = 0; k < kinds; ++k) {
         if (!run[k]) {
            continue;
         }
         const auto t = std::chrono::steady_clock::now();
         block(s, q, kind(k), n, base, parent);
         const double per = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t).count() / double(n);
         if (k == floor_kind) {
            base += 2 * n;
            floor_ns = per;
         }
         if (r > 0) {
            ns[k].push_back(per);
            ratio[k].push_back(per / floor_ns);
         }
      }
   }
   if (!parent) {
      _exit(0);
   }
   waitpid(pid, nullptr, 0);
   std::printf("floor_2cpu %.1f\n", median(ns[floor_kind]));
   for (int k = queue_kind; k < kinds; ++k) {
      if (!run[k]) {
         continue;
      }
      std::printf("%s_2cpu %.1f\n", kind_names[k], median(ns[k]));
      std::printf("%s_2cpu_x_floor %.2f\n", kind_names[k], median(ratio[k]));
   }
   s->~Shared();
   for (const std::string &qn : queue_names) {
      ip::message_queue::remove(qn.c_str());
   }
   ip::shared_memory_object::remove(name.c_str());
   return 0;
}
