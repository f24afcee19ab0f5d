// interproc C++ wrapper: the lock operations of the four exclusive mutexes over the C
// mutex and recursive mutex, written once (not part of the public API).
#ifndef INTERPROC_SYNC_DETAIL_MUTEX_OPS_HPP
#define INTERPROC_SYNC_DETAIL_MUTEX_OPS_HPP

#include <interproc/sync/detail/sync_common.hpp>
#include <interproc/sync/detail/sync_object.hpp>

namespace interproc {
namespace detail {

/// The C API of the process-shared mutex.
struct plain_mutex_calls {
   typedef interproc_mutex_t object;
   static constexpr interproc_status_t (*init)(object *) = &::interproc_mutex_init;
   static constexpr interproc_status_t (*destroy)(object *) = &::interproc_mutex_destroy;
   static constexpr interproc_status_t (*lock)(object *) = &::interproc_mutex_lock;
   static constexpr interproc_status_t (*try_lock)(object *) = &::interproc_mutex_try_lock;
   static constexpr interproc_status_t (*timed_lock)(object *, const interproc_deadline_t *) = &::interproc_mutex_timed_lock;
   static constexpr interproc_status_t (*unlock)(object *) = &::interproc_mutex_unlock;
   static constexpr bool (*previous_owner_died)(const object *) = &::interproc_mutex_previous_owner_died;
};

/// The C API of the process-shared recursive mutex.
struct recursive_mutex_calls {
   typedef interproc_recursive_mutex_t object;
   static constexpr interproc_status_t (*init)(object *) = &::interproc_recursive_mutex_init;
   static constexpr interproc_status_t (*destroy)(object *) = &::interproc_recursive_mutex_destroy;
   static constexpr interproc_status_t (*lock)(object *) = &::interproc_recursive_mutex_lock;
   static constexpr interproc_status_t (*try_lock)(object *) = &::interproc_recursive_mutex_try_lock;
   static constexpr interproc_status_t (*timed_lock)(object *, const interproc_deadline_t *) = &::interproc_recursive_mutex_timed_lock;
   static constexpr interproc_status_t (*unlock)(object *) = &::interproc_recursive_mutex_unlock;
   static constexpr bool (*previous_owner_died)(const object *) = &::interproc_recursive_mutex_previous_owner_died;
};

/// The lock operations of Boost's exclusive mutexes over the C mutex that `Calls` names,
/// for `Derived` (see `c_object_access`).
template <class Derived, class Calls> class mutex_ops : public c_object_access<Derived, typename Calls::object> {
public:
   /// Locks, waiting as long as it takes. Never throws because the previous owner died:
   /// the lock is then held as usual and `previous_owner_died()` returns true until the
   /// next lock. Throws `lock_exception` or `interprocess_exception` on other failures.
   void lock() { detail::lock_status(Calls::lock(this->c())); }

   /// Locks if that is possible at once; whether it did.
   bool try_lock() { return detail::try_status(Calls::try_lock(this->c())); }

   /// Locks, waiting at most until `abs_time` (`std::chrono` system_clock or steady_clock
   /// time point, or `boost::posix_time::ptime` in UTC); whether it did.
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(Calls::timed_lock(this->c(), &d));
   }

   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }

   /// Locks, waiting at most `dur` (measured on the monotonic clock); whether it did.
   template <class Duration> bool try_lock_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(Calls::timed_lock(this->c(), &d));
   }

   /// Unlocks; throws `lock_exception` if this thread does not hold it.
   void unlock() { detail::check(Calls::unlock(this->c())); }

   /// Whether the current holder got the lock from an owner that died holding it (the data
   /// it protects may be half-updated). Meaningful only to the holder.
   bool previous_owner_died() const noexcept { return Calls::previous_owner_died(this->c()); }

protected:
   mutex_ops() = default;
   ~mutex_ops() = default;
};

/// An exclusive mutex of `Calls` placed in shared memory: `interprocess_mutex` and
/// `interprocess_recursive_mutex`.
template <class Derived, class Calls>
using inplace_mutex = inplace_sync_object<Derived, mutex_ops<Derived, Calls>, typename Calls::object, Calls::init, Calls::destroy>;

} // namespace detail
} // namespace interproc

#endif // INTERPROC_SYNC_DETAIL_MUTEX_OPS_HPP
