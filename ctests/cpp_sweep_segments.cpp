// A sweep of Boost's managed segments, one API at a time: the constructors and open modes
// of managed_shared_memory, managed_mapped_file, managed_heap_memory and
// managed_external_buffer; construct, construct_it, find_or_construct, find, destroy,
// destroy_ptr; the instance queries; the named and unique iterators; handles;
// atomic_func; reserve_*; grow and shrink_to_fit; zero_free_memory; swap; and the segment
// manager's own members.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/managed_external_buffer.hpp>
#include <interproc/managed_heap_memory.hpp>
#include <interproc/managed_mapped_file.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

using namespace interproc;

struct Point {
   int x, y;
   Point(int a = 0, int b = 0) : x(a), y(b) {}
};

static const char *yes(bool b) { return b ? "yes" : "no"; }

template <class Segment> static void objects(Segment &seg, const char *label) {
   std::printf("%s:\n", label);
   Point *p = seg.template construct<Point>("point")(1, 2);
   Point *arr = seg.template construct<Point>("points")[5](7, 8);
   const int xs[3] = {10, 20, 30};
   const int ys[3] = {11, 21, 31};
   Point *from_it = seg.template construct_it<Point>("from_iterators")[3](&xs[0], &ys[0]);
   int *u = seg.template construct<int>(unique_instance)(42);
   Point *anon = seg.template construct<Point>(anonymous_instance)(3, 4);
   std::printf("  construct: %d %d, array %d %d, construct_it %d %d, unique %d, anonymous %d\n", p->x, p->y, arr[4].x, arr[4].y,
               from_it[2].x, from_it[2].y, *u, anon->y);
   Point *again = seg.template find_or_construct<Point>("point")(9, 9);
   std::printf("  find_or_construct found the old one: %s\n", yes(again == p));
   std::pair<Point *, typename Segment::size_type> f = seg.template find<Point>("points");
   std::printf("  find: %s, count %u\n", yes(f.first == arr), unsigned(f.second));
   std::pair<int *, typename Segment::size_type> fu = seg.template find<int>(unique_instance);
   std::printf("  find unique: %d\n", *fu.first);
   std::printf("  find missing: %s\n", yes(seg.template find<Point>("missing").first == nullptr));
   try {
      seg.template construct<Point>("point")(0, 0);
      std::printf("  construct twice: no exception\n");
   } catch (const interprocess_exception &e) {
      std::printf("  construct twice: interprocess_exception, already_exists %s\n",
                  yes(e.get_error_code() == already_exists_error));
   }
   Point *nothrow = seg.template construct<Point>("point", std::nothrow)(0, 0);
   std::printf("  construct twice, nothrow: null %s\n", yes(nothrow == nullptr));
   std::printf("  instance name \"%s\", length %u, type named %s\n", Segment::get_instance_name(arr),
               unsigned(Segment::get_instance_length(arr)), yes(Segment::get_instance_type(arr) == named_type));
   std::printf("  unique type %s, anonymous type %s, anonymous name null %s\n", yes(Segment::get_instance_type(u) == unique_type),
               yes(Segment::get_instance_type(anon) == anonymous_type), yes(Segment::get_instance_name(anon) == nullptr));
   std::printf("  named %u, unique %u\n", unsigned(seg.get_num_named_objects()), unsigned(seg.get_num_unique_objects()));
   std::vector<std::string> names;
   for (auto it = seg.named_begin(); it != seg.named_end(); ++it) {
      names.push_back(std::string(it->name(), it->name_length()));
   }
   std::sort(names.begin(), names.end());
   std::printf("  named iterator:");
   for (const std::string &n : names) {
      std::printf(" %s", n.c_str());
   }
   std::printf("\n");
   unsigned uniques = 0;
   for (auto it = seg.unique_begin(); it != seg.unique_end(); ++it) {
      ++uniques;
      std::printf("  unique iterator: value %d\n", *static_cast<const int *>(it->value()));
   }
   std::printf("  unique objects walked: %u\n", uniques);
   typename Segment::handle_t h = seg.get_handle_from_address(arr);
   std::printf("  handle round trip: %s, belongs_to_segment %s\n", yes(seg.get_address_from_handle(h) == arr),
               yes(seg.belongs_to_segment(arr)));
   int calls = 0;
   auto count_call = [&calls]() { ++calls; };
   seg.atomic_func(count_call);
   const bool tried = seg.try_atomic_func(count_call);
   std::printf("  atomic_func ran: %d, try_atomic_func ran: %s\n", calls, yes(tried && calls == 2));
   std::printf("  find_no_lock: %s\n", yes(seg.template find_no_lock<Point>("points").first == arr));
   const bool destroyed = seg.template destroy<Point>("point");
   const bool destroyed_again = seg.template destroy<Point>("point");
   std::printf("  destroy: %s, again %s\n", yes(destroyed), yes(destroyed_again));
   seg.template destroy<Point>("points");
   seg.template destroy<Point>("from_iterators");
   seg.template destroy<int>(unique_instance);
   seg.destroy_ptr(anon);
   std::printf("  after destroy: named %u, unique %u, all deallocated %s\n", unsigned(seg.get_num_named_objects()),
               unsigned(seg.get_num_unique_objects()), yes(seg.all_memory_deallocated()));
   void *raw = seg.allocate(100);
   void *aligned = seg.allocate_aligned(100, 256);
   std::printf("  allocate: %s, aligned 256: %s, nothrow too big null: %s\n", yes(raw != nullptr),
               yes(reinterpret_cast<std::size_t>(aligned) % 256 == 0),
               yes(seg.allocate(seg.get_size() * 2, std::nothrow) == nullptr));
   try {
      seg.allocate(seg.get_size() * 2);
   } catch (const bad_alloc &) {
      std::printf("  allocate too big: bad_alloc\n");
   }
   seg.deallocate(raw);
   seg.deallocate(aligned);
   seg.reserve_named_objects(10);
   seg.reserve_unique_objects(10);
   seg.shrink_to_fit_indexes();
   seg.zero_free_memory();
   std::printf("  sane %s, all deallocated %s, free <= size %s, min size > 0 %s\n", yes(seg.check_sanity()),
               yes(seg.all_memory_deallocated()), yes(seg.get_free_memory() <= seg.get_size()),
               yes(seg.get_segment_manager()->get_min_size() > 0));
   typename Segment::segment_manager *mgr = seg.get_segment_manager();
   Point *mp = mgr->template construct<Point>("by_manager")(5, 6);
   // (Boost's manager of a shared memory or file segment reports its size less the header
   // in front of it, interproc's the whole size: the sizes are not compared.)
   std::printf("  segment manager: construct %d, find %s, size > 0 %s, named %u\n", mp->y,
               yes(mgr->template find<Point>("by_manager").first == mp), yes(mgr->get_size() > 0),
               unsigned(mgr->get_num_named_objects()));
   mgr->template destroy<Point>("by_manager");
}

int main() {
   char name[64];
   test_name(name, sizeof name, "sweep_seg");
   const std::string file = std::string("/tmp/") + name + ".file";
   shared_memory_object::remove(name);
   file_mapping::remove(file.c_str());
   {
      managed_shared_memory seg(create_only, name, 65536);
      objects(seg, "managed_shared_memory");
      seg.construct<int>("kept")(5);
   }
   {
      managed_shared_memory seg(open_only, name);
      std::printf("open_only: kept %d\n", *seg.find<int>("kept").first);
      managed_shared_memory ro(open_read_only, name);
      std::printf("open_read_only: kept %d\n", *ro.find<int>("kept").first);
      managed_shared_memory cow(open_copy_on_write, name);
      *cow.find<int>("kept").first = 99;
      std::printf("open_copy_on_write: private change %d, shared value %d\n", *cow.find<int>("kept").first,
                  *seg.find<int>("kept").first);
      managed_shared_memory both(open_or_create, name, 65536);
      std::printf("open_or_create opened: kept %d\n", *both.find<int>("kept").first);
      managed_shared_memory moved(std::move(both));
      managed_shared_memory other;
      other.swap(moved);
      std::printf("move and swap: kept %d\n", *other.find<int>("kept").first);
   }
   try {
      managed_shared_memory seg(create_only, name, 65536);
   } catch (const interprocess_exception &e) {
      std::printf("create_only on an existing name: already_exists %s\n", yes(e.get_error_code() == already_exists_error));
   }
   {
      const managed_shared_memory::size_type before = managed_shared_memory(open_only, name).get_size();
      std::printf("grow: %s\n", yes(managed_shared_memory::grow(name, 65536)));
      managed_shared_memory seg(open_only, name);
      std::printf("grown by 65536: %s, kept %d\n", yes(seg.get_size() == before + 65536), *seg.find<int>("kept").first);
   }
   std::printf("shrink_to_fit: %s\n", yes(managed_shared_memory::shrink_to_fit(name)));
   {
      managed_shared_memory seg(open_only, name);
      std::printf("after shrink_to_fit: kept %d, sane %s\n", *seg.find<int>("kept").first, yes(seg.check_sanity()));
   }
   std::printf("remove: %s\n", yes(shared_memory_object::remove(name)));
   try {
      managed_shared_memory seg(open_only, name);
   } catch (const interprocess_exception &e) {
      std::printf("open_only on a removed name: not_found %s\n", yes(e.get_error_code() == not_found_error));
   }

   {
      managed_mapped_file mf(create_only, file.c_str(), 65536);
      objects(mf, "managed_mapped_file");
      mf.construct<int>("kept")(6);
      std::printf("flush: %s\n", yes(mf.flush()));
   }
   {
      managed_mapped_file mf(open_only, file.c_str());
      std::printf("managed_mapped_file reopened: kept %d\n", *mf.find<int>("kept").first);
   }
   file_mapping::remove(file.c_str());

   {
      managed_heap_memory heap(65536);
      objects(heap, "managed_heap_memory");
      heap.construct<int>("kept")(7);
      std::printf("heap grow: %s, kept %d\n", yes(heap.grow(4096)), *heap.find<int>("kept").first);
   }
   {
      static char buffer[65536];
      managed_external_buffer ext(create_only, buffer, sizeof buffer);
      objects(ext, "managed_external_buffer");
      ext.construct<int>("kept")(8);
      managed_external_buffer again(open_only, buffer, sizeof buffer);
      std::printf("external buffer reopened: kept %d\n", *again.find<int>("kept").first);
   }
   std::printf("done\n");
   return 0;
}
