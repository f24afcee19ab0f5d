// interproc C++ wrapper: managed_heap_memory, as in
// <boost/interprocess/managed_heap_memory.hpp>.
#ifndef INTERPROC_MANAGED_HEAP_MEMORY_HPP
#define INTERPROC_MANAGED_HEAP_MEMORY_HPP

#include <interproc/detail/managed_memory_impl.hpp>

namespace interproc {

/// A managed segment in this process's heap.
class managed_heap_memory : public detail::managed_memory_impl {
public:
   /// An object that refers to no segment.
   managed_heap_memory() noexcept {}
   /// A segment of `size` bytes.
   explicit managed_heap_memory(size_type size)
      : managed_memory_impl(detail::open_managed([&](interproc_managed_t **h) { return ::interproc_managed_heap_new(size, h); })) {}

   managed_heap_memory(managed_heap_memory &&other) noexcept : managed_memory_impl(std::move(other)) {}
   managed_heap_memory &operator=(managed_heap_memory &&other) noexcept {
      managed_heap_memory tmp(std::move(other));
      swap(tmp);
      return *this;
   }
   /// Exchanges two segments.
   void swap(managed_heap_memory &other) noexcept { swap_impl(other); }

   /// Grows the segment by `extra_bytes`. The memory moves: addresses taken before are
   /// invalid afterwards, handles stay valid (as in Boost). False on failure.
   bool grow(size_type extra_bytes) noexcept {
      const bool ok = ::interproc_managed_grow(m_handle, extra_bytes) == INTERPROC_OK;
      refresh_manager();
      return ok;
   }
};

} // namespace interproc

#endif // INTERPROC_MANAGED_HEAP_MEMORY_HPP
