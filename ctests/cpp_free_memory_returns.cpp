// Free memory comes back to the byte: after every named, unique and anonymous object and
// every raw allocation in a segment is destroyed or freed, get_free_memory() returns the
// value it had before the first one, and all_memory_deallocated() agrees. Small and large
// sizes, single objects and arrays, in several rounds.
// Porting rule: this program also builds against Boost and prints the same.
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

namespace ipc = interproc;

struct pair_of_longs {
   long a;
   long b;
};

int main() {
   const std::string name = "ctest_free_returns_" + std::to_string(static_cast<long>(getpid()));
   ipc::shared_memory_object::remove(name.c_str());
   {
      ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), 1 << 20);
      const std::size_t before = seg.get_free_memory();
      std::printf("fresh segment all deallocated: %d\n", int(seg.all_memory_deallocated()));
      for (int round = 0; round < 3; ++round) {
         std::vector<void *> raw;
         for (int i = 0; i < 200; ++i) {
            raw.push_back(seg.allocate(std::size_t(1 + (i * 37) % 3000)));
         }
         for (int i = 0; i < 100; ++i) {
            seg.construct<long>(("n" + std::to_string(i)).c_str())(i);
         }
         seg.construct<pair_of_longs>("array")[50]();
         seg.construct<pair_of_longs>(ipc::unique_instance)();
         pair_of_longs *anon = seg.construct<pair_of_longs>(ipc::anonymous_instance)();
         std::printf("round %d: named %zu unique %zu, less free: %d, all deallocated: %d\n", round,
                     seg.get_num_named_objects(), seg.get_num_unique_objects(),
                     int(seg.get_free_memory() < before), int(seg.all_memory_deallocated()));
         for (int i = 99; i >= 0; --i) {
            seg.destroy<long>(("n" + std::to_string(i)).c_str());
         }
         seg.destroy<pair_of_longs>("array");
         seg.destroy<pair_of_longs>(ipc::unique_instance);
         seg.destroy_ptr(anon);
         for (void *p : raw) {
            seg.deallocate(p);
         }
         std::printf("round %d: free memory back exactly: %d, all deallocated: %d, sane: %d\n", round,
                     int(seg.get_free_memory() == before), int(seg.all_memory_deallocated()),
                     int(seg.check_sanity()));
      }
   }
   ipc::shared_memory_object::remove(name.c_str());
   return 0;
}
