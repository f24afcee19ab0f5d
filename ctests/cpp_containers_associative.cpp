// map, multimap, set, multiset and the flat containers against their std:: twins under
// long random sequences of operations (fixed seeds), with std::allocator.
#include "containers_twin.h"

static void associative_with_std_allocator() {
   map<int, int> m;
   std::map<int, int> tm;
   map_ops(m, tm, 11, OPS);
   multimap<int, int> mm;
   std::multimap<int, int> tmm;
   multimap_ops(mm, tmm, 12, OPS);
   set<int> s;
   std::set<int> ts;
   set_ops(s, ts, 13, OPS);
   multiset<int> ms;
   std::multiset<int> tms;
   set_ops(ms, tms, 14, OPS);

   map<int, int> copy(m);
   CHECK(copy == m && copy.check_invariants());
   copy.erase(copy.begin());
   CHECK(copy != m && m < copy);
   map<int, int> moved(std::move(copy));
   CHECK(copy.empty() && copy.check_invariants() && moved.check_invariants());
   moved.swap(m);
   CHECK(moved.size() == m.size() + 1 && m.check_invariants() && moved.check_invariants());
   copy = m;
   CHECK(copy == m);
   try {
      m.at(-1);
      CHECK(false);
   } catch (const std::out_of_range &) {
   }
   map<std::string, std::string> strings{{"b", "2"}, {"a", "1"}};
   CHECK(strings.begin()->first == "a" && strings["b"] == "2" && strings.size() == 2);
   set<int> il{5, 3, 5, 1};
   CHECK(il.size() == 3 && *il.begin() == 1);
   set<int, std::greater<int>> rev{1, 2, 3};
   CHECK(*rev.begin() == 3);
}


static void flat_with_std_allocator() {
   flat_map<int, int> m;
   std::map<int, int> tm;
   flat_map_ops(m, tm, 41, OPS / 2);
   flat_multimap<int, int> mm;
   std::multimap<int, int> tmm;
   flat_multi_ops(mm, tmm, 42, OPS / 2);
   flat_set<int> s;
   std::set<int> ts;
   set_ops_unchecked(s, ts, 43, OPS / 2);
   flat_multiset<int> ms;
   std::multiset<int> tms;
   set_ops_unchecked(ms, tms, 44, OPS / 2);
   const int sorted[] = {1, 2, 2, 5, 9};
   flat_multiset<int> fos(ordered_range, sorted, sorted + 5);
   set<int> tos(ordered_unique_range, sorted + 2, sorted + 5);
   multiset<int> tms2(ordered_range, sorted, sorted + 5);
   CHECK(fos.size() == 5 && fos.count(2) == 2 && tos.size() == 3 && tms2.count(2) == 2 && tms2.check_invariants());
   flat_map<std::string, int> fm{{"b", 2}, {"a", 1}};
   CHECK(fm.begin()->first == "a" && fm.at("b") == 2 && fm.nth(1)->second == 2);
}

int main() {
   associative_with_std_allocator();
   flat_with_std_allocator();
   std::printf("cpp_containers_associative: ok\n");
   return 0;
}
