// Two real processes (fork + exec) through the C++ wrapper: the parent creates and fills a
// shared memory object; the child opens it, checks it, and writes its answer into it.
#include "child.hpp"
#include <interproc.hpp>

#include <cstdio>

using namespace interproc;

struct Shared {
   long child_pid;
   long checked;
   long sum;
   int values[1000];
};

static int child(const char *name) {
   shared_memory_object shm(open_only, name, read_write);
   mapped_region region(shm, read_write);
   auto *s = static_cast<Shared *>(region.get_address());
   long sum = 0;
   for (int v : s->values) {
      sum += v;
   }
   s->sum = sum;
   s->checked = 1000;
   s->child_pid = static_cast<long>(getpid());
   return 0;
}

int main(int argc, char **argv) {
   if (is_child(argc, argv)) {
      return as_child(argv, child, 3);
   }
   char buf[64];
   test_name(buf, sizeof buf, "cpp_mp");
   shared_memory_object::remove(buf);
   remove_shared_memory_on_destroy cleanup(buf);
   shared_memory_object shm(create_only, buf, read_write);
   shm.truncate(sizeof(Shared));
   mapped_region region(shm, read_write);
   auto *s = static_cast<Shared *>(region.get_address());
   long expected = 0;
   for (int i = 0; i < 1000; ++i) {
      s->values[i] = i * 3 - 7;
      expected += s->values[i];
   }
   CHECK(run_child(argv[0], "sum", buf) == 0);
   CHECK(s->checked == 1000);
   CHECK(s->sum == expected);
   CHECK(s->child_pid != static_cast<long>(getpid()) && s->child_pid > 0);

   // The child of a missing object reports the error instead of crashing.
   CHECK(run_child(argv[0], "sum", "ipctest_cpp_mp_missing_object") == 3);
   std::printf("cpp_multiprocess: ok\n");
   return 0;
}
