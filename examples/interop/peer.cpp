// The C++ side of examples/interop.rs, written as a Boost.Interprocess program would be
// (the porting rule turns <boost/interprocess/...> into <interproc/...>): it opens the
// segment a Rust process created, finds the objects by name, counts under the shared
// mutex, and reports through the message queue.
#include <interproc/ipc/message_queue.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// The same layouts as the Rust declarations (shareable! structs are #[repr(C)]).
struct Board {
   std::atomic<std::uint64_t> visits;
   std::atomic<std::uint32_t> peers_done;
   std::uint32_t reserved;
};
struct Counter { // interproc::SharedMutex<u64>
   interproc::interprocess_mutex mutex;
   std::uint64_t value;
};
struct Note {
   char from[8];
   std::uint32_t pid;
   std::uint32_t rounds;
};

int main(int argc, char **argv) {
   if (argc != 4) {
      std::fprintf(stderr, "usage: %s SEGMENT QUEUE ROUNDS\n", argv[0]);
      return 2;
   }
   namespace ip = interproc;
   ip::managed_shared_memory segment(ip::open_only, argv[1]);
   Board *board = segment.find<Board>("board").first;
   Counter *counter = segment.find<Counter>("counter").first;
   if (!board || !counter) {
      std::fprintf(stderr, "the Rust side's objects are missing\n");
      return 1;
   }
   const unsigned rounds = static_cast<unsigned>(std::atoi(argv[3]));
   for (unsigned i = 0; i < rounds; ++i) {
      board->visits.fetch_add(1);
      ip::scoped_lock<ip::interprocess_mutex> lock(counter->mutex);
      ++counter->value;
   }
   board->peers_done.fetch_add(1);
   ip::message_queue queue(ip::open_only, argv[2]);
   Note note{};
   std::memcpy(note.from, "c++", 4);
   note.pid = static_cast<std::uint32_t>(getpid());
   note.rounds = rounds;
   queue.send(&note, sizeof note, 0);
   return 0;
}
