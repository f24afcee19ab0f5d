// interproc C++ wrapper: interprocess_condition_any, as in <boost/interprocess/sync/interprocess_condition_any.hpp>.
#ifndef INTERPROC_SYNC_INTERPROCESS_CONDITION_ANY_HPP
#define INTERPROC_SYNC_INTERPROCESS_CONDITION_ANY_HPP

#include <interproc/sync/detail/condition_waits.hpp>

namespace interproc {

/// A process-shared condition variable for any lock type (Boost's
/// `interprocess_condition_any`).
///
/// Place it in shared memory. 32 bytes, not copyable or movable. It works with any lock
/// type that has `lock()` and `unlock()` (`scoped_lock` of any interproc mutex,
/// `std::unique_lock`, ...). Built on a shared futex, not on `pthread_cond_t`: a waiter
/// killed in the middle of a wait never blocks the other processes.
class interprocess_condition_any : public detail::inplace_condition {
public:
   /// Initialises the condition.
   interprocess_condition_any() {}
};

} // namespace interproc

#endif // INTERPROC_SYNC_INTERPROCESS_CONDITION_ANY_HPP
