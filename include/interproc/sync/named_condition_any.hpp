// interproc C++ wrapper: named_condition_any, as in <boost/interprocess/sync/named_condition_any.hpp>.
#ifndef INTERPROC_SYNC_NAMED_CONDITION_ANY_HPP
#define INTERPROC_SYNC_NAMED_CONDITION_ANY_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/sync/detail/named_condition_handle.hpp>

namespace interproc {

/// A named process-shared condition variable for any lock type (Boost's
/// `named_condition_any`).
///
/// It lives in `/dev/shm/<name>` until `remove`; not copyable or movable. It works with any
/// lock type that has `lock()` and `unlock()` (typically `scoped_lock<named_mutex>`).
class named_condition_any : public detail::named_condition_handle<::interproc_named_condition_open_any> {
public:
   /// Creates the condition; throws (`already_exists_error`) if it exists.
   named_condition_any(create_only_t, const char *name, const permissions &perm = permissions())
      : named_condition_handle(INTERPROC_CREATE_ONLY, name, perm) {}
   /// Opens the condition, creating it if it is missing.
   named_condition_any(open_or_create_t, const char *name, const permissions &perm = permissions())
      : named_condition_handle(INTERPROC_OPEN_OR_CREATE, name, perm) {}
   /// Opens the existing condition; throws (`not_found_error`) if it is missing.
   named_condition_any(open_only_t, const char *name) : named_condition_handle(INTERPROC_OPEN_ONLY, name, permissions()) {}
};

} // namespace interproc

#endif // INTERPROC_SYNC_NAMED_CONDITION_ANY_HPP
