// interproc C++ wrapper: what scoped_lock, sharable_lock and upgradable_lock share (not
// part of the public API).
#ifndef INTERPROC_SYNC_DETAIL_LOCK_GUARD_BASE_HPP
#define INTERPROC_SYNC_DETAIL_LOCK_GUARD_BASE_HPP

#include <interproc/sync/detail/sync_common.hpp>
#include <interproc/sync/lock_options.hpp>

namespace interproc {
namespace detail {

/// How a scoped_lock holds its mutex: exclusively.
struct exclusive_ownership {
   template <class M> static void lock(M &m) { m.lock(); }
   template <class M> static bool try_lock(M &m) { return m.try_lock(); }
   template <class M, class T> static bool timed_lock(M &m, const T &abs_time) { return m.timed_lock(abs_time); }
   template <class M> static void unlock(M &m) { m.unlock(); }
};

/// How a sharable_lock holds its mutex: as a reader.
struct sharable_ownership {
   template <class M> static void lock(M &m) { m.lock_sharable(); }
   template <class M> static bool try_lock(M &m) { return m.try_lock_sharable(); }
   template <class M, class T> static bool timed_lock(M &m, const T &abs_time) { return m.timed_lock_sharable(abs_time); }
   template <class M> static void unlock(M &m) { m.unlock_sharable(); }
};

/// How an upgradable_lock holds its mutex: as the one upgrader.
struct upgradable_ownership {
   template <class M> static void lock(M &m) { m.lock_upgradable(); }
   template <class M> static bool try_lock(M &m) { return m.try_lock_upgradable(); }
   template <class M, class T> static bool timed_lock(M &m, const T &abs_time) { return m.timed_lock_upgradable(abs_time); }
   template <class M> static void unlock(M &m) { m.unlock_upgradable(); }
};

/// A lock guard: a mutex (or none) and whether this guard owns it, locked and unlocked
/// the way `Ownership` says. `Derived` is the lock type itself (`scoped_lock<M>`, ...),
/// which adds its constructors and its conversions from the other lock types.
///
/// Lock operations throw `lock_exception` when there is no mutex or the lock is already
/// owned. With an interproc mutex whose owner died, locking succeeds (the mutex's
/// `previous_owner_died()` says so), so RAII code keeps working.
template <class Derived, class Mutex, class Ownership> class lock_guard_base {
   // What the lock converts to: a pointer to member, which tests as a bool and converts
   // to nothing else (Boost's safe-bool idiom).
   typedef bool lock_guard_base::*unspecified_bool_type;

public:
   /// The mutex type.
   typedef Mutex mutex_type;

   /// Locks the mutex.
   void lock() {
      check_lockable();
      Ownership::lock(*mp_mutex);
      m_locked = true;
   }
   /// Tries to lock the mutex; whether it did.
   bool try_lock() {
      check_lockable();
      m_locked = Ownership::try_lock(*mp_mutex);
      return m_locked;
   }
   /// Tries to lock the mutex until `abs_time` (chrono time point or ptime); whether it did.
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      check_lockable();
      m_locked = Ownership::timed_lock(*mp_mutex, abs_time);
      return m_locked;
   }
   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }
   /// Tries to lock the mutex for at most `dur`; whether it did.
   template <class Duration> bool try_lock_for(const Duration &dur) {
      return timed_lock(std::chrono::steady_clock::now() +
                        std::chrono::ceil<std::chrono::steady_clock::duration>(to_chrono(dur)));
   }
   /// Unlocks; throws `lock_exception` if not owned.
   void unlock() {
      if (!mp_mutex || !m_locked) {
         throw lock_exception();
      }
      Ownership::unlock(*mp_mutex);
      m_locked = false;
   }

   /// Whether this lock owns its mutex.
   bool owns() const noexcept { return m_locked && mp_mutex; }
   /// Whether this lock owns its mutex, converting implicitly as Boost's lock does
   /// (`const bool owned = lock;`) but never to a number.
   operator unspecified_bool_type() const noexcept { return owns() ? &lock_guard_base::m_locked : nullptr; }
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
   void swap(Derived &other) noexcept {
      lock_guard_base &o = other;
      std::swap(mp_mutex, o.mp_mutex);
      std::swap(m_locked, o.m_locked);
   }

protected:
   lock_guard_base() noexcept : mp_mutex(nullptr), m_locked(false) {}
   explicit lock_guard_base(mutex_type &m) : mp_mutex(&m), m_locked(false) {
      Ownership::lock(m);
      m_locked = true;
   }
   lock_guard_base(mutex_type &m, defer_lock_type) noexcept : mp_mutex(&m), m_locked(false) {}
   lock_guard_base(mutex_type &m, accept_ownership_type) noexcept : mp_mutex(&m), m_locked(true) {}
   lock_guard_base(mutex_type &m, try_to_lock_type) : mp_mutex(&m), m_locked(Ownership::try_lock(m)) {}
   template <class TimePoint>
   lock_guard_base(mutex_type &m, const TimePoint &abs_time) : mp_mutex(&m), m_locked(Ownership::timed_lock(m, abs_time)) {}
   lock_guard_base(lock_guard_base &&other) noexcept : mp_mutex(other.mp_mutex), m_locked(other.m_locked) {
      other.mp_mutex = nullptr;
      other.m_locked = false;
   }
   lock_guard_base(const lock_guard_base &) = delete;
   lock_guard_base &operator=(const lock_guard_base &) = delete;

   /// Unlocks if owned.
   ~lock_guard_base() {
      try {
         if (m_locked && mp_mutex) {
            Ownership::unlock(*mp_mutex);
         }
      } catch (...) {
      }
   }

   /// Unlocks what this lock owns, then takes over `other`'s mutex and ownership.
   void move_assign(lock_guard_base &other) {
      if (this != &other) {
         if (owns()) {
            this->unlock();
         }
         mp_mutex = other.mp_mutex;
         m_locked = other.m_locked;
         other.mp_mutex = nullptr;
         other.m_locked = false;
      }
   }

   /// Takes over `source`'s mutex; if `source` owned it, first turns that ownership into
   /// this lock's with `convert(mutex)` (which blocks as long as it must).
   template <class Source, class Convert> void convert_from(Source &source, Convert convert) {
      if (source.owns()) {
         convert(*source.mutex());
         m_locked = true;
      }
      mp_mutex = source.release();
   }
   /// As `convert_from` with a conversion that may fail (`try_convert(mutex)` is false):
   /// then `source` keeps its ownership and this lock stays empty.
   template <class Source, class TryConvert> void try_convert_from(Source &source, TryConvert try_convert) {
      if (!source.owns()) {
         mp_mutex = source.release();
      } else if (try_convert(*source.mutex())) {
         mp_mutex = source.release();
         m_locked = true;
      }
   }

private:
   void check_lockable() const {
      if (!mp_mutex || m_locked) {
         throw lock_exception();
      }
   }
   template <class Duration> static auto to_chrono(const Duration &d) {
      if constexpr (is_chrono_duration<Duration>::value) {
         return d;
      } else {
         return std::chrono::microseconds(d.is_pos_infinity() ? (std::int64_t(1) << 50) : d.total_microseconds());
      }
   }

   mutex_type *mp_mutex;
   bool m_locked;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_SYNC_DETAIL_LOCK_GUARD_BASE_HPP
