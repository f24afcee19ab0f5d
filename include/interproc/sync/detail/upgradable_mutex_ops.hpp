// interproc C++ wrapper: the lock operations of the four readers-writer mutexes over the C
// upgradable mutex, written once (not part of the public API).
#ifndef INTERPROC_SYNC_DETAIL_UPGRADABLE_MUTEX_OPS_HPP
#define INTERPROC_SYNC_DETAIL_UPGRADABLE_MUTEX_OPS_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/permissions.hpp>
#include <interproc/sync/detail/sync_common.hpp>

namespace interproc {
namespace detail {

/// Exclusive and sharable ownership of the C upgradable mutex that `Derived::c_mutex()`
/// returns: the members Boost's `interprocess_sharable_mutex` and `named_sharable_mutex`
/// have. `Derived` befriends this class (its `c_mutex()` is private). The base is empty,
/// not copyable, and cannot be destroyed or created on its own, so deriving from it adds
/// neither bytes nor a slicing copy.
template <class Derived> class sharable_mutex_ops {
public:
   /// Takes exclusive ownership, waiting as long as it takes. Never throws because an owner
   /// died: the lock is held as usual.
   void lock() { detail::lock_status(::interproc_upgradable_mutex_lock(c())); }
   /// Takes exclusive ownership if possible at once; whether it did.
   bool try_lock() { return detail::try_status(::interproc_upgradable_mutex_try_lock(c())); }
   /// Takes exclusive ownership, waiting at most until `abs_time` (chrono time point or ptime).
   template <class TimePoint> bool timed_lock(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock(c(), &d));
   }
   /// Releases exclusive ownership.
   void unlock() { detail::check(::interproc_upgradable_mutex_unlock(c())); }
   /// Same as `timed_lock`.
   template <class TimePoint> bool try_lock_until(const TimePoint &abs_time) { return timed_lock(abs_time); }
   /// Takes exclusive ownership, waiting at most `dur` (monotonic clock).
   template <class Duration> bool try_lock_for(const Duration &dur) {
      const interproc_deadline_t d = detail::deadline_after(dur);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock(c(), &d));
   }

   /// Takes sharable (reader) ownership, waiting as long as it takes. Never throws because an owner
   /// died: the lock is held as usual.
   void lock_sharable() { detail::lock_status(::interproc_upgradable_mutex_lock_sharable(c())); }
   /// Takes sharable (reader) ownership if possible at once; whether it did.
   bool try_lock_sharable() { return detail::try_status(::interproc_upgradable_mutex_try_lock_sharable(c())); }
   /// Takes sharable (reader) ownership, waiting at most until `abs_time` (chrono time point or ptime).
   template <class TimePoint> bool timed_lock_sharable(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      return detail::try_status(::interproc_upgradable_mutex_timed_lock_sharable(c(), &d));
   }
   /// Releases sharable (reader) ownership.
   void unlock_sharable() { detail::check(::interproc_upgradable_mutex_unlock_sharable(c())); }
   /// Same as `lock_sharable` (the standard library's name, for `std::shared_lock`).
   void lock_shared() { lock_sharable(); }
   /// Same as `try_lock_sharable`.
   bool try_lock_shared() { return try_lock_sharable(); }
   /// Same as `unlock_sharable`.
   void unlock_shared() { unlock_sharable(); }

   /// Whether the current exclusive holder got the lock from an owner that died (the data
   /// may be half-updated). Meaningful only to that holder.
   bool previous_owner_died() const noexcept { return ::interproc_upgradable_mutex_previous_owner_died(c()); }

protected:
   sharable_mutex_ops() = default;
   sharable_mutex_ops(const sharable_mutex_ops &) = delete;
   sharable_mutex_ops &operator=(const sharable_mutex_ops &) = delete;
   ~sharable_mutex_ops() = default;

   /// The C object of the derived mutex.
   interproc_upgradable_mutex_t *c() noexcept { return static_cast<Derived *>(this)->c_mutex(); }
   const interproc_upgradable_mutex_t *c() const noexcept { return static_cast<const Derived *>(this)->c_mutex(); }
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

/// The C upgradable mutex itself, initialised on construction and destroyed on
/// destruction, with the lock operations of `Ops` (`sharable_mutex_ops` or
/// `upgradable_mutex_ops` of `Derived`): what `interprocess_sharable_mutex` and
/// `interprocess_upgradable_mutex` are made of. Its only member is the C object, so the
/// derived class has the C object's size and alignment.
template <class Derived, template <class> class Ops> class inplace_rw_mutex : public Ops<Derived> {
public:
   /// Initialises the mutex.
   inplace_rw_mutex() { detail::check(::interproc_upgradable_mutex_init(&m_mutex)); }

   /// The C object, for calls into the C API.
   interproc_upgradable_mutex_t *native_handle() noexcept { return &m_mutex; }

protected:
   /// Destroys the mutex; no one may hold or wait for it.
   ~inplace_rw_mutex() { ::interproc_upgradable_mutex_destroy(&m_mutex); }

private:
   friend class sharable_mutex_ops<Derived>;
   interproc_upgradable_mutex_t *c_mutex() noexcept { return &m_mutex; }
   const interproc_upgradable_mutex_t *c_mutex() const noexcept { return &m_mutex; }

   interproc_upgradable_mutex_t m_mutex;
};

/// A process's handle on a named upgradable mutex of the C API, given by its C handle type
/// and the C functions that open, read and free it; closed on destruction.
template <class Handle, interproc_status_t (*Open)(interproc_creation_t, const char *, std::uint32_t, Handle **),
          interproc_upgradable_mutex_t *(*Get)(const Handle *), void (*Free)(Handle *)>
class named_upgradable_handle {
public:
   named_upgradable_handle(interproc_creation_t creation, const char *name, const permissions &perm)
      : m_handle(open(creation, name, perm)), m_mutex(Get(m_handle)) {}
   named_upgradable_handle(const named_upgradable_handle &) = delete;
   named_upgradable_handle &operator=(const named_upgradable_handle &) = delete;
   ~named_upgradable_handle() { Free(m_handle); }

   /// The mutex in the mapped object.
   interproc_upgradable_mutex_t *mutex() const noexcept { return m_mutex; }

private:
   static Handle *open(interproc_creation_t creation, const char *name, const permissions &perm) {
      Handle *h = nullptr;
      detail::check(Open(creation, name, static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   Handle *m_handle;
   interproc_upgradable_mutex_t *m_mutex;
};

/// The constructors and `remove` of a named readers-writer mutex over `Handle`, with the
/// lock operations of `Ops` (`sharable_mutex_ops` or `upgradable_mutex_ops` of `Derived`).
/// `Derived` inherits the constructors (`using named_rw_mutex::named_rw_mutex;`).
template <class Derived, template <class> class Ops, class Handle, bool (*Remove)(const char *)>
class named_rw_mutex : public Ops<Derived> {
public:
   /// Creates the mutex; throws (`already_exists_error`) if it exists.
   named_rw_mutex(create_only_t, const char *name, const permissions &perm = permissions())
      : m_handle(INTERPROC_CREATE_ONLY, name, perm) {}
   /// Opens the mutex, creating it if it is missing.
   named_rw_mutex(open_or_create_t, const char *name, const permissions &perm = permissions())
      : m_handle(INTERPROC_OPEN_OR_CREATE, name, perm) {}
   /// Opens the existing mutex; throws (`not_found_error`) if it is missing.
   named_rw_mutex(open_only_t, const char *name) : m_handle(INTERPROC_OPEN_ONLY, name, permissions()) {}

   /// Removes the mutex `name`; false if there was nothing to remove.
   static bool remove(const char *name) noexcept { return Remove(name); }

protected:
   ~named_rw_mutex() = default;

private:
   friend class sharable_mutex_ops<Derived>;
   interproc_upgradable_mutex_t *c_mutex() const noexcept { return m_handle.mutex(); }

   Handle m_handle;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_SYNC_DETAIL_UPGRADABLE_MUTEX_OPS_HPP
