// interproc C++ wrapper: the file helper that Boost's documented examples reach for in
// <boost/interprocess/detail/os_file_functions.hpp>, in Boost's namespace `ipcdetail`.
// Only what is declared here is promised; nothing else under detail/ is.
#ifndef INTERPROC_DETAIL_OS_FILE_FUNCTIONS_HPP
#define INTERPROC_DETAIL_OS_FILE_FUNCTIONS_HPP

#include <interproc/detail/config.hpp>

#include <cstddef>
#include <cstring>
#include <string>

namespace interproc {
namespace ipcdetail {

/// Copies the directory for temporary files ("/tmp", as Boost on POSIX systems) with its
/// NUL into `buffer` of `buf_len` chars; `required_len` gets the length needed (the NUL
/// counted). False, with nothing copied, when the buffer is too small.
inline bool get_temporary_path(char *buffer, std::size_t buf_len, std::size_t &required_len) noexcept {
   static const char path[] = "/tmp";
   required_len = sizeof path;
   if (buffer == nullptr || buf_len < required_len) {
      return false;
   }
   std::memcpy(buffer, path, sizeof path);
   return true;
}

/// The directory for temporary files ("/tmp").
inline std::string get_temporary_path() {
   std::size_t len = 0;
   get_temporary_path(nullptr, 0, len);
   std::string s(len, '\0');
   get_temporary_path(&s[0], s.size(), len);
   s.resize(len - 1);
   return s;
}

} // namespace ipcdetail
} // namespace interproc

#endif // INTERPROC_DETAIL_OS_FILE_FUNCTIONS_HPP
