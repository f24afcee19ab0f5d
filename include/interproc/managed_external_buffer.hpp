// interproc C++ wrapper: managed_external_buffer, as in
// <boost/interprocess/managed_external_buffer.hpp>.
#ifndef INTERPROC_MANAGED_EXTERNAL_BUFFER_HPP
#define INTERPROC_MANAGED_EXTERNAL_BUFFER_HPP

#include <interproc/detail/managed_memory_impl.hpp>

namespace interproc {

/// A managed segment in a buffer the caller provides (16-byte aligned), which must outlive
/// this object.
template <class CharType, class AllocationAlgorithm, template <class IndexConfig> class IndexType>
class basic_managed_external_buffer : public detail::managed_memory_impl<CharType, AllocationAlgorithm, IndexType> {
   typedef detail::managed_memory_impl<CharType, AllocationAlgorithm, IndexType> base_t;

public:
   typedef typename base_t::size_type size_type;
   /// An object that refers to no segment.
   basic_managed_external_buffer() noexcept {}
   /// Formats `[addr, addr + size)` as a new segment.
   basic_managed_external_buffer(create_only_t, void *addr, size_type size)
      : base_t(open(INTERPROC_CREATE_ONLY, addr, size)) {}
   /// Opens the segment already formatted in `[addr, addr + size)`.
   basic_managed_external_buffer(open_only_t, void *addr, size_type size)
      : base_t(open(INTERPROC_OPEN_ONLY, addr, size)) {}

   basic_managed_external_buffer(basic_managed_external_buffer &&other) noexcept : base_t(std::move(other)) {}
   basic_managed_external_buffer &operator=(basic_managed_external_buffer &&other) noexcept {
      basic_managed_external_buffer tmp(std::move(other));
      swap(tmp);
      return *this;
   }
   /// Exchanges two segments.
   void swap(basic_managed_external_buffer &other) noexcept { this->swap_impl(other); }

   /// Takes `extra` more bytes of the buffer into the segment (the caller guarantees the
   /// buffer is that much longer). False on failure.
   bool grow(size_type extra) noexcept { return ::interproc_managed_grow(this->m_handle, extra) == INTERPROC_OK; }

private:
   static interproc_managed_t *open(interproc_creation_t c, void *addr, size_type size) {
      return detail::open_managed([&](interproc_managed_t **h) { return ::interproc_managed_external_open(c, addr, size, h); });
   }
};


} // namespace interproc

#endif // INTERPROC_MANAGED_EXTERNAL_BUFFER_HPP
