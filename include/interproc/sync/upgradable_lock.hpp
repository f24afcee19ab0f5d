// interproc C++ wrapper: upgradable_lock, as in <boost/interprocess/sync/upgradable_lock.hpp>.
#ifndef INTERPROC_SYNC_UPGRADABLE_LOCK_HPP
#define INTERPROC_SYNC_UPGRADABLE_LOCK_HPP

#include <interproc/sync/detail/lock_fwd.hpp>
#include <interproc/sync/detail/lock_guard_base.hpp>

namespace interproc {

/// Upgradable ownership of an upgradable mutex for a scope (Boost's `upgradable_lock`):
/// shared with readers, exclusive among upgraders, and convertible to exclusive.
///
/// Movable, not copyable. Lock operations throw `lock_exception` when there is no mutex or
/// the lock is already owned. With an interproc mutex whose owner died, locking succeeds
/// (the mutex's `previous_owner_died()` says so), so RAII code keeps working.
template <class UpgradableMutex>
class upgradable_lock
   : public detail::lock_guard_base<upgradable_lock<UpgradableMutex>, UpgradableMutex, detail::upgradable_ownership> {
   typedef detail::lock_guard_base<upgradable_lock<UpgradableMutex>, UpgradableMutex, detail::upgradable_ownership> base_type;

public:
   /// The mutex type.
   typedef UpgradableMutex mutex_type;

   /// A lock with no mutex.
   upgradable_lock() noexcept {}
   /// Locks `m` and owns it.
   explicit upgradable_lock(mutex_type &m) : base_type(m) {}
   /// Refers to `m` without locking it.
   upgradable_lock(mutex_type &m, defer_lock_type t) noexcept : base_type(m, t) {}
   /// Adopts `m`, which the caller has locked already.
   upgradable_lock(mutex_type &m, accept_ownership_type t) noexcept : base_type(m, t) {}
   /// Tries to lock `m`; `owns()` says whether it did.
   upgradable_lock(mutex_type &m, try_to_lock_type t) : base_type(m, t) {}
   /// Tries to lock `m` until `abs_time` (chrono time point or ptime); `owns()` says
   /// whether it did.
   template <class TimePoint> upgradable_lock(mutex_type &m, const TimePoint &abs_time) : base_type(m, abs_time) {}
   /// Takes over `other`'s mutex and ownership.
   upgradable_lock(upgradable_lock &&other) noexcept : base_type(std::move(other)) {}

   /// Downgrades `scop`'s exclusive ownership to upgradable.
   template <class T> explicit upgradable_lock(scoped_lock<T> &&scop) {
      this->convert_from(scop, [](T &m) { m.unlock_and_lock_upgradable(); });
   }
   /// Tries to turn `shar`'s sharable ownership into upgradable at once; on failure `shar`
   /// keeps its ownership and this lock is empty.
   template <class T> upgradable_lock(sharable_lock<T> &&shar, try_to_lock_type) {
      this->try_convert_from(shar, [](T &m) { return m.try_unlock_sharable_and_lock_upgradable(); });
   }

   /// Unlocks what this lock owns, then takes over `other`'s mutex and ownership.
   upgradable_lock &operator=(upgradable_lock &&other) {
      this->move_assign(other);
      return *this;
   }
};

} // namespace interproc

#endif // INTERPROC_SYNC_UPGRADABLE_LOCK_HPP
