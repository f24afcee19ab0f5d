// interproc C++ wrapper: scoped_lock, as in <boost/interprocess/sync/scoped_lock.hpp>.
#ifndef INTERPROC_SYNC_SCOPED_LOCK_HPP
#define INTERPROC_SYNC_SCOPED_LOCK_HPP

#include <interproc/sync/detail/lock_fwd.hpp>
#include <interproc/sync/detail/lock_guard_base.hpp>

namespace interproc {

/// Exclusive ownership of a mutex for a scope (Boost's `scoped_lock`).
///
/// Movable, not copyable. Lock operations throw `lock_exception` when there is no mutex or
/// the lock is already owned. With an interproc mutex whose owner died, locking succeeds
/// (the mutex's `previous_owner_died()` says so), so RAII code keeps working.
template <class Mutex>
class scoped_lock : public detail::lock_guard_base<scoped_lock<Mutex>, Mutex, detail::exclusive_ownership> {
   typedef detail::lock_guard_base<scoped_lock<Mutex>, Mutex, detail::exclusive_ownership> base_type;

public:
   /// The mutex type.
   typedef Mutex mutex_type;

   /// A lock with no mutex.
   scoped_lock() noexcept {}
   /// Locks `m` and owns it.
   explicit scoped_lock(mutex_type &m) : base_type(m) {}
   /// Refers to `m` without locking it.
   scoped_lock(mutex_type &m, defer_lock_type t) noexcept : base_type(m, t) {}
   /// Adopts `m`, which the caller has locked already.
   scoped_lock(mutex_type &m, accept_ownership_type t) noexcept : base_type(m, t) {}
   /// Tries to lock `m`; `owns()` says whether it did.
   scoped_lock(mutex_type &m, try_to_lock_type t) : base_type(m, t) {}
   /// Tries to lock `m` until `abs_time` (chrono time point or ptime); `owns()` says
   /// whether it did.
   template <class TimePoint> scoped_lock(mutex_type &m, const TimePoint &abs_time) : base_type(m, abs_time) {}
   /// Takes over `other`'s mutex and ownership.
   scoped_lock(scoped_lock &&other) noexcept : base_type(std::move(other)) {}

   /// Upgrades `upgr`'s upgradable ownership to exclusive (waiting for the readers to
   /// leave); an unowned `upgr` just hands over its mutex.
   template <class T>
   explicit scoped_lock(upgradable_lock<T> &&upgr, typename std::enable_if<std::is_same<T, Mutex>::value>::type * = nullptr) {
      this->convert_from(upgr, [](T &m) { m.unlock_upgradable_and_lock(); });
   }
   /// Tries to upgrade `upgr` to exclusive at once; on failure `upgr` keeps its ownership
   /// and this lock is empty.
   template <class T> scoped_lock(upgradable_lock<T> &&upgr, try_to_lock_type) {
      this->try_convert_from(upgr, [](T &m) { return m.try_unlock_upgradable_and_lock(); });
   }
   /// Tries to upgrade `upgr` to exclusive until `abs_time`; on failure `upgr` keeps its
   /// ownership and this lock is empty.
   template <class T, class TimePoint> scoped_lock(upgradable_lock<T> &&upgr, const TimePoint &abs_time) {
      this->try_convert_from(upgr, [&abs_time](T &m) { return m.timed_unlock_upgradable_and_lock(abs_time); });
   }
   /// Tries to turn `shar`'s sharable ownership into exclusive at once; on failure `shar`
   /// keeps its ownership and this lock is empty.
   template <class T> scoped_lock(sharable_lock<T> &&shar, try_to_lock_type) {
      this->try_convert_from(shar, [](T &m) { return m.try_unlock_sharable_and_lock(); });
   }

   /// Unlocks what this lock owns, then takes over `other`'s mutex and ownership.
   scoped_lock &operator=(scoped_lock &&other) {
      this->move_assign(other);
      return *this;
   }
};

} // namespace interproc

#endif // INTERPROC_SYNC_SCOPED_LOCK_HPP
