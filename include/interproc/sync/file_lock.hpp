// interproc C++ wrapper: file_lock, as in <boost/interprocess/sync/file_lock.hpp>.
#ifndef INTERPROC_SYNC_FILE_LOCK_HPP
#define INTERPROC_SYNC_FILE_LOCK_HPP

#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {

/// An advisory lock on an existing file, exclusive or sharable (Boost's `file_lock`).
/// Movable, not copyable. The kernel releases the lock when its holder dies, so a crashed
/// owner never blocks anyone. Timed locks poll with a short back-off.
class file_lock {
public:
   // The constructors' `explicit` and `noexcept` are Boost's: `file_lock(const char *)`
   // converts implicitly (`flock = path;` compiles), and none is declared noexcept.

   /// A lock on no file.
   file_lock() : m_handle(nullptr) {}
   /// Opens the existing file `name`; throws (`not_found_error`) if it is missing.
   file_lock(const char *name) : m_handle(nullptr) { detail::check(::interproc_file_lock_open(name, &m_handle)); }
   file_lock(const file_lock &) = delete;
   file_lock &operator=(const file_lock &) = delete;
   /// Takes over `other`'s file; `other` then refers to none.
   file_lock(file_lock &&other) : m_handle(other.m_handle) { other.m_handle = nullptr; }
   /// Takes over `other`'s file, closing the current one.
   file_lock &operator=(file_lock &&other) noexcept {
      file_lock tmp(std::move(other));
      swap(tmp);
      return *this;
   }
   /// Closes the file, releasing the lock if held.
   ~file_lock() { ::interproc_file_lock_free(m_handle); }
   /// Exchanges two locks.
   void swap(file_lock &other) noexcept { std::swap(m_handle, other.m_handle); }

   /// Takes the exclusive lock.
   void lock() { detail::check(::interproc_file_lock_lock(m_handle)); }
   /// Takes the exclusive lock if possible at once; whether it did.
   bool try_lock() { return detail::try_status(::interproc_file_lock_try_lock(m_handle)); }
   /// Takes the exclusive lock, waiting at most until `abs_time` (chrono or ptime).
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_file_lock_timed_lock(m_handle, &d));
   }
   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }
   /// Takes the exclusive lock, waiting at most `dur`.
   template <class Duration> bool try_lock_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(::interproc_file_lock_timed_lock(m_handle, &d));
   }
   /// Releases the exclusive lock.
   void unlock() { detail::check(::interproc_file_lock_unlock(m_handle)); }

   /// Takes a sharable lock.
   void lock_sharable() { detail::check(::interproc_file_lock_lock_sharable(m_handle)); }
   /// Takes a sharable lock if possible at once; whether it did.
   bool try_lock_sharable() { return detail::try_status(::interproc_file_lock_try_lock_sharable(m_handle)); }
   /// Takes a sharable lock, waiting at most until `abs_time`.
   template <class TimePoint> bool timed_lock_sharable(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_file_lock_timed_lock_sharable(m_handle, &d));
   }
   /// Releases the sharable lock.
   void unlock_sharable() { detail::check(::interproc_file_lock_unlock_sharable(m_handle)); }

private:
   ::interproc_file_lock_t *m_handle;
};

} // namespace interproc

#endif // INTERPROC_SYNC_FILE_LOCK_HPP
