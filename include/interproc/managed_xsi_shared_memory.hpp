// interproc C++ wrapper: managed_xsi_shared_memory, as in
// <boost/interprocess/managed_xsi_shared_memory.hpp>.
#ifndef INTERPROC_MANAGED_XSI_SHARED_MEMORY_HPP
#define INTERPROC_MANAGED_XSI_SHARED_MEMORY_HPP

#include <interproc/detail/managed_memory_impl.hpp>
#include <interproc/xsi_key.hpp>
#include <interproc/xsi_shared_memory.hpp>

namespace interproc {

/// A managed segment in System V shared memory.
template <class CharType, class AllocationAlgorithm, template <class IndexConfig> class IndexType>
class basic_managed_xsi_shared_memory : public detail::managed_memory_impl<CharType, AllocationAlgorithm, IndexType> {
   typedef detail::managed_memory_impl<CharType, AllocationAlgorithm, IndexType> base_t;

public:
   typedef typename base_t::size_type size_type;
   /// An object that refers to no segment.
   basic_managed_xsi_shared_memory() noexcept {}
   /// Creates the segment of `key` with `size` bytes; throws if it exists.
   basic_managed_xsi_shared_memory(create_only_t, const xsi_key &key, size_type size, const void *addr = nullptr,
                             const permissions &perm = permissions())
      : base_t(open(INTERPROC_CREATE_ONLY, key, size, addr, perm)) {}
   /// Opens the segment of `key`, creating it if it is missing.
   basic_managed_xsi_shared_memory(open_or_create_t, const xsi_key &key, size_type size, const void *addr = nullptr,
                             const permissions &perm = permissions())
      : base_t(open(INTERPROC_OPEN_OR_CREATE, key, size, addr, perm)) {}
   /// Opens the existing segment of `key`.
   basic_managed_xsi_shared_memory(open_only_t, const xsi_key &key, const void *addr = nullptr)
      : base_t(open(INTERPROC_OPEN_ONLY, key, 0, addr, permissions())) {}
   /// Opens the existing segment of `key` read-only: finding objects works, and anything
   /// that would write (constructing, allocating, destroying) throws.
   basic_managed_xsi_shared_memory(open_read_only_t, const xsi_key &key, const void *addr = nullptr)
      : base_t(open(INTERPROC_OPEN_READ_ONLY, key, 0, addr, permissions())) {}

   basic_managed_xsi_shared_memory(basic_managed_xsi_shared_memory &&other) noexcept : base_t(std::move(other)) {}
   basic_managed_xsi_shared_memory &operator=(basic_managed_xsi_shared_memory &&other) noexcept {
      basic_managed_xsi_shared_memory tmp(std::move(other));
      swap(tmp);
      return *this;
   }
   /// Exchanges two segments.
   void swap(basic_managed_xsi_shared_memory &other) noexcept { this->swap_impl(other); }

   /// The System V segment id.
   int get_shmid() const {
      std::int32_t id = -1;
      detail::check(::interproc_managed_xsi_shmid(this->m_handle, &id));
      return id;
   }

   /// This object (Boost's public helper of the same name).
   basic_managed_xsi_shared_memory *get_this_pointer() noexcept { return this; }

   /// Marks the segment `shmid` for removal (as `xsi_shared_memory::remove`).
   static bool remove(int shmid) noexcept { return xsi_shared_memory::remove(shmid); }

private:
   static interproc_managed_t *open(interproc_creation_t c, const xsi_key &key, size_type size, const void *addr,
                                    const permissions &perm) {
      detail::no_fixed_address(addr);
      return detail::open_managed([&](interproc_managed_t **h) {
         return ::interproc_managed_xsi_open(c, static_cast<std::int32_t>(key.get_key()), size,
                                             static_cast<std::uint32_t>(perm.get_permissions()), h);
      });
   }
};

} // namespace interproc

#endif // INTERPROC_MANAGED_XSI_SHARED_MEMORY_HPP
