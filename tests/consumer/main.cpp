// A C++ program using an installed interproc with Boost's names.
#include <interproc.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <iostream>
#include <string>
#include <unistd.h>

int main() {
   const std::string name = "consumer_cpp_" + std::to_string(getpid());
   interproc::shared_memory_object::remove(name.c_str());
   interproc::remove_shared_memory_on_destroy cleanup(name.c_str());
   interproc::managed_shared_memory segment(interproc::create_only, name.c_str(), 65536);
   int *v = segment.construct<int>("v")(41);
   ++*v;
   const bool ok = *segment.find<int>("v").first == 42;
   std::cout << (ok ? "ok" : "FAILED") << " c++ " << INTERPROC_VERSION_STRING << "\n";
   return ok ? 0 : 1;
}
