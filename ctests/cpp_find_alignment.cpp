// An object is found only as a type it can be: find<T> of an object whose address is not
// aligned for T (built as an 8-aligned S1, asked for as an alignas(64) S2 of the same
// size) throws interprocess_exception, in the process that built it and in another one;
// find_or_construct<S2> of it throws too, and changes nothing. find<S1> still works, and an
// object that is aligned for S2 is found as S2.
#include "check.h"
#include <interproc/managed_shared_memory.hpp>

#include <cstdint>
#include <cstring>
#include <string>

using namespace interproc;

struct S1 {
   std::uint64_t words[8];
};
struct alignas(64) S2 {
   std::uint64_t words[8];
};
static_assert(sizeof(S1) == sizeof(S2), "same size, other alignment");

static bool aligned64(const void *p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }

// Builds S1 objects until one lies off a 64-byte boundary; its name.
static std::string misaligned_s1(managed_shared_memory &seg) {
   for (int i = 0; i < 64; ++i) {
      std::string name = "s1_" + std::to_string(i);
      S1 *p = seg.construct<S1>(name.c_str())();
      if (!aligned64(p)) {
         return name;
      }
   }
   CHECK(!"no S1 landed off a 64-byte boundary");
   return "";
}

static bool find_s2_throws(managed_shared_memory &seg, const char *name) {
   try {
      (void)seg.find<S2>(name);
   } catch (const interprocess_exception &) {
      return true;
   }
   return false;
}

int main(int argc, char **argv) {
   char name[64];
   test_name(name, sizeof name, "findalign");
   if (is_child(argc, argv)) {
      managed_shared_memory seg(open_only, argv[3]);
      CHECK(seg.find<S1>(argv[2]).first != nullptr);
      CHECK(find_s2_throws(seg, argv[2]));
      return 0;
   }
   shared_memory_object::remove(name);
   {
      managed_shared_memory seg(create_only, name, 65536);
      const std::string off = misaligned_s1(seg);
      CHECK(seg.find<S1>(off.c_str()).first != nullptr);
      CHECK(find_s2_throws(seg, off.c_str()));
      const std::size_t free_before = seg.get_free_memory();
      bool threw = false;
      try {
         (void)seg.find_or_construct<S2>(off.c_str())();
      } catch (const interprocess_exception &) {
         threw = true;
      }
      CHECK(threw);
      CHECK(seg.get_free_memory() == free_before);
      // In another process, at another address.
      CHECK(run_child(argv[0], off.c_str(), name) == 0);
      // An S2 built as such is found as one.
      S2 *s2 = seg.construct<S2>("s2")();
      CHECK(aligned64(s2));
      CHECK(seg.find<S2>("s2").first == s2);
   }
   shared_memory_object::remove(name);
   std::printf("find checks alignment\n");
   return 0;
}
