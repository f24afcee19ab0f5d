// interproc C++ wrapper: named_mutex, as in <boost/interprocess/sync/named_mutex.hpp>.
#ifndef INTERPROC_SYNC_NAMED_MUTEX_HPP
#define INTERPROC_SYNC_NAMED_MUTEX_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/permissions.hpp>
#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {

/// A named process-shared mutex (Boost's `named_mutex`).
///
/// It lives in `/dev/shm/<name>` until `remove`. Not copyable or movable (as in Boost).
/// Robust to crashed owners: when a process dies holding it, the next `lock()` succeeds
/// (it does not throw), the mutex keeps working, and `previous_owner_died()` tells the new
/// holder that the protected data may be half-updated.
class named_mutex {
public:
   /// Creates the mutex; throws (`already_exists_error`) if it exists.
   named_mutex(create_only_t, const char *name, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_CREATE_ONLY, name, perm)), m_mutex(::interproc_named_mutex_get(m_handle)) {}
   /// Opens the mutex, creating it if it is missing (many processes at once: exactly one
   /// creates it).
   named_mutex(open_or_create_t, const char *name, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_OPEN_OR_CREATE, name, perm)), m_mutex(::interproc_named_mutex_get(m_handle)) {}
   /// Opens the existing mutex; throws (`not_found_error`) if it is missing.
   named_mutex(open_only_t, const char *name)
      : m_handle(open(INTERPROC_OPEN_ONLY, name, permissions())), m_mutex(::interproc_named_mutex_get(m_handle)) {}
   named_mutex(const named_mutex &) = delete;
   named_mutex &operator=(const named_mutex &) = delete;
   /// Closes this process's handle; the mutex stays until `remove`.
   ~named_mutex() { ::interproc_named_mutex_free(m_handle); }

   /// Locks, waiting as long as it takes. Never throws because the previous owner died:
   /// the lock is then held as usual and `previous_owner_died()` returns true until the
   /// next lock. Throws `lock_exception` or `interprocess_exception` on other failures.
   void lock() { detail::lock_status(::interproc_mutex_lock(m_mutex)); }

   /// Locks if that is possible at once; whether it did.
   bool try_lock() { return detail::try_status(::interproc_mutex_try_lock(m_mutex)); }

   /// Locks, waiting at most until `abs_time` (`std::chrono` system_clock or steady_clock
   /// time point, or `boost::posix_time::ptime` in UTC); whether it did.
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_mutex_timed_lock(m_mutex, &d));
   }

   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }

   /// Locks, waiting at most `dur` (measured on the monotonic clock); whether it did.
   template <class Duration> bool try_lock_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(::interproc_mutex_timed_lock(m_mutex, &d));
   }

   /// Unlocks; throws `lock_exception` if this thread does not hold it.
   void unlock() { detail::check(::interproc_mutex_unlock(m_mutex)); }

   /// Whether the current holder got the lock from an owner that died holding it (the data
   /// it protects may be half-updated). Meaningful only to the holder.
   bool previous_owner_died() const noexcept { return ::interproc_mutex_previous_owner_died(m_mutex); }

   /// Removes the mutex `name` from the system; false if there was nothing to remove.
   static bool remove(const char *name) noexcept { return ::interproc_named_mutex_remove(name); }

   /// The C object, for calls into the C API.
   interproc_mutex_t *native_handle() noexcept { return m_mutex; }

private:
   static ::interproc_named_mutex_t *open(interproc_creation_t creation, const char *name, const permissions &perm) {
      ::interproc_named_mutex_t *h = nullptr;
      detail::check(::interproc_named_mutex_open(creation, name, static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   ::interproc_named_mutex_t *m_handle;
   interproc_mutex_t *m_mutex;
};

} // namespace interproc

#endif // INTERPROC_SYNC_NAMED_MUTEX_HPP
