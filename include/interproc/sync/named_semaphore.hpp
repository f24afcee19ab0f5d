// interproc C++ wrapper: named_semaphore, as in
// <boost/interprocess/sync/named_semaphore.hpp>.
#ifndef INTERPROC_SYNC_NAMED_SEMAPHORE_HPP
#define INTERPROC_SYNC_NAMED_SEMAPHORE_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/permissions.hpp>
#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {

/// A named process-shared counting semaphore (Boost's `named_semaphore`). It lives in
/// `/dev/shm/<name>` until `remove`; not copyable or movable.
class named_semaphore {
public:
   /// Creates the semaphore with count `initialCount`; throws (`already_exists_error`) if
   /// it exists.
   named_semaphore(create_only_t, const char *name, unsigned int initialCount, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_CREATE_ONLY, name, initialCount, perm)), m_sem(::interproc_named_semaphore_get(m_handle)) {}
   /// Opens the semaphore, creating it with count `initialCount` if it is missing.
   named_semaphore(open_or_create_t, const char *name, unsigned int initialCount, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_OPEN_OR_CREATE, name, initialCount, perm)),
        m_sem(::interproc_named_semaphore_get(m_handle)) {}
   /// Opens the existing semaphore; throws (`not_found_error`) if it is missing.
   named_semaphore(open_only_t, const char *name)
      : m_handle(open(INTERPROC_OPEN_ONLY, name, 0, permissions())), m_sem(::interproc_named_semaphore_get(m_handle)) {}
   named_semaphore(const named_semaphore &) = delete;
   named_semaphore &operator=(const named_semaphore &) = delete;
   /// Closes this process's handle; the semaphore stays until `remove`.
   ~named_semaphore() { ::interproc_named_semaphore_free(m_handle); }

   /// Increments the count, waking a waiter.
   void post() { detail::check(::interproc_semaphore_post(m_sem)); }
   /// Decrements the count, waiting while it is 0.
   void wait() { detail::check(::interproc_semaphore_wait(m_sem)); }
   /// Decrements the count if it is positive; whether it did.
   bool try_wait() { return detail::try_status(::interproc_semaphore_try_wait(m_sem)); }
   /// Decrements the count, waiting at most until `abs_time` (chrono time point or ptime);
   /// whether it did.
   template <class TimePoint> bool timed_wait(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_semaphore_timed_wait(m_sem, &d));
   }
   /// Same as `timed_wait`.
   template <class TimePoint> bool try_wait_until(const TimePoint &abs_time) { return timed_wait(abs_time); }
   /// Decrements the count, waiting at most `dur` (monotonic clock); whether it did.
   template <class Duration> bool try_wait_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(::interproc_semaphore_timed_wait(m_sem, &d));
   }

   /// Removes the semaphore `name`; false if there was nothing to remove.
   static bool remove(const char *name) noexcept { return ::interproc_named_semaphore_remove(name); }

private:
   static ::interproc_named_semaphore_t *open(interproc_creation_t creation, const char *name, unsigned int initial,
                                              const permissions &perm) {
      ::interproc_named_semaphore_t *h = nullptr;
      detail::check(::interproc_named_semaphore_open(creation, name, initial,
                                                     static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   ::interproc_named_semaphore_t *m_handle;
   interproc_semaphore_t *m_sem;
};

} // namespace interproc

#endif // INTERPROC_SYNC_NAMED_SEMAPHORE_HPP
