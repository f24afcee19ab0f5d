// The implicit conversions and names that code written for Boost.Interprocess relies on:
// `file_lock` converts from a file name (`flock = path;`), a lock converts to bool
// (`const bool owned = lock;`) but never to a number, `offset_ptr` converts to bool only
// explicitly (as Boost's does in C++11 and later), `boost::move` works on interprocess
// objects once any interprocess header is included (where Boost.Move is installed), and the
// `containers/pair.hpp` and `containers/version_type.hpp` headers exist.
// Porting rule: this program also builds against Boost and prints the same.
#include <interproc/allocators/allocator.hpp>
#include <interproc/containers/pair.hpp>
#include <interproc/containers/version_type.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/offset_ptr.hpp>
#include <interproc/sync/file_lock.hpp>
#include <interproc/sync/interprocess_sharable_mutex.hpp>
#include <interproc/sync/interprocess_upgradable_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>
#include <interproc/sync/sharable_lock.hpp>
#include <interproc/sync/upgradable_lock.hpp>

#include "check.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <type_traits>

typedef interproc::scoped_lock<interproc::interprocess_upgradable_mutex> exclusive_lock;
typedef interproc::sharable_lock<interproc::interprocess_sharable_mutex> shared_lock;
typedef interproc::upgradable_lock<interproc::interprocess_upgradable_mutex> upgrade_lock;

// A lock converts to bool implicitly and to nothing arithmetic.
static_assert(std::is_convertible<exclusive_lock, bool>::value, "scoped_lock converts to bool");
static_assert(std::is_convertible<shared_lock, bool>::value, "sharable_lock converts to bool");
static_assert(std::is_convertible<upgrade_lock, bool>::value, "upgradable_lock converts to bool");
static_assert(!std::is_convertible<exclusive_lock, int>::value, "a lock is not a number");
// file_lock converts from a name; offset_ptr tests as bool only explicitly.
static_assert(std::is_convertible<const char *, interproc::file_lock>::value, "file_lock(const char*) is implicit");
static_assert(!std::is_convertible<interproc::offset_ptr<int>, bool>::value, "offset_ptr's bool is explicit");
static_assert(std::is_constructible<bool, interproc::offset_ptr<int>>::value, "offset_ptr tests as bool");

typedef interproc::managed_shared_memory::segment_manager segment_manager_t;
static_assert(interproc::version<interproc::allocator<int, segment_manager_t>>::value == 2, "allocator version 2");
static_assert(interproc::version<std::allocator<int>>::value == 1, "std::allocator is version 1");

// What a program's class holding a file lock does: assign it from a path.
struct LockedFile {
   interproc::file_lock flock;
   void open(const char *path) { flock = path; }
};

static void locks_convert_to_bool() {
   interproc::interprocess_upgradable_mutex upgradable;
   interproc::interprocess_sharable_mutex sharable;
   {
      exclusive_lock lock(upgradable);
      const bool owned = lock;
      std::printf("scoped_lock owned: %d\n", owned ? 1 : 0);
      lock.unlock();
      const bool after = lock;
      std::printf("scoped_lock after unlock: %d\n", after ? 1 : 0);
      CHECK(!lock);
   }
   {
      shared_lock lock(sharable);
      const bool owned = lock;
      std::printf("sharable_lock owned: %d\n", owned ? 1 : 0);
      shared_lock none;
      std::printf("empty sharable_lock: %d\n", none ? 1 : 0);
   }
   {
      upgrade_lock lock(upgradable, interproc::try_to_lock);
      const bool owned = lock;
      std::printf("upgradable_lock owned: %d\n", owned ? 1 : 0);
   }
}

static void file_lock_from_a_path(const std::string &path) {
   std::ofstream(path.c_str()) << "x";
   LockedFile f;
   f.open(path.c_str());
   std::printf("file_lock try_lock: %d\n", f.flock.try_lock() ? 1 : 0);
   f.flock.unlock();
   interproc::file_lock direct = path.c_str();
   std::printf("file_lock copy-initialised: %d\n", direct.try_lock_sharable() ? 1 : 0);
   direct.unlock_sharable();
   std::remove(path.c_str());
}

static void offset_ptr_tests_as_bool() {
   int x = 7;
   interproc::offset_ptr<int> p(&x), null;
   std::printf("offset_ptr: %d %d %d\n", p ? 1 : 0, !null ? 1 : 0, static_cast<bool>(null) ? 1 : 0);
}

static void pair_of_the_containers() {
   interproc::pair<int, double> p(1, 2.5);
   std::printf("pair: %d %.1f\n", p.first, p.second);
}

#if defined(__has_include)
#if __has_include(<boost/move/utility_core.hpp>)
#define HAVE_BOOST_MOVE 1
#endif
#endif

static void boost_move_on_interprocess_objects(const char *name) {
#ifdef HAVE_BOOST_MOVE
   interproc::managed_shared_memory a(interproc::create_only, name, 65536);
   a.construct<int>("answer")(42);
   interproc::managed_shared_memory b(boost::move(a));
   std::printf("boost::move: %d\n", *b.find<int>("answer").first);
   interproc::managed_shared_memory c;
   c = boost::move(b);
   std::printf("boost::move assigned: %d\n", *c.find<int>("answer").first);
#else
   (void)name;
   std::printf("boost::move: 42\nboost::move assigned: 42\n");
#endif
}

int main() {
   char name[64];
   test_name(name, sizeof name, "conv");
   interproc::shared_memory_object::remove(name);
   interproc::remove_shared_memory_on_destroy cleanup(name);
   locks_convert_to_bool();
   file_lock_from_a_path(std::string("/tmp/") + name + ".lock");
   offset_ptr_tests_as_bool();
   pair_of_the_containers();
   boost_move_on_interprocess_objects(name);
   return 0;
}
