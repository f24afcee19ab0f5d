// interproc C++ wrapper: named_sharable_mutex, as in <boost/interprocess/sync/named_sharable_mutex.hpp>.
#ifndef INTERPROC_SYNC_NAMED_SHARABLE_MUTEX_HPP
#define INTERPROC_SYNC_NAMED_SHARABLE_MUTEX_HPP

#include <interproc/sync/detail/upgradable_mutex_ops.hpp>

namespace interproc {

/// A named readers-writer mutex (Boost's `named_sharable_mutex`).
///
/// It lives in `/dev/shm/<name>` until `remove`; not copyable or movable.
/// Robust to crashed owners: when an exclusive (or upgradable) owner dies, the next locker
/// gets the lock without an exception and `previous_owner_died()` tells it; a reader that
/// dies is reclaimed when a writer waits for it (for up to 64 reading processes at once).
/// The constructors (create_only, open_or_create, open_only), `remove` and the lock
/// operations are those of `detail::named_rw_mutex` and `detail::sharable_mutex_ops`.
class named_sharable_mutex
   : public detail::named_rw_mutex<
        named_sharable_mutex, detail::sharable_mutex_ops,
        detail::named_upgradable_handle<::interproc_named_sharable_mutex_t, &::interproc_named_sharable_mutex_open,
                                        &::interproc_named_sharable_mutex_get, &::interproc_named_sharable_mutex_free>,
        &::interproc_named_sharable_mutex_remove> {
public:
   using named_rw_mutex::named_rw_mutex;
};

} // namespace interproc

#endif // INTERPROC_SYNC_NAMED_SHARABLE_MUTEX_HPP
