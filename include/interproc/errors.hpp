// interproc C++ wrapper: error codes, as in <boost/interprocess/errors.hpp>.
#ifndef INTERPROC_ERRORS_HPP
#define INTERPROC_ERRORS_HPP

#include <interproc/detail/config.hpp>

#include <cerrno>

namespace interproc {

/// The kind of an error; the values are Boost.Interprocess's and equal the C ABI's
/// `interproc_status_t` values.
enum error_code_t {
   no_error = INTERPROC_OK,
   system_error = INTERPROC_SYSTEM_ERROR,
   other_error = INTERPROC_OTHER_ERROR,
   security_error = INTERPROC_SECURITY_ERROR,
   read_only_error = INTERPROC_READ_ONLY_ERROR,
   io_error = INTERPROC_IO_ERROR,
   path_error = INTERPROC_PATH_ERROR,
   not_found_error = INTERPROC_NOT_FOUND_ERROR,
   busy_error = INTERPROC_BUSY_ERROR,
   already_exists_error = INTERPROC_ALREADY_EXISTS_ERROR,
   not_empty_error = INTERPROC_NOT_EMPTY_ERROR,
   is_directory_error = INTERPROC_IS_DIRECTORY_ERROR,
   out_of_space_error = INTERPROC_OUT_OF_SPACE_ERROR,
   out_of_memory_error = INTERPROC_OUT_OF_MEMORY_ERROR,
   out_of_resource_error = INTERPROC_OUT_OF_RESOURCE_ERROR,
   lock_error = INTERPROC_LOCK_ERROR,
   sem_error = INTERPROC_SEM_ERROR,
   mode_error = INTERPROC_MODE_ERROR,
   size_error = INTERPROC_SIZE_ERROR,
   corrupted_error = INTERPROC_CORRUPTED_ERROR,
   not_such_file_or_directory = INTERPROC_NOT_SUCH_FILE_OR_DIRECTORY,
   invalid_argument = INTERPROC_INVALID_ARGUMENT,
   timeout_when_locking_error = INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR,
   timeout_when_waiting_error = INTERPROC_TIMEOUT_WHEN_WAITING_ERROR,
   owner_dead_error = INTERPROC_OWNER_DEAD_ERROR
};

/// A native (errno) error number.
typedef int native_error_t;

namespace detail {
/// The kind of error an errno value stands for (as Boost maps them; others are
/// `system_error`).
inline error_code_t error_code_of_errno(native_error_t e) noexcept {
   switch (e) {
   case EACCES: case EPERM: return security_error;
   case EROFS: return read_only_error;
   case EIO: return io_error;
   case ENAMETOOLONG: return path_error;
   case ENOENT: return not_found_error;
   case EAGAIN: case EBUSY: case ETXTBSY: return busy_error;
   case EEXIST: return already_exists_error;
   case ENOTEMPTY: return not_empty_error;
   case EISDIR: return is_directory_error;
   case ENOSPC: return out_of_space_error;
   case ENOMEM: return out_of_memory_error;
   case EMFILE: return out_of_resource_error;
   case EINVAL: return invalid_argument;
   default: return system_error;
   }
}
} // namespace detail

/// An error code with the native error behind it, as Boost's `error_info`.
class error_info {
public:
   /// The error the native (errno) error `sys_err_code` stands for.
   error_info(native_error_t sys_err_code) noexcept : m_nat(sys_err_code), m_ec(detail::error_code_of_errno(sys_err_code)) {}
   /// Sets the error the native error `sys_err_code` stands for.
   error_info &operator=(native_error_t sys_err_code) noexcept {
      m_nat = sys_err_code;
      m_ec = detail::error_code_of_errno(sys_err_code);
      return *this;
   }
   /// A library error of kind `ec` (no native error).
   error_info(error_code_t ec = other_error) noexcept : m_nat(0), m_ec(ec) {}
   /// An error of kind `ec` caused by the native error `native`.
   error_info(error_code_t ec, native_error_t native) noexcept : m_nat(native), m_ec(ec) {}

   /// Sets a library error of kind `ec`.
   error_info &operator=(error_code_t ec) noexcept {
      m_nat = 0;
      m_ec = ec;
      return *this;
   }

   /// The native (errno) error, 0 when the library produced the error.
   native_error_t get_native_error() const noexcept { return m_nat; }
   /// The kind of error.
   error_code_t get_error_code() const noexcept { return m_ec; }

private:
   native_error_t m_nat;
   error_code_t m_ec;
};

} // namespace interproc

#endif // INTERPROC_ERRORS_HPP
