/* The C side of examples/interop.rs: the same segment, lock and queue through interproc.h. */
#include <interproc.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The same layouts as the Rust declarations (shareable! structs are #[repr(C)]). */
typedef struct {
   _Atomic uint64_t visits;
   _Atomic uint32_t peers_done;
   uint32_t reserved;
} board_t;
typedef struct { /* interproc::SharedMutex<u64> */
   interproc_mutex_t mutex;
   uint64_t value;
} counter_t;
typedef struct {
   char from[8];
   uint32_t pid;
   uint32_t rounds;
} note_t;

static int fail(const char *what) {
   fprintf(stderr, "%s: %s\n", what, interproc_last_error_message());
   return 1;
}

int main(int argc, char **argv) {
   if (argc != 4) {
      fprintf(stderr, "usage: %s SEGMENT QUEUE ROUNDS\n", argv[0]);
      return 2;
   }
   interproc_managed_t *segment = NULL;
   if (interproc_managed_shm_open(INTERPROC_OPEN_ONLY, argv[1], 0, INTERPROC_PERM_DEFAULT, &segment))
      return fail("opening the segment");
   interproc_segment_manager_t *mgr = interproc_managed_segment_manager(segment);
   void *b = NULL, *c = NULL;
   size_t n = 0;
   if (interproc_segment_find(mgr, INTERPROC_NAMED_INSTANCE, "board", sizeof(board_t), &b, &n) || !b)
      return fail("finding the board");
   if (interproc_segment_find(mgr, INTERPROC_NAMED_INSTANCE, "counter", sizeof(counter_t), &c, &n) || !c)
      return fail("finding the counter");
   board_t *board = b;
   counter_t *counter = c;
   unsigned rounds = (unsigned)atoi(argv[3]);
   for (unsigned i = 0; i < rounds; ++i) {
      atomic_fetch_add(&board->visits, 1);
      if (interproc_mutex_lock(&counter->mutex))
         return fail("locking the counter");
      ++counter->value;
      if (interproc_mutex_unlock(&counter->mutex))
         return fail("unlocking the counter");
   }
   atomic_fetch_add(&board->peers_done, 1);
   interproc_mq_t *queue = NULL;
   if (interproc_mq_open(INTERPROC_OPEN_ONLY, argv[2], 0, 0, INTERPROC_PERM_DEFAULT, &queue))
      return fail("opening the queue");
   note_t note;
   memset(&note, 0, sizeof note);
   memcpy(note.from, "c", 2);
   note.pid = (uint32_t)getpid();
   note.rounds = rounds;
   if (interproc_mq_send(queue, &note, sizeof note, 0))
      return fail("sending");
   interproc_mq_free(queue);
   interproc_managed_free(segment);
   return 0;
}
