// Boost.ContainerHash, Boost.Unordered and Boost.Intrusive's pointer-plus-bits over
// interproc (when the Boost headers are installed; otherwise the program says so and
// passes):
// - boost::hash of an interproc string equals boost::hash of a std::string with the same
//   characters (both are Boost's hash_range), for char and wchar_t, in and out of a segment;
// - a boost::unordered_map keyed by segment strings, with an interproc allocator, lives in a
//   segment and is looked up from a second process;
// - boost::intrusive::max_pointer_plus_bits and pointer_plus_bits give offset_ptr Boost's
//   layout: the same bit counts, the bits above the null bit, null with bits still null;
//   and Boost.Intrusive's trees over offset_ptr have compact nodes, of the size they have
//   over Boost's own offset_ptr.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"

#if !__has_include(<boost/container_hash/hash.hpp>) || !__has_include(<boost/unordered_map.hpp>) || \
   !__has_include(<boost/intrusive/pointer_plus_bits.hpp>)
#include <cstdio>
int main() {
   std::printf("cpp_boost_hash_and_bits: skipped (Boost headers not installed)\n");
   return 0;
}
#else

#include <interproc/allocators/allocator.hpp>
#include <interproc/containers/string.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/offset_ptr.hpp>

#include <boost/container_hash/hash.hpp>
#include <boost/intrusive/avl_set_hook.hpp>
#include <boost/intrusive/pointer_plus_bits.hpp>
#include <boost/intrusive/set_hook.hpp>
#include <boost/unordered_map.hpp>
#if __has_include(<boost/interprocess/offset_ptr.hpp>)
#include <boost/interprocess/offset_ptr.hpp>
#define HAVE_BOOST_OFFSET_PTR 1
#endif

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

using namespace interproc;
namespace bi = boost::intrusive;

typedef managed_shared_memory::segment_manager SM;
typedef allocator<char, SM> CharAlloc;
typedef basic_string<char, std::char_traits<char>, CharAlloc> ShmString;
typedef std::pair<const ShmString, int> Entry;
typedef boost::unordered_map<ShmString, int, boost::hash<ShmString>, std::equal_to<ShmString>, allocator<Entry, SM>> ShmMap;

static std::string key_at(int i) { return "key number " + std::to_string(i * 7919) + " with room beyond any short buffer"; }
static const int entries = 500;

static void hashes() {
   const std::string text = "the same characters";
   CHECK(boost::hash<string>()(string(text.c_str())) == boost::hash<std::string>()(text));
   CHECK(boost::hash<string>()(string()) == boost::hash<std::string>()(std::string()));
   CHECK(hash_value(string("abc")) == boost::hash<std::string>()("abc")); // found unqualified too
   const std::wstring wide = L"wide characters";
   CHECK(boost::hash<basic_string<wchar_t>>()(basic_string<wchar_t>(wide.c_str())) == boost::hash<std::wstring>()(wide));
   CHECK(boost::hash<string>()(string("a")) != boost::hash<string>()(string("b")));
}

static int child(const char *name) {
   managed_shared_memory segment(open_only, name);
   ShmMap *m = segment.find<ShmMap>("map").first;
   CHECK(m && m->size() == static_cast<std::size_t>(entries));
   CharAlloc a(segment.get_segment_manager());
   for (int i = 0; i < entries; ++i) {
      auto it = m->find(ShmString(key_at(i).c_str(), a));
      CHECK(it != m->end() && it->second == i);
      // The hash stored with the element is the one this process computes.
      CHECK(boost::hash<ShmString>()(it->first) == boost::hash<std::string>()(key_at(i)));
   }
   CHECK(m->find(ShmString("absent", a)) == m->end());
   m->emplace(ShmString("added by the child", a), -1);
   return 0;
}

static void unordered_in_a_segment(const char *self) {
   char name[64];
   test_name(name, sizeof name, "boost_hash");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory segment(create_only, name, 1 << 20);
   CharAlloc a(segment.get_segment_manager());
   ShmMap *m = segment.construct<ShmMap>("map")(16, boost::hash<ShmString>(), std::equal_to<ShmString>(), allocator<Entry, SM>(a));
   for (int i = 0; i < entries; ++i) {
      m->emplace(ShmString(key_at(i).c_str(), a), i);
   }
   CHECK(run_child(self, "read", name) == 0);
   CHECK(m->size() == static_cast<std::size_t>(entries + 1));
   auto it = m->find(ShmString("added by the child", a));
   CHECK(it != m->end() && it->second == -1);
   CHECK(segment.destroy<ShmMap>("map"));
}

// The bit counts are Boost's: one fewer than the alignment's zero low bits.
static_assert(bi::max_pointer_plus_bits<offset_ptr<void>, 8>::value == 2, "8-byte alignment: 2 bits");
static_assert(bi::max_pointer_plus_bits<offset_ptr<void>, 16>::value == 3, "16-byte alignment: 3 bits");
static_assert(bi::max_pointer_plus_bits<offset_ptr<void>, 2>::value == 0, "2-byte alignment: none");
static_assert(bi::max_pointer_plus_bits<offset_ptr<void, std::int32_t, std::uint64_t>, 8>::value == 2, "any form");
#ifdef HAVE_BOOST_OFFSET_PTR
static_assert(bi::max_pointer_plus_bits<offset_ptr<void>, 8>::value ==
                 bi::max_pointer_plus_bits<boost::interprocess::offset_ptr<void>, 8>::value,
              "as for Boost's offset_ptr");
#endif

// Trees asked to optimise for size (as Boost.Container's are) keep their colour or balance
// in the parent pointer: three pointers a node, not four.
typedef bi::void_pointer<offset_ptr<void>> VoidPtr;
typedef bi::set_member_hook<VoidPtr, bi::optimize_size<true>> CompactSetHook;
typedef bi::avl_set_member_hook<VoidPtr, bi::optimize_size<true>> CompactAvlHook;
static_assert(sizeof(CompactSetHook) == 3 * sizeof(offset_ptr<void>), "compact red-black node");
static_assert(sizeof(CompactAvlHook) == 3 * sizeof(offset_ptr<void>), "compact AVL node");
static_assert(sizeof(bi::set_member_hook<VoidPtr>) == 4 * sizeof(offset_ptr<void>), "a plain node keeps its colour apart");
#ifdef HAVE_BOOST_OFFSET_PTR
static_assert(sizeof(CompactSetHook) ==
                 sizeof(bi::set_member_hook<bi::void_pointer<boost::interprocess::offset_ptr<void>>, bi::optimize_size<true>>),
              "the node of Boost's offset_ptr");
#endif

struct alignas(8) Target {
   std::uint64_t value;
};

static void packed_bits() {
   typedef offset_ptr<Target> P;
   typedef bi::pointer_plus_bits<P, 2> Bits;
   Target targets[2] = {{1}, {2}};
   P p(&targets[0]);
   CHECK(Bits::get_bits(p) == 0);
   Bits::set_bits(p, 3);
   CHECK(Bits::get_bits(p) == 3 && Bits::get_pointer(p).get() == &targets[0]);
   CHECK((p.get_offset() & 1) == 0);                      // the bits sit above the null bit
   Bits::set_pointer(p, P(&targets[1]));                   // moving keeps the bits
   CHECK(Bits::get_bits(p) == 3 && Bits::get_pointer(p)->value == 2);
   Bits::set_bits(p, 1);
   CHECK(Bits::get_bits(p) == 1 && Bits::get_pointer(p).get() == &targets[1]);

   P null_with_bits;
   Bits::set_bits(null_with_bits, 2);
   CHECK(Bits::get_bits(null_with_bits) == 2);
   CHECK(!Bits::get_pointer(null_with_bits));               // still null
   Bits::set_pointer(null_with_bits, P(&targets[0]));
   CHECK(Bits::get_bits(null_with_bits) == 2 && Bits::get_pointer(null_with_bits).get() == &targets[0]);
   Bits::set_pointer(null_with_bits, P());
   CHECK(Bits::get_bits(null_with_bits) == 2 && !Bits::get_pointer(null_with_bits));
   Bits::set_bits(null_with_bits, 0);
   CHECK(null_with_bits.get_offset() == 1 && !null_with_bits); // plain null again

   // The pointer read back lives elsewhere than the packed one, and still points right.
   P *far = new P(&targets[1]);
   Bits::set_bits(*far, 2);
   const P got = Bits::get_pointer(*far);
   CHECK(got.get() == &targets[1]);
   delete far;
}

int main(int argc, char **argv) {
   if (argc == 4 && std::string(argv[1]) == "child") {
      try {
         return child(argv[3]);
      } catch (const std::exception &e) {
         std::fprintf(stderr, "child: %s\n", e.what());
         return 3;
      }
   }
   hashes();
   packed_bits();
   unordered_in_a_segment(argv[0]);
   std::printf("cpp_boost_hash_and_bits: ok\n");
   return 0;
}

#endif
