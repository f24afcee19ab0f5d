// Online growth across two real processes (fork + exec). The parent creates a segment of
// 64 KiB that may grow to 64 MiB and fills a vector and a map in it far past the initial
// size. The child opened the segment before the first growth, found the containers once,
// and keeps reading and writing them through their offset_ptrs while the parent grows the
// segment: it reads the vector's last elements and the map's newest nodes in the new tail,
// and inserts map nodes of its own (which grow the segment from its side too). Exact totals
// at the end.
#include "child.hpp"
#include <interproc.hpp>

#include <atomic>
#include <cstdio>

using namespace interproc;

typedef managed_shared_memory::segment_manager SegmentManager;
typedef vector<int, allocator<int, SegmentManager>> IntVector;
typedef map<int, int, std::less<int>, allocator<std::pair<const int, int>, SegmentManager>> IntMap;

static const int COUNT = 60000;
static const std::size_t INITIAL = 64 * 1024;
// The late object is larger than the initial segment, so its last element lies in memory
// the segment grew into, wherever the allocator places it.
static const std::size_t LATE_COUNT = INITIAL / sizeof(long) + 1;

struct Board {
   interprocess_mutex mutex;
   std::atomic<int> child_ready{0};
   std::atomic<int> done{0};
   std::atomic<int> child_writes{0};
   std::atomic<int> child_tail_vector_reads{0};
   std::atomic<int> child_tail_map_reads{0};
   std::atomic<int> child_late_object{0};
};

static bool in_tail(const managed_shared_memory &seg, const void *p) {
   return static_cast<const char *>(p) - static_cast<const char *>(seg.get_address()) >= static_cast<long>(INITIAL);
}

static int child(const char *name) {
   managed_shared_memory seg(open_only, name);
   CHECK(seg.get_size() == INITIAL);
   Board *board = seg.find<Board>("board").first;
   IntVector *v = seg.find<IntVector>("vector").first;
   IntMap *m = seg.find<IntMap>("map").first;
   CHECK(board && v && m);
   board->child_ready = 1;
   int writes = 0;
   long *late = nullptr;
   for (int round = 0;; ++round) {
      const bool last_round = board->done.load() != 0;
      {
         scoped_lock<interprocess_mutex> lock(board->mutex);
         const int n = static_cast<int>(v->size());
         if (n > 0) {
            // The newest elements, wherever the vector's block now lies.
            for (int k = n - 1; k >= 0 && k >= n - 8; --k) {
               CHECK((*v)[k] == k);
            }
            if (in_tail(seg, &(*v)[n - 1])) {
               ++board->child_tail_vector_reads;
            }
            auto it = m->find(n - 1);
            CHECK(it != m->end() && it->second == 2 * (n - 1));
            if (in_tail(seg, &*it)) {
               ++board->child_tail_map_reads;
            }
         }
         // A node of our own, under negative keys.
         ++writes;
         m->emplace(-writes, writes);
         board->child_writes = writes;
      }
      if (late == nullptr && round % 64 == 0) {
         const auto found = seg.find<long>("late");
         late = found.first;
         if (late != nullptr) {
            CHECK(found.second == LATE_COUNT && late[LATE_COUNT - 1] == 4242);
            late[LATE_COUNT - 1] = 4343;
            board->child_late_object = in_tail(seg, &late[LATE_COUNT - 1]) ? 2 : 1;
         }
      }
      if (last_round) {
         break;
      }
   }
   return 0;
}

int main(int argc, char **argv) {
   if (is_child(argc, argv)) {
      return as_child(argv, child, 3);
   }
   char name[64];
   test_name(name, sizeof name, "cpp_growth");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory seg(create_only, name, INITIAL, max_size_t(64 << 20));
   CHECK(seg.get_size() == INITIAL && seg.get_max_size() == (64u << 20) && seg.get_generation() == 0);
   void *const base = seg.get_address();
   Board *board = seg.construct<Board>("board")();
   IntVector *v = seg.construct<IntVector>("vector")(seg.get_segment_manager());
   IntMap *m = seg.construct<IntMap>("map")(std::less<int>(), seg.get_segment_manager());

   const pid_t pid = spawn_child(argv[0], "grow", name);
   CHECK(pid > 0);
   for (int i = 0; board->child_ready.load() == 0; ++i) {
      CHECK(i < 30000); // 30 s
      usleep(1000);
   }
   for (int i = 0; i < COUNT; ++i) {
      scoped_lock<interprocess_mutex> lock(board->mutex);
      v->push_back(i);
      m->emplace(i, 2 * i);
      if (i == COUNT / 2) {
         long *late = seg.construct<long>("late")[LATE_COUNT](4242);
         CHECK(in_tail(seg, &late[LATE_COUNT - 1]));
      }
   }
   // An explicit step on top of the growth on demand.
   const std::size_t before = seg.get_size();
   seg.grow(1 << 20);
   CHECK(seg.get_size() == before + (1 << 20));
   // Let the child see the final state a while, then stop it.
   for (int i = 0; board->child_tail_map_reads.load() < 100 || board->child_late_object.load() == 0; ++i) {
      CHECK(i < 30000);
      usleep(1000);
   }
   board->done = 1;
   CHECK(wait_bounded(pid, 30) == 0);

   CHECK(seg.get_address() == base);
   CHECK(seg.get_size() > (4u << 20));
   CHECK(seg.get_generation() >= 5);
   CHECK(board->child_tail_vector_reads.load() > 0);
   CHECK(board->child_late_object.load() == 2);
   CHECK(seg.find<long>("late").first[LATE_COUNT - 1] == 4343);
   CHECK(static_cast<int>(v->size()) == COUNT);
   long long vsum = 0;
   for (int i = 0; i < COUNT; ++i) {
      CHECK((*v)[i] == i);
      vsum += (*v)[i];
   }
   CHECK(vsum == static_cast<long long>(COUNT) * (COUNT - 1) / 2);
   const int writes = board->child_writes.load();
   CHECK(static_cast<int>(m->size()) == COUNT + writes);
   long long positive = 0, negative = 0;
   for (const auto &kv : *m) {
      if (kv.first < 0) {
         CHECK(kv.second == -kv.first);
         negative += kv.second;
      } else {
         CHECK(kv.second == 2 * kv.first);
         positive += kv.second;
      }
   }
   CHECK(positive == static_cast<long long>(COUNT) * (COUNT - 1));
   CHECK(negative == static_cast<long long>(writes) * (writes + 1) / 2);
   CHECK(seg.check_sanity());
   std::printf("grew %u times to %zu bytes; the child wrote %d nodes and read %d tail elements, %d tail nodes\n",
               seg.get_generation(), static_cast<std::size_t>(seg.get_size()), writes,
               board->child_tail_vector_reads.load(), board->child_tail_map_reads.load());
   return 0;
}
