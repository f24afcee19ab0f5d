// Every container inside a managed segment: a second process (this program again) maps
// the segment at another address, checks what it finds against fingerprints and adds to
// it; allocator-extended copies and moves between two segments; bad_alloc in the middle
// of an insert leaves every container valid.
#include "child.hpp"
#include "containers_twin.h"

// ---- inside a segment, read back by another process -----------------------------------

static void in_segment(const char *self) {
   const std::string name = name_for("cpp_cont");
   shared_memory_object::remove(name.c_str());
   remove_shared_memory_on_destroy cleanup(name.c_str());
   managed_shared_memory segment(create_only, name.c_str(), 16 << 20);
   SegmentManager *sm = segment.get_segment_manager();

   ShmIntVector *v = segment.construct<ShmIntVector>("vector")(sm);
   std::vector<int> tv;
   vector_ops(*v, tv, 21, OPS);
   ShmString *s = segment.construct<ShmString>("string")("start", sm);
   std::string ts("start");
   string_ops(*s, ts, 22, OPS);
   ShmIntMap *m = segment.construct<ShmIntMap>("map")(std::less<int>(), sm);
   std::map<int, int> tm;
   map_ops(*m, tm, 23, OPS);
   ShmIntMultimap *mm = segment.construct<ShmIntMultimap>("multimap")(std::less<int>(), sm);
   std::multimap<int, int> tmm;
   multimap_ops(*mm, tmm, 24, OPS);
   ShmIntSet *st = segment.construct<ShmIntSet>("set")(sm);
   std::set<int> tst;
   set_ops(*st, tst, 25, OPS);
   ShmIntMultiset *ms = segment.construct<ShmIntMultiset>("multiset")(sm);
   std::multiset<int> tms;
   set_ops(*ms, tms, 26, OPS);
   ShmStringVector *sv = segment.construct<ShmStringVector>("strings")(sm);
   std::vector<std::string> tsv;
   for (int i = 0; i < 500; ++i) {
      const std::string x(static_cast<std::size_t>(i % 37), static_cast<char>('a' + i % 26));
      sv->emplace_back(x.c_str());
      tsv.push_back(x);
   }
   ShmNestedMap *nested = segment.construct<ShmNestedMap>("nested")(std::less<ShmString>(), sm);
   for (int i = 0; i < 200; ++i) {
      const std::string key = "key" + std::to_string(i % 50);
      ShmIntVector &vec = (*nested)[ShmString(key.c_str(), sm)];
      vec.push_back(i);
   }
   nested->emplace("direct", 3); // piecewise uses-allocator: ShmString("direct", a), ShmIntVector(3, a)
   typedef flat_map<ShmString, ShmString, std::less<ShmString>, allocator<std::pair<ShmString, ShmString>, SegmentManager>>
      ShmFlatStringMap;
   ShmFlatStringMap *fsm = segment.construct<ShmFlatStringMap>("flat_strings")(sm);
   fsm->emplace("b", "2");
   fsm->emplace("a", "1");
   fsm->try_emplace(ShmString("c", sm), "3");
   fsm->insert_or_assign(ShmString("a", sm), ShmString("one", sm));
   CHECK(fsm->size() == 3 && fsm->begin()->second == "one" && fsm->nth(2)->second == "3");
   CHECK(segment.belongs_to_segment(fsm->begin()->first.data()) || fsm->begin()->first.capacity() == 0);
   segment.destroy<ShmFlatStringMap>("flat_strings");
   {
      list<ShmString, allocator<ShmString, SegmentManager>> strings_list(sm);
      strings_list.emplace_back(10, 'x');
      strings_list.emplace_front("front");
      CHECK(strings_list.front() == "front" && strings_list.back() == "xxxxxxxxxx");
      CHECK(segment.belongs_to_segment(strings_list.back().data()));
   }
   CHECK(nested->size() == 51 && nested->at(ShmString("direct", sm)).size() == 3);
   CHECK(nested->begin()->second.get_allocator() == v->get_allocator());

   // The child checks fingerprints, then appends 1 to the vector, "!" to the string and
   // inserts key -1 into the map, allocating from the segment in its own process.
   char arg[512];
   std::snprintf(arg, sizeof arg, "%s:%llx:%llx:%llx:%llx:%llx:%llx:%llx", name.c_str(),
                 static_cast<unsigned long long>(fingerprint_ints(tv)),
                 static_cast<unsigned long long>(fnv(FNV0, ts.data(), ts.size())),
                 static_cast<unsigned long long>(fingerprint_pairs(tm)),
                 static_cast<unsigned long long>(fingerprint_pairs(tmm)),
                 static_cast<unsigned long long>(fingerprint_ints(tst)),
                 static_cast<unsigned long long>(fingerprint_ints(tms)),
                 static_cast<unsigned long long>(fingerprint_strings(tsv)));
   CHECK(run_child(self, "verify", arg) == 0);
   tv.push_back(1);
   ts += "!";
   tm[-1] = -1;
   check_same_ints(*v, tv);
   CHECK(std::string(s->c_str()) == ts);
   check_same_pairs(*m, tm);
   CHECK(m->check_invariants());
   CHECK(nested->at(ShmString("key7", sm)).size() == 5);

   segment.destroy<ShmIntVector>("vector");
   segment.destroy<ShmString>("string");
   segment.destroy<ShmIntMap>("map");
   segment.destroy<ShmIntMultimap>("multimap");
   segment.destroy<ShmIntSet>("set");
   segment.destroy<ShmIntMultiset>("multiset");
   segment.destroy<ShmStringVector>("strings");
   segment.destroy<ShmNestedMap>("nested");
   CHECK(segment.all_memory_deallocated());
}

static int verify_child(const char *arg) {
   // Push the segment to another address than the parent's by taking address space first.
   void *hole = mmap(nullptr, 64 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
   CHECK(hole != MAP_FAILED);
   char name[128];
   unsigned long long fv, fs, fm, fmm, fst, fms, fsv;
   CHECK(std::sscanf(arg, "%127[^:]:%llx:%llx:%llx:%llx:%llx:%llx:%llx", name, &fv, &fs, &fm, &fmm, &fst, &fms, &fsv) == 8);
   managed_shared_memory segment(open_only, name);
   ShmIntVector *v = segment.find<ShmIntVector>("vector").first;
   ShmString *s = segment.find<ShmString>("string").first;
   ShmIntMap *m = segment.find<ShmIntMap>("map").first;
   ShmIntMultimap *mm = segment.find<ShmIntMultimap>("multimap").first;
   ShmIntSet *st = segment.find<ShmIntSet>("set").first;
   ShmIntMultiset *ms = segment.find<ShmIntMultiset>("multiset").first;
   ShmStringVector *sv = segment.find<ShmStringVector>("strings").first;
   ShmNestedMap *nested = segment.find<ShmNestedMap>("nested").first;
   CHECK(v && s && m && mm && st && ms && sv && nested);
   CHECK(fingerprint_ints(*v) == fv);
   CHECK(fnv(FNV0, s->data(), s->size()) == fs);
   CHECK(fingerprint_pairs(*m) == fm && m->check_invariants());
   CHECK(fingerprint_pairs(*mm) == fmm && mm->check_invariants());
   CHECK(fingerprint_ints(*st) == fst && st->check_invariants());
   CHECK(fingerprint_ints(*ms) == fms && ms->check_invariants());
   CHECK(fingerprint_strings(*sv) == fsv);
   CHECK(nested->size() == 51);
   v->push_back(1);
   *s += "!";
   (*m)[-1] = -1;
   (*nested)[ShmString("key7", segment.get_segment_manager())].push_back(7);
   munmap(hole, 64 << 20);
   return 0;
}


static void in_segment_more(const char *self) {
   const std::string name = name_for("cpp_cont2");
   shared_memory_object::remove(name.c_str());
   remove_shared_memory_on_destroy cleanup(name.c_str());
   managed_shared_memory segment(create_only, name.c_str(), 16 << 20);
   SegmentManager *sm = segment.get_segment_manager();

   ShmIntList *l = segment.construct<ShmIntList>("list")(sm);
   std::list<int> tl;
   sequence_ops(*l, tl, 51, OPS / 4);
   list_extras(*l, tl, 52);
   ShmIntSlist *sl = segment.construct<ShmIntSlist>("slist")(sm);
   std::list<int> tsl;
   slist_ops(*sl, tsl, 53, OPS / 4);
   ShmIntDeque *d = segment.construct<ShmIntDeque>("deque")(sm);
   std::deque<int> td;
   sequence_ops(*d, td, 54, OPS);
   ShmIntFlatMap *fm = segment.construct<ShmIntFlatMap>("flat_map")(std::less<int>(), sm);
   std::map<int, int> tfm;
   flat_map_ops(*fm, tfm, 55, OPS / 2);
   ShmIntFlatMultimap *fmm = segment.construct<ShmIntFlatMultimap>("flat_multimap")(sm);
   std::multimap<int, int> tfmm;
   flat_multi_ops(*fmm, tfmm, 56, OPS / 2);
   ShmIntFlatSet *fs = segment.construct<ShmIntFlatSet>("flat_set")(sm);
   std::set<int> tfs;
   set_ops_unchecked(*fs, tfs, 57, OPS / 2);
   ShmIntFlatMultiset *fms = segment.construct<ShmIntFlatMultiset>("flat_multiset")(sm);
   std::multiset<int> tfms;
   set_ops_unchecked(*fms, tfms, 58, OPS / 2);
   ShmIntStableVector *stv = segment.construct<ShmIntStableVector>("stable_vector")(sm);
   std::deque<int> tstv;
   sequence_ops_back(*stv, tstv, 59, OPS / 2);
   ShmStringDeque *sd = segment.construct<ShmStringDeque>("string_deque")(sm);
   std::vector<std::string> tsd;
   for (int i = 0; i < 300; ++i) {
      const std::string x(static_cast<std::size_t>(i % 29), static_cast<char>('A' + i % 26));
      sd->emplace_back(x.c_str());
      tsd.push_back(x);
   }

   char arg[512];
   std::snprintf(arg, sizeof arg, "%s:%llx:%llx:%llx:%llx:%llx:%llx:%llx:%llx:%llx", name.c_str(),
                 static_cast<unsigned long long>(fingerprint_ints(tstv)),
                 static_cast<unsigned long long>(fingerprint_ints(tl)),
                 static_cast<unsigned long long>(fingerprint_ints(tsl)),
                 static_cast<unsigned long long>(fingerprint_ints(td)),
                 static_cast<unsigned long long>(fingerprint_pairs(tfm)),
                 static_cast<unsigned long long>(fingerprint_pairs(tfmm)),
                 static_cast<unsigned long long>(fingerprint_ints(tfs)),
                 static_cast<unsigned long long>(fingerprint_ints(tfms)),
                 static_cast<unsigned long long>(fingerprint_strings(tsd)));
   CHECK(run_child(self, "verify_more", arg) == 0);
   tl.push_front(-5);
   td.push_front(-5);
   tstv.push_back(-5);
   check_same_ints(*stv, tstv);
   tfm[-5] = 5;
   check_same_ints(*l, tl);
   check_same_ints(*d, td);
   check_same_pairs(*fm, tfm);
   CHECK(sl->front() == -5);

   segment.destroy<ShmIntStableVector>("stable_vector");
   segment.destroy<ShmIntList>("list");
   segment.destroy<ShmIntSlist>("slist");
   segment.destroy<ShmIntDeque>("deque");
   segment.destroy<ShmIntFlatMap>("flat_map");
   segment.destroy<ShmIntFlatMultimap>("flat_multimap");
   segment.destroy<ShmIntFlatSet>("flat_set");
   segment.destroy<ShmIntFlatMultiset>("flat_multiset");
   segment.destroy<ShmStringDeque>("string_deque");
   CHECK(segment.all_memory_deallocated());
}

static int verify_more_child(const char *arg) {
   void *hole = mmap(nullptr, 64 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
   CHECK(hole != MAP_FAILED);
   char name[128];
   unsigned long long fstv, fl, fsl, fd, ffm, ffmm, ffs, ffms, fsd;
   CHECK(std::sscanf(arg, "%127[^:]:%llx:%llx:%llx:%llx:%llx:%llx:%llx:%llx:%llx", name, &fstv, &fl, &fsl, &fd, &ffm,
                     &ffmm, &ffs, &ffms, &fsd) == 10);
   managed_shared_memory segment(open_only, name);
   ShmIntStableVector *stv = segment.find<ShmIntStableVector>("stable_vector").first;
   ShmIntList *l = segment.find<ShmIntList>("list").first;
   ShmIntSlist *sl = segment.find<ShmIntSlist>("slist").first;
   ShmIntDeque *d = segment.find<ShmIntDeque>("deque").first;
   ShmIntFlatMap *fm = segment.find<ShmIntFlatMap>("flat_map").first;
   ShmIntFlatMultimap *fmm = segment.find<ShmIntFlatMultimap>("flat_multimap").first;
   ShmIntFlatSet *fs = segment.find<ShmIntFlatSet>("flat_set").first;
   ShmIntFlatMultiset *fms = segment.find<ShmIntFlatMultiset>("flat_multiset").first;
   ShmStringDeque *sd = segment.find<ShmStringDeque>("string_deque").first;
   CHECK(stv && l && sl && d && fm && fmm && fs && fms && sd);
   CHECK(fingerprint_ints(*stv) == fstv);
   stv->push_back(-5);
   CHECK(fingerprint_ints(*l) == fl);
   CHECK(fingerprint_ints(*sl) == fsl);
   CHECK(fingerprint_ints(*d) == fd);
   CHECK(fingerprint_pairs(*fm) == ffm);
   CHECK(fingerprint_pairs(*fmm) == ffmm);
   CHECK(fingerprint_ints(*fs) == ffs);
   CHECK(fingerprint_ints(*fms) == ffms);
   CHECK(fingerprint_strings(*sd) == fsd);
   l->push_front(-5);
   sl->push_front(-5);
   d->push_front(-5);
   (*fm)[-5] = 5;
   munmap(hole, 64 << 20);
   return 0;
}

// ---- between two segments: allocator-extended copies and moves ----------------------------

static void across_segments() {
   const std::string n1 = name_for("cpp_cont_a");
   const std::string n2 = name_for("cpp_cont_b");
   shared_memory_object::remove(n1.c_str());
   shared_memory_object::remove(n2.c_str());
   remove_shared_memory_on_destroy c1(n1.c_str());
   remove_shared_memory_on_destroy c2(n2.c_str());
   managed_shared_memory s1(create_only, n1.c_str(), 1 << 20);
   managed_shared_memory s2(create_only, n2.c_str(), 1 << 20);
   {
      ShmNestedMap a(std::less<ShmString>(), s1.get_segment_manager());
      for (int i = 0; i < 100; ++i) {
         a[ShmString(std::to_string(i).c_str(), s1.get_segment_manager())].assign(static_cast<std::size_t>(i % 7), i);
      }
      // Copy into the other segment: every key and vector is rebuilt there.
      ShmNestedMap b(a, s2.get_segment_manager());
      CHECK(b == a && b.check_invariants());
      CHECK(s2.belongs_to_segment(b.begin()->first.data()) && !s1.belongs_to_segment(b.begin()->first.data()));
      // Moving with an unequal allocator moves element by element.
      ShmNestedMap c(std::move(b), s1.get_segment_manager());
      CHECK(c == a && s1.belongs_to_segment(c.rbegin()->first.data()));
      ShmIntVector v(s1.get_segment_manager());
      v.assign(1000, 3);
      ShmIntVector w(std::move(v), s2.get_segment_manager());
      CHECK(w.size() == 1000 && s2.belongs_to_segment(w.data()));
      ShmString t("abc", s2.get_segment_manager());
      ShmString u(t, s1.get_segment_manager());
      CHECK(u == t && s1.belongs_to_segment(u.data()));
      // Sorted input with an end() hint.
      ShmIntMap m(std::less<int>(), s1.get_segment_manager());
      for (int i = 0; i < 1000; ++i) {
         m.insert(m.end(), std::make_pair(i, i));
      }
      m.insert(m.end(), std::make_pair(5, 0));
      CHECK(m.size() == 1000 && m.check_invariants() && m.at(5) == 5);
   }
   CHECK(s1.all_memory_deallocated() && s2.all_memory_deallocated());
}

// ---- bad_alloc in the middle of an insert ---------------------------------------------

static void out_of_memory() {
   const std::string name = name_for("cpp_cont_oom");
   shared_memory_object::remove(name.c_str());
   remove_shared_memory_on_destroy cleanup(name.c_str());
   managed_shared_memory segment(create_only, name.c_str(), 64 << 10);
   SegmentManager *sm = segment.get_segment_manager();

   ShmIntVector *v = segment.construct<ShmIntVector>("v")(sm);
   std::vector<int> tv;
   bool failed = false;
   for (int i = 0; i < 1000000 && !failed; ++i) {
      try {
         v->push_back(i);
         tv.push_back(i);
      } catch (const bad_alloc &) {
         failed = true;
      }
   }
   CHECK(failed);
   check_same_ints(*v, tv);
   try {
      v->insert(v->begin(), v->size(), 5);
      CHECK(false);
   } catch (const bad_alloc &) {
   }
   check_same_ints(*v, tv);
   v->pop_back();
   v->push_back(-1);
   CHECK(v->back() == -1);
   segment.destroy<ShmIntVector>("v");

   ShmString *s = segment.construct<ShmString>("s")(sm);
   std::string ts;
   failed = false;
   for (int i = 0; i < 1000000 && !failed; ++i) {
      try {
         s->append("0123456789");
         ts.append("0123456789");
      } catch (const bad_alloc &) {
         failed = true;
      }
   }
   CHECK(failed && std::string(s->c_str()) == ts);
   segment.destroy<ShmString>("s");

   ShmIntMap *m = segment.construct<ShmIntMap>("m")(std::less<int>(), sm);
   std::map<int, int> tm;
   failed = false;
   for (int i = 0; i < 1000000 && !failed; ++i) {
      try {
         (*m)[i * 7 % 1009 + i] = i;
         tm[i * 7 % 1009 + i] = i;
      } catch (const bad_alloc &) {
         failed = true;
      }
   }
   CHECK(failed && m->check_invariants());
   check_same_pairs(*m, tm);
   m->erase(m->begin());
   CHECK(m->check_invariants() && m->size() == tm.size() - 1);

   // A vector of strings: the failing allocation may be the element's or the vector's.
   segment.destroy<ShmIntMap>("m");
   ShmStringVector *sv = segment.construct<ShmStringVector>("sv")(sm);
   std::vector<std::string> tsv;
   failed = false;
   for (int i = 0; i < 1000000 && !failed; ++i) {
      const std::string x(static_cast<std::size_t>(20 + i % 50), 'q');
      try {
         sv->emplace_back(x.c_str());
         tsv.push_back(x);
      } catch (const bad_alloc &) {
         failed = true;
      }
   }
   CHECK(failed);
   CHECK(fingerprint_strings(*sv) == fingerprint_strings(tsv));
   segment.destroy<ShmStringVector>("sv");
   CHECK(segment.all_memory_deallocated());

   // Node containers and the deque: fill until the segment is full.
   ShmIntList *l = segment.construct<ShmIntList>("l")(sm);
   std::list<int> tl;
   failed = false;
   for (int i = 0; i < 1000000 && !failed; ++i) {
      try {
         l->push_back(i);
         tl.push_back(i);
      } catch (const bad_alloc &) {
         failed = true;
      }
   }
   CHECK(failed);
   check_same_ints(*l, tl);
   try {
      l->insert(l->begin(), 100000, 7);
      CHECK(false);
   } catch (const bad_alloc &) {
   }
   check_same_ints(*l, tl);
   segment.destroy<ShmIntList>("l");

   ShmIntDeque *d = segment.construct<ShmIntDeque>("d")(sm);
   std::deque<int> td;
   failed = false;
   for (int i = 0; i < 1000000 && !failed; ++i) {
      try {
         if (i % 2) {
            d->push_back(i);
            td.push_back(i);
         } else {
            d->push_front(i);
            td.push_front(i);
         }
      } catch (const bad_alloc &) {
         failed = true;
      }
   }
   CHECK(failed);
   check_same_ints(*d, td);
   segment.destroy<ShmIntDeque>("d");

   ShmIntFlatMap *fm = segment.construct<ShmIntFlatMap>("fm")(sm);
   std::map<int, int> tfm;
   failed = false;
   for (int i = 0; i < 1000000 && !failed; ++i) {
      try {
         (*fm)[i * 13 % 4099 + i] = i;
         tfm[i * 13 % 4099 + i] = i;
      } catch (const bad_alloc &) {
         failed = true;
      }
   }
   CHECK(failed);
   check_same_pairs(*fm, tfm);
   segment.destroy<ShmIntFlatMap>("fm");
   CHECK(segment.all_memory_deallocated());
}

int main(int argc, char **argv) {
   if (is_child(argc, argv)) {
      return as_child(
          argv,
          [](const char *role, const char *name) {
             return std::strcmp(role, "verify_more") == 0 ? verify_more_child(name) : verify_child(name);
          },
          3);
   }
   in_segment(argv[0]);
   in_segment_more(argv[0]);
   across_segments();
   out_of_memory();
   std::printf("cpp_containers_segment: ok\n");
   return 0;
}

