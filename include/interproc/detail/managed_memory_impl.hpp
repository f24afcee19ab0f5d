// interproc C++ wrapper: the members every managed segment shares (Boost's
// basic_managed_memory_impl). Not for direct use.
#ifndef INTERPROC_DETAIL_MANAGED_MEMORY_IMPL_HPP
#define INTERPROC_DETAIL_MANAGED_MEMORY_IMPL_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/indexes/iset_index.hpp>
#include <interproc/interprocess_fwd.hpp>
#include <interproc/mem_algo/rbtree_best_fit.hpp>
#include <interproc/permissions.hpp>
#include <interproc/segment_manager.hpp>
#include <interproc/sync/mutex_family.hpp>

namespace interproc {
namespace detail {

/// Throws if a managed segment constructor was asked for a fixed address (not supported).
inline void no_fixed_address(const void *addr) {
   if (addr != nullptr) {
      throw interprocess_exception(error_info(invalid_argument),
                                   "mapping a managed segment at a fixed address is not supported by interproc");
   }
}

/// The common part of basic_managed_shared_memory, basic_managed_mapped_file,
/// basic_managed_heap_memory, basic_managed_external_buffer and
/// basic_managed_xsi_shared_memory (Boost's basic_managed_memory_impl). Movable, not
/// copyable.
template <class CharType, class MemoryAlgorithm, template <class IndexConfig> class IndexType> class managed_memory_impl {
public:
   typedef interproc::segment_manager<CharType, MemoryAlgorithm, IndexType> segment_manager;
   typedef MemoryAlgorithm memory_algorithm;
   typedef typename MemoryAlgorithm::mutex_family mutex_family;
   typedef typename segment_manager::void_pointer void_pointer;
   typedef typename segment_manager::multiallocation_chain multiallocation_chain;
   typedef typename segment_manager::size_type size_type;
   typedef typename segment_manager::difference_type difference_type;
   typedef difference_type handle_t;
   typedef CharType char_type;
   typedef CharType char_t;
   typedef typename segment_manager::const_named_iterator const_named_iterator;
   typedef typename segment_manager::const_unique_iterator const_unique_iterator;
   /// Bytes of bookkeeping per allocation.
   static const size_type PayloadPerAllocation = segment_manager::PayloadPerAllocation;
   /// The allocator type for T in this segment.
   template <class T> struct allocator {
      typedef interproc::allocator<T, segment_manager> type;
   };
   /// The deleter type for T in this segment.
   template <class T> struct deleter {
      typedef interproc::deleter<T, segment_manager> type;
   };

   managed_memory_impl(const managed_memory_impl &) = delete;
   managed_memory_impl &operator=(const managed_memory_impl &) = delete;

   /// The segment manager (its in-segment address); null for an empty object.
   segment_manager *get_segment_manager() const noexcept { return m_mgr; }
   /// The segment's base address in this process.
   void *get_address() const noexcept { return ::interproc_managed_address(m_handle); }
   /// The segment size in bytes.
   size_type get_size() const { return mgr()->get_size(); }
   /// The size the segment may grow to while mapped (its size if it has no maximum).
   size_type get_max_size() const { return mgr()->get_max_size(); }
   /// How many times the segment has grown while mapped.
   std::uint32_t get_generation() const { return mgr()->get_generation(); }
   /// Bytes available for allocation.
   size_type get_free_memory() const { return mgr()->get_free_memory(); }
   /// Whether every allocation and object has been given back.
   bool all_memory_deallocated() { return mgr()->all_memory_deallocated(); }
   /// Whether the segment's structures are consistent.
   bool check_sanity() { return mgr()->check_sanity(); }
   /// Zeroes the free memory.
   void zero_free_memory() { mgr()->zero_free_memory(); }
   /// Whether `ptr` points into the segment.
   bool belongs_to_segment(const void *ptr) const { return mgr()->belongs_to_segment(ptr); }
   /// Whether this object created the segment (false when it opened an existing one).
   bool created() const noexcept { return ::interproc_managed_created(m_handle); }

   /// The handle of an address in the segment: valid in every process that maps it.
   handle_t get_handle_from_address(const void *ptr) const {
      std::uint64_t h = 0;
      check(::interproc_segment_handle_from_address(mgr()->native(), ptr, &h));
      return static_cast<handle_t>(h);
   }
   /// The address in this process of a handle.
   void *get_address_from_handle(handle_t offset) const {
      void *p = nullptr;
      check(::interproc_segment_address_from_handle(mgr()->native(), static_cast<std::uint64_t>(offset), &p));
      return p;
   }

   /// Allocates `nbytes`; throws `bad_alloc` when the segment is full.
   void *allocate(size_type nbytes) { return mgr()->allocate(nbytes); }
   /// Allocates `nbytes`; null when the segment is full.
   void *allocate(size_type nbytes, const std::nothrow_t &tag) noexcept { return mgr()->allocate(nbytes, tag); }
   /// Allocates `nbytes` aligned to `alignment`; throws `bad_alloc`.
   void *allocate_aligned(size_type nbytes, size_type alignment) { return mgr()->allocate_aligned(nbytes, alignment); }
   /// Allocates `nbytes` aligned to `alignment`; null on failure.
   void *allocate_aligned(size_type nbytes, size_type alignment, const std::nothrow_t &tag) noexcept {
      return mgr()->allocate_aligned(nbytes, alignment, tag);
   }
   /// Frees memory from `allocate`.
   void deallocate(void *addr) { mgr()->deallocate(addr); }

   /// Boost's allocation command (see `segment_manager::allocation_command`).
   template <class T>
   T *allocation_command(allocation_type command, size_type limit_size, size_type &prefer_in_recvd_out_size, T *&reuse) {
      return mgr()->allocation_command(command, limit_size, prefer_in_recvd_out_size, reuse);
   }
   /// Allocates `n_elements` buffers of `elem_bytes` each onto `chain`; throws `bad_alloc`.
   void allocate_many(size_type elem_bytes, size_type n_elements, multiallocation_chain &chain) {
      mgr()->allocate_many(elem_bytes, n_elements, chain);
   }
   /// Allocates buffers of `element_lengths[i] * sizeof_element` bytes onto `chain`.
   void allocate_many(const size_type *element_lengths, size_type n_elements, size_type sizeof_element,
                      multiallocation_chain &chain) {
      mgr()->allocate_many(element_lengths, n_elements, sizeof_element, chain);
   }
   /// As `allocate_many`, leaving `chain` unchanged instead of throwing.
   void allocate_many(const std::nothrow_t &tag, size_type elem_bytes, size_type n_elements, multiallocation_chain &chain) {
      mgr()->allocate_many(tag, elem_bytes, n_elements, chain);
   }
   void allocate_many(const std::nothrow_t &tag, const size_type *element_lengths, size_type n_elements,
                      size_type sizeof_element, multiallocation_chain &chain) {
      mgr()->allocate_many(tag, element_lengths, n_elements, sizeof_element, chain);
   }
   /// The `allocate_many` forms of recent Boost that take the buffers' least alignment.
   void allocate_many(size_type elem_bytes, size_type n_elements, size_type min_alignment, multiallocation_chain &chain) {
      mgr()->allocate_many(elem_bytes, n_elements, min_alignment, chain);
   }
   void allocate_many(const std::nothrow_t &tag, size_type elem_bytes, size_type n_elements, size_type min_alignment,
                      multiallocation_chain &chain) {
      mgr()->allocate_many(tag, elem_bytes, n_elements, min_alignment, chain);
   }
   void allocate_many(const size_type *element_lengths, size_type n_elements, size_type sizeof_element, size_type min_alignment,
                      multiallocation_chain &chain) {
      mgr()->allocate_many(element_lengths, n_elements, sizeof_element, min_alignment, chain);
   }
   void allocate_many(const std::nothrow_t &tag, const size_type *element_lengths, size_type n_elements,
                      size_type sizeof_element, size_type min_alignment, multiallocation_chain &chain) {
      mgr()->allocate_many(tag, element_lengths, n_elements, sizeof_element, min_alignment, chain);
   }
   /// Gives back every buffer of `chain`.
   void deallocate_many(multiallocation_chain &chain) { mgr()->deallocate_many(chain); }
   /// The smallest size a segment of this type may be created with.
   static size_type get_min_size() noexcept { return segment_manager::get_min_size(); }

   template <class T, class Name> auto construct(const Name &name) { return mgr()->template construct<T>(name); }
   template <class T, class Name> auto construct(const Name &name, const std::nothrow_t &t) {
      return mgr()->template construct<T>(name, t);
   }
   template <class T, class Name> auto find_or_construct(const Name &name) { return mgr()->template find_or_construct<T>(name); }
   template <class T, class Name> auto find_or_construct(const Name &name, const std::nothrow_t &t) {
      return mgr()->template find_or_construct<T>(name, t);
   }
   template <class T, class Name> auto construct_it(const Name &name) { return mgr()->template construct_it<T>(name); }
   template <class T, class Name> auto construct_it(const Name &name, const std::nothrow_t &t) {
      return mgr()->template construct_it<T>(name, t);
   }
   template <class T, class Name> auto find_or_construct_it(const Name &name) {
      return mgr()->template find_or_construct_it<T>(name);
   }
   template <class T, class Name> auto find_or_construct_it(const Name &name, const std::nothrow_t &t) {
      return mgr()->template find_or_construct_it<T>(name, t);
   }
   /// The object `name` (or the unique T): address and count, `{0, 0}` when missing.
   template <class T, class Name> std::pair<T *, size_type> find(const Name &name) { return mgr()->template find<T>(name); }
   template <class T, class Name> std::pair<T *, size_type> find_no_lock(const Name &name) {
      return mgr()->template find<T>(name);
   }
   /// Destroys the object `name` (or the unique T); false if it does not exist.
   template <class T, class Name> bool destroy(const Name &name) { return mgr()->template destroy<T>(name); }
   /// Destroys the object constructed at `ptr`.
   template <class T> void destroy_ptr(const T *ptr) { mgr()->destroy_ptr(ptr); }

   /// The name of the object constructed at `ptr`.
   template <class T> static const char_type *get_instance_name(const T *ptr) { return segment_manager::get_instance_name(ptr); }
   /// The element count of the object constructed at `ptr`.
   template <class T> static size_type get_instance_length(const T *ptr) { return segment_manager::get_instance_length(ptr); }
   /// How the object at `ptr` was constructed.
   template <class T> static instance_type get_instance_type(const T *ptr) { return segment_manager::get_instance_type(ptr); }

   /// Number of named objects.
   size_type get_num_named_objects() { return mgr()->get_num_named_objects(); }
   /// Number of unique objects.
   size_type get_num_unique_objects() { return mgr()->get_num_unique_objects(); }
   /// Makes room for `num` more named objects.
   void reserve_named_objects(size_type num) { mgr()->reserve_named_objects(num); }
   /// Makes room for `num` more unique objects.
   void reserve_unique_objects(size_type num) { mgr()->reserve_unique_objects(num); }
   /// Gives back the room the reserve calls made (see `segment_manager::shrink_to_fit_indexes`).
   void shrink_to_fit_indexes() { mgr()->shrink_to_fit_indexes(); }
   const_named_iterator named_begin() const { return mgr()->named_begin(); }
   const_named_iterator named_end() const { return mgr()->named_end(); }
   const_unique_iterator unique_begin() const { return mgr()->unique_begin(); }
   const_unique_iterator unique_end() const { return mgr()->unique_end(); }

   /// Runs `f()` while holding the segment lock.
   template <class Func> void atomic_func(Func &f) { mgr()->atomic_func(f); }
   /// Runs `f()` if the segment lock is free; returns whether it ran.
   template <class Func> bool try_atomic_func(Func &f) { return mgr()->try_atomic_func(f); }

   /// An allocator of T for this segment.
   template <class T> interproc::allocator<T, segment_manager> get_allocator() { return mgr()->template get_allocator<T>(); }
   /// A deleter of T for this segment.
   template <class T> interproc::deleter<T, segment_manager> get_deleter() { return mgr()->template get_deleter<T>(); }

protected:
   managed_memory_impl() noexcept : m_handle(nullptr), m_mgr(nullptr) {}
   explicit managed_memory_impl(interproc_managed_t *h) noexcept
      : m_handle(h), m_mgr(segment_manager::from_native(::interproc_managed_segment_manager(h))) {}
   managed_memory_impl(managed_memory_impl &&other) noexcept : m_handle(other.m_handle), m_mgr(other.m_mgr) {
      other.m_handle = nullptr;
      other.m_mgr = nullptr;
   }
   managed_memory_impl &operator=(managed_memory_impl &&other) noexcept {
      swap_impl(other);
      return *this;
   }
   ~managed_memory_impl() { ::interproc_managed_free(m_handle); }

   void swap_impl(managed_memory_impl &other) noexcept {
      std::swap(m_handle, other.m_handle);
      std::swap(m_mgr, other.m_mgr);
   }

   /// Refreshes the cached manager address (after the segment moved, as a heap one does).
   void refresh_manager() noexcept { m_mgr = segment_manager::from_native(::interproc_managed_segment_manager(m_handle)); }

   segment_manager *mgr() const {
      if (!m_mgr) {
         throw interprocess_exception(error_info(invalid_argument), "the managed segment object is empty");
      }
      return m_mgr;
   }

   interproc_managed_t *m_handle;
   segment_manager *m_mgr;
};

/// Opens a segment with a C opener and returns the handle, throwing on failure.
template <class Open> interproc_managed_t *open_managed(Open open) {
   interproc_managed_t *h = nullptr;
   check(open(&h));
   return h;
}

} // namespace detail
} // namespace interproc

#endif // INTERPROC_DETAIL_MANAGED_MEMORY_IMPL_HPP
