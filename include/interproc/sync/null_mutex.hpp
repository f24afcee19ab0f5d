// interproc C++ wrapper: null_mutex, as in <boost/interprocess/sync/null_mutex.hpp>.
#ifndef INTERPROC_SYNC_NULL_MUTEX_HPP
#define INTERPROC_SYNC_NULL_MUTEX_HPP

#include <interproc/detail/config.hpp>

namespace interproc {

/// A mutex that does nothing: every lock succeeds at once (for single-process code and
/// policies that take a mutex type). Not copyable.
class null_mutex {
public:
   /// Nothing to construct.
   null_mutex() noexcept {}
   null_mutex(const null_mutex &) = delete;
   null_mutex &operator=(const null_mutex &) = delete;

   /// Does nothing.
   void lock() noexcept {}
   /// Returns true.
   bool try_lock() noexcept { return true; }
   /// Returns true.
   template <class TimePoint> bool timed_lock(const TimePoint &) noexcept { return true; }
   /// Returns true.
   template <class TimePoint> bool try_lock_until(const TimePoint &) noexcept { return true; }
   /// Returns true.
   template <class Duration> bool try_lock_for(const Duration &) noexcept { return true; }
   /// Does nothing.
   void unlock() noexcept {}

   /// Does nothing.
   void lock_sharable() noexcept {}
   /// Returns true.
   bool try_lock_sharable() noexcept { return true; }
   /// Returns true.
   template <class TimePoint> bool timed_lock_sharable(const TimePoint &) noexcept { return true; }
   /// Does nothing.
   void unlock_sharable() noexcept {}

   /// Does nothing.
   void lock_upgradable() noexcept {}
   /// Returns true.
   bool try_lock_upgradable() noexcept { return true; }
   /// Returns true.
   template <class TimePoint> bool timed_lock_upgradable(const TimePoint &) noexcept { return true; }
   /// Does nothing.
   void unlock_upgradable() noexcept {}

   /// Does nothing.
   void unlock_and_lock_upgradable() noexcept {}
   /// Does nothing.
   void unlock_and_lock_sharable() noexcept {}
   /// Does nothing.
   void unlock_upgradable_and_lock_sharable() noexcept {}
   /// Does nothing.
   void unlock_upgradable_and_lock() noexcept {}
   /// Returns true.
   bool try_unlock_upgradable_and_lock() noexcept { return true; }
   /// Returns true.
   template <class TimePoint> bool timed_unlock_upgradable_and_lock(const TimePoint &) noexcept { return true; }
   /// Returns true.
   bool try_unlock_sharable_and_lock() noexcept { return true; }
   /// Returns true.
   bool try_unlock_sharable_and_lock_upgradable() noexcept { return true; }
};

} // namespace interproc

#endif // INTERPROC_SYNC_NULL_MUTEX_HPP
