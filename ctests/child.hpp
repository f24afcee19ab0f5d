// A C++ test program run again as its own child process: `self child ROLE ARG` (started
// with `spawn_child` and recognised with `is_child`, of check.h).
#ifndef INTERPROC_CTESTS_CHILD_HPP
#define INTERPROC_CTESTS_CHILD_HPP

#include "check.h"

#include <cstdio>
#include <exception>
#include <type_traits>

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

#endif
