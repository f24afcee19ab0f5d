// interproc C++ wrapper: named_recursive_mutex, as in <boost/interprocess/sync/named_recursive_mutex.hpp>.
#ifndef INTERPROC_SYNC_NAMED_RECURSIVE_MUTEX_HPP
#define INTERPROC_SYNC_NAMED_RECURSIVE_MUTEX_HPP

#include <interproc/sync/detail/mutex_ops.hpp>

namespace interproc {

/// A named process-shared recursive mutex (Boost's `named_recursive_mutex`).
///
/// It lives in `/dev/shm/<name>` until `remove`. Not copyable or movable (as in Boost).
/// Robust to crashed owners: when a process dies holding it, the next `lock()` succeeds
/// (it does not throw), the mutex keeps working, and `previous_owner_died()` tells the new
/// holder that the protected data may be half-updated.
/// The constructors (create_only, open_or_create, open_only), `remove` and the lock
/// operations are those of `detail::named_sync_object` and `detail::mutex_ops`.
class named_recursive_mutex
   : public detail::named_sync_object<
        named_recursive_mutex, detail::mutex_ops<named_recursive_mutex, detail::recursive_mutex_calls>,
        detail::named_handle<::interproc_named_recursive_mutex_t, interproc_recursive_mutex_t, &::interproc_named_recursive_mutex_open,
                             &::interproc_named_recursive_mutex_get, &::interproc_named_recursive_mutex_free>,
        &::interproc_named_recursive_mutex_remove> {
public:
   using named_sync_object::named_sync_object;

   /// The C object, for calls into the C API.
   interproc_recursive_mutex_t *native_handle() noexcept { return this->c(); }
};

} // namespace interproc

#endif // INTERPROC_SYNC_NAMED_RECURSIVE_MUTEX_HPP
