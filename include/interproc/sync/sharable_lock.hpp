// interproc C++ wrapper: sharable_lock, as in <boost/interprocess/sync/sharable_lock.hpp>.
#ifndef INTERPROC_SYNC_SHARABLE_LOCK_HPP
#define INTERPROC_SYNC_SHARABLE_LOCK_HPP

#include <interproc/sync/detail/lock_fwd.hpp>
#include <interproc/sync/detail/sync_common.hpp>
#include <interproc/sync/lock_options.hpp>

namespace interproc {

/// Sharable (reader) ownership of a sharable or upgradable mutex for a scope (Boost's
/// `sharable_lock`).
///
/// Movable, not copyable. Lock operations throw `lock_exception` when there is no mutex or
/// the lock is already owned. With an interproc mutex whose owner died, locking succeeds
/// (the mutex's `previous_owner_died()` says so), so RAII code keeps working.
template <class SharableMutex> class sharable_lock {
   // What the lock converts to: a pointer to member, which tests as a bool and converts
   // to nothing else (Boost's safe-bool idiom).
   typedef bool sharable_lock::*unspecified_bool_type;

public:
   /// The mutex type.
   typedef SharableMutex mutex_type;

   /// A lock with no mutex.
   sharable_lock() noexcept : mp_mutex(nullptr), m_locked(false) {}
   /// Locks `m` and owns it.
   explicit sharable_lock(mutex_type &m) : mp_mutex(&m), m_locked(false) {
      mp_mutex->lock_sharable();
      m_locked = true;
   }
   /// Refers to `m` without locking it.
   sharable_lock(mutex_type &m, defer_lock_type) noexcept : mp_mutex(&m), m_locked(false) {}
   /// Adopts `m`, which the caller has locked already.
   sharable_lock(mutex_type &m, accept_ownership_type) noexcept : mp_mutex(&m), m_locked(true) {}
   /// Tries to lock `m`; `owns()` says whether it did.
   sharable_lock(mutex_type &m, try_to_lock_type) : mp_mutex(&m), m_locked(mp_mutex->try_lock_sharable()) {}
   /// Tries to lock `m` until `abs_time` (chrono time point or ptime); `owns()` says
   /// whether it did.
   template <class TimePoint>
   sharable_lock(mutex_type &m, const TimePoint &abs_time) : mp_mutex(&m), m_locked(mp_mutex->timed_lock_sharable(abs_time)) {}

   /// Takes over `other`'s mutex and ownership.
   sharable_lock(sharable_lock &&other) noexcept : mp_mutex(other.mp_mutex), m_locked(other.m_locked) {
      other.mp_mutex = nullptr;
      other.m_locked = false;
   }

   /// Downgrades `upgr`'s upgradable ownership to sharable.
   template <class T>
   explicit sharable_lock(upgradable_lock<T> &&upgr) : mp_mutex(nullptr), m_locked(false) {
      upgradable_lock<T> &u = upgr;
      if (u.owns()) {
         u.mutex()->unlock_upgradable_and_lock_sharable();
         m_locked = true;
      }
      mp_mutex = u.release();
   }
   /// Downgrades `scop`'s exclusive ownership to sharable.
   template <class T>
   explicit sharable_lock(scoped_lock<T> &&scop) : mp_mutex(nullptr), m_locked(false) {
      scoped_lock<T> &e = scop;
      if (e.owns()) {
         e.mutex()->unlock_and_lock_sharable();
         m_locked = true;
      }
      mp_mutex = e.release();
   }

   sharable_lock(const sharable_lock &) = delete;
   sharable_lock &operator=(const sharable_lock &) = delete;

   /// Unlocks if owned.
   ~sharable_lock() {
      try {
         if (m_locked && mp_mutex) {
            mp_mutex->unlock_sharable();
         }
      } catch (...) {
      }
   }

   /// Unlocks what this lock owns, then takes over `other`'s mutex and ownership.
   sharable_lock &operator=(sharable_lock &&other) {
      if (this != &other) {
         if (owns()) {
            this->unlock();
         }
         mp_mutex = other.mp_mutex;
         m_locked = other.m_locked;
         other.mp_mutex = nullptr;
         other.m_locked = false;
      }
      return *this;
   }

   /// Locks the mutex.
   void lock() {
      check_lockable();
      mp_mutex->lock_sharable();
      m_locked = true;
   }
   /// Tries to lock the mutex; whether it did.
   bool try_lock() {
      check_lockable();
      m_locked = mp_mutex->try_lock_sharable();
      return m_locked;
   }
   /// Tries to lock the mutex until `abs_time`; whether it did.
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      check_lockable();
      m_locked = mp_mutex->timed_lock_sharable(abs_time);
      return m_locked;
   }
   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }
   /// Tries to lock the mutex for at most `dur`; whether it did.
   template <class Duration> bool try_lock_for(const Duration &dur) {
      return timed_lock(std::chrono::steady_clock::now() +
                        std::chrono::ceil<std::chrono::steady_clock::duration>(detail_to_chrono(dur)));
   }
   /// Unlocks; throws `lock_exception` if not owned.
   void unlock() {
      if (!mp_mutex || !m_locked) {
         throw lock_exception();
      }
      mp_mutex->unlock_sharable();
      m_locked = false;
   }

   /// Whether this lock owns its mutex.
   bool owns() const noexcept { return m_locked && mp_mutex; }
   /// Whether this lock owns its mutex, converting implicitly as Boost's lock does
   /// (`const bool owned = lock;`) but never to a number.
   operator unspecified_bool_type() const noexcept { return owns() ? &sharable_lock::m_locked : nullptr; }
   /// The mutex, or null.
   mutex_type *mutex() const noexcept { return mp_mutex; }
   /// Gives up the mutex without unlocking it; returns it.
   mutex_type *release() noexcept {
      mutex_type *m = mp_mutex;
      mp_mutex = nullptr;
      m_locked = false;
      return m;
   }
   /// Exchanges two locks.
   void swap(sharable_lock &other) noexcept {
      std::swap(mp_mutex, other.mp_mutex);
      std::swap(m_locked, other.m_locked);
   }

private:
   void check_lockable() const {
      if (!mp_mutex || m_locked) {
         throw lock_exception();
      }
   }
   template <class Duration> static auto detail_to_chrono(const Duration &d) {
      if constexpr (detail::is_chrono_duration<Duration>::value) {
         return d;
      } else {
         return std::chrono::microseconds(d.is_pos_infinity() ? (std::int64_t(1) << 50) : d.total_microseconds());
      }
   }

   mutex_type *mp_mutex;
   bool m_locked;
};

} // namespace interproc

#endif // INTERPROC_SYNC_SHARABLE_LOCK_HPP
