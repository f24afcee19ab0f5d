// The internal headers that code written for Boost includes (Boost's documented examples
// open with config_begin.hpp/workaround.hpp and close with config_end.hpp; much code asks
// ipcdetail for the process id): they exist, config_begin/config_end pair up any number of
// times, and ipcdetail::get_current_process_id() is the calling process's id in the
// parent and in a forked child. When Boost is installed, its answers are compared too.
// Porting rule: this program also builds against Boost and prints the same.
#include <interproc/detail/config_begin.hpp>
#include <interproc/detail/workaround.hpp>

#include "check.h"
#include <interproc/detail/os_thread_functions.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>

#if __has_include(<boost/interprocess/detail/os_thread_functions.hpp>)
#include <boost/interprocess/detail/os_thread_functions.hpp>
#define HAVE_BOOST_INTERPROCESS 1
#endif

#include <interproc/detail/config_begin.hpp>
#include <interproc/detail/config_end.hpp>

using namespace interproc;

static_assert(std::is_same<ipcdetail::OS_process_id_t, pid_t>::value, "OS_process_id_t is pid_t");

static void check_ids(pid_t expected) {
   CHECK(ipcdetail::get_current_process_id() == expected);
   CHECK(ipcdetail::get_current_process_id() != ipcdetail::get_invalid_process_id());
   ipcdetail::pid_str_t s;
   ipcdetail::get_pid_str(s);
   CHECK(std::string(s) == std::to_string(static_cast<long>(expected)));
   ipcdetail::get_pid_str(s, 12345);
   CHECK(std::strcmp(s, "12345") == 0);
#ifdef HAVE_BOOST_INTERPROCESS
   CHECK(boost::interprocess::ipcdetail::get_current_process_id() == ipcdetail::get_current_process_id());
   CHECK(boost::interprocess::ipcdetail::get_invalid_process_id() == ipcdetail::get_invalid_process_id());
   CHECK(boost::interprocess::ipcdetail::get_num_cores() == ipcdetail::get_num_cores());
#endif
}

int main() {
   check_ids(getpid());
   CHECK(ipcdetail::get_num_cores() >= 1);
   ipcdetail::thread_yield();
   ipcdetail::thread_sleep(1);

   // A process id names a segment, as Boost's tests and much code do.
   ipcdetail::pid_str_t pid;
   ipcdetail::get_pid_str(pid);
   const std::string name = std::string("ipctest_detail_") + pid;
   shared_memory_object::remove(name.c_str());
   remove_shared_memory_on_destroy cleanup(name.c_str());
   managed_shared_memory segment(create_only, name.c_str(), 65536);
   long *parent_id = segment.construct<long>("parent")(static_cast<long>(ipcdetail::get_current_process_id()));
   long *child_id = segment.construct<long>("child")(0L);

   pid_t child = fork();
   if (child == 0) {
      // The child sees its own id, not its parent's; it writes it for the parent to check.
      if (ipcdetail::get_current_process_id() == static_cast<pid_t>(*parent_id)) {
         _exit(2);
      }
      check_ids(getpid());
      *child_id = static_cast<long>(ipcdetail::get_current_process_id());
      _exit(0);
   }
   CHECK(child > 0);
   CHECK(wait_bounded(child, 30) == 0);
   CHECK(*child_id == static_cast<long>(child));
   CHECK(*parent_id == static_cast<long>(getpid()));
   std::printf("cpp_detail_headers: ok\n");
   return 0;
}

#include <interproc/detail/config_end.hpp>
