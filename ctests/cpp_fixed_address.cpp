// A segment mapped at a fixed address (fixed_managed_shared_memory: raw void * pointers):
// the parent builds a vector and a list whose links are plain pointers, and a second
// process (this program run again) maps the segment at the same address and walks them.
// Porting rule: this program also builds against Boost and prints the same.
#include <interproc/allocators/allocator.hpp>
#include <interproc/containers/list.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <type_traits>
#include <unistd.h>

namespace ipc = interproc;

typedef ipc::fixed_managed_shared_memory::segment_manager segment_manager_t;
typedef ipc::allocator<int, segment_manager_t> int_allocator;
typedef ipc::vector<int, int_allocator> int_vector;
typedef ipc::list<int, int_allocator> int_list;

static_assert(std::is_same<int_allocator::pointer, int *>::value, "a void * segment hands out raw pointers");

// Below where Linux puts shared libraries and the stack, far above the program and its
// heap; inside the application ranges of AddressSanitizer and ThreadSanitizer too.
static void *const where = reinterpret_cast<void *>(0x7ea000000000ull);

static std::string segment_name() {
   const char *n = std::getenv("FIXED_ADDRESS_SEGMENT");
   return n ? n : "fixed_address_" + std::to_string(static_cast<long>(getpid()));
}

static int child() {
   ipc::fixed_managed_shared_memory seg(ipc::open_only, segment_name().c_str(), where);
   std::printf("child: mapped at the same address: %d\n", int(seg.get_address() == where));
   int_vector *v = seg.find<int_vector>("vector").first;
   int_list *l = seg.find<int_list>("list").first;
   long vsum = 0, lsum = 0;
   for (int x : *v) {
      vsum += x;
   }
   for (int x : *l) {
      lsum += x;
   }
   std::printf("child: vector %zu elements, sum %ld; list %zu elements, sum %ld\n", v->size(), vsum, l->size(), lsum);
   v->push_back(1000);
   l->push_front(-1);
   return 0;
}

int main(int argc, char **argv) {
   if (argc > 1 && std::string(argv[1]) == "child") {
      return child();
   }
   const std::string name = segment_name();
   ipc::shared_memory_object::remove(name.c_str());
   {
      ipc::fixed_managed_shared_memory seg(ipc::create_only, name.c_str(), 1 << 20, where);
      std::printf("parent: mapped at the address asked for: %d\n", int(seg.get_address() == where));
      int_vector *v = seg.construct<int_vector>("vector")(seg.get_segment_manager());
      int_list *l = seg.construct<int_list>("list")(seg.get_segment_manager());
      for (int i = 0; i < 100; ++i) {
         v->push_back(i);
         l->push_back(2 * i);
      }
      std::fflush(stdout);
      setenv("FIXED_ADDRESS_SEGMENT", name.c_str(), 1);
      const pid_t pid = fork();
      if (pid == 0) {
         execl(argv[0], argv[0], "child", static_cast<char *>(nullptr));
         _exit(127);
      }
      int status = 0;
      waitpid(pid, &status, 0);
      std::printf("parent: child exited with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      std::printf("parent: vector back %d, list front %d\n", v->back(), l->front());
   }
   ipc::shared_memory_object::remove(name.c_str());
   return 0;
}
