// Managed segments through the C++ wrapper with Boost's names: construct/find/destroy in
// all their forms, exceptions from constructors, bad_alloc, instance queries, iteration,
// atomic_func, allocators, every managed class, and processes counting under the lock.
#include "child.hpp"
#include <interproc/managed_external_buffer.hpp>
#include <interproc/managed_heap_memory.hpp>
#include <interproc/managed_mapped_file.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/managed_xsi_shared_memory.hpp>

#include <cstdio>
#include <cstring>
#include <cwchar>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

using namespace interproc;

static_assert(!std::is_copy_constructible_v<managed_shared_memory>);
static_assert(std::is_nothrow_move_constructible_v<managed_shared_memory>);
static_assert(std::is_same_v<managed_shared_memory::segment_manager,
                             segment_manager<char, rbtree_best_fit<mutex_family>, iset_index>>);
static_assert(std::is_same_v<managed_mapped_file::segment_manager, managed_shared_memory::segment_manager>);
static_assert(std::is_same_v<managed_heap_memory::segment_manager, managed_external_buffer::segment_manager>);

static int live_widgets = 0;

struct Widget {
   int a;
   std::string tag;
   Widget(int x, const char *t) : a(x), tag(t) {
      if (x < 0) {
         throw std::runtime_error("negative widget");
      }
      ++live_widgets;
   }
   ~Widget() { --live_widgets; }
};

struct Aligned {
   alignas(64) char data[64];
};

static std::string name_for(const char *tag) {
   char buf[64];
   test_name(buf, sizeof buf, tag);
   return buf;
}

static void tour() {
   const std::string name = name_for("cpp_mng");
   shared_memory_object::remove(name.c_str());
   remove_shared_memory_on_destroy cleanup(name.c_str());
   managed_shared_memory segment(create_only, name.c_str(), 1 << 20);
   CHECK(segment.created());
   CHECK(segment.get_size() == 1 << 20);
   const auto free0 = segment.get_free_memory();

   // Named, array, construct_it, unique, anonymous.
   int *answer = segment.construct<int>("answer")(42);
   CHECK(*answer == 42);
   int *zeroed = segment.construct<int>("zeroed")();
   CHECK(*zeroed == 0);
   Widget *w = segment.construct<Widget>("widgets")[3](7, "w");
   CHECK(live_widgets == 3 && w[2].a == 7 && w[2].tag == "w");
   int xs[4] = {1, 2, 3, 4};
   const char *tags[4] = {"a", "b", "c", "d"};
   Widget *wi = segment.construct_it<Widget>("widgets_it")[4](&xs[0], &tags[0]);
   CHECK(wi[3].a == 4 && wi[3].tag == "d" && live_widgets == 7);
   Widget *u = segment.construct<Widget>(unique_instance)(5, "unique");
   Widget *anon = segment.construct<Widget>(anonymous_instance)(6, "anon");
   Aligned *al = segment.construct<Aligned>("aligned")();
   CHECK(reinterpret_cast<std::uintptr_t>(al) % 64 == 0);
   CHECK(segment.get_num_named_objects() == 5);
   CHECK(segment.get_num_unique_objects() == 1);

   // find and find_or_construct.
   std::pair<Widget *, managed_shared_memory::size_type> res = segment.find<Widget>("widgets");
   CHECK(res.first == w && res.second == 3);
   CHECK(segment.find<Widget>(unique_instance).first == u);
   CHECK(segment.find<int>("missing").first == nullptr && segment.find<int>("missing").second == 0);
   CHECK(segment.find_or_construct<int>("answer")(0) == answer && *answer == 42);
   int *made = segment.find_or_construct<int>("made")(9);
   CHECK(*made == 9);
   try {
      segment.find<double>("widgets");
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == invalid_argument);
   }

   // Instance queries (static, as in Boost).
   CHECK(std::string(managed_shared_memory::get_instance_name(w)) == "widgets");
   CHECK(managed_shared_memory::get_instance_length(w) == 3);
   CHECK(managed_shared_memory::get_instance_type(w) == named_type);
   CHECK(managed_shared_memory::get_instance_type(u) == unique_type);
   CHECK(managed_shared_memory::get_instance_type(anon) == anonymous_type);
   CHECK(managed_shared_memory::get_instance_name(anon) == nullptr);
   CHECK(std::string(managed_shared_memory::get_instance_name(u)) == typeid(Widget).name());

   // Iteration.
   std::set<std::string> names;
   for (auto it = segment.named_begin(); it != segment.named_end(); ++it) {
      names.insert(std::string(it->name(), it->name_length()));
   }
   CHECK((names == std::set<std::string>{"answer", "zeroed", "widgets", "widgets_it", "aligned", "made"}));
   int uniques = 0;
   for (auto it = segment.unique_begin(); it != segment.unique_end(); ++it) {
      CHECK(it->value() == u);
      ++uniques;
   }
   CHECK(uniques == 1);

   // Errors: duplicate name, constructor throws, segment full, nothrow forms.
   try {
      segment.construct<int>("answer")(1);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == already_exists_error);
   }
   CHECK(segment.construct<int>("answer", std::nothrow)(1) == nullptr);
   const auto before = segment.get_free_memory();
   const int widgets_before = live_widgets;
   try {
      int args[3] = {1, -1, 3};
      const char *t3[3] = {"x", "y", "z"};
      segment.construct_it<Widget>("bad")[3](&args[0], &t3[0]);
      CHECK(false);
   } catch (const std::runtime_error &e) {
      CHECK(std::string(e.what()) == "negative widget");
   }
   CHECK(live_widgets == widgets_before);
   CHECK(segment.get_free_memory() == before);
   CHECK(segment.find<Widget>("bad").first == nullptr);
   try {
      segment.allocate(2 << 20);
      CHECK(false);
   } catch (const bad_alloc &e) {
      CHECK(e.get_error_code() == out_of_memory_error);
   }
   try {
      segment.construct<char>("huge")[2 << 20]();
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == out_of_memory_error);
   }
   CHECK(segment.allocate(2 << 20, std::nothrow) == nullptr);
   CHECK(segment.construct<char>("huge", std::nothrow)[2 << 20]() == nullptr);
   CHECK(segment.get_free_memory() == before);
   CHECK(segment.check_sanity());

   // Raw allocation, handles, deallocation of a bad pointer.
   void *raw = segment.allocate(100);
   managed_shared_memory::handle_t h = segment.get_handle_from_address(raw);
   CHECK(segment.get_address_from_handle(h) == raw);
   CHECK(segment.belongs_to_segment(raw) && !segment.belongs_to_segment(&h));
   try {
      segment.deallocate(static_cast<char *>(raw) + 8);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == invalid_argument);
   }
   segment.deallocate(raw);
   void *aligned = segment.allocate_aligned(10, 1024);
   CHECK(reinterpret_cast<std::uintptr_t>(aligned) % 1024 == 0);
   segment.deallocate(aligned);

   // atomic_func and an allocator.
   int calls = 0;
   auto bump = [&] { ++calls; };
   segment.atomic_func(bump);
   CHECK(segment.try_atomic_func(bump));
   CHECK(calls == 2);
   allocator<int, managed_shared_memory::segment_manager> alloc = segment.get_allocator<int>();
   CHECK(alloc.get_segment_manager() == segment.get_segment_manager());
   offset_ptr<int> block = alloc.allocate(10);
   block[9] = 5;
   CHECK(segment.belongs_to_segment(block.get()));
   alloc.deallocate(block, 10);
   allocator<double, managed_shared_memory::segment_manager> other(alloc);
   CHECK(other == alloc);

   // destroy and destroy_ptr run destructors.
   CHECK(segment.destroy<Widget>("widgets"));
   CHECK(!segment.destroy<Widget>("widgets"));
   CHECK(segment.destroy<Widget>(unique_instance));
   segment.destroy_ptr(anon);
   segment.destroy_ptr(wi);
   CHECK(live_widgets == 0);
   CHECK(segment.destroy<int>("answer") && segment.destroy<int>("zeroed") && segment.destroy<int>("made"));
   CHECK(segment.destroy<Aligned>("aligned"));
   CHECK(segment.get_num_named_objects() == 0);
   CHECK(segment.all_memory_deallocated());
   CHECK(segment.get_free_memory() <= free0 && free0 - segment.get_free_memory() < 1024);
   segment.zero_free_memory();
   CHECK(segment.check_sanity());

   // Read-only opening: find works, construction throws mode_error.
   segment.construct<int>("ro")(3);
   managed_shared_memory ro(open_read_only, name.c_str());
   CHECK(*ro.find<int>("ro").first == 3);
   try {
      ro.construct<int>("new")(1);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == mode_error);
   }

   // Move and swap.
   managed_shared_memory moved(std::move(segment));
   CHECK(moved.get_segment_manager() != nullptr && segment.get_segment_manager() == nullptr);
   try {
      segment.get_size();
      CHECK(false);
   } catch (const interprocess_exception &) {
   }
}

static void other_classes() {
   const std::string path = "/tmp/" + name_for("cpp_mfile");
   file_mapping::remove(path.c_str());
   {
      managed_mapped_file f(create_only, path.c_str(), 65536);
      f.construct<long>("persist")(1234);
      CHECK(f.flush());
   }
   CHECK(managed_mapped_file::grow(path.c_str(), 65536));
   {
      managed_mapped_file f(open_only, path.c_str());
      CHECK(f.get_size() == 131072 && *f.find<long>("persist").first == 1234);
   }
   CHECK(managed_mapped_file::shrink_to_fit(path.c_str()));
   {
      managed_mapped_file f(open_or_create, path.c_str(), 65536);
      CHECK(!f.created() && *f.find<long>("persist").first == 1234);
   }
   file_mapping::remove(path.c_str());

   managed_heap_memory heap(65536);
   long *v = heap.construct<long>("v")(77);
   auto handle = heap.get_handle_from_address(v);
   CHECK(heap.grow(65536));
   CHECK(heap.get_size() == 131072);
   CHECK(*static_cast<long *>(heap.get_address_from_handle(handle)) == 77);

   alignas(16) static unsigned char buf[65536];
   {
      managed_external_buffer ext(create_only, buf, sizeof buf);
      ext.construct<int>("e")(5);
   }
   managed_external_buffer ext(open_only, buf, sizeof buf);
   CHECK(*ext.find<int>("e").first == 5);

   managed_xsi_shared_memory xsi(create_only, xsi_key(), 65536, nullptr, permissions(0600));
   CHECK(*xsi.construct<int>("x")(8) == 8);
   CHECK(managed_xsi_shared_memory::remove(xsi.get_shmid()));

   try {
      int anchor = 0;
      managed_shared_memory fixed(create_only, "ipctest_never_created", 65536, &anchor);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == invalid_argument);
   }
   CHECK(!shared_memory_object::remove("ipctest_never_created"));
}

struct Counter {
   long value;
};

static int child(const char *name) {
   managed_shared_memory segment(open_or_create, name, 65536);
   Counter *c = segment.find_or_construct<Counter>("counter")(Counter{0});
   for (int i = 0; i < 2000; ++i) {
      auto inc = [&] { c->value = c->value + 1; };
      segment.atomic_func(inc);
   }
   return 0;
}

static void processes(const char *self) {
   const std::string name = name_for("cpp_mng_mp");
   shared_memory_object::remove(name.c_str());
   remove_shared_memory_on_destroy cleanup(name.c_str());
   enum { N = 4 };
   pid_t pids[N];
   for (int i = 0; i < N; ++i) {
      pids[i] = spawn_child(self, "count", name.c_str());
      CHECK(pids[i] > 0);
   }
   for (int i = 0; i < N; ++i) {
      CHECK(wait_bounded(pids[i], 60) == 0);
   }
   managed_shared_memory segment(open_only, name.c_str());
   CHECK(segment.find<Counter>("counter").first->value == N * 2000);
   CHECK(segment.get_num_named_objects() == 1);
}

int main(int argc, char **argv) {
   if (is_child(argc, argv)) {
      return as_child(argv, child, 3);
   }
   tour();
   other_classes();
   processes(argv[0]);
   std::printf("cpp_managed: ok\n");
   // allocation_command's zero_memory zeroes what it hands out.
   {
      managed_heap_memory heap(65536);
      void *dirty = heap.allocate(512);
      std::memset(dirty, 0xff, 512);
      heap.deallocate(dirty);
      managed_heap_memory::size_type received = 512;
      char *reuse = nullptr;
      char *z = heap.allocation_command<char>(allocate_new | zero_memory, 512, received, reuse);
      for (managed_heap_memory::size_type i = 0; i < received; ++i) {
         CHECK(z[i] == 0);
      }
      heap.deallocate(z);
   }
   // A wide and a narrow view of one segment: L"same" and "same" are two objects, and each
   // view iterates its own names.
   {
      char wname[64];
      test_name(wname, sizeof wname, "cpp_wide_narrow");
      shared_memory_object::remove(wname);
      managed_shared_memory narrow(create_only, wname, 65536);
      wmanaged_shared_memory wide(open_only, wname);
      int *n = narrow.construct<int>("same")(1);
      int *w = wide.construct<int>(L"same")(2);
      CHECK(n != w && *narrow.find<int>("same").first == 1 && *wide.find<int>(L"same").first == 2);
      std::size_t narrow_names = 0, wide_names = 0;
      for (auto it = narrow.named_begin(); it != narrow.named_end(); ++it) {
         CHECK(std::strcmp(it->name(), "same") == 0);
         ++narrow_names;
      }
      for (auto it = wide.named_begin(); it != wide.named_end(); ++it) {
         CHECK(std::wcscmp(it->name(), L"same") == 0);
         ++wide_names;
      }
      CHECK(narrow_names == 1 && wide_names == 1);
      CHECK(std::wcscmp(wmanaged_shared_memory::get_instance_name(w), L"same") == 0);
      CHECK(narrow.destroy<int>("same") && wide.destroy<int>(L"same"));
      shared_memory_object::remove(wname);
   }
   return 0;
}
