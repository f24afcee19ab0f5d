// interproc C++ wrapper: lock options, as in <boost/interprocess/sync/lock_options.hpp>.
#ifndef INTERPROC_SYNC_LOCK_OPTIONS_HPP
#define INTERPROC_SYNC_LOCK_OPTIONS_HPP

#include <interproc/detail/config.hpp>

namespace interproc {

/// Tag: construct a lock without locking the mutex.
struct defer_lock_type {};
/// Tag: construct a lock with `try_lock` instead of `lock`.
struct try_to_lock_type {};
/// Tag: construct a lock that adopts a mutex the caller has locked already.
struct accept_ownership_type {};

/// Value of `defer_lock_type`.
inline constexpr defer_lock_type defer_lock = defer_lock_type();
/// Value of `try_to_lock_type`.
inline constexpr try_to_lock_type try_to_lock = try_to_lock_type();
/// Value of `accept_ownership_type`.
inline constexpr accept_ownership_type accept_ownership = accept_ownership_type();

} // namespace interproc

#endif // INTERPROC_SYNC_LOCK_OPTIONS_HPP
