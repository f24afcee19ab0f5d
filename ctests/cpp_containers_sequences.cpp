// list, slist, deque and stable_vector against their std:: twins under long random
// sequences of operations (fixed seeds), with std::allocator.
#include "containers_twin.h"

static void sequences_with_std_allocator() {
   list<int> l;
   std::list<int> tl;
   sequence_ops(l, tl, 31, OPS / 4);
   list_extras(l, tl, 32);
   list<int> lcopy(l);
   CHECK(lcopy == l);
   list<int> lmoved(std::move(lcopy));
   CHECK(lcopy.empty() && lmoved == l);
   lmoved.push_back(1);
   lmoved.swap(l);
   CHECK(lmoved.size() + 1 == l.size() && l.back() == 1);

   deque<int> d;
   std::deque<int> td;
   sequence_ops(d, td, 33, OPS);
   std::sort(d.begin(), d.end());
   std::sort(td.begin(), td.end());
   check_same_ints(d, td);
   deque<int> dcopy(d);
   CHECK(dcopy == d && !(dcopy < d));
   // References stay valid across pushes at both ends.
   deque<std::string> ds;
   ds.push_back("anchor");
   std::string *anchor = &ds.front();
   for (int i = 0; i < 5000; ++i) {
      ds.push_front(std::to_string(i));
      ds.push_back(std::to_string(-i));
   }
   CHECK(anchor == &ds[5000] && *anchor == "anchor" && ds.size() == 10001);

   stable_vector<int> sv;
   std::deque<int> tsv;
   sequence_ops_back(sv, tsv, 35, OPS / 2);
   // Iterators and references stay valid while other elements come and go.
   sv.assign(10, 1);
   int &tenth = sv[9];
   auto it9 = sv.begin() + 9;
   for (int i = 0; i < 1000; ++i) {
      sv.insert(sv.begin(), i);
   }
   sv.erase(sv.begin(), sv.begin() + 500);
   CHECK(&*it9 == &tenth && it9 - sv.begin() == 509 && sv.size() == 510);
   stable_vector<int> svcopy(sv);
   stable_vector<int> svmoved(std::move(svcopy));
   CHECK(svmoved == sv && svcopy.empty() && svcopy.begin() == svcopy.end());
   svmoved.swap(svcopy);
   CHECK(svcopy == sv && svmoved.empty());

   slist<int> s;
   std::list<int> ts;
   slist_ops(s, ts, 34, OPS / 4);
   slist<int> scopy(s);
   CHECK(scopy == s);
   slist<int> a{1, 3, 5}, b{2, 4, 6};
   a.merge(b);
   CHECK(b.empty() && a == (slist<int>{1, 2, 3, 4, 5, 6}));
}

int main() {
   sequences_with_std_allocator();
   std::printf("cpp_containers_sequences: ok\n");
   return 0;
}
