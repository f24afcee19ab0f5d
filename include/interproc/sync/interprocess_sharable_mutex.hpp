// interproc C++ wrapper: interprocess_sharable_mutex, as in <boost/interprocess/sync/interprocess_sharable_mutex.hpp>.
#ifndef INTERPROC_SYNC_INTERPROCESS_SHARABLE_MUTEX_HPP
#define INTERPROC_SYNC_INTERPROCESS_SHARABLE_MUTEX_HPP

#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {

/// A process-shared readers-writer mutex (Boost's `interprocess_sharable_mutex`): many
/// sharable owners or one exclusive owner.
///
/// Place it in shared memory. 1152 bytes, not copyable or movable.
/// Robust to crashed owners: when an exclusive (or upgradable) owner dies, the next locker
/// gets the lock without an exception and `previous_owner_died()` tells it; a reader that
/// dies is reclaimed when a writer waits for it (for up to 64 reading processes at once).
class interprocess_sharable_mutex {
public:
   /// Initialises the mutex.
   interprocess_sharable_mutex() { detail::check(::interproc_upgradable_mutex_init(&m_mutex)); }
   interprocess_sharable_mutex(const interprocess_sharable_mutex &) = delete;
   interprocess_sharable_mutex &operator=(const interprocess_sharable_mutex &) = delete;
   /// Destroys the mutex; no one may hold or wait for it.
   ~interprocess_sharable_mutex() { ::interproc_upgradable_mutex_destroy(&m_mutex); }

   /// Takes exclusive ownership, waiting as long as it takes. Never throws because an owner
   /// died: the lock is held as usual.
   void lock() { detail::lock_status(::interproc_upgradable_mutex_lock(&m_mutex)); }
   /// Takes exclusive ownership if possible at once; whether it did.
   bool try_lock() { return detail::try_status(::interproc_upgradable_mutex_try_lock(&m_mutex)); }
   /// Takes exclusive ownership, waiting at most until `abs_time` (chrono time point or ptime).
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock(&m_mutex, &d));
   }
   /// Releases exclusive ownership.
   void unlock() { detail::check(::interproc_upgradable_mutex_unlock(&m_mutex)); }
   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }
   /// Takes exclusive ownership, waiting at most `dur` (monotonic clock).
   template <class Duration> bool try_lock_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock(&m_mutex, &d));
   }

   /// Takes sharable (reader) ownership, waiting as long as it takes. Never throws because an owner
   /// died: the lock is held as usual.
   void lock_sharable() { detail::lock_status(::interproc_upgradable_mutex_lock_sharable(&m_mutex)); }
   /// Takes sharable (reader) ownership if possible at once; whether it did.
   bool try_lock_sharable() { return detail::try_status(::interproc_upgradable_mutex_try_lock_sharable(&m_mutex)); }
   /// Takes sharable (reader) ownership, waiting at most until `abs_time` (chrono time point or ptime).
   template <class TimePoint> bool timed_lock_sharable(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock_sharable(&m_mutex, &d));
   }
   /// Releases sharable (reader) ownership.
   void unlock_sharable() { detail::check(::interproc_upgradable_mutex_unlock_sharable(&m_mutex)); }
   /// Same as `lock_sharable` (the standard library's name, for `std::shared_lock`).
   void lock_shared() { lock_sharable(); }
   /// Same as `try_lock_sharable`.
   bool try_lock_shared() { return try_lock_sharable(); }
   /// Same as `unlock_sharable`.
   void unlock_shared() { unlock_sharable(); }

   /// Whether the current exclusive holder got the lock from an owner that died (the data
   /// may be half-updated). Meaningful only to that holder.
   bool previous_owner_died() const noexcept { return ::interproc_upgradable_mutex_previous_owner_died(&m_mutex); }

   /// The C object, for calls into the C API.
   interproc_upgradable_mutex_t *native_handle() noexcept { return &m_mutex; }

private:
   interproc_upgradable_mutex_t m_mutex;
};

} // namespace interproc

#endif // INTERPROC_SYNC_INTERPROCESS_SHARABLE_MUTEX_HPP
