// interproc C++ wrapper: exceptions, as in <boost/interprocess/exceptions.hpp>.
#ifndef INTERPROC_EXCEPTIONS_HPP
#define INTERPROC_EXCEPTIONS_HPP

#include <interproc/errors.hpp>
#include <exception>

namespace interproc {

/// The exception every interproc failure throws (or derives from).
class interprocess_exception : public std::exception {
public:
   /// A library error with message `err`.
   interprocess_exception(const char *err) : m_err(other_error), m_str(err ? err : "") {}
   /// An error described by `err_info`, with message `str` (a generic one if NULL).
   interprocess_exception(const error_info &err_info, const char *str = nullptr)
      : m_err(err_info), m_str(str && *str ? str : "interproc::interprocess_exception") {}

   /// The message, saying what was being done and why it failed.
   const char *what() const noexcept override { return m_str.c_str(); }
   /// The native (errno) error, 0 when the library produced the error.
   native_error_t get_native_error() const noexcept { return m_err.get_native_error(); }
   /// The kind of error.
   error_code_t get_error_code() const noexcept { return m_err.get_error_code(); }

private:
   error_info m_err;
   std::string m_str;
};

/// A lock operation failed.
class lock_exception : public interprocess_exception {
public:
   /// A lock failure of kind `err` (Boost's default: `lock_error`).
   lock_exception(error_code_t err = lock_error) : interprocess_exception(error_info(err), "interproc::lock_exception") {}
   /// A lock failure described by `err_info` with message `str`.
   lock_exception(const error_info &err_info, const char *str) : interprocess_exception(err_info, str) {}
};

/// A managed segment could not satisfy an allocation (derives from
/// `interprocess_exception`, as in Boost).
class bad_alloc : public interprocess_exception {
public:
   /// An allocation failure.
   bad_alloc() : interprocess_exception(error_info(out_of_memory_error), "interproc::bad_alloc") {}
   /// An allocation failure described by `err_info` with message `str`.
   bad_alloc(const error_info &err_info, const char *str) : interprocess_exception(err_info, str) {}
};

namespace detail {

/// Throws the exception matching a failed C call's status, with the thread's last message.
[[noreturn]] inline void throw_status(interproc_status_t status) {
   const error_info info(static_cast<error_code_t>(status), ::interproc_last_error_native());
   const char *msg = ::interproc_last_error_message();
   switch (status) {
   case INTERPROC_LOCK_ERROR:
   case INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR:
      throw lock_exception(info, msg);
   default:
      throw interprocess_exception(info, msg);
   }
}

/// Throws if a C call failed.
inline void check(interproc_status_t status) {
   if (status != INTERPROC_OK) {
      throw_status(status);
   }
}

} // namespace detail
} // namespace interproc

#endif // INTERPROC_EXCEPTIONS_HPP
