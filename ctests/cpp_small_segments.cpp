// Managed segments of 1,000 bytes, as Boost's documented examples create them: shared
// memory, a mapped file, heap memory and an external buffer each hold a named object and a
// list that fills until bad_alloc, grow by 500 or 1,000 bytes, hold more afterwards, and
// shrink to fit below 1,000 bytes with their objects kept. The fixed overhead (size minus
// free memory of a fresh segment) is at most Boost's 224 bytes.
// Porting rule: this program also builds against Boost and prints the same.
#include <interproc/allocators/allocator.hpp>
#include <interproc/containers/list.hpp>
#include <interproc/managed_external_buffer.hpp>
#include <interproc/managed_heap_memory.hpp>
#include <interproc/managed_mapped_file.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <string>
#include <unistd.h>

namespace ipc = interproc;

struct small_thing {
   int a;
   long b;
};

// Fills `l` at its front until the segment has no room; the number of elements.
template <class List> static std::size_t fill(List &l) {
   try {
      for (;;) {
         l.push_front(7);
      }
   } catch (const ipc::bad_alloc &) {
   }
   return l.size();
}

template <class Segment> static void report_fresh(const char *what, Segment &seg) {
   const std::size_t overhead = seg.get_size() - seg.get_free_memory();
   std::printf("%s: size %zu, overhead at most 224: %d, sane: %d\n", what, seg.get_size(),
               int(overhead <= 224), int(seg.check_sanity()));
}

template <class Segment> static std::size_t list_in(Segment &seg, const char *name) {
   typedef ipc::allocator<int, typename Segment::segment_manager> alloc_t;
   typedef ipc::list<int, alloc_t> list_t;
   list_t *l = seg.template find_or_construct<list_t>(name)(seg.get_segment_manager());
   return fill(*l);
}

static void shared_memory(const std::string &name) {
   ipc::shared_memory_object::remove(name.c_str());
   {
      ipc::managed_shared_memory seg(ipc::create_only, name.c_str(), 1000);
      report_fresh("shared memory", seg);
      small_thing *t = seg.construct<small_thing>("thing")();
      t->a = 42;
   }
   ipc::managed_shared_memory::grow(name.c_str(), 500);
   {
      ipc::managed_shared_memory seg(ipc::open_only, name.c_str());
      small_thing *t = seg.find<small_thing>("thing").first;
      std::printf("shared memory grown: size %zu, thing %d\n", seg.get_size(), t ? t->a : -1);
   }
   ipc::managed_shared_memory::shrink_to_fit(name.c_str());
   {
      ipc::managed_shared_memory seg(ipc::open_only, name.c_str());
      small_thing *t = seg.find<small_thing>("thing").first;
      std::printf("shared memory shrunk: below 1000: %d, thing %d, sane: %d\n", int(seg.get_size() < 1000),
                  t ? t->a : -1, int(seg.check_sanity()));
   }
   ipc::shared_memory_object::remove(name.c_str());
}

static void mapped_file(const std::string &path) {
   ipc::file_mapping::remove(path.c_str());
   std::size_t first = 0;
   {
      ipc::managed_mapped_file seg(ipc::create_only, path.c_str(), 1000);
      report_fresh("mapped file", seg);
      first = list_in(seg, "list");
      std::printf("mapped file list: some elements: %d\n", int(first > 0));
   }
   ipc::managed_mapped_file::grow(path.c_str(), 1000);
   {
      ipc::managed_mapped_file seg(ipc::open_only, path.c_str());
      const std::size_t second = list_in(seg, "list");
      std::printf("mapped file grown: size %zu, more elements: %d, sane: %d\n", seg.get_size(),
                  int(second > first), int(seg.check_sanity()));
   }
   ipc::file_mapping::remove(path.c_str());
}

static void heap_memory() {
   ipc::managed_heap_memory seg(1000);
   report_fresh("heap memory", seg);
   typedef ipc::allocator<int, ipc::managed_heap_memory::segment_manager> alloc_t;
   typedef ipc::list<int, alloc_t> list_t;
   list_t *l = seg.construct<list_t>("list")(seg.get_segment_manager());
   const ipc::managed_heap_memory::handle_t h = seg.get_handle_from_address(l);
   const std::size_t first = fill(*l);
   seg.grow(1000);
   l = static_cast<list_t *>(seg.get_address_from_handle(h));
   const std::size_t second = fill(*l);
   std::printf("heap memory: some elements: %d, grown: size %zu, more elements: %d, sane: %d\n",
               int(first > 0), seg.get_size(), int(second > first), int(seg.check_sanity()));
}

static void external_buffer() {
   alignas(16) static char storage[1000];
   ipc::managed_external_buffer seg(ipc::create_only, storage, 1000);
   report_fresh("external buffer", seg);
   int *numbers = seg.construct<int>("numbers")[10](3);
   const int last = numbers[9];
   const std::size_t free_with = seg.get_free_memory();
   seg.destroy_ptr(numbers);
   std::printf("external buffer: array %d, free memory back: %d, all deallocated: %d\n", last,
               int(seg.get_free_memory() > free_with), int(seg.all_memory_deallocated()));
}

int main() {
   const std::string pid = std::to_string(static_cast<long>(getpid()));
   shared_memory("ctest_small_shm_" + pid);
   mapped_file("/tmp/ctest_small_file_" + pid);
   heap_memory();
   external_buffer();
   return 0;
}
