// interproc C++ wrapper: interprocess_upgradable_mutex, as in <boost/interprocess/sync/interprocess_upgradable_mutex.hpp>.
#ifndef INTERPROC_SYNC_INTERPROCESS_UPGRADABLE_MUTEX_HPP
#define INTERPROC_SYNC_INTERPROCESS_UPGRADABLE_MUTEX_HPP

#include <interproc/sync/detail/upgradable_mutex_ops.hpp>

namespace interproc {

/// A process-shared upgradable mutex (Boost's `interprocess_upgradable_mutex`): sharable,
/// upgradable and exclusive ownership, and the transfers between them.
///
/// Place it in shared memory. 1152 bytes, not copyable or movable.
/// Robust to crashed owners: when an exclusive (or upgradable) owner dies, the next locker
/// gets the lock without an exception and `previous_owner_died()` tells it; a reader that
/// dies is reclaimed when a writer waits for it (for up to 64 reading processes at once).
/// The constructor, destructor, `native_handle` and the lock operations are those of
/// `detail::inplace_rw_mutex` and `detail::upgradable_mutex_ops`.
class interprocess_upgradable_mutex : public detail::inplace_rw_mutex<interprocess_upgradable_mutex, detail::upgradable_mutex_ops> {};

} // namespace interproc

#endif // INTERPROC_SYNC_INTERPROCESS_UPGRADABLE_MUTEX_HPP
