// What a ring of slots costs between two pinned processes on this machine, with nothing of
// the message queue but its cache-line traffic: the bound under any queue built on slots
// that are published and freed by a word in shared memory. Beside the floor (both sides
// spinning on one line, as in floor_bench.cpp), in alternating blocks, one pair of
// processes exchanges 64-byte messages through two rings of 16 slots: the sender waits for
// its slot's `pos` to say free, copies the message in and publishes `pos`; the receiver
// spins on `pos`, copies the message out and frees the slot. Prints "name value" lines, the
// median over blocks of the ring's block / the floor block before it:
// - ring2_lN_x_floor: a slot's `pos` and its message on two cache lines (as in the queue,
//   whose slot header holds more than a word), N locked read-modify-writes per operation
//   on lines of the process's own (the queue takes two: a participant entry and an end);
// - ring1_lN_x_floor: `pos` and a 56-byte message on one line.
// Usage: ring_floor_bench [rounds]
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr unsigned slots = 16;

// A slot whose message starts on the line after `pos` (`two_lines`), or shares its line.
template <bool two_lines> struct alignas(128) Slot {
   std::atomic<unsigned> pos;
   char pad[two_lines ? 60 : 0];
   char data[two_lines ? 64 : 56];
};

template <bool two_lines> struct Ring {
   Slot<two_lines> slot[slots];
};

// A line only this process writes, for the locked instructions of an operation.
struct alignas(128) Own {
   std::atomic<long> word{0};
};

struct Shared {
   alignas(128) std::atomic<long> line{0};
   Ring<true> a2, b2;
   Ring<false> a1, b1;
   Own own[2];
};

void pin(int cpu) {
   cpu_set_t set;
   CPU_ZERO(&set);
   CPU_SET(cpu, &set);
   sched_setaffinity(0, sizeof set, &set);
}

template <bool two_lines> void send(Ring<two_lines> &r, unsigned &tail, const char *msg, Own &own, int locks) {
   auto &s = r.slot[tail % slots];
   for (int i = 0; i < locks; ++i) {
      own.word.fetch_add(1);
   }
   // Acquire: pairs with the receiver's release that freed the slot.
   while (s.pos.load(std::memory_order_acquire) != tail) {
   }
   std::memcpy(s.data, msg, sizeof s.data);
   s.pos.store(tail + 1, std::memory_order_release); // publishes the message
   ++tail;
}

template <bool two_lines> void receive(Ring<two_lines> &r, unsigned &head, char *msg, Own &own, int locks) {
   auto &s = r.slot[head % slots];
   // Acquire: pairs with the sender's release that published the message.
   while (s.pos.load(std::memory_order_acquire) != head + 1) {
      __builtin_ia32_pause();
   }
   for (int i = 0; i < locks; ++i) {
      own.word.fetch_add(1);
   }
   std::memcpy(msg, s.data, sizeof s.data);
   s.pos.store(head + slots, std::memory_order_release); // frees the slot for the next lap
   ++head;
}

// One block of `n` floor round trips; `base` counts the exchanges before it.
void floor_block(Shared *s, long n, long &base, bool parent) {
   for (long i = 0; i < n; ++i) {
      const long mine = base + 2 * i + (parent ? 1 : 2);
      while (s->line.load(std::memory_order_acquire) != mine - 1) {
      }
      s->line.store(mine, std::memory_order_release);
   }
   if (parent) {
      while (s->line.load(std::memory_order_acquire) != base + 2 * n) {
      }
   }
   base += 2 * n;
}

// `out` and `in`: this process's position on the ring it sends on and on the one it
// receives from (private memory: each end has one writer).
template <bool two_lines>
void ring_block(Ring<two_lines> &to_child, Ring<two_lines> &to_parent, unsigned &out, unsigned &in, Own &own,
                int locks, long n, bool parent) {
   char msg[64] = {1};
   for (long i = 0; i < n; ++i) {
      if (parent) {
         send(to_child, out, msg, own, locks);
         receive(to_parent, in, msg, own, locks);
      } else {
         receive(to_child, in, msg, own, locks);
         send(to_parent, out, msg, own, locks);
      }
   }
}

double since(std::chrono::steady_clock::time_point t, long n) {
   return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t).count() / double(n);
}

} // namespace

int main(int argc, char **argv) {
   const long rounds = argc > 1 ? std::atol(argv[1]) : 150;
   const long n = 2000;
   void *mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
   if (mem == MAP_FAILED) {
      std::perror("mmap");
      return 1;
   }
   Shared *s = new (mem) Shared;
   for (unsigned i = 0; i < slots; ++i) {
      s->a2.slot[i].pos = s->b2.slot[i].pos = s->a1.slot[i].pos = s->b1.slot[i].pos = i;
   }
   const pid_t pid = fork();
   const bool parent = pid != 0;
   pin(parent ? 0 : 1);
   Own &own = s->own[parent ? 0 : 1];
   const char *names[6] = {"ring2_l0", "ring2_l1", "ring2_l2", "ring1_l0", "ring1_l1", "ring1_l2"};
   std::vector<double> ratio[6];
   unsigned out2 = 0, in2 = 0, out1 = 0, in1 = 0;
   long base = 0;
   for (long r = 0; r < rounds + 1; ++r) { // round 0 warms up
      for (int k = 0; k < 6; ++k) {
         auto t = std::chrono::steady_clock::now();
         floor_block(s, n, base, parent);
         const double floor_ns = since(t, n);
         t = std::chrono::steady_clock::now();
         if (k < 3) {
            ring_block(s->a2, s->b2, out2, in2, own, k, n, parent);
         } else {
            ring_block(s->a1, s->b1, out1, in1, own, k - 3, n, parent);
         }
         if (r > 0) {
            ratio[k].push_back(since(t, n) / floor_ns);
         }
      }
   }
   if (!parent) {
      _exit(0);
   }
   waitpid(pid, nullptr, 0);
   for (int k = 0; k < 6; ++k) {
      std::sort(ratio[k].begin(), ratio[k].end());
      std::printf("%s_x_floor %.2f\n", names[k], ratio[k][ratio[k].size() / 2]);
   }
   return 0;
}
