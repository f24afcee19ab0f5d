// interproc C++ wrapper: named_condition, as in <boost/interprocess/sync/named_condition.hpp>.
#ifndef INTERPROC_SYNC_NAMED_CONDITION_HPP
#define INTERPROC_SYNC_NAMED_CONDITION_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/permissions.hpp>
#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {

/// A named process-shared condition variable (Boost's `named_condition`).
///
/// It lives in `/dev/shm/<name>` until `remove`; not copyable or movable. It works with any
/// lock type that has `lock()` and `unlock()` (typically `scoped_lock<named_mutex>`).
class named_condition {
public:
   /// Creates the condition; throws (`already_exists_error`) if it exists.
   named_condition(create_only_t, const char *name, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_CREATE_ONLY, name, perm)), m_cond(::interproc_named_condition_get(m_handle)) {}
   /// Opens the condition, creating it if it is missing.
   named_condition(open_or_create_t, const char *name, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_OPEN_OR_CREATE, name, perm)), m_cond(::interproc_named_condition_get(m_handle)) {}
   /// Opens the existing condition; throws (`not_found_error`) if it is missing.
   named_condition(open_only_t, const char *name)
      : m_handle(open(INTERPROC_OPEN_ONLY, name, permissions())), m_cond(::interproc_named_condition_get(m_handle)) {}
   named_condition(const named_condition &) = delete;
   named_condition &operator=(const named_condition &) = delete;
   /// Closes this process's handle; the condition stays until `remove`.
   ~named_condition() { ::interproc_named_condition_free(m_handle); }

   /// Wakes one waiter (more may wake, as with every condition variable).
   void notify_one() { detail::check(::interproc_condition_notify_one(m_cond)); }
   /// Wakes every waiter.
   void notify_all() { detail::check(::interproc_condition_notify_all(m_cond)); }

   /// Releases `lock` (which must own its mutex), waits for a notification and takes
   /// `lock` again. Spurious wake-ups happen: prefer the predicate form.
   template <class L> void wait(L &lock) {
      const interproc_status_t st = detail::ticket_wait(m_cond, lock, nullptr);
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
      return detail::try_status(detail::ticket_wait(m_cond, lock, &d));
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
      return detail::try_status(detail::ticket_wait(m_cond, lock, &d)) ? cv_status::no_timeout : cv_status::timeout;
   }
   /// Waits until `pred()` is true, at most `dur`; returns `pred()`.
   template <class L, class Duration, class Pr> bool wait_for(L &lock, const Duration &dur, Pr pred) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      while (!pred()) {
         if (!detail::try_status(detail::ticket_wait(m_cond, lock, &d))) {
            return pred();
         }
      }
      return true;
   }

   /// Removes the condition `name`; false if there was nothing to remove.
   static bool remove(const char *name) noexcept { return ::interproc_named_condition_remove(name); }

private:
   static ::interproc_named_condition_t *open(interproc_creation_t creation, const char *name, const permissions &perm) {
      ::interproc_named_condition_t *h = nullptr;
      detail::check(::interproc_named_condition_open(creation, name, static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   ::interproc_named_condition_t *m_handle;
   interproc_condition_t *m_cond;
};

} // namespace interproc

#endif // INTERPROC_SYNC_NAMED_CONDITION_HPP
