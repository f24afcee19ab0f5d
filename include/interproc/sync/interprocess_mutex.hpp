// interproc C++ wrapper: interprocess_mutex, as in <boost/interprocess/sync/interprocess_mutex.hpp>.
#ifndef INTERPROC_SYNC_INTERPROCESS_MUTEX_HPP
#define INTERPROC_SYNC_INTERPROCESS_MUTEX_HPP

#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {

/// A process-shared mutex (Boost's `interprocess_mutex`).
///
/// Place it in shared memory (inside a struct in a mapped region, or constructed in a
/// managed segment); every process uses the same object. 64 bytes, not copyable or
/// movable (as in Boost).
///
/// Robust to crashed owners: when a process dies holding it, the next `lock()` succeeds
/// (it does not throw), the mutex keeps working, and `previous_owner_died()` tells the new
/// holder that the protected data may be half-updated.
class interprocess_mutex {
public:
   /// Initialises the mutex (process-shared, robust).
   interprocess_mutex() { detail::check(::interproc_mutex_init(&m_mutex)); }
   interprocess_mutex(const interprocess_mutex &) = delete;
   interprocess_mutex &operator=(const interprocess_mutex &) = delete;
   /// Destroys the mutex; it must be unlocked and no longer used by any process.
   ~interprocess_mutex() { ::interproc_mutex_destroy(&m_mutex); }

   /// Locks, waiting as long as it takes. Never throws because the previous owner died:
   /// the lock is then held as usual and `previous_owner_died()` returns true until the
   /// next lock. Throws `lock_exception` or `interprocess_exception` on other failures.
   void lock() { detail::lock_status(::interproc_mutex_lock(&m_mutex)); }

   /// Locks if that is possible at once; whether it did.
   bool try_lock() { return detail::try_status(::interproc_mutex_try_lock(&m_mutex)); }

   /// Locks, waiting at most until `abs_time` (`std::chrono` system_clock or steady_clock
   /// time point, or `boost::posix_time::ptime` in UTC); whether it did.
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_mutex_timed_lock(&m_mutex, &d));
   }

   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }

   /// Locks, waiting at most `dur` (measured on the monotonic clock); whether it did.
   template <class Duration> bool try_lock_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(::interproc_mutex_timed_lock(&m_mutex, &d));
   }

   /// Unlocks; throws `lock_exception` if this thread does not hold it.
   void unlock() { detail::check(::interproc_mutex_unlock(&m_mutex)); }

   /// Whether the current holder got the lock from an owner that died holding it (the data
   /// it protects may be half-updated). Meaningful only to the holder.
   bool previous_owner_died() const noexcept { return ::interproc_mutex_previous_owner_died(&m_mutex); }

   /// The C object, for calls into the C API.
   interproc_mutex_t *native_handle() noexcept { return &m_mutex; }

private:
   interproc_mutex_t m_mutex;
};

} // namespace interproc

#endif // INTERPROC_SYNC_INTERPROCESS_MUTEX_HPP
