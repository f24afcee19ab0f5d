// interproc C++ wrapper: interprocess_semaphore, as in
// <boost/interprocess/sync/interprocess_semaphore.hpp>.
#ifndef INTERPROC_SYNC_INTERPROCESS_SEMAPHORE_HPP
#define INTERPROC_SYNC_INTERPROCESS_SEMAPHORE_HPP

#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {

/// A process-shared counting semaphore (Boost's `interprocess_semaphore`). Place it in
/// shared memory. 32 bytes, not copyable or movable. `post` and an uncontended `wait` make
/// no system call.
class interprocess_semaphore {
public:
   /// A semaphore with count `initialCount`.
   interprocess_semaphore(unsigned int initialCount) { detail::check(::interproc_semaphore_init(&m_sem, initialCount)); }
   interprocess_semaphore(const interprocess_semaphore &) = delete;
   interprocess_semaphore &operator=(const interprocess_semaphore &) = delete;
   /// Destroys the semaphore; no one may be waiting.
   ~interprocess_semaphore() { ::interproc_semaphore_destroy(&m_sem); }

   /// Increments the count, waking a waiter.
   void post() { detail::check(::interproc_semaphore_post(&m_sem)); }
   /// Decrements the count, waiting while it is 0.
   void wait() { detail::check(::interproc_semaphore_wait(&m_sem)); }
   /// Decrements the count if it is positive; whether it did.
   bool try_wait() { return detail::try_status(::interproc_semaphore_try_wait(&m_sem)); }
   /// Decrements the count, waiting at most until `abs_time` (chrono time point or ptime);
   /// whether it did.
   template <class TimePoint> bool timed_wait(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_semaphore_timed_wait(&m_sem, &d));
   }
   /// Same as `timed_wait`.
   template <class TimePoint> bool try_wait_until(const TimePoint &abs_time) { return timed_wait(abs_time); }
   /// Decrements the count, waiting at most `dur` (monotonic clock); whether it did.
   template <class Duration> bool try_wait_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(::interproc_semaphore_timed_wait(&m_sem, &d));
   }

   /// The C object, for calls into the C API.
   interproc_semaphore_t *native_handle() noexcept { return &m_sem; }

private:
   interproc_semaphore_t m_sem;
};

} // namespace interproc

#endif // INTERPROC_SYNC_INTERPROCESS_SEMAPHORE_HPP
