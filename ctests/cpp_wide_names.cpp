// Wide-character segments: wmanaged_shared_memory and wmanaged_heap_memory construct,
// find, find_or_construct and destroy objects by wchar_t names (ASCII and beyond), the
// named iterators give wchar_t names, get_instance_name gives a wchar_t name, and unique
// objects keep working.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/managed_heap_memory.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <algorithm>
#include <cstdio>
#include <cwchar>
#include <string>
#include <type_traits>
#include <vector>

using namespace interproc;

static_assert(std::is_same<wmanaged_shared_memory::char_type, wchar_t>::value, "wide names");
static_assert(std::is_same<wmanaged_heap_memory::segment_manager::char_type, wchar_t>::value, "wide names");

struct Counter {
   int value;
};

template <class Segment> void exercise(Segment &seg, const char *label) {
   int *alpha = seg.template construct<int>(L"alpha")(1);
   double *beta = seg.template construct<double>(L"beta")[3](2.5);
   long *umlaut = seg.template construct<long>(L"gr\u00f6\u00dfe \u65e5\u672c")(3L);
   int *again = seg.template find_or_construct<int>(L"alpha")(99);
   std::printf("%s: find_or_construct finds: %s, value %d\n", label, again == alpha ? "yes" : "no", *again);
   std::pair<double *, std::size_t> b = seg.template find<double>(L"beta");
   CHECK(b.first == beta);
   std::printf("%s: beta has %zu elements, first %.1f\n", label, b.second, b.first[0]);
   std::printf("%s: non-ASCII name found: %s\n", label,
               seg.template find<long>(L"gr\u00f6\u00dfe \u65e5\u672c").first == umlaut ? "yes" : "no");
   std::printf("%s: missing name: %s\n", label, seg.template find<int>(L"gamma").first == nullptr ? "null" : "found");

   const wchar_t *n = Segment::get_instance_name(alpha);
   std::printf("%s: get_instance_name(alpha) is L\"alpha\": %s\n", label, n && std::wcscmp(n, L"alpha") == 0 ? "yes" : "no");

   std::vector<std::wstring> names;
   for (auto it = seg.named_begin(); it != seg.named_end(); ++it) {
      names.push_back(std::wstring(it->name(), it->name_length()));
   }
   std::sort(names.begin(), names.end());
   std::printf("%s: %zu named objects:", label, names.size());
   for (const std::wstring &w : names) {
      const bool ascii = std::all_of(w.begin(), w.end(), [](wchar_t c) { return c < 0x80; });
      if (ascii) {
         std::printf(" %ls", w.c_str());
      } else {
         std::printf(" %s", w == L"gr\u00f6\u00dfe \u65e5\u672c" ? "<the non-ASCII one>" : "<unexpected>");
      }
   }
   std::printf("\n");

   Counter *c = seg.template construct<Counter>(unique_instance)();
   c->value = 7;
   std::printf("%s: unique object found: %s\n", label, seg.template find<Counter>(unique_instance).first == c ? "yes" : "no");
   std::size_t uniques = 0;
   for (auto it = seg.unique_begin(); it != seg.unique_end(); ++it) {
      ++uniques;
   }
   std::printf("%s: %zu unique object\n", label, uniques);

   const bool first = seg.template destroy<int>(L"alpha");
   const bool second = seg.template destroy<int>(L"alpha");
   std::printf("%s: destroy alpha: %s, again: %s\n", label, first ? "yes" : "no", second ? "yes" : "no");
   seg.template destroy<double>(L"beta");
   seg.destroy_ptr(umlaut);
   seg.template destroy<Counter>(unique_instance);
   std::printf("%s: %zu named objects left\n", label, static_cast<std::size_t>(seg.get_num_named_objects()));
}

int main() {
   char name[64];
   test_name(name, sizeof name, "wide");
   shared_memory_object::remove(name);
   {
      wmanaged_shared_memory shm(create_only, name, 65536);
      exercise(shm, "wmanaged_shared_memory");
   }
   {
      // Another process-view of the same segment finds a wide name built before.
      wmanaged_shared_memory shm(open_only, name);
      shm.construct<int>(L"persisted")(42);
   }
   {
      wmanaged_shared_memory shm(open_only, name);
      std::printf("reopened: %d\n", *shm.find<int>(L"persisted").first);
   }
   shared_memory_object::remove(name);
   {
      wmanaged_heap_memory heap(65536);
      exercise(heap, "wmanaged_heap_memory");
   }
   std::printf("done\n");
   return 0;
}
