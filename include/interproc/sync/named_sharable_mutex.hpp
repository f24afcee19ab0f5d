// interproc C++ wrapper: named_sharable_mutex, as in <boost/interprocess/sync/named_sharable_mutex.hpp>.
#ifndef INTERPROC_SYNC_NAMED_SHARABLE_MUTEX_HPP
#define INTERPROC_SYNC_NAMED_SHARABLE_MUTEX_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/permissions.hpp>
#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {

/// A named readers-writer mutex (Boost's `named_sharable_mutex`).
///
/// It lives in `/dev/shm/<name>` until `remove`; not copyable or movable.
/// Robust to crashed owners: when an exclusive (or upgradable) owner dies, the next locker
/// gets the lock without an exception and `previous_owner_died()` tells it; a reader that
/// dies is reclaimed when a writer waits for it (for up to 64 reading processes at once).
class named_sharable_mutex {
public:
   /// Creates the mutex; throws (`already_exists_error`) if it exists.
   named_sharable_mutex(create_only_t, const char *name, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_CREATE_ONLY, name, perm)), m_mutex(::interproc_named_sharable_mutex_get(m_handle)) {}
   /// Opens the mutex, creating it if it is missing.
   named_sharable_mutex(open_or_create_t, const char *name, const permissions &perm = permissions())
      : m_handle(open(INTERPROC_OPEN_OR_CREATE, name, perm)), m_mutex(::interproc_named_sharable_mutex_get(m_handle)) {}
   /// Opens the existing mutex; throws (`not_found_error`) if it is missing.
   named_sharable_mutex(open_only_t, const char *name)
      : m_handle(open(INTERPROC_OPEN_ONLY, name, permissions())), m_mutex(::interproc_named_sharable_mutex_get(m_handle)) {}
   named_sharable_mutex(const named_sharable_mutex &) = delete;
   named_sharable_mutex &operator=(const named_sharable_mutex &) = delete;
   /// Closes this process's handle; the mutex stays until `remove`.
   ~named_sharable_mutex() { ::interproc_named_sharable_mutex_free(m_handle); }

   /// Takes exclusive ownership, waiting as long as it takes. Never throws because an owner
   /// died: the lock is held as usual.
   void lock() { detail::lock_status(::interproc_upgradable_mutex_lock(m_mutex)); }
   /// Takes exclusive ownership if possible at once; whether it did.
   bool try_lock() { return detail::try_status(::interproc_upgradable_mutex_try_lock(m_mutex)); }
   /// Takes exclusive ownership, waiting at most until `abs_time` (chrono time point or ptime).
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock(m_mutex, &d));
   }
   /// Releases exclusive ownership.
   void unlock() { detail::check(::interproc_upgradable_mutex_unlock(m_mutex)); }
   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }
   /// Takes exclusive ownership, waiting at most `dur` (monotonic clock).
   template <class Duration> bool try_lock_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock(m_mutex, &d));
   }

   /// Takes sharable (reader) ownership, waiting as long as it takes. Never throws because an owner
   /// died: the lock is held as usual.
   void lock_sharable() { detail::lock_status(::interproc_upgradable_mutex_lock_sharable(m_mutex)); }
   /// Takes sharable (reader) ownership if possible at once; whether it did.
   bool try_lock_sharable() { return detail::try_status(::interproc_upgradable_mutex_try_lock_sharable(m_mutex)); }
   /// Takes sharable (reader) ownership, waiting at most until `abs_time` (chrono time point or ptime).
   template <class TimePoint> bool timed_lock_sharable(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock_sharable(m_mutex, &d));
   }
   /// Releases sharable (reader) ownership.
   void unlock_sharable() { detail::check(::interproc_upgradable_mutex_unlock_sharable(m_mutex)); }
   /// Same as `lock_sharable` (the standard library's name, for `std::shared_lock`).
   void lock_shared() { lock_sharable(); }
   /// Same as `try_lock_sharable`.
   bool try_lock_shared() { return try_lock_sharable(); }
   /// Same as `unlock_sharable`.
   void unlock_shared() { unlock_sharable(); }

   /// Whether the current exclusive holder got the lock from an owner that died (the data
   /// may be half-updated). Meaningful only to that holder.
   bool previous_owner_died() const noexcept { return ::interproc_upgradable_mutex_previous_owner_died(m_mutex); }

   /// Removes the mutex `name`; false if there was nothing to remove.
   static bool remove(const char *name) noexcept { return ::interproc_named_sharable_mutex_remove(name); }

private:
   static ::interproc_named_sharable_mutex_t *open(interproc_creation_t creation, const char *name, const permissions &perm) {
      ::interproc_named_sharable_mutex_t *h = nullptr;
      detail::check(::interproc_named_sharable_mutex_open(creation, name, static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   ::interproc_named_sharable_mutex_t *m_handle;
   interproc_upgradable_mutex_t *m_mutex;
};

} // namespace interproc

#endif // INTERPROC_SYNC_NAMED_SHARABLE_MUTEX_HPP
