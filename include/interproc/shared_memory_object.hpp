// interproc C++ wrapper: shared_memory_object, as in
// <boost/interprocess/shared_memory_object.hpp>.
#ifndef INTERPROC_SHARED_MEMORY_OBJECT_HPP
#define INTERPROC_SHARED_MEMORY_OBJECT_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/exceptions.hpp>
#include <interproc/interprocess_fwd.hpp>
#include <interproc/permissions.hpp>

namespace interproc {

/// A POSIX shared memory object, at `/dev/shm/<name>`. Movable, not copyable. Destroying
/// it closes the handle; the object stays until `remove`.
class shared_memory_object {
public:
   /// An object that refers to nothing.
   shared_memory_object() noexcept : m_handle(nullptr) {}

   /// Creates `name`; throws `interprocess_exception` (`already_exists_error`) if it exists.
   shared_memory_object(create_only_t, const char *name, mode_t mode, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_CREATE_ONLY, name, mode, perm)) {}

   /// Opens `name`, creating it if it is missing.
   shared_memory_object(open_or_create_t, const char *name, mode_t mode, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_OPEN_OR_CREATE, name, mode, perm)) {}

   /// Opens the existing `name`; throws (`not_found_error`) if it is missing.
   shared_memory_object(open_only_t, const char *name, mode_t mode)
      : m_handle(open(INTERPROC_OPEN_ONLY, name, mode, permissions())) {}

   shared_memory_object(const shared_memory_object &) = delete;
   shared_memory_object &operator=(const shared_memory_object &) = delete;

   /// Takes over `other`'s object; `other` then refers to nothing.
   shared_memory_object(shared_memory_object &&other) noexcept : m_handle(other.m_handle) { other.m_handle = nullptr; }

   /// Takes over `other`'s object, closing the current one.
   shared_memory_object &operator=(shared_memory_object &&other) noexcept {
      shared_memory_object tmp(std::move(other));
      swap(tmp);
      return *this;
   }

   /// Closes the handle (the object itself stays).
   ~shared_memory_object() { ::interproc_shm_free(m_handle); }

   /// Exchanges two objects.
   void swap(shared_memory_object &other) noexcept { std::swap(m_handle, other.m_handle); }

   /// Removes `name` from the system; false if there was nothing to remove. Never throws.
   static bool remove(const char *name) noexcept { return ::interproc_shm_remove(name); }

   /// Sets the size. Growth reserves the memory now: a size the system cannot hold throws
   /// here (`out_of_space_error`) rather than faulting later. Throws `mode_error` if the
   /// object was opened `read_only`.
   void truncate(offset_t length) { detail::check(::interproc_shm_truncate(m_handle, length)); }

   /// The name given when opening ("" for an empty object).
   const char *get_name() const noexcept {
      const char *n = ::interproc_shm_get_name(m_handle);
      return n ? n : "";
   }

   /// Stores the size in `size`; false (and `size` untouched) on failure.
   bool get_size(offset_t &size) const noexcept {
      std::int64_t s = 0;
      if (::interproc_shm_get_size(m_handle, &s) != INTERPROC_OK) {
         return false;
      }
      size = s;
      return true;
   }

   /// The mode the object was opened with (`invalid_mode` for an empty object).
   mode_t get_mode() const noexcept { return static_cast<mode_t>(::interproc_shm_get_mode(m_handle)); }

   /// What `mapped_region` maps.
   mapping_handle_t get_mapping_handle() const noexcept {
      return mapping_handle_t{::interproc_shm_native_handle(m_handle), false, mapping_handle_t::shm, m_handle};
   }

private:
   static interproc_shm_t *open(interproc_creation_t creation, const char *name, mode_t mode, const permissions &perm) {
      interproc_shm_t *h = nullptr;
      detail::check(::interproc_shm_open(creation, name, static_cast<interproc_mode_t>(mode),
                                         static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   interproc_shm_t *m_handle;
};

/// Removes the named shared memory object when destroyed (Boost's helper for cleanup in
/// the presence of exceptions).
class remove_shared_memory_on_destroy {
public:
   /// Remembers `name`.
   remove_shared_memory_on_destroy(const char *name) : m_name(name) {}
   remove_shared_memory_on_destroy(const remove_shared_memory_on_destroy &) = delete;
   remove_shared_memory_on_destroy &operator=(const remove_shared_memory_on_destroy &) = delete;
   /// Removes the object.
   ~remove_shared_memory_on_destroy() { shared_memory_object::remove(m_name.c_str()); }

private:
   std::string m_name;
};

} // namespace interproc

#endif // INTERPROC_SHARED_MEMORY_OBJECT_HPP
