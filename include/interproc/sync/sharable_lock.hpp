// interproc C++ wrapper: sharable_lock, as in <boost/interprocess/sync/sharable_lock.hpp>.
#ifndef INTERPROC_SYNC_SHARABLE_LOCK_HPP
#define INTERPROC_SYNC_SHARABLE_LOCK_HPP

#include <interproc/sync/detail/lock_fwd.hpp>
#include <interproc/sync/detail/lock_guard_base.hpp>

namespace interproc {

/// Sharable (reader) ownership of a sharable or upgradable mutex for a scope (Boost's
/// `sharable_lock`).
///
/// Movable, not copyable. Lock operations throw `lock_exception` when there is no mutex or
/// the lock is already owned. With an interproc mutex whose owner died, locking succeeds
/// (the mutex's `previous_owner_died()` says so), so RAII code keeps working.
template <class SharableMutex>
class sharable_lock
   : public detail::lock_guard_base<sharable_lock<SharableMutex>, SharableMutex, detail::sharable_ownership> {
   typedef detail::lock_guard_base<sharable_lock<SharableMutex>, SharableMutex, detail::sharable_ownership> base_type;

public:
   /// The mutex type.
   typedef SharableMutex mutex_type;

   /// A lock with no mutex.
   sharable_lock() noexcept {}
   /// Locks `m` and owns it.
   explicit sharable_lock(mutex_type &m) : base_type(m) {}
   /// Refers to `m` without locking it.
   sharable_lock(mutex_type &m, defer_lock_type t) noexcept : base_type(m, t) {}
   /// Adopts `m`, which the caller has locked already.
   sharable_lock(mutex_type &m, accept_ownership_type t) noexcept : base_type(m, t) {}
   /// Tries to lock `m`; `owns()` says whether it did.
   sharable_lock(mutex_type &m, try_to_lock_type t) : base_type(m, t) {}
   /// Tries to lock `m` until `abs_time` (chrono time point or ptime); `owns()` says
   /// whether it did.
   template <class TimePoint> sharable_lock(mutex_type &m, const TimePoint &abs_time) : base_type(m, abs_time) {}
   /// Takes over `other`'s mutex and ownership.
   sharable_lock(sharable_lock &&other) noexcept : base_type(std::move(other)) {}

   /// Downgrades `upgr`'s upgradable ownership to sharable.
   template <class T> explicit sharable_lock(upgradable_lock<T> &&upgr) {
      this->convert_from(upgr, [](T &m) { m.unlock_upgradable_and_lock_sharable(); });
   }
   /// Downgrades `scop`'s exclusive ownership to sharable.
   template <class T> explicit sharable_lock(scoped_lock<T> &&scop) {
      this->convert_from(scop, [](T &m) { m.unlock_and_lock_sharable(); });
   }

   /// Unlocks what this lock owns, then takes over `other`'s mutex and ownership.
   sharable_lock &operator=(sharable_lock &&other) {
      this->move_assign(other);
      return *this;
   }
};

} // namespace interproc

#endif // INTERPROC_SYNC_SHARABLE_LOCK_HPP
