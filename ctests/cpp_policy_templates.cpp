// The policy templates of the managed segments, as public code writes them: a segment
// with a 32-bit offset_ptr void pointer and the null mutex family, one with simple_seq_fit
// and null_index (allocation and anonymous objects only), one whose allocators hold raw
// pointers, one whose every allocation is 64-byte aligned, and every index policy. The
// default types are these templates; the typedefs programs read are there.
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/allocators/allocator.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/indexes/flat_map_index.hpp>
#include <interproc/indexes/iset_index.hpp>
#include <interproc/indexes/iunordered_set_index.hpp>
#include <interproc/indexes/map_index.hpp>
#include <interproc/indexes/null_index.hpp>
#include <interproc/indexes/unordered_map_index.hpp>
#include <interproc/managed_external_buffer.hpp>
#include <interproc/managed_heap_memory.hpp>
#include <interproc/managed_mapped_file.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/mem_algo/rbtree_best_fit.hpp>
#include <interproc/mem_algo/simple_seq_fit.hpp>
#include <interproc/offset_ptr.hpp>
#include <interproc/sync/mutex_family.hpp>

#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <type_traits>

namespace bip = interproc;

using shm_t = bip::basic_managed_shared_memory<
   char, bip::rbtree_best_fit<bip::null_mutex_family, bip::offset_ptr<void, std::int32_t, std::uint64_t>>, bip::iset_index>;
using seq_t = bip::basic_managed_shared_memory<char, bip::simple_seq_fit<bip::mutex_family>, bip::null_index>;
using fixed_t = bip::basic_managed_shared_memory<char, bip::rbtree_best_fit<bip::mutex_family, void *>, bip::iset_index>;
using aligned_t = bip::basic_managed_shared_memory<char, bip::rbtree_best_fit<bip::mutex_family, bip::offset_ptr<void>, 64>,
                                                   bip::iset_index>;

// The default types are the templates with Boost's default policies.
static_assert(std::is_same<bip::managed_shared_memory,
                           bip::basic_managed_shared_memory<char, bip::rbtree_best_fit<bip::mutex_family>, bip::iset_index>>::value,
              "managed_shared_memory");
static_assert(std::is_same<bip::managed_heap_memory,
                           bip::basic_managed_heap_memory<char, bip::rbtree_best_fit<bip::null_mutex_family>, bip::iset_index>>::value,
              "managed_heap_memory");
static_assert(std::is_same<bip::managed_mapped_file,
                           bip::basic_managed_mapped_file<char, bip::rbtree_best_fit<bip::mutex_family>, bip::iset_index>>::value,
              "managed_mapped_file");
static_assert(std::is_same<bip::managed_external_buffer, bip::basic_managed_external_buffer<
                                                            char, bip::rbtree_best_fit<bip::null_mutex_family>, bip::iset_index>>::value,
              "managed_external_buffer");

// The typedefs programs read.
static_assert(std::is_same<shm_t::segment_manager,
                           bip::segment_manager<char,
                                                bip::rbtree_best_fit<bip::null_mutex_family, bip::offset_ptr<void, std::int32_t, std::uint64_t>>,
                                                bip::iset_index>>::value,
              "segment_manager is a template");
static_assert(std::is_same<shm_t::memory_algorithm, shm_t::segment_manager::memory_algorithm>::value, "memory_algorithm");
static_assert(std::is_same<shm_t::segment_manager::mutex_family, bip::null_mutex_family>::value, "mutex_family");
static_assert(std::is_same<seq_t::segment_manager::mutex_family, bip::mutex_family>::value, "mutex_family");
static_assert(std::is_same<shm_t::segment_manager::void_pointer, bip::offset_ptr<void, std::int32_t, std::uint64_t>>::value,
              "void_pointer");
static_assert(std::is_same<fixed_t::segment_manager::void_pointer, void *>::value, "void_pointer");
static_assert(std::is_same<shm_t::char_type, char>::value, "char_type");

// The allocators' pointers are the void pointer rebound.
typedef bip::allocator<int, shm_t::segment_manager> shm_int_alloc;
typedef bip::allocator<int, fixed_t::segment_manager> fixed_int_alloc;
static_assert(std::is_same<shm_int_alloc::pointer, bip::offset_ptr<int, std::int32_t, std::uint64_t>>::value, "offset_ptr form");
static_assert(std::is_same<fixed_int_alloc::pointer, int *>::value, "raw pointer");

template <class Segment> void fill_vector(Segment &segment, const char *label) {
   typedef bip::allocator<int, typename Segment::segment_manager> alloc_t;
   typedef bip::vector<int, alloc_t> vec_t;
   vec_t *v = segment.template construct<vec_t>("numbers")(segment.get_segment_manager());
   for (int i = 1; i <= 100; ++i) {
      v->push_back(i);
   }
   std::pair<vec_t *, typename Segment::size_type> found = segment.template find<vec_t>("numbers");
   CHECK(found.first == v);
   std::printf("%s: %zu numbers, sum %d, pointer size %zu\n", label, static_cast<std::size_t>(found.first->size()),
               std::accumulate(found.first->begin(), found.first->end(), 0),
               sizeof(typename alloc_t::pointer));
   segment.template destroy<vec_t>("numbers");
}

template <template <class> class Index> void named_object_with_index(const char *label) {
   bip::basic_managed_heap_memory<char, bip::rbtree_best_fit<bip::null_mutex_family>, Index> heap(65536);
   int *a = heap.template construct<int>("a")(7);
   int *b = heap.template find_or_construct<int>("b")(8);
   CHECK(heap.template find<int>("a").first == a);
   std::printf("%s: %d %d, %zu named\n", label, *a, *b, static_cast<std::size_t>(heap.get_num_named_objects()));
   CHECK(heap.template destroy<int>("a"));
   CHECK(heap.template destroy<int>("b"));
   CHECK(heap.get_num_named_objects() == 0);
}

int main() {
   char name[64];

   // A 32-bit offset_ptr as the void pointer, the null mutex family, iset_index.
   test_name(name, sizeof name, "policy_shm");
   bip::shared_memory_object::remove(name);
   {
      shm_t shm(bip::create_only, name, 65536);
      std::printf("shm_t: size_type is %zu bytes\n", sizeof(shm_t::size_type));
      fill_vector(shm, "shm_t");
      CHECK(shm.all_memory_deallocated());
   }
   bip::shared_memory_object::remove(name);

   // simple_seq_fit with null_index: raw allocation only (naming an object does not
   // compile, as in Boost).
   {
      seq_t seq(bip::create_only, name, 65536);
      const std::size_t free_before = seq.get_free_memory();
      void *p = seq.allocate(100);
      void *q = seq.allocate(1000, std::nothrow);
      CHECK(seq.belongs_to_segment(p) && q != nullptr);
      CHECK(seq.get_free_memory() < free_before);
      seq.deallocate(p);
      seq.deallocate(q);
      CHECK(seq.all_memory_deallocated());
      std::printf("seq_t: free memory back: %s\n", seq.get_free_memory() == free_before ? "yes" : "no");
   }
   bip::shared_memory_object::remove(name);

   // Raw pointers as the void pointer: the allocators hand out int *.
   {
      fixed_t fixed(bip::create_only, name, 65536);
      fill_vector(fixed, "fixed_t");
      CHECK(fixed.all_memory_deallocated());
   }
   bip::shared_memory_object::remove(name);

   // MemAlignment: every allocation is aligned to it.
   {
      aligned_t heap(bip::create_only, name, 65536);
      std::printf("aligned_t: Alignment %zu, default Alignment %zu\n", static_cast<std::size_t>(aligned_t::memory_algorithm::Alignment),
                  static_cast<std::size_t>(bip::managed_shared_memory::memory_algorithm::Alignment));
      bool all_aligned = true;
      void *blocks[20];
      for (int i = 0; i < 20; ++i) {
         blocks[i] = heap.allocate(static_cast<std::size_t>(1 + i * 13));
         all_aligned = all_aligned && reinterpret_cast<std::uintptr_t>(blocks[i]) % 64 == 0;
      }
      long *l = heap.construct<long>("long")(5L);
      all_aligned = all_aligned && reinterpret_cast<std::uintptr_t>(l) % alignof(long) == 0;
      std::printf("aligned_t: every allocation 64-aligned: %s\n", all_aligned ? "yes" : "no");
      for (void *b : blocks) {
         heap.deallocate(b);
      }
      heap.destroy_ptr(l);
      CHECK(heap.all_memory_deallocated());
   }
   bip::shared_memory_object::remove(name);

   // PayloadPerAllocation is the bookkeeping of one allocation; some is always kept.
   CHECK(shm_t::PayloadPerAllocation > 0);
   CHECK(seq_t::segment_manager::PayloadPerAllocation > 0);

   // Every index policy but null_index keeps named objects.
   named_object_with_index<bip::iset_index>("iset_index");
   named_object_with_index<bip::iunordered_set_index>("iunordered_set_index");
   named_object_with_index<bip::flat_map_index>("flat_map_index");
   named_object_with_index<bip::map_index>("map_index");
   // (Boost 1.74's unordered_map_index does not compile with Boost.Unordered 1.74, so this
   // program leaves it out.)

   // An external buffer with simple_seq_fit.
   {
      static char buffer[65536];
      bip::basic_managed_external_buffer<char, bip::simple_seq_fit<bip::null_mutex_family>, bip::iset_index> ext(
         bip::create_only, buffer, sizeof buffer);
      int *x = ext.construct<int>("x")(42);
      std::printf("external simple_seq_fit: %d\n", *ext.find<int>("x").first);
      ext.destroy_ptr(x);
   }
   std::printf("done\n");
   return 0;
}
