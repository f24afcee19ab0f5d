// The twin checks the container tests share: each test applies a long random sequence of
// operations (fixed seeds) to an interproc container and its std:: twin and checks they
// agree; the fingerprints let a second process check what it finds in a segment.
#ifndef INTERPROC_CTESTS_CONTAINERS_TWIN_H
#define INTERPROC_CTESTS_CONTAINERS_TWIN_H

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

const int OPS = 20000;

// FNV-1a over a byte range, for fingerprints passed to the child process.
inline std::uint64_t fnv(std::uint64_t h, const void *p, std::size_t n) {
   const unsigned char *b = static_cast<const unsigned char *>(p);
   for (std::size_t i = 0; i < n; ++i) {
      h = (h ^ b[i]) * 1099511628211ull;
   }
   return h;
}
inline std::uint64_t fnv_int(std::uint64_t h, long v) { return fnv(h, &v, sizeof v); }
const std::uint64_t FNV0 = 1469598103934665603ull;

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


/// A segment name of this process for `tag`.
inline std::string name_for(const char *tag) {
   char buf[64];
   test_name(buf, sizeof buf, tag);
   return buf;
}

// ---- vector<int> and basic_string -------------------------------------------------

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

#endif // INTERPROC_CTESTS_CONTAINERS_TWIN_H
