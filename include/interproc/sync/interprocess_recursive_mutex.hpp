// interproc C++ wrapper: interprocess_recursive_mutex, as in <boost/interprocess/sync/interprocess_recursive_mutex.hpp>.
#ifndef INTERPROC_SYNC_INTERPROCESS_RECURSIVE_MUTEX_HPP
#define INTERPROC_SYNC_INTERPROCESS_RECURSIVE_MUTEX_HPP

#include <interproc/sync/detail/mutex_ops.hpp>

namespace interproc {

/// A process-shared recursive mutex (Boost's `interprocess_recursive_mutex`): the holder
/// may lock it again, and it is free after as many unlocks as locks.
///
/// Place it in shared memory (inside a struct in a mapped region, or constructed in a
/// managed segment); every process uses the same object. 64 bytes, not copyable or
/// movable (as in Boost).
///
/// Robust to crashed owners: when a process dies holding it, the next `lock()` succeeds
/// (it does not throw), the mutex keeps working, and `previous_owner_died()` tells the new
/// holder that the protected data may be half-updated.
/// The constructor, destructor, `native_handle` and the lock operations are those of
/// `detail::inplace_sync_object` and `detail::mutex_ops`.
class interprocess_recursive_mutex : public detail::inplace_mutex<interprocess_recursive_mutex, detail::recursive_mutex_calls> {};

} // namespace interproc

#endif // INTERPROC_SYNC_INTERPROCESS_RECURSIVE_MUTEX_HPP
