// vector and basic_string against std::vector and std::string under long random sequences
// of operations (fixed seeds), with std::allocator; and a vector in a segment that grows
// in place when free memory follows its block.
#include "containers_twin.h"

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

int main() {
   vector_with_std_allocator();
   string_with_std_allocator();
   vector_grows_in_place();
   std::printf("cpp_containers_vector: ok\n");
   return 0;
}
