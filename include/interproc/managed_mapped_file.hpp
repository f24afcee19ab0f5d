// interproc C++ wrapper: managed_mapped_file, as in
// <boost/interprocess/managed_mapped_file.hpp>.
#ifndef INTERPROC_MANAGED_MAPPED_FILE_HPP
#define INTERPROC_MANAGED_MAPPED_FILE_HPP

#include <interproc/detail/managed_memory_impl.hpp>
#include <interproc/file_mapping.hpp>

namespace interproc {

/// A managed segment in a file.
template <class CharType, class AllocationAlgorithm, template <class IndexConfig> class IndexType>
class basic_managed_mapped_file : public detail::managed_memory_impl<CharType, AllocationAlgorithm, IndexType> {
   typedef detail::managed_memory_impl<CharType, AllocationAlgorithm, IndexType> base_t;

public:
   typedef typename base_t::size_type size_type;
   /// An object that refers to no segment.
   basic_managed_mapped_file() noexcept {}
   /// Creates the file `name` of `size` bytes; throws if it exists.
   basic_managed_mapped_file(create_only_t, const char *name, size_type size, const void *addr = nullptr,
                       const permissions &perm = permissions())
      : base_t(open(INTERPROC_CREATE_ONLY, name, size, addr, perm)) {}
   /// Opens the file `name`, creating it with `size` bytes if it is missing.
   basic_managed_mapped_file(open_or_create_t, const char *name, size_type size, const void *addr = nullptr,
                       const permissions &perm = permissions())
      : base_t(open(INTERPROC_OPEN_OR_CREATE, name, size, addr, perm)) {}
   /// Creates the file `name` of `size` bytes, growing while mapped up to `max.value`
   /// bytes (an interproc extension): allocations that do not fit grow it, the base never
   /// moves, and other processes reach the new memory through their pointers with no call.
   basic_managed_mapped_file(create_only_t, const char *name, size_type size, max_size_t max,
                             const permissions &perm = permissions())
      : base_t(open_growable(INTERPROC_CREATE_ONLY, name, size, max, perm)) {}
   /// Opens the file `name`, creating it with `size` bytes growing up to `max.value` if it
   /// is missing (an existing one keeps its own maximum).
   basic_managed_mapped_file(open_or_create_t, const char *name, size_type size, max_size_t max,
                             const permissions &perm = permissions())
      : base_t(open_growable(INTERPROC_OPEN_OR_CREATE, name, size, max, perm)) {}
   /// Opens the existing file `name`.
   basic_managed_mapped_file(open_only_t, const char *name, const void *addr = nullptr)
      : base_t(open(INTERPROC_OPEN_ONLY, name, 0, addr, permissions())) {}
   /// Opens the existing file `name` read-only.
   basic_managed_mapped_file(open_read_only_t, const char *name, const void *addr = nullptr)
      : base_t(open(INTERPROC_OPEN_READ_ONLY, name, 0, addr, permissions())) {}
   /// Opens the existing file `name` privately: changes stay in this process.
   basic_managed_mapped_file(open_copy_on_write_t, const char *name, const void *addr = nullptr)
      : base_t(open(INTERPROC_OPEN_COPY_ON_WRITE, name, 0, addr, permissions())) {}

   basic_managed_mapped_file(basic_managed_mapped_file &&other) noexcept : base_t(std::move(other)) {}
   basic_managed_mapped_file &operator=(basic_managed_mapped_file &&other) noexcept {
      basic_managed_mapped_file tmp(std::move(other));
      swap(tmp);
      return *this;
   }
   /// Exchanges two segments.
   void swap(basic_managed_mapped_file &other) noexcept { this->swap_impl(other); }

   /// Writes the modified pages to the file and waits; false on failure.
   bool flush() noexcept { return ::interproc_managed_flush(this->m_handle) == INTERPROC_OK; }

   /// Grows the file `name` by `extra_bytes`; no process may have it mapped.
   static bool grow(const char *name, size_type extra_bytes) noexcept {
      return ::interproc_managed_file_grow(name, extra_bytes) == INTERPROC_OK;
   }
   /// Grows the mapped segment by `extra_bytes`, while this and other processes use it: a
   /// segment created with a `max_size_t`, up to it (see `segment_manager::grow`).
   void grow(size_type extra_bytes) { this->mgr()->grow(extra_bytes); }
   /// Shrinks the file `name` to what the segment uses; no process may have it mapped.
   static bool shrink_to_fit(const char *name) noexcept { return ::interproc_managed_file_shrink_to_fit(name) == INTERPROC_OK; }

private:
   static interproc_managed_t *open_growable(interproc_creation_t c, const char *name, size_type size, max_size_t max,
                                             const permissions &perm) {
      return detail::open_managed([&](interproc_managed_t **h) {
         return ::interproc_managed_file_open_growable(c, name, size, max.value, static_cast<std::uint32_t>(perm.get_permissions()), h);
      });
   }
   static interproc_managed_t *open(interproc_creation_t c, const char *name, size_type size, const void *addr,
                                    const permissions &perm) {
      // A non-null `addr` maps the segment there (never over an existing mapping).
      return detail::open_managed([&](interproc_managed_t **h) {
         return ::interproc_managed_file_open_at(c, name, size, 0, static_cast<std::uint32_t>(perm.get_permissions()),
                                                 const_cast<void *>(addr), h);
      });
   }
};


} // namespace interproc

#endif // INTERPROC_MANAGED_MAPPED_FILE_HPP
