// interproc C++ wrapper: interprocess_sharable_mutex, as in <boost/interprocess/sync/interprocess_sharable_mutex.hpp>.
#ifndef INTERPROC_SYNC_INTERPROCESS_SHARABLE_MUTEX_HPP
#define INTERPROC_SYNC_INTERPROCESS_SHARABLE_MUTEX_HPP

#include <interproc/sync/detail/upgradable_mutex_ops.hpp>

namespace interproc {

/// A process-shared readers-writer mutex (Boost's `interprocess_sharable_mutex`): many
/// sharable owners or one exclusive owner.
///
/// Place it in shared memory. 1152 bytes, not copyable or movable.
/// Robust to crashed owners: when an exclusive (or upgradable) owner dies, the next locker
/// gets the lock without an exception and `previous_owner_died()` tells it; a reader that
/// dies is reclaimed when a writer waits for it (for up to 64 reading processes at once).
/// The constructor, destructor, `native_handle` and the lock operations are those of
/// `detail::inplace_rw_mutex` and `detail::sharable_mutex_ops`.
class interprocess_sharable_mutex : public detail::inplace_rw_mutex<interprocess_sharable_mutex, detail::sharable_mutex_ops> {};

} // namespace interproc

#endif // INTERPROC_SYNC_INTERPROCESS_SHARABLE_MUTEX_HPP
