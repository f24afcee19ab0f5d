// interproc C++ wrapper: named_condition_any, as in <boost/interprocess/sync/named_condition_any.hpp>.
#ifndef INTERPROC_SYNC_NAMED_CONDITION_ANY_HPP
#define INTERPROC_SYNC_NAMED_CONDITION_ANY_HPP

#include <interproc/sync/detail/condition_waits.hpp>

namespace interproc {

/// A named process-shared condition variable for any lock type (Boost's
/// `named_condition_any`).
///
/// It lives in `/dev/shm/<name>` until `remove`; not copyable or movable. It works with any
/// lock type that has `lock()` and `unlock()` (typically `scoped_lock<named_mutex>`).
/// The constructors (create_only, open_or_create, open_only), `remove` and the waits are
/// those of `detail::named_sync_object` and `detail::condition_waits`.
class named_condition_any
   : public detail::named_sync_object<
        named_condition_any, detail::condition_waits<named_condition_any>,
        detail::named_handle<::interproc_named_condition_t, interproc_condition_t, &::interproc_named_condition_open_any,
                             &::interproc_named_condition_get, &::interproc_named_condition_free>,
        &::interproc_named_condition_remove> {
public:
   using named_sync_object::named_sync_object;
};

} // namespace interproc

#endif // INTERPROC_SYNC_NAMED_CONDITION_ANY_HPP
