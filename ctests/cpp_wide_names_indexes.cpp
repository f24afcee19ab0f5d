// Named objects with char and wchar_t names under every index policy (flat_map_index,
// iset_index, iunordered_set_index, map_index), as Boost documents them: a segment filled
// with named objects until it is full (`construct<T>(name, std::nothrow)` then gives null),
// each one's get_instance_name, get_instance_length and get_instance_type; find by name;
// iteration of the named objects (each name, length and address); unique objects; then
// destroy_ptr of them all, then shrink_to_fit_indexes, leaves the segment with all its memory
// deallocated.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/indexes/flat_map_index.hpp>
#include <interproc/indexes/iset_index.hpp>
#include <interproc/indexes/iunordered_set_index.hpp>
#include <interproc/indexes/map_index.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/mem_algo/rbtree_best_fit.hpp>
#include <interproc/sync/mutex_family.hpp>

#include <cstdio>
#include <cwchar>
#include <set>
#include <string>
#include <vector>

using namespace interproc;

static void format_name(char *buf, std::size_t len, int i) { std::snprintf(buf, len, "prefix_name_%d", i); }
static void format_name(wchar_t *buf, std::size_t len, int i) { std::swprintf(buf, len, L"prefix_name_%d", i); }

struct Unique {
   int value;
};

// Fills `m` with named chars until it is full; checks each one as it goes.
template <class SegmentManager> std::vector<char *> fill_with_names(SegmentManager &m, std::set<std::basic_string<typename SegmentManager::char_type>> &names) {
   typedef typename SegmentManager::char_type char_type;
   typedef std::char_traits<char_type> traits;
   std::vector<char *> objects;
   char_type name[100];
   for (int i = 0;; ++i) {
      format_name(name, 100, i);
      char *p = m.template construct<char>(name, std::nothrow)(static_cast<char>(i));
      if (!p) {
         break;
      }
      const char_type *stored = SegmentManager::get_instance_name(p);
      CHECK(stored != nullptr);
      CHECK(traits::length(stored) == traits::length(name));
      CHECK(traits::compare(stored, name, traits::length(name)) == 0);
      CHECK(SegmentManager::get_instance_length(p) == 1);
      CHECK(SegmentManager::get_instance_type(p) == named_type);
      CHECK(m.template find<char>(name).first == p);
      names.insert(name);
      objects.push_back(p);
   }
   return objects;
}

template <class SegmentManager> void names_and_types(SegmentManager &m) {
   typedef typename SegmentManager::char_type char_type;
   // A unique object sits beside the named ones, whatever the names' character type.
   Unique *u = m.template construct<Unique>(unique_instance)();
   CHECK(SegmentManager::get_instance_type(u) == unique_type);
   std::set<std::basic_string<char_type>> names;
   const std::vector<char *> objects = fill_with_names(m, names);
   CHECK(objects.size() > 100);
   CHECK(m.get_num_named_objects() == objects.size());

   // Every named object is visited once, with its name, length and address.
   std::size_t visited = 0;
   for (typename SegmentManager::const_named_iterator it = m.named_begin(); it != m.named_end(); ++it) {
      const std::basic_string<char_type> name(it->name());
      CHECK(names.count(name) == 1);
      CHECK(name.size() == it->name_length());
      CHECK(m.template find<char>(name.c_str()).first == it->value());
      ++visited;
   }
   CHECK(visited == objects.size());

   CHECK(m.template find<Unique>(unique_instance).first == u);
   CHECK(m.get_num_unique_objects() == 1);
   std::size_t uniques = 0;
   for (typename SegmentManager::const_unique_iterator it = m.unique_begin(); it != m.unique_end(); ++it) {
      CHECK(it->value() == u);
      ++uniques;
   }
   CHECK(uniques == 1);

   // Destroyed in an order unlike construction's: odd ones first, then even ones.
   for (std::size_t i = 1; i < objects.size(); i += 2) {
      m.destroy_ptr(objects[i]);
   }
   for (std::size_t i = 0; i < objects.size(); i += 2) {
      m.destroy_ptr(objects[i]);
   }
   CHECK(m.template destroy<Unique>(unique_instance));
   CHECK(m.get_num_named_objects() == 0);
   CHECK(m.check_sanity());
   // The index may keep its room until shrink_to_fit_indexes gives it back.
   m.shrink_to_fit_indexes();
   CHECK(m.all_memory_deallocated());
}

template <class CharType, template <class> class Index> void run(const char *shm_name, const char *label) {
   typedef basic_managed_shared_memory<CharType, rbtree_best_fit<mutex_family>, Index> segment_t;
   shared_memory_object::remove(shm_name);
   {
      segment_t segment(create_only, shm_name, 163840);
      names_and_types(*segment.get_segment_manager());
   }
   shared_memory_object::remove(shm_name);
   std::printf("%s: ok\n", label);
}

int main() {
   char name[64];
   test_name(name, sizeof name, "wide_idx");
   run<char, flat_map_index>(name, "char flat_map_index");
   run<wchar_t, flat_map_index>(name, "wchar_t flat_map_index");
   run<char, iset_index>(name, "char iset_index");
   run<wchar_t, iset_index>(name, "wchar_t iset_index");
   run<char, iunordered_set_index>(name, "char iunordered_set_index");
   run<wchar_t, iunordered_set_index>(name, "wchar_t iunordered_set_index");
   run<char, map_index>(name, "char map_index");
   run<wchar_t, map_index>(name, "wchar_t map_index");
   return 0;
}
