// interproc C++ wrapper: the waits and notifications every condition variable shares
// (not part of the public API).
#ifndef INTERPROC_SYNC_DETAIL_CONDITION_WAITS_HPP
#define INTERPROC_SYNC_DETAIL_CONDITION_WAITS_HPP

#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {
namespace detail {

/// Notify and wait over the C condition that `Holder::condition_object()` gives (the
/// holder befriends this class). No data of its own: an in-place condition keeps its size.
///
/// The waits work with any lock type that has `lock()` and `unlock()` (`scoped_lock` of any
/// interproc mutex, `std::unique_lock`, ...).
template <class Holder> class condition_waits {
public:
   /// Wakes one waiter (more may wake, as with every condition variable).
   void notify_one() { check(::interproc_condition_notify_one(object())); }
   /// Wakes every waiter.
   void notify_all() { check(::interproc_condition_notify_all(object())); }

   /// Releases `lock` (which must own its mutex), waits for a notification and takes
   /// `lock` again. Spurious wake-ups happen: prefer the predicate form.
   template <class L> void wait(L &lock) {
      const interproc_status_t st = ticket_wait(object(), lock, nullptr);
      if (st != INTERPROC_OK) {
         throw_status(st);
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
      const interproc_deadline_t d = to_deadline(abs_time);
      return try_status(ticket_wait(object(), lock, &d));
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
      const interproc_deadline_t d = deadline_after(dur);
      return try_status(ticket_wait(object(), lock, &d)) ? cv_status::no_timeout : cv_status::timeout;
   }
   /// Waits until `pred()` is true, at most `dur`; returns `pred()`.
   template <class L, class Duration, class Pr> bool wait_for(L &lock, const Duration &dur, Pr pred) {
      const interproc_deadline_t d = deadline_after(dur);
      while (!pred()) {
         if (!try_status(ticket_wait(object(), lock, &d))) {
            return pred();
         }
      }
      return true;
   }

private:
   interproc_condition_t *object() noexcept { return static_cast<Holder *>(this)->condition_object(); }
};

/// A condition variable placed in the caller's memory (shared memory, typically): the C
/// object itself, initialised and destroyed with this one.
class inplace_condition : public condition_waits<inplace_condition> {
public:
   inplace_condition() { check(::interproc_condition_init(&m_cond)); }
   inplace_condition(const inplace_condition &) = delete;
   inplace_condition &operator=(const inplace_condition &) = delete;
   /// Destroys the condition; no one may be waiting.
   ~inplace_condition() { ::interproc_condition_destroy(&m_cond); }

   /// The C object, for calls into the C API.
   interproc_condition_t *native_handle() noexcept { return &m_cond; }

private:
   friend class condition_waits<inplace_condition>;
   interproc_condition_t *condition_object() noexcept { return &m_cond; }

   interproc_condition_t m_cond;
};

static_assert(sizeof(inplace_condition) == sizeof(interproc_condition_t), "an in-place condition is the C object");

} // namespace detail
} // namespace interproc

#endif // INTERPROC_SYNC_DETAIL_CONDITION_WAITS_HPP
