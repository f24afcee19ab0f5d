// A C++ test program run again as its own child process: `self child ROLE ARG`.
#ifndef INTERPROC_CTESTS_CHILD_HPP
#define INTERPROC_CTESTS_CHILD_HPP

#include "check.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <type_traits>

// Whether this run is a child's (`self child ROLE ARG`).
inline bool is_child(int argc, char **argv) {
   return argc == 4 && std::strcmp(argv[1], "child") == 0;
}

// Runs the child's whole program, `child(ROLE, ARG)` or `child(ARG)`: its result, or
// `failed` after printing an exception it threw.
template <class Child>
inline int as_child(char **argv, Child child, int failed) {
   try {
      if constexpr (std::is_invocable_v<Child &, const char *, const char *>) {
         return child(argv[2], argv[3]);
      } else {
         return child(argv[3]);
      }
   } catch (const std::exception &e) {
      std::fprintf(stderr, "child %s: %s\n", argv[2], e.what());
      return failed;
   }
}

// Starts this program again as `self child ROLE ARG`, without waiting; the child's pid.
inline pid_t spawn_child(const char *self, const char *role, const char *arg) {
   const pid_t pid = fork();
   if (pid == 0) {
      execl(self, self, "child", role, arg, static_cast<char *>(nullptr));
      _exit(127);
   }
   return pid;
}

#endif
