// interproc C++ wrapper: managed_heap_memory, as in
// <boost/interprocess/managed_heap_memory.hpp>.
#ifndef INTERPROC_MANAGED_HEAP_MEMORY_HPP
#define INTERPROC_MANAGED_HEAP_MEMORY_HPP

#include <interproc/detail/managed_memory_impl.hpp>

namespace interproc {

/// A managed segment in this process's heap.
template <class CharType, class AllocationAlgorithm, template <class IndexConfig> class IndexType>
class basic_managed_heap_memory : public detail::managed_memory_impl<CharType, AllocationAlgorithm, IndexType> {
   typedef detail::managed_memory_impl<CharType, AllocationAlgorithm, IndexType> base_t;

public:
   typedef typename base_t::size_type size_type;
   /// An object that refers to no segment.
   basic_managed_heap_memory() noexcept {}
   /// A segment of `size` bytes.
   explicit basic_managed_heap_memory(size_type size)
      : base_t(detail::open_managed([&](interproc_managed_t **h) { return ::interproc_managed_heap_new(size, h); })) {}

   basic_managed_heap_memory(basic_managed_heap_memory &&other) noexcept : base_t(std::move(other)) {}
   basic_managed_heap_memory &operator=(basic_managed_heap_memory &&other) noexcept {
      basic_managed_heap_memory tmp(std::move(other));
      swap(tmp);
      return *this;
   }
   /// Exchanges two segments.
   void swap(basic_managed_heap_memory &other) noexcept { this->swap_impl(other); }

   /// Grows the segment by `extra_bytes`. The memory moves: addresses taken before are
   /// invalid afterwards, handles stay valid (as in Boost). False on failure.
   bool grow(size_type extra_bytes) noexcept {
      const bool ok = ::interproc_managed_grow(this->m_handle, extra_bytes) == INTERPROC_OK;
      this->refresh_manager();
      return ok;
   }
};

} // namespace interproc

#endif // INTERPROC_MANAGED_HEAP_MEMORY_HPP
