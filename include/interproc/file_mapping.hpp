// interproc C++ wrapper: file_mapping, as in <boost/interprocess/file_mapping.hpp>.
#ifndef INTERPROC_FILE_MAPPING_HPP
#define INTERPROC_FILE_MAPPING_HPP

#include <interproc/detail/os_file_functions.hpp>
#include <interproc/exceptions.hpp>
#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// An existing file opened for mapping with `mapped_region`. Movable, not copyable.
class file_mapping {
public:
   /// A file mapping that refers to nothing.
   file_mapping() noexcept : m_handle(nullptr) {}

   /// Opens the existing file `filename` with `mode` `read_only` or `read_write`; throws
   /// `not_found_error` if it is missing, `mode_error` for another mode.
   file_mapping(const char *filename, mode_t mode) : m_handle(nullptr) {
      detail::check(::interproc_file_mapping_open(filename, static_cast<interproc_mode_t>(mode), &m_handle));
   }

   file_mapping(const file_mapping &) = delete;
   file_mapping &operator=(const file_mapping &) = delete;

   /// Takes over `other`'s file.
   file_mapping(file_mapping &&other) noexcept : m_handle(other.m_handle) { other.m_handle = nullptr; }

   /// Takes over `other`'s file, closing the current one.
   file_mapping &operator=(file_mapping &&other) noexcept {
      file_mapping tmp(std::move(other));
      swap(tmp);
      return *this;
   }

   /// Closes the file (it is not deleted).
   ~file_mapping() { ::interproc_file_mapping_free(m_handle); }

   /// Exchanges two file mappings.
   void swap(file_mapping &other) noexcept { std::swap(m_handle, other.m_handle); }

   /// The mode the file was opened with.
   mode_t get_mode() const noexcept { return static_cast<mode_t>(::interproc_file_mapping_get_mode(m_handle)); }

   /// The file name given when opening ("" for an empty object).
   const char *get_name() const noexcept {
      const char *n = ::interproc_file_mapping_get_name(m_handle);
      return n ? n : "";
   }

   /// Deletes the file `filename`; false if it could not be removed. Never throws.
   static bool remove(const char *filename) noexcept { return ::interproc_file_mapping_remove(filename); }

   /// What `mapped_region` maps.
   mapping_handle_t get_mapping_handle() const noexcept {
      return mapping_handle_t{::interproc_file_mapping_native_handle(m_handle), false, mapping_handle_t::file, m_handle};
   }

private:
   interproc_file_mapping_t *m_handle;
};

/// Deletes the named file when destroyed.
class remove_file_on_destroy {
public:
   /// Remembers `name`.
   remove_file_on_destroy(const char *name) : m_name(name) {}
   remove_file_on_destroy(const remove_file_on_destroy &) = delete;
   remove_file_on_destroy &operator=(const remove_file_on_destroy &) = delete;
   /// Deletes the file.
   ~remove_file_on_destroy() { file_mapping::remove(m_name.c_str()); }

private:
   std::string m_name;
};

} // namespace interproc

#endif // INTERPROC_FILE_MAPPING_HPP
