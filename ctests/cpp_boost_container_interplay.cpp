// Boost.Container and Boost.Intrusive over interproc, across two processes (when the Boost
// headers are installed; otherwise the program says so and passes).
//
// The parent builds, in one managed_shared_memory segment, every container Boost 1.74's
// Boost.Container ships with interproc::allocator, and the node containers again with each
// pooled allocator; and Boost.Intrusive containers whose hooks hold
// interproc::offset_ptr<void> links, over items in the segment. It fills them with known
// values. A second process (this program run again, so the segment is mapped at another
// address) opens the segment, checks every container element by element, and adds to each
// (allocating through the allocators stored in the segment, or relinking items). The
// parent then checks what the child added, and destroys everything.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"

#if !__has_include(<boost/container/list.hpp>) || !__has_include(<boost/intrusive/list.hpp>)
#include <cstdio>
int main() {
   std::printf("cpp_boost_container_interplay: skipped (Boost.Container/Boost.Intrusive headers not installed)\n");
   return 0;
}
#else

#include "every_allocator.hpp"
#include <interproc/managed_shared_memory.hpp>
#include <interproc/offset_ptr.hpp>

// Boost's headers live in a system directory, so their own warnings do not reach -Werror.
#include <boost/container/deque.hpp>
#include <boost/container/flat_map.hpp>
#include <boost/container/flat_set.hpp>
#include <boost/container/list.hpp>
#include <boost/container/map.hpp>
#include <boost/container/set.hpp>
#include <boost/container/slist.hpp>
#include <boost/container/small_vector.hpp>
#include <boost/container/stable_vector.hpp>
#include <boost/container/static_vector.hpp>
#include <boost/container/string.hpp>
#include <boost/container/vector.hpp>
#include <boost/intrusive/avl_set.hpp>
#include <boost/intrusive/list.hpp>
#include <boost/intrusive/set.hpp>
#include <boost/intrusive/sg_set.hpp>
#include <boost/intrusive/slist.hpp>
#include <boost/intrusive/splay_set.hpp>
#include <boost/intrusive/unordered_set.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace bc = boost::container;
namespace bi = boost::intrusive;
using namespace interproc;

// ---------------------------------------------------------------------------------------
// The values. Both processes compute the same expected contents from these.

static const int count = 300;
// Repeats: only 101 distinct values, so the multi- containers hold duplicates.
static int value_at(int i) { return (i * 37) % 101 * 3 - 50; }
// What the child adds to every container; no value_at gives it.
static const int child_mark = 100000;

static std::vector<int> expected_sequence(bool with_mark) {
   std::vector<int> v;
   for (int i = 0; i < count; ++i) {
      v.push_back(value_at(i));
   }
   if (with_mark) {
      v.push_back(child_mark);
   }
   return v;
}

template <class Std> static Std expected_assoc(bool with_mark) {
   Std s;
   for (int i = 0; i < count; ++i) {
      s.insert(value_at(i));
   }
   if (with_mark) {
      s.insert(child_mark);
   }
   return s;
}

template <class Std> static Std expected_map(bool with_mark) {
   Std m;
   for (int i = 0; i < count; ++i) {
      m.insert(std::make_pair(value_at(i), i));
   }
   if (with_mark) {
      m.insert(std::make_pair(child_mark, -1));
   }
   return m;
}

static std::string text_at(int i) { return "entry " + std::to_string(i) + " of a string too long for any short-string buffer"; }

// ---------------------------------------------------------------------------------------
// Each case: a container type, how to fill it, check it and add the child's mark.

enum class Shape { sequence, forward, set, multiset, map, multimap };

template <class C, Shape S> struct Case {
   typedef C container;
   static constexpr Shape shape = S;
};

template <class C> static void fill(C &c, std::integral_constant<Shape, Shape::sequence>) {
   for (int i = 0; i < count; ++i) {
      c.push_back(value_at(i));
   }
}
template <class C> static void fill(C &c, std::integral_constant<Shape, Shape::forward>) {
   // slist has no push_back: insert after the last element, which is kept track of.
   auto last = c.before_begin();
   for (int i = 0; i < count; ++i) {
      last = c.insert_after(last, value_at(i));
   }
}
template <class C, Shape S> static void fill(C &c, std::integral_constant<Shape, S>) {
   for (int i = 0; i < count; ++i) {
      if constexpr (S == Shape::map || S == Shape::multimap) {
         c.insert(typename C::value_type(value_at(i), i));
      } else {
         c.insert(value_at(i));
      }
   }
}

template <class C> static void add_mark(C &c, std::integral_constant<Shape, Shape::sequence>) { c.push_back(child_mark); }
template <class C> static void add_mark(C &c, std::integral_constant<Shape, Shape::forward>) {
   c.insert_after(c.previous(c.end()), child_mark);
}
template <class C, Shape S> static void add_mark(C &c, std::integral_constant<Shape, S>) {
   if constexpr (S == Shape::map || S == Shape::multimap) {
      c.insert(typename C::value_type(child_mark, -1));
   } else {
      c.insert(child_mark);
   }
}

template <class C, class Expected> static void check_equal(const C &c, const Expected &e, const char *name) {
   if (static_cast<std::size_t>(std::distance(c.begin(), c.end())) != e.size() || !std::equal(c.begin(), c.end(), e.begin())) {
      std::fprintf(stderr, "%d: %s does not hold the expected %zu elements\n", static_cast<int>(getpid()), name, e.size());
      std::exit(1);
   }
}

template <Shape S, class C> static void check_contents(const C &c, bool with_mark, const char *name) {
   if constexpr (S == Shape::sequence || S == Shape::forward) {
      check_equal(c, expected_sequence(with_mark), name);
   } else if constexpr (S == Shape::set) {
      check_equal(c, expected_assoc<std::set<int>>(with_mark), name);
   } else if constexpr (S == Shape::multiset) {
      check_equal(c, expected_assoc<std::multiset<int>>(with_mark), name);
   } else {
      typedef typename std::conditional<S == Shape::map, std::map<int, int>, std::multimap<int, int>>::type Std;
      const Std e = expected_map<Std>(with_mark);
      const std::vector<std::pair<int, int>> want(e.begin(), e.end());
      const std::vector<std::pair<int, int>> got(c.begin(), c.end());
      check_equal(got, want, name);
   }
}

// The node containers, for one allocator template.
template <template <class> class A, class Visit> static void node_containers(const char *alloc_name, Visit &&visit) {
   typedef std::pair<const int, int> MapValue;
   const std::string a = alloc_name;
   visit(Case<bc::list<int, A<int>>, Shape::sequence>(), "list/" + a);
   visit(Case<bc::slist<int, A<int>>, Shape::forward>(), "slist/" + a);
   visit(Case<bc::stable_vector<int, A<int>>, Shape::sequence>(), "stable_vector/" + a);
   visit(Case<bc::set<int, std::less<int>, A<int>>, Shape::set>(), "set/" + a);
   visit(Case<bc::multiset<int, std::less<int>, A<int>>, Shape::multiset>(), "multiset/" + a);
   visit(Case<bc::map<int, int, std::less<int>, A<MapValue>>, Shape::map>(), "map/" + a);
   visit(Case<bc::multimap<int, int, std::less<int>, A<MapValue>>, Shape::multimap>(), "multimap/" + a);
}

// Every container with interproc::allocator, then the node containers with each pool.
template <class Visit> static void every_container(Visit &&visit) {
   typedef std::pair<int, int> FlatValue;
   visit(Case<bc::vector<int, Plain<int>>, Shape::sequence>(), std::string("vector"));
   visit(Case<bc::small_vector<int, 8, Plain<int>>, Shape::sequence>(), std::string("small_vector"));
   visit(Case<bc::deque<int, Plain<int>>, Shape::sequence>(), std::string("deque"));
   visit(Case<bc::flat_set<int, std::less<int>, Plain<int>>, Shape::set>(), std::string("flat_set"));
   visit(Case<bc::flat_multiset<int, std::less<int>, Plain<int>>, Shape::multiset>(), std::string("flat_multiset"));
   visit(Case<bc::flat_map<int, int, std::less<int>, Plain<FlatValue>>, Shape::map>(), std::string("flat_map"));
   visit(Case<bc::flat_multimap<int, int, std::less<int>, Plain<FlatValue>>, Shape::multimap>(), std::string("flat_multimap"));
   node_containers<Plain>("allocator", visit);
   node_containers<NodeA>("node_allocator", visit);
   node_containers<PrivateNodeA>("private_node_allocator", visit);
   node_containers<CachedNodeA>("cached_node_allocator", visit);
   node_containers<AdaptiveA>("adaptive_pool", visit);
   node_containers<PrivateAdaptiveA>("private_adaptive_pool", visit);
   node_containers<CachedAdaptiveA>("cached_adaptive_pool", visit);
}

// ---------------------------------------------------------------------------------------
// Strings, containers of strings, and a static_vector (no allocator: it lives whole in the
// segment).

typedef bc::basic_string<char, std::char_traits<char>, Plain<char>> String;
typedef bc::vector<String, Plain<String>> StringVector;
typedef bc::map<int, String, std::less<int>, Plain<std::pair<const int, String>>> StringMap;
typedef bc::static_vector<int, count + 1> StaticVector;

static void fill_strings(managed_shared_memory &seg) {
   Plain<char> a(seg.get_segment_manager());
   String *s = seg.construct<String>("string")(a);
   String *short_s = seg.construct<String>("short string")("short", a);
   StringVector *v = seg.construct<StringVector>("vector<string>")(Plain<String>(a));
   StringMap *m = seg.construct<StringMap>("map<int, string>")(Plain<std::pair<const int, String>>(a));
   StaticVector *sv = seg.construct<StaticVector>("static_vector")();
   for (int i = 0; i < count; ++i) {
      s->append(std::to_string(value_at(i)).c_str()).push_back(',');
      v->emplace_back(text_at(i).c_str(), a);
      m->emplace(value_at(i), String(text_at(i).c_str(), a));
      sv->push_back(value_at(i));
   }
   CHECK(short_s->size() == 5);
}

static void check_strings(managed_shared_memory &seg, bool with_mark) {
   std::string expect;
   for (int i = 0; i < count; ++i) {
      expect += std::to_string(value_at(i)) + ",";
   }
   if (with_mark) {
      expect += "child";
   }
   String *s = seg.find<String>("string").first;
   CHECK(s && std::string(s->c_str()) == expect && s->size() == expect.size());
   String *short_s = seg.find<String>("short string").first;
   CHECK(short_s && std::string(short_s->begin(), short_s->end()) == (with_mark ? "short+child" : "short"));

   StringVector *v = seg.find<StringVector>("vector<string>").first;
   CHECK(v && v->size() == static_cast<std::size_t>(count + (with_mark ? 1 : 0)));
   for (int i = 0; i < count; ++i) {
      CHECK(std::string((*v)[i].c_str()) == text_at(i));
   }
   if (with_mark) {
      CHECK(v->back() == "added by the child");
   }

   StringMap *m = seg.find<StringMap>("map<int, string>").first;
   CHECK(m);
   std::map<int, std::string> em;
   for (int i = 0; i < count; ++i) {
      em.emplace(value_at(i), text_at(i));
   }
   if (with_mark) {
      em.emplace(child_mark, "added by the child");
   }
   CHECK(m->size() == em.size());
   auto it = m->begin();
   for (const auto &kv : em) {
      CHECK(it->first == kv.first && std::string(it->second.c_str()) == kv.second);
      ++it;
   }

   StaticVector *sv = seg.find<StaticVector>("static_vector").first;
   CHECK(sv);
   check_equal(*sv, expected_sequence(with_mark), "static_vector");
}

static void add_to_strings(managed_shared_memory &seg) {
   Plain<char> a(seg.get_segment_manager());
   seg.find<String>("string").first->append("child");
   seg.find<String>("short string").first->append("+child");
   seg.find<StringVector>("vector<string>").first->emplace_back("added by the child", a);
   seg.find<StringMap>("map<int, string>").first->emplace(child_mark, String("added by the child", a));
   seg.find<StaticVector>("static_vector").first->push_back(child_mark);
}

static void destroy_strings(managed_shared_memory &seg) {
   CHECK(seg.destroy<String>("string"));
   CHECK(seg.destroy<String>("short string"));
   CHECK(seg.destroy<StringVector>("vector<string>"));
   CHECK(seg.destroy<StringMap>("map<int, string>"));
   CHECK(seg.destroy<StaticVector>("static_vector"));
}

// ---------------------------------------------------------------------------------------
// Boost.Intrusive: items in the segment, linked by hooks whose pointers are offset_ptrs.

typedef bi::void_pointer<offset_ptr<void>> VoidPtr;
struct list_tag;

struct Item : bi::list_base_hook<VoidPtr, bi::tag<list_tag>> {
   int value = 0;
   bi::list_member_hook<VoidPtr> list_hook;
   bi::slist_member_hook<VoidPtr> slist_hook;
   // Compact nodes: the colour and the balance ride in the parent offset_ptr's low bits.
   bi::set_member_hook<VoidPtr, bi::optimize_size<true>> set_hook;
   bi::avl_set_member_hook<VoidPtr, bi::optimize_size<true>> avl_hook;
   bi::bs_set_member_hook<VoidPtr> sg_hook;
   bi::bs_set_member_hook<VoidPtr> splay_hook;
   bi::unordered_set_member_hook<VoidPtr> hash_hook;

   friend bool operator<(const Item &a, const Item &b) { return a.value < b.value; }
   friend bool operator==(const Item &a, const Item &b) { return a.value == b.value; }
};

struct ItemHash {
   std::size_t operator()(const Item &i) const { return std::hash<int>()(i.value); }
};

typedef bi::list<Item, bi::base_hook<bi::list_base_hook<VoidPtr, bi::tag<list_tag>>>> BaseList;
typedef bi::list<Item, bi::member_hook<Item, bi::list_member_hook<VoidPtr>, &Item::list_hook>> MemberList;
typedef bi::slist<Item, bi::member_hook<Item, bi::slist_member_hook<VoidPtr>, &Item::slist_hook>, bi::cache_last<true>> ItemSlist;
typedef bi::multiset<Item, bi::member_hook<Item, bi::set_member_hook<VoidPtr, bi::optimize_size<true>>, &Item::set_hook>>
   ItemMultiset;
typedef bi::avl_multiset<Item, bi::member_hook<Item, bi::avl_set_member_hook<VoidPtr, bi::optimize_size<true>>, &Item::avl_hook>>
   ItemAvl;
typedef bi::sg_multiset<Item, bi::member_hook<Item, bi::bs_set_member_hook<VoidPtr>, &Item::sg_hook>> ItemSg;
typedef bi::splay_multiset<Item, bi::member_hook<Item, bi::bs_set_member_hook<VoidPtr>, &Item::splay_hook>> ItemSplay;
typedef bi::unordered_multiset<Item, bi::member_hook<Item, bi::unordered_set_member_hook<VoidPtr>, &Item::hash_hook>,
                               bi::hash<ItemHash>>
   ItemHashSet;
static const std::size_t bucket_count = 64;

static_assert(std::is_same<ItemMultiset::pointer, offset_ptr<Item>>::value, "intrusive containers over offset_ptr");
static_assert(std::is_same<ItemHashSet::bucket_ptr, offset_ptr<ItemHashSet::bucket_type>>::value, "buckets over offset_ptr");

static void fill_intrusive(managed_shared_memory &seg) {
   Item *items = seg.construct<Item>("items")[count + 1]();
   for (int i = 0; i <= count; ++i) {
      items[i].value = i < count ? value_at(i) : child_mark;
   }
   BaseList *bl = seg.construct<BaseList>("intrusive list (base hook)")();
   MemberList *ml = seg.construct<MemberList>("intrusive list")();
   ItemSlist *sl = seg.construct<ItemSlist>("intrusive slist")();
   ItemMultiset *ms = seg.construct<ItemMultiset>("intrusive multiset")();
   ItemAvl *avl = seg.construct<ItemAvl>("intrusive avl_multiset")();
   ItemSg *sg = seg.construct<ItemSg>("intrusive sg_multiset")();
   ItemSplay *sp = seg.construct<ItemSplay>("intrusive splay_multiset")();
   ItemHashSet::bucket_type *buckets = seg.construct<ItemHashSet::bucket_type>("buckets")[bucket_count]();
   ItemHashSet *hs = seg.construct<ItemHashSet>("intrusive unordered_multiset")(
      ItemHashSet::bucket_traits(offset_ptr<ItemHashSet::bucket_type>(buckets), bucket_count));
   // The last item is left for the child to link.
   for (int i = 0; i < count; ++i) {
      bl->push_back(items[i]);
      ml->push_front(items[count - 1 - i]);
      sl->push_back(items[i]);
      ms->insert(items[i]);
      avl->insert(items[i]);
      sg->insert(items[i]);
      sp->insert(items[i]);
      hs->insert(items[i]);
   }
}

template <class C> static C &find_intrusive(managed_shared_memory &seg, const char *name) {
   C *c = seg.find<C>(name).first;
   if (!c) {
      std::fprintf(stderr, "%s not found\n", name);
      std::exit(1);
   }
   return *c;
}

template <class C> static void check_intrusive_seq(const C &c, bool with_mark, const char *name) {
   std::vector<int> got;
   for (const Item &i : c) {
      got.push_back(i.value);
   }
   check_equal(got, expected_sequence(with_mark), name);
}

template <class C> static void check_intrusive_sorted(const C &c, bool with_mark, const char *name) {
   CHECK(c.size() == static_cast<std::size_t>(count + (with_mark ? 1 : 0)));
   std::vector<int> got;
   for (const Item &i : c) {
      got.push_back(i.value);
   }
   check_equal(got, expected_assoc<std::multiset<int>>(with_mark), name);
}

static void check_intrusive(managed_shared_memory &seg, bool with_mark) {
   std::pair<Item *, std::size_t> items = seg.find<Item>("items");
   CHECK(items.first && items.second == static_cast<std::size_t>(count + 1));
   check_intrusive_seq(find_intrusive<BaseList>(seg, "intrusive list (base hook)"), with_mark, "intrusive list (base hook)");
   check_intrusive_seq(find_intrusive<MemberList>(seg, "intrusive list"), with_mark, "intrusive list");
   check_intrusive_seq(find_intrusive<ItemSlist>(seg, "intrusive slist"), with_mark, "intrusive slist");
   check_intrusive_sorted(find_intrusive<ItemMultiset>(seg, "intrusive multiset"), with_mark, "intrusive multiset");
   check_intrusive_sorted(find_intrusive<ItemAvl>(seg, "intrusive avl_multiset"), with_mark, "intrusive avl_multiset");
   check_intrusive_sorted(find_intrusive<ItemSg>(seg, "intrusive sg_multiset"), with_mark, "intrusive sg_multiset");
   check_intrusive_sorted(find_intrusive<ItemSplay>(seg, "intrusive splay_multiset"), with_mark, "intrusive splay_multiset");
   // Every element a container reaches is one of the items in the segment.
   for (const Item &i : find_intrusive<ItemMultiset>(seg, "intrusive multiset")) {
      CHECK(&i >= items.first && &i < items.first + items.second);
   }
   ItemHashSet &hs = find_intrusive<ItemHashSet>(seg, "intrusive unordered_multiset");
   CHECK(hs.size() == static_cast<std::size_t>(count + (with_mark ? 1 : 0)));
   std::multiset<int> got;
   for (const Item &i : hs) {
      got.insert(i.value);
   }
   check_equal(got, expected_assoc<std::multiset<int>>(with_mark), "intrusive unordered_multiset");
   for (int i = 0; i < count; ++i) {
      Item probe;
      probe.value = value_at(i);
      auto found = hs.find(probe);
      CHECK(found != hs.end() && found->value == value_at(i));
      CHECK(hs.count(probe) == got.count(value_at(i)));
   }
}

static void add_to_intrusive(managed_shared_memory &seg) {
   Item &last = seg.find<Item>("items").first[count];
   CHECK(last.value == child_mark);
   find_intrusive<BaseList>(seg, "intrusive list (base hook)").push_back(last);
   find_intrusive<MemberList>(seg, "intrusive list").push_back(last);
   find_intrusive<ItemSlist>(seg, "intrusive slist").push_back(last);
   find_intrusive<ItemMultiset>(seg, "intrusive multiset").insert(last);
   find_intrusive<ItemAvl>(seg, "intrusive avl_multiset").insert(last);
   find_intrusive<ItemSg>(seg, "intrusive sg_multiset").insert(last);
   find_intrusive<ItemSplay>(seg, "intrusive splay_multiset").insert(last);
   find_intrusive<ItemHashSet>(seg, "intrusive unordered_multiset").insert(last);
}

static void destroy_intrusive(managed_shared_memory &seg) {
   // The containers first: they unlink the items, whose hooks may then be destroyed.
   CHECK(seg.destroy<BaseList>("intrusive list (base hook)"));
   CHECK(seg.destroy<MemberList>("intrusive list"));
   CHECK(seg.destroy<ItemSlist>("intrusive slist"));
   CHECK(seg.destroy<ItemMultiset>("intrusive multiset"));
   CHECK(seg.destroy<ItemAvl>("intrusive avl_multiset"));
   CHECK(seg.destroy<ItemSg>("intrusive sg_multiset"));
   CHECK(seg.destroy<ItemSplay>("intrusive splay_multiset"));
   CHECK(seg.destroy<ItemHashSet>("intrusive unordered_multiset"));
   CHECK(seg.destroy<ItemHashSet::bucket_type>("buckets"));
   CHECK(seg.destroy<Item>("items"));
}

// ---------------------------------------------------------------------------------------

static int containers_visited = 0;

static int child(const char *name) {
   managed_shared_memory seg(open_only, name);
   every_container([&](auto c, const std::string &what) {
      typedef typename decltype(c)::container C;
      C *p = seg.find<C>(what.c_str()).first;
      if (!p) {
         std::fprintf(stderr, "child: %s not found\n", what.c_str());
         std::exit(1);
      }
      constexpr Shape shape = decltype(c)::shape;
      check_contents<shape>(*p, false, what.c_str());
      add_mark(*p, std::integral_constant<Shape, shape>());
      check_contents<shape>(*p, true, what.c_str());
      ++containers_visited;
   });
   check_strings(seg, false);
   add_to_strings(seg);
   check_strings(seg, true);
   check_intrusive(seg, false);
   add_to_intrusive(seg);
   check_intrusive(seg, true);
   std::printf("child: %d Boost.Container containers, strings and Boost.Intrusive containers checked\n", containers_visited);
   return 0;
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
   char buf[64];
   test_name(buf, sizeof buf, "boost_cont");
   shared_memory_object::remove(buf);
   remove_shared_memory_on_destroy cleanup(buf);
   managed_shared_memory seg(create_only, buf, 16 * 1024 * 1024);

   every_container([&](auto c, const std::string &what) {
      typedef typename decltype(c)::container C;
      typedef typename C::allocator_type A;
      C *p = seg.construct<C>(what.c_str())(A(seg.get_segment_manager()));
      constexpr Shape shape = decltype(c)::shape;
      fill(*p, std::integral_constant<Shape, shape>());
      check_contents<shape>(*p, false, what.c_str());
      ++containers_visited;
   });
   fill_strings(seg);
   check_strings(seg, false);
   fill_intrusive(seg);
   check_intrusive(seg, false);

   CHECK(run_child(argv[0], "read", buf) == 0);

   every_container([&](auto c, const std::string &what) {
      typedef typename decltype(c)::container C;
      C *p = seg.find<C>(what.c_str()).first;
      CHECK(p);
      check_contents<decltype(c)::shape>(*p, true, what.c_str());
      CHECK(seg.destroy<C>(what.c_str()));
   });
   check_strings(seg, true);
   destroy_strings(seg);
   check_intrusive(seg, true);
   destroy_intrusive(seg);
   CHECK(seg.get_num_named_objects() == 0);
   CHECK(seg.check_sanity());
   std::printf("cpp_boost_container_interplay: ok (%d Boost.Container containers, strings, 8 Boost.Intrusive containers)\n",
               containers_visited);
   return 0;
}

#endif
