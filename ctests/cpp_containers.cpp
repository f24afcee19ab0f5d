// The containers of <interproc/containers/...> against their std:: twins under long random
// sequences of operations (fixed seeds), with std::allocator and inside a managed segment;
// a second process (this program again) maps the segment at another address, checks what
// it finds and adds to it; bad_alloc in the middle of an insert leaves every container valid.
#include "check.h"
#include <interproc/allocators/allocator.hpp>
#include <interproc/containers/deque.hpp>
#include <interproc/containers/flat_map.hpp>
#include <interproc/containers/flat_set.hpp>
#include <interproc/containers/list.hpp>
#include <interproc/containers/map.hpp>
#include <interproc/containers/set.hpp>
#include <interproc/containers/slist.hpp>
#include <interproc/containers/stable_vector.hpp>
#include <interproc/containers/string.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <sys/mman.h>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <list>
#include <map>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

using namespace interproc;

typedef managed_shared_memory::segment_manager SegmentManager;
typedef allocator<char, SegmentManager> CharAlloc;
typedef basic_string<char, std::char_traits<char>, CharAlloc> ShmString;
typedef vector<int, allocator<int, SegmentManager>> ShmIntVector;
typedef vector<ShmString, allocator<ShmString, SegmentManager>> ShmStringVector;
typedef map<int, int, std::less<int>, allocator<std::pair<const int, int>, SegmentManager>> ShmIntMap;
typedef multimap<int, int, std::less<int>, allocator<std::pair<const int, int>, SegmentManager>> ShmIntMultimap;
typedef set<int, std::less<int>, allocator<int, SegmentManager>> ShmIntSet;
typedef multiset<int, std::less<int>, allocator<int, SegmentManager>> ShmIntMultiset;
typedef std::pair<const ShmString, ShmIntVector> NestedValue;
typedef map<ShmString, ShmIntVector, std::less<ShmString>, allocator<NestedValue, SegmentManager>> ShmNestedMap;

typedef list<int, allocator<int, SegmentManager>> ShmIntList;
typedef slist<int, allocator<int, SegmentManager>> ShmIntSlist;
typedef deque<int, allocator<int, SegmentManager>> ShmIntDeque;
typedef stable_vector<int, allocator<int, SegmentManager>> ShmIntStableVector;
typedef deque<ShmString, allocator<ShmString, SegmentManager>> ShmStringDeque;
typedef flat_map<int, int, std::less<int>, allocator<std::pair<int, int>, SegmentManager>> ShmIntFlatMap;
typedef flat_multimap<int, int, std::less<int>, allocator<std::pair<int, int>, SegmentManager>> ShmIntFlatMultimap;
typedef flat_set<int, std::less<int>, allocator<int, SegmentManager>> ShmIntFlatSet;
typedef flat_multiset<int, std::less<int>, allocator<int, SegmentManager>> ShmIntFlatMultiset;

static_assert(std::is_same<ShmIntVector::pointer, offset_ptr<int>>::value, "vector stores offset_ptr");
static_assert(std::uses_allocator<ShmString, allocator<NestedValue, SegmentManager>>::value, "uses-allocator");
static_assert(sizeof(vector<int>) == 3 * sizeof(void *), "vector<int> with std::allocator is three words");

static_assert(std::is_same<set<int>::iterator, set<int>::const_iterator>::value, "set keys are immutable");
static_assert(std::is_same<map<int, int>::iterator::value_type, std::pair<const int, int>>::value, "map value_type");
static_assert(std::is_same<flat_map<int, int>::value_type, std::pair<int, int>>::value, "flat_map value_type (as Boost)");
static_assert(std::is_same<ShmIntMap::allocator_type, allocator<std::pair<const int, int>, SegmentManager>>::value, "map allocator");
static_assert(std::is_nothrow_move_constructible<vector<int>>::value && std::is_nothrow_move_constructible<ShmString>::value,
              "moves do not throw");
static_assert(std::is_same<std::iterator_traits<deque<int>::iterator>::iterator_category, std::random_access_iterator_tag>::value,
              "deque iterators are random access");

static const int OPS = 20000;

// FNV-1a over a byte range, for fingerprints passed to the child process.
static std::uint64_t fnv(std::uint64_t h, const void *p, std::size_t n) {
   const unsigned char *b = static_cast<const unsigned char *>(p);
   for (std::size_t i = 0; i < n; ++i) {
      h = (h ^ b[i]) * 1099511628211ull;
   }
   return h;
}
static std::uint64_t fnv_int(std::uint64_t h, long v) { return fnv(h, &v, sizeof v); }
static const std::uint64_t FNV0 = 1469598103934665603ull;

template <class C> std::uint64_t fingerprint_ints(const C &c) {
   std::uint64_t h = fnv_int(FNV0, static_cast<long>(c.size()));
   for (const auto &v : c) {
      h = fnv_int(h, v);
   }
   return h;
}
template <class C> std::uint64_t fingerprint_pairs(const C &c) {
   std::uint64_t h = fnv_int(FNV0, static_cast<long>(c.size()));
   for (const auto &v : c) {
      h = fnv_int(fnv_int(h, v.first), v.second);
   }
   return h;
}
template <class C> std::uint64_t fingerprint_strings(const C &c) {
   std::uint64_t h = fnv_int(FNV0, static_cast<long>(c.size()));
   for (const auto &s : c) {
      h = fnv(fnv_int(h, static_cast<long>(s.size())), s.data(), s.size());
   }
   return h;
}

template <class A, class B> void check_same_ints(const A &a, const B &b) {
   CHECK(a.size() == b.size());
   CHECK(std::equal(a.begin(), a.end(), b.begin(), b.end()));
}
template <class A, class B> void check_same_pairs(const A &a, const B &b) {
   CHECK(a.size() == b.size());
   auto j = b.begin();
   for (auto i = a.begin(); i != a.end(); ++i, ++j) {
      CHECK(i->first == j->first && i->second == j->second);
   }
}

// ---- vector<int> -------------------------------------------------------------------

template <class V> void vector_ops(V &v, std::vector<int> &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int x = static_cast<int>(rng() % 1000);
      const std::size_t pos = twin.empty() ? 0 : rng() % (twin.size() + 1);
      switch (rng() % 14) {
      case 0:
      case 1:
      case 2:
         v.push_back(x);
         twin.push_back(x);
         break;
      case 3:
         v.emplace_back(x);
         twin.emplace_back(x);
         break;
      case 4:
         v.insert(v.begin() + pos, x);
         twin.insert(twin.begin() + pos, x);
         break;
      case 5: {
         const std::size_t n = rng() % 5;
         v.insert(v.begin() + pos, n, x);
         twin.insert(twin.begin() + pos, n, x);
         break;
      }
      case 6:
         if (!twin.empty()) {
            const std::size_t p = rng() % twin.size();
            v.erase(v.begin() + p);
            twin.erase(twin.begin() + p);
         }
         break;
      case 7:
         if (!twin.empty()) {
            const std::size_t p = rng() % twin.size();
            const std::size_t n = std::min<std::size_t>(rng() % 8, twin.size() - p);
            v.erase(v.begin() + p, v.begin() + p + n);
            twin.erase(twin.begin() + p, twin.begin() + p + n);
         }
         break;
      case 8: {
         const std::size_t n = rng() % (twin.size() + 10);
         v.resize(n, x);
         twin.resize(n, x);
         break;
      }
      case 9:
         if (!twin.empty()) {
            v.pop_back();
            twin.pop_back();
         }
         break;
      case 10: {
         // Insert a range taken from the container itself.
         const std::size_t n = std::min<std::size_t>(rng() % 6, twin.size());
         std::vector<int> part(twin.begin(), twin.begin() + n);
         v.insert(v.begin() + pos, v.begin(), v.begin() + n);
         twin.insert(twin.begin() + pos, part.begin(), part.end());
         break;
      }
      case 11:
         if (rng() % 50 == 0) {
            v.clear();
            twin.clear();
         } else if (!twin.empty()) {
            v[pos % twin.size()] = x;
            twin[pos % twin.size()] = x;
         }
         break;
      case 12:
         if (rng() % 20 == 0) {
            v.shrink_to_fit();
            CHECK(v.capacity() == v.size());
         } else {
            v.reserve(twin.size() + x % 16);
         }
         break;
      default:
         if (!twin.empty()) {
            CHECK(v.at(pos % twin.size()) == twin.at(pos % twin.size()));
            CHECK(v.front() == twin.front() && v.back() == twin.back());
         }
         break;
      }
      CHECK(v.size() == twin.size() && v.capacity() >= v.size());
   }
   check_same_ints(v, twin);
}

static void vector_with_std_allocator() {
   vector<int> v;
   std::vector<int> twin;
   vector_ops(v, twin, 1, OPS);
   // Copy, move, comparison, swap, assign, initializer lists.
   vector<int> copy(v);
   CHECK(copy == v && !(copy != v) && !(copy < v) && copy <= v && copy >= v);
   copy.push_back(1000);
   CHECK(v < copy && copy > v && v != copy);
   vector<int> moved(std::move(copy));
   CHECK(copy.empty() && moved.size() == v.size() + 1);
   moved.swap(v);
   CHECK(v.size() == moved.size() + 1);
   v.assign({1, 2, 3});
   CHECK(v.size() == 3 && v[2] == 3);
   v = {4, 5};
   CHECK(v.size() == 2 && v.back() == 5);
   v.assign(7, 9);
   CHECK(v.size() == 7 && v[6] == 9);
   try {
      v.at(7);
      CHECK(false);
   } catch (const std::out_of_range &) {
   }
   std::sort(moved.rbegin(), moved.rend());
   CHECK(std::is_sorted(moved.begin(), moved.end(), std::greater<int>()));

   // Elements that own memory, and strings.
   vector<std::string> vs;
   std::vector<std::string> ts;
   std::mt19937 rng(7);
   for (int i = 0; i < 3000; ++i) {
      std::string s(rng() % 40, static_cast<char>('a' + rng() % 26));
      const std::size_t pos = ts.empty() ? 0 : rng() % (ts.size() + 1);
      if (rng() % 3 == 0 && !ts.empty()) {
         vs.erase(vs.begin() + pos % ts.size());
         ts.erase(ts.begin() + pos % ts.size());
      } else {
         vs.insert(vs.begin() + pos, s);
         ts.insert(ts.begin() + pos, s);
      }
   }
   CHECK(std::equal(vs.begin(), vs.end(), ts.begin(), ts.end()));
   vs.push_back(vs[0]); // an element of the vector itself, possibly across a reallocation
   CHECK(vs.back() == ts[0]);
}

// ---- basic_string --------------------------------------------------------------------

template <class S> void string_ops(S &s, std::string &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const std::string piece(rng() % 12, static_cast<char>('a' + rng() % 26));
      const std::size_t pos = rng() % (twin.size() + 1);
      const std::size_t n = rng() % 10;
      switch (rng() % 12) {
      case 0:
      case 1:
         s.append(piece.c_str());
         twin.append(piece);
         break;
      case 2:
         s += static_cast<char>('A' + i % 26);
         twin += static_cast<char>('A' + i % 26);
         break;
      case 3:
         s.insert(pos, piece.c_str());
         twin.insert(pos, piece);
         break;
      case 4:
         s.erase(pos, n);
         twin.erase(pos, n);
         break;
      case 5:
         s.replace(pos, n, piece.c_str());
         twin.replace(pos, n, piece);
         break;
      case 6: {
         // Self-referencing append and replace.
         const std::size_t len = std::min<std::size_t>(n, twin.size() - pos);
         s.append(s.data() + pos, len);
         twin.append(twin.substr(pos, len));
         break;
      }
      case 7: {
         const std::size_t len = std::min<std::size_t>(n, twin.size() - pos);
         s.replace(0, n, s.data() + pos, len);
         twin.replace(0, n, twin.substr(pos, len));
         break;
      }
      case 8:
         if (twin.size() > 4000 || rng() % 100 == 0) {
            s.clear();
            twin.clear();
         } else {
            s.resize(pos + n, 'z');
            twin.resize(pos + n, 'z');
         }
         break;
      case 9:
         CHECK(s.find(piece.c_str()) == twin.find(piece));
         CHECK(s.rfind(piece.c_str()) == twin.rfind(piece));
         CHECK(s.find_first_of("abc") == twin.find_first_of("abc"));
         CHECK(s.find_last_not_of('z') == twin.find_last_not_of('z'));
         break;
      case 10:
         CHECK(std::string(s.substr(pos, n).c_str()) == twin.substr(pos, n));
         CHECK((s.compare(piece.c_str()) < 0) == (twin.compare(piece) < 0));
         break;
      default:
         s.push_back('x');
         twin.push_back('x');
         break;
      }
      CHECK(s.size() == twin.size() && s.c_str()[s.size()] == '\0');
   }
   CHECK(std::string(s.c_str(), s.size()) == twin);
}

static void string_with_std_allocator() {
   string s;
   std::string twin;
   string_ops(s, twin, 3, OPS);
   string a("hello");
   string b = a + " world" + '!';
   CHECK(b == "hello world!" && "hello world!" == b && b != a && a < b);
   CHECK(b.starts_with("hello") && b.ends_with("!"));
   std::string_view view = b;
   CHECK(view == "hello world!");
   string from_std(std::string("std"));
   CHECK(from_std == "std" && from_std == std::string("std") && std::string("std") == from_std);
   CHECK(from_std != std::string("st") && from_std < std::string("sz") && std::string("abc") < from_std);
   wstring w(L"wide");
   w += L" string";
   CHECK(w.size() == 11 && w.find(L"str") == 5);
   CHECK(std::hash<string>()(a) == std::hash<std::string_view>()("hello"));
   // Index and iterator overloads side by side (the literal 0 is an index here).
   string t("hello");
   t.insert(0, 2, 'x');
   t.replace(0, 0, 1, 'y');
   CHECK(t == "yxxhello");
   t.erase(t.begin());
   t.insert(t.begin(), 'z');
   t.insert(t.end(), {'!', '?'});
   t.replace(t.begin(), t.begin() + 3, "ab");
   CHECK(t == "abhello!?");
   t.erase(t.begin() + 2, t.end() - 2);
   t.erase(0);
   CHECK(t.empty());
   string empty;
   CHECK(empty.c_str()[0] == '\0' && empty.begin() == empty.end() && empty.empty());
}

// ---- associative containers ---------------------------------------------------------

template <class M, class T> void map_ops(M &m, T &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int k = static_cast<int>(rng() % 2000);
      switch (rng() % 8) {
      case 0:
      case 1: {
         auto r = m.insert(std::make_pair(k, i));
         auto t = twin.insert(std::make_pair(k, i));
         CHECK(r.second == t.second && r.first->first == k);
         break;
      }
      case 2:
         m[k] = i;
         twin[k] = i;
         break;
      case 3:
         CHECK(m.erase(k) == twin.erase(k));
         break;
      case 4: {
         auto it = m.lower_bound(k);
         auto jt = twin.lower_bound(k);
         CHECK((it == m.end()) == (jt == twin.end()));
         if (it != m.end()) {
            CHECK(it->first == jt->first);
            m.erase(it);
            twin.erase(jt);
         }
         break;
      }
      case 5:
         CHECK(m.count(k) == twin.count(k) && m.contains(k) == (twin.count(k) == 1));
         break;
      case 6:
         m.try_emplace(k, -i);
         twin.try_emplace(k, -i);
         break;
      default:
         m.insert_or_assign(k, i * 2);
         twin.insert_or_assign(k, i * 2);
         break;
      }
   }
   CHECK(m.check_invariants());
   check_same_pairs(m, twin);
}

template <class M, class T> void multimap_ops(M &m, T &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int k = static_cast<int>(rng() % 500);
      switch (rng() % 4) {
      case 0:
      case 1:
         m.emplace(k, i);
         twin.emplace(k, i);
         break;
      case 2:
         CHECK(m.erase(k) == twin.erase(k));
         break;
      default: {
         auto r = m.equal_range(k);
         auto t = twin.equal_range(k);
         CHECK(std::distance(r.first, r.second) == std::distance(t.first, t.second));
         if (r.first != r.second) {
            m.erase(r.first);
            twin.erase(t.first);
         }
         break;
      }
      }
   }
   CHECK(m.check_invariants());
   check_same_pairs(m, twin);
}

template <class S, class T> void set_ops(S &s, T &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int k = static_cast<int>(rng() % 1500);
      switch (rng() % 3) {
      case 0:
      case 1:
         s.insert(k);
         twin.insert(k);
         break;
      default:
         CHECK(s.erase(k) == twin.erase(k));
         break;
      }
   }
   CHECK(s.check_invariants());
   check_same_ints(s, twin);
   auto r = s.rbegin();
   for (auto t = twin.rbegin(); t != twin.rend(); ++t, ++r) {
      CHECK(*r == *t);
   }
}

template <class S, class T> void set_ops_unchecked(S &s, T &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int k = static_cast<int>(rng() % 1500);
      if (rng() % 3 == 2) {
         CHECK(s.erase(k) == twin.erase(k));
      } else {
         s.insert(k);
         twin.insert(k);
      }
   }
   check_same_ints(s, twin);
}

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


// ---- list, deque (double-ended sequences) and slist -----------------------------------

template <class C> typename C::iterator at_index(C &c, std::size_t i) {
   auto it = c.begin();
   std::advance(it, static_cast<std::ptrdiff_t>(i));
   return it;
}

template <class S, class T> void sequence_ops(S &s, T &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int x = static_cast<int>(rng() % 1000);
      const std::size_t pos = twin.empty() ? 0 : rng() % (twin.size() + 1);
      switch (rng() % 11) {
      case 0:
      case 1:
         s.push_back(x);
         twin.push_back(x);
         break;
      case 2:
      case 3:
         s.emplace_front(x);
         twin.emplace_front(x);
         break;
      case 4:
         if (!twin.empty()) {
            s.pop_front();
            twin.pop_front();
         }
         break;
      case 5:
         if (!twin.empty()) {
            s.pop_back();
            twin.pop_back();
         }
         break;
      case 6:
         s.insert(at_index(s, pos), x);
         twin.insert(at_index(twin, pos), x);
         break;
      case 7: {
         const std::size_t n = rng() % 4;
         s.insert(at_index(s, pos), n, x);
         twin.insert(at_index(twin, pos), n, x);
         break;
      }
      case 8:
         if (!twin.empty()) {
            const std::size_t p = rng() % twin.size();
            const std::size_t n = std::min<std::size_t>(rng() % 5, twin.size() - p);
            s.erase(at_index(s, p), at_index(s, p + n));
            twin.erase(at_index(twin, p), at_index(twin, p + n));
         }
         break;
      case 9:
         if (rng() % 40 == 0) {
            s.clear();
            twin.clear();
         } else {
            const std::size_t n = rng() % (twin.size() + 8);
            s.resize(n, x);
            twin.resize(n, x);
         }
         break;
      default:
         if (!twin.empty()) {
            CHECK(s.front() == twin.front() && s.back() == twin.back());
            *at_index(s, pos % twin.size()) = x;
            *at_index(twin, pos % twin.size()) = x;
         }
         break;
      }
      CHECK(s.size() == twin.size());
   }
   check_same_ints(s, twin);
}

template <class S, class T> void sequence_ops_back(S &s, T &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int x = static_cast<int>(rng() % 1000);
      const std::size_t pos = twin.empty() ? 0 : rng() % (twin.size() + 1);
      switch (rng() % 7) {
      case 0:
      case 1:
         s.push_back(x);
         twin.push_back(x);
         break;
      case 2:
         if (!twin.empty()) {
            s.pop_back();
            twin.pop_back();
         }
         break;
      case 3:
         s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), x);
         twin.insert(twin.begin() + static_cast<std::ptrdiff_t>(pos), x);
         break;
      case 4:
         if (!twin.empty()) {
            const std::size_t p = rng() % twin.size();
            const std::size_t n = std::min<std::size_t>(rng() % 5, twin.size() - p);
            s.erase(s.begin() + static_cast<std::ptrdiff_t>(p), s.begin() + static_cast<std::ptrdiff_t>(p + n));
            twin.erase(twin.begin() + static_cast<std::ptrdiff_t>(p), twin.begin() + static_cast<std::ptrdiff_t>(p + n));
         }
         break;
      case 5: {
         const std::size_t n = rng() % (twin.size() + 8);
         s.resize(n, x);
         twin.resize(n, x);
         break;
      }
      default:
         if (!twin.empty()) {
            CHECK(s[pos % twin.size()] == twin[pos % twin.size()]);
            CHECK(s.front() == twin.front() && s.back() == twin.back());
         }
         break;
      }
      CHECK(s.size() == twin.size());
   }
   check_same_ints(s, twin);
}

template <class L> void list_extras(L &l, std::list<int> &twin, unsigned seed) {
   std::mt19937 rng(seed);
   for (int round = 0; round < 200; ++round) {
      switch (rng() % 6) {
      case 0:
         l.sort();
         twin.sort();
         break;
      case 1:
         l.reverse();
         twin.reverse();
         break;
      case 2: {
         const int v = static_cast<int>(rng() % 1000);
         CHECK(l.remove(v) == static_cast<typename L::size_type>(std::count(twin.begin(), twin.end(), v)));
         twin.remove(v);
         break;
      }
      case 3:
         l.unique();
         twin.unique();
         break;
      case 4: {
         // Split off the second half and merge it back sorted.
         L other(l.get_allocator());
         std::list<int> tother;
         const std::size_t half = twin.size() / 2;
         other.splice(other.begin(), l, at_index(l, half), l.end());
         tother.splice(tother.begin(), twin, at_index(twin, half), twin.end());
         l.sort();
         other.sort();
         twin.sort();
         tother.sort();
         l.merge(other);
         twin.merge(tother);
         CHECK(other.empty());
         break;
      }
      default:
         for (int i = 0; i < 20; ++i) {
            const int v = static_cast<int>(rng() % 1000);
            l.push_back(v);
            twin.push_back(v);
         }
         break;
      }
      check_same_ints(l, twin);
   }
}

template <class S> void slist_ops(S &s, std::list<int> &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int x = static_cast<int>(rng() % 1000);
      const std::size_t pos = twin.empty() ? 0 : rng() % twin.size();
      switch (rng() % 9) {
      case 0:
      case 1:
         s.push_front(x);
         twin.push_front(x);
         break;
      case 2:
         if (!twin.empty()) {
            s.pop_front();
            twin.pop_front();
         }
         break;
      case 3: {
         // insert_after the element at pos (or before_begin when empty).
         auto it = twin.empty() ? s.before_begin() : at_index(s, pos);
         s.insert_after(it, x);
         twin.insert(twin.empty() ? twin.begin() : std::next(at_index(twin, pos)), x);
         break;
      }
      case 4:
         if (twin.size() > 1 && pos + 1 < twin.size()) {
            s.erase_after(at_index(s, pos));
            twin.erase(std::next(at_index(twin, pos)));
         }
         break;
      case 5:
         if (rng() % 10 == 0) {
            s.sort();
            twin.sort();
         } else {
            s.reverse();
            twin.reverse();
         }
         break;
      case 6:
         CHECK(s.remove(x) == static_cast<typename S::size_type>(std::count(twin.begin(), twin.end(), x)));
         twin.remove(x);
         break;
      case 7:
         if (!twin.empty()) {
            s.insert(at_index(s, pos), x);
            twin.insert(at_index(twin, pos), x);
         }
         break;
      default: {
         const std::size_t n = rng() % (twin.size() + 5);
         s.resize(n, x);
         twin.resize(n, x);
         break;
      }
      }
      CHECK(s.size() == twin.size());
   }
   check_same_ints(s, twin);
}

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

// ---- flat containers ------------------------------------------------------------------

template <class M, class T> void flat_map_ops(M &m, T &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int k = static_cast<int>(rng() % 800);
      switch (rng() % 5) {
      case 0: {
         auto r = m.insert(std::make_pair(k, i));
         auto t = twin.insert(std::make_pair(k, i));
         CHECK(r.second == t.second && r.first->first == k);
         break;
      }
      case 1:
         m[k] = i;
         twin[k] = i;
         break;
      case 2:
         CHECK(m.erase(k) == twin.erase(k));
         break;
      case 3:
         m.emplace(k, -i);
         twin.emplace(k, -i);
         break;
      default:
         CHECK(m.count(k) == twin.count(k));
         CHECK((m.lower_bound(k) == m.end()) == (twin.lower_bound(k) == twin.end()));
         break;
      }
   }
   check_same_pairs(m, twin);
}

template <class M, class T> void flat_multi_ops(M &m, T &twin, unsigned seed, int ops) {
   std::mt19937 rng(seed);
   for (int i = 0; i < ops; ++i) {
      const int k = static_cast<int>(rng() % 300);
      if (rng() % 3 == 0) {
         CHECK(m.erase(k) == twin.erase(k));
      } else {
         m.emplace(k, i);
         twin.emplace(k, i);
      }
   }
   check_same_pairs(m, twin);
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

// ---- inside a segment, read back by another process -----------------------------------

static std::string name_for(const char *tag) {
   char buf[64];
   test_name(buf, sizeof buf, tag);
   return buf;
}

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

// ---- growing in place ------------------------------------------------------------------

// A vector whose block is followed by free memory grows there: its elements do not move.
// With a neighbour in the way it moves; either way every element is kept, including when
// the new element or range comes from the vector itself.
static void vector_grows_in_place() {
   const std::string name = name_for("cpp_cont_grow");
   shared_memory_object::remove(name.c_str());
   remove_shared_memory_on_destroy cleanup(name.c_str());
   managed_shared_memory segment(create_only, name.c_str(), 1 << 20);
   SegmentManager *sm = segment.get_segment_manager();

   // The segment manager and the allocator directly.
   void *raw = segment.allocate(100);
   CHECK(sm->expand_in_place(raw, 50, 50) >= 100); // already big enough: unchanged
   const std::size_t got = sm->expand_in_place(raw, 1000, 2000);
   CHECK(got >= 2000 && got < 2100);
   allocator<int, SegmentManager> ia(sm);
   allocator<int, SegmentManager>::pointer ints = ia.allocate(10);
   CHECK(ia.expand_in_place(ints, 20, 40) >= 40);
   void *blocker = segment.allocate(16);
   const std::size_t held = ia.expand_in_place(ints, 40, 40);
   CHECK(held >= 40 && ia.expand_in_place(ints, held + 1, held + 1) == held);
   ia.deallocate(ints, held);
   segment.deallocate(blocker);
   segment.deallocate(raw);
   CHECK(segment.all_memory_deallocated());

   ShmIntVector v(sm);
   std::vector<int> twin;
   v.push_back(0);
   twin.push_back(0);
   const int *first = v.data();
   for (int i = 1; i < 20000; ++i) {
      v.push_back(v[static_cast<std::size_t>(i) / 2] + i); // refers to an element while growing
      twin.push_back(twin[static_cast<std::size_t>(i) / 2] + i);
   }
   CHECK(v.data() == first && v.capacity() >= v.size());
   check_same_ints(v, twin);
   v.insert(v.end(), v.begin(), v.begin() + 5000); // a range from the vector itself
   twin.insert(twin.end(), twin.begin(), twin.begin() + 5000);
   CHECK(v.data() == first);
   check_same_ints(v, twin);
   v.reserve(v.capacity() + 1000);
   CHECK(v.data() == first);
   // A neighbour in the way: the next growth moves the elements.
   void *neighbour = segment.allocate(64);
   while (v.size() < v.capacity()) {
      v.push_back(1);
      twin.push_back(1);
   }
   v.push_back(v.front());
   twin.push_back(twin.front());
   CHECK(v.data() != first);
   check_same_ints(v, twin);
   segment.deallocate(neighbour);
   v.clear();
   v.shrink_to_fit();
   CHECK(v.capacity() == 0 && segment.all_memory_deallocated());
}

int main(int argc, char **argv) {
   if (argc == 4 && std::string(argv[1]) == "child") {
      try {
         if (std::string(argv[2]) == "verify_more") {
            return verify_more_child(argv[3]);
         }
         return verify_child(argv[3]);
      } catch (const std::exception &e) {
         std::fprintf(stderr, "child: %s\n", e.what());
         return 3;
      }
   }
   vector_with_std_allocator();
   string_with_std_allocator();
   associative_with_std_allocator();
   sequences_with_std_allocator();
   flat_with_std_allocator();
   in_segment(argv[0]);
   in_segment_more(argv[0]);
   across_segments();
   out_of_memory();
   vector_grows_in_place();
   std::printf("cpp_containers: ok\n");
   return 0;
}
