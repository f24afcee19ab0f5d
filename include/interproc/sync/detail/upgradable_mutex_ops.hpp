// interproc C++ wrapper: the lock operations of the four readers-writer mutexes over the C
// upgradable mutex, written once (not part of the public API).
#ifndef INTERPROC_SYNC_DETAIL_UPGRADABLE_MUTEX_OPS_HPP
#define INTERPROC_SYNC_DETAIL_UPGRADABLE_MUTEX_OPS_HPP

#include <interproc/sync/detail/sync_common.hpp>
#include <interproc/sync/detail/sync_object.hpp>

namespace interproc {
namespace detail {

/// Exclusive and sharable ownership of the C upgradable mutex of `Derived` (see
/// `c_object_access`): the members Boost's `interprocess_sharable_mutex` and
/// `named_sharable_mutex` have.
template <class Derived> class sharable_mutex_ops : public c_object_access<Derived, interproc_upgradable_mutex_t> {
public:
   /// Takes exclusive ownership, waiting as long as it takes. Never throws because an owner
   /// died: the lock is held as usual.
   void lock() { detail::lock_status(::interproc_upgradable_mutex_lock(this->c())); }
   /// Takes exclusive ownership if possible at once; whether it did.
   bool try_lock() { return detail::try_status(::interproc_upgradable_mutex_try_lock(this->c())); }
   /// Takes exclusive ownership, waiting at most until `abs_time` (chrono time point or ptime).
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock(this->c(), &d));
   }
   /// Releases exclusive ownership.
   void unlock() { detail::check(::interproc_upgradable_mutex_unlock(this->c())); }
   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }
   /// Takes exclusive ownership, waiting at most `dur` (monotonic clock).
   template <class Duration> bool try_lock_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock(this->c(), &d));
   }

   /// Takes sharable (reader) ownership, waiting as long as it takes. Never throws because an owner
   /// died: the lock is held as usual.
   void lock_sharable() { detail::lock_status(::interproc_upgradable_mutex_lock_sharable(this->c())); }
   /// Takes sharable (reader) ownership if possible at once; whether it did.
   bool try_lock_sharable() { return detail::try_status(::interproc_upgradable_mutex_try_lock_sharable(this->c())); }
   /// Takes sharable (reader) ownership, waiting at most until `abs_time` (chrono time point or ptime).
   template <class TimePoint> bool timed_lock_sharable(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock_sharable(this->c(), &d));
   }
   /// Releases sharable (reader) ownership.
   void unlock_sharable() { detail::check(::interproc_upgradable_mutex_unlock_sharable(this->c())); }
   /// Same as `lock_sharable` (the standard library's name, for `std::shared_lock`).
   void lock_shared() { lock_sharable(); }
   /// Same as `try_lock_sharable`.
   bool try_lock_shared() { return try_lock_sharable(); }
   /// Same as `unlock_sharable`.
   void unlock_shared() { unlock_sharable(); }

   /// Whether the current exclusive holder got the lock from an owner that died (the data
   /// may be half-updated). Meaningful only to that holder.
   bool previous_owner_died() const noexcept { return ::interproc_upgradable_mutex_previous_owner_died(this->c()); }

protected:
   sharable_mutex_ops() = default;
   ~sharable_mutex_ops() = default;
};

/// `sharable_mutex_ops` plus upgradable ownership and the transfers between the three kinds:
/// the members Boost's `interprocess_upgradable_mutex` and `named_upgradable_mutex` have.
template <class Derived> class upgradable_mutex_ops : public sharable_mutex_ops<Derived> {
public:
   /// Takes upgradable ownership, waiting as long as it takes. Never throws because an owner
   /// died: the lock is held as usual.
   /// Upgradable ownership admits readers and excludes writers and other upgraders.
   void lock_upgradable() { detail::lock_status(::interproc_upgradable_mutex_lock_upgradable(this->c())); }
   /// Takes upgradable ownership if possible at once; whether it did.
   bool try_lock_upgradable() { return detail::try_status(::interproc_upgradable_mutex_try_lock_upgradable(this->c())); }
   /// Takes upgradable ownership, waiting at most until `abs_time` (chrono time point or ptime).
   template <class TimePoint> bool timed_lock_upgradable(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock_upgradable(this->c(), &d));
   }
   /// Releases upgradable ownership.
   void unlock_upgradable() { detail::check(::interproc_upgradable_mutex_unlock_upgradable(this->c())); }

   /// Exclusive → upgradable.
   void unlock_and_lock_upgradable() { detail::check(::interproc_upgradable_mutex_unlock_and_lock_upgradable(this->c())); }
   /// Exclusive → sharable.
   void unlock_and_lock_sharable() { detail::check(::interproc_upgradable_mutex_unlock_and_lock_sharable(this->c())); }
   /// Upgradable → sharable.
   void unlock_upgradable_and_lock_sharable() {
      detail::check(::interproc_upgradable_mutex_unlock_upgradable_and_lock_sharable(this->c()));
   }
   /// Upgradable → exclusive, waiting for the readers to leave.
   void unlock_upgradable_and_lock() { detail::check(::interproc_upgradable_mutex_unlock_upgradable_and_lock(this->c())); }
   /// Upgradable → exclusive if there are no readers; false (still upgradable) otherwise.
   bool try_unlock_upgradable_and_lock() {
      return detail::try_status(::interproc_upgradable_mutex_try_unlock_upgradable_and_lock(this->c()));
   }
   /// Upgradable → exclusive, waiting at most until `abs_time`; false (still upgradable)
   /// on timeout.
   template <class TimePoint> bool timed_unlock_upgradable_and_lock(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_unlock_upgradable_and_lock(this->c(), &d));
   }
   /// Sharable → exclusive if the caller is the only reader; false (still sharable)
   /// otherwise.
   bool try_unlock_sharable_and_lock() {
      return detail::try_status(::interproc_upgradable_mutex_try_unlock_sharable_and_lock(this->c()));
   }
   /// Sharable → upgradable if no one holds the writer side; false (still sharable)
   /// otherwise.
   bool try_unlock_sharable_and_lock_upgradable() {
      return detail::try_status(::interproc_upgradable_mutex_try_unlock_sharable_and_lock_upgradable(this->c()));
   }

protected:
   upgradable_mutex_ops() = default;
   ~upgradable_mutex_ops() = default;
};

/// A readers-writer mutex with the operations `Ops<Derived>` (`sharable_mutex_ops` or
/// `upgradable_mutex_ops`) placed in shared memory: `interprocess_sharable_mutex` and
/// `interprocess_upgradable_mutex`.
template <class Derived, template <class> class Ops>
using inplace_rw_mutex = inplace_sync_object<Derived, Ops<Derived>, interproc_upgradable_mutex_t, &::interproc_upgradable_mutex_init,
                                             &::interproc_upgradable_mutex_destroy>;

} // namespace detail
} // namespace interproc

#endif // INTERPROC_SYNC_DETAIL_UPGRADABLE_MUTEX_OPS_HPP
