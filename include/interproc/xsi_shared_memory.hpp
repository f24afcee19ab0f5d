// interproc C++ wrapper: xsi_shared_memory, as in <boost/interprocess/xsi_shared_memory.hpp>.
#ifndef INTERPROC_XSI_SHARED_MEMORY_HPP
#define INTERPROC_XSI_SHARED_MEMORY_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/exceptions.hpp>
#include <interproc/interprocess_fwd.hpp>
#include <interproc/permissions.hpp>
#include <interproc/xsi_key.hpp>

namespace interproc {

/// A System V shared memory segment. Movable, not copyable. Destroying it does not remove
/// the segment: call `remove(get_shmid())`.
class xsi_shared_memory {
public:
   /// A segment object that refers to nothing.
   xsi_shared_memory() noexcept : m_handle(nullptr) {}

   /// Creates the segment of `key` with `size` bytes; throws if it exists.
   xsi_shared_memory(create_only_t, const xsi_key &key, std::size_t size, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_CREATE_ONLY, key, size, perm)) {}

   /// Opens the segment of `key`, creating it with `size` bytes if it is missing.
   xsi_shared_memory(open_or_create_t, const xsi_key &key, std::size_t size, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_OPEN_OR_CREATE, key, size, perm)) {}

   /// Opens the existing segment of `key`.
   xsi_shared_memory(open_only_t, const xsi_key &key) : m_handle(open(INTERPROC_OPEN_ONLY, key, 0, permissions())) {}
   /// Opens the existing segment whose id is `shmid` (from `get_shmid`, perhaps in another
   /// process).
   xsi_shared_memory(open_only_t, int shmid) : m_handle(open_id(shmid)) {}

   xsi_shared_memory(const xsi_shared_memory &) = delete;
   xsi_shared_memory &operator=(const xsi_shared_memory &) = delete;

   /// Takes over `other`'s segment.
   xsi_shared_memory(xsi_shared_memory &&other) noexcept : m_handle(other.m_handle) { other.m_handle = nullptr; }

   /// Takes over `other`'s segment.
   xsi_shared_memory &operator=(xsi_shared_memory &&other) noexcept {
      xsi_shared_memory tmp(std::move(other));
      swap(tmp);
      return *this;
   }

   /// Forgets the segment (it is not removed).
   ~xsi_shared_memory() { ::interproc_xsi_shm_free(m_handle); }

   /// Exchanges two segment objects.
   void swap(xsi_shared_memory &other) noexcept { std::swap(m_handle, other.m_handle); }

   /// The segment id, or -1 for an empty object.
   int get_shmid() const noexcept {
      std::int32_t id = -1;
      ::interproc_xsi_shm_get_shmid(m_handle, &id);
      return id;
   }

   /// Marks segment `shmid` for removal; false if that was not possible. Never throws.
   static bool remove(int shmid) noexcept { return ::interproc_xsi_shm_remove(shmid); }

   /// What `mapped_region` maps.
   mapping_handle_t get_mapping_handle() const noexcept {
      return mapping_handle_t{get_shmid(), true, mapping_handle_t::xsi, m_handle};
   }

private:
   static interproc_xsi_shm_t *open(interproc_creation_t creation, const xsi_key &key, std::size_t size,
                                    const permissions &perm) {
      interproc_xsi_shm_t *h = nullptr;
      detail::check(::interproc_xsi_shm_open(creation, static_cast<std::int32_t>(key.get_key()), size,
                                             static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   static interproc_xsi_shm_t *open_id(int shmid) {
      interproc_xsi_shm_t *h = nullptr;
      detail::check(::interproc_xsi_shm_open_id(static_cast<std::int32_t>(shmid), &h));
      return h;
   }

   interproc_xsi_shm_t *m_handle;
};

} // namespace interproc

#endif // INTERPROC_XSI_SHARED_MEMORY_HPP
