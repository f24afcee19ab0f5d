// interproc C++ wrapper: interprocess_condition, as in <boost/interprocess/sync/interprocess_condition.hpp>.
#ifndef INTERPROC_SYNC_INTERPROCESS_CONDITION_HPP
#define INTERPROC_SYNC_INTERPROCESS_CONDITION_HPP

#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {

/// A process-shared condition variable (Boost's `interprocess_condition`).
///
/// Place it in shared memory. 32 bytes, not copyable or movable. It works with any lock
/// type that has `lock()` and `unlock()` (`scoped_lock` of any interproc mutex,
/// `std::unique_lock`, ...). Built on a shared futex, not on `pthread_cond_t`: a waiter
/// killed in the middle of a wait never blocks the other processes.
class interprocess_condition {
public:
   /// Initialises the condition.
   interprocess_condition() { detail::check(::interproc_condition_init(&m_cond)); }
   interprocess_condition(const interprocess_condition &) = delete;
   interprocess_condition &operator=(const interprocess_condition &) = delete;
   /// Destroys the condition; no one may be waiting.
   ~interprocess_condition() { ::interproc_condition_destroy(&m_cond); }

   /// Wakes one waiter (more may wake, as with every condition variable).
   void notify_one() { detail::check(::interproc_condition_notify_one(&m_cond)); }
   /// Wakes every waiter.
   void notify_all() { detail::check(::interproc_condition_notify_all(&m_cond)); }

   /// Releases `lock` (which must own its mutex), waits for a notification and takes
   /// `lock` again. Spurious wake-ups happen: prefer the predicate form.
   template <class L> void wait(L &lock) {
      const interproc_status_t st = detail::ticket_wait(&m_cond, lock, nullptr);
      if (st != INTERPROC_OK) {
         detail::throw_status(st);
      }
   }
   /// Waits until `pred()` is true.
   template <class L, class Pr> void wait(L &lock, Pr pred) {
      while (!pred()) {
         wait(lock);
      }
   }
   /// Waits at most until `abs_time` (chrono time point or ptime); false if the deadline
   /// passed. `lock` is owned again in both cases.
   template <class L, class TimePoint> bool timed_wait(L &lock, const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(detail::ticket_wait(&m_cond, lock, &d));
   }
   /// Waits until `pred()` is true or `abs_time` passes; returns `pred()`.
   template <class L, class TimePoint, class Pr> bool timed_wait(L &lock, const TimePoint &abs_time, Pr pred) {
      while (!pred()) {
         if (!timed_wait(lock, abs_time)) {
            return pred();
         }
      }
      return true;
   }
   /// As `timed_wait`, saying whether it timed out.
   template <class L, class TimePoint> cv_status wait_until(L &lock, const TimePoint &abs_time) {
      return timed_wait(lock, abs_time) ? cv_status::no_timeout : cv_status::timeout;
   }
   /// As `timed_wait` with a predicate.
   template <class L, class TimePoint, class Pr> bool wait_until(L &lock, const TimePoint &abs_time, Pr pred) {
      return timed_wait(lock, abs_time, pred);
   }
   /// Waits at most `dur` (monotonic clock).
   template <class L, class Duration> cv_status wait_for(L &lock, const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(detail::ticket_wait(&m_cond, lock, &d)) ? cv_status::no_timeout : cv_status::timeout;
   }
   /// Waits until `pred()` is true, at most `dur`; returns `pred()`.
   template <class L, class Duration, class Pr> bool wait_for(L &lock, const Duration &dur, Pr pred) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      while (!pred()) {
         if (!detail::try_status(detail::ticket_wait(&m_cond, lock, &d))) {
            return pred();
         }
      }
      return true;
   }

   /// The C object, for calls into the C API.
   interproc_condition_t *native_handle() noexcept { return &m_cond; }

private:
   interproc_condition_t m_cond;
};

} // namespace interproc

#endif // INTERPROC_SYNC_INTERPROCESS_CONDITION_HPP
