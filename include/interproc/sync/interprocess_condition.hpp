// interproc C++ wrapper: interprocess_condition, as in <boost/interprocess/sync/interprocess_condition.hpp>.
#ifndef INTERPROC_SYNC_INTERPROCESS_CONDITION_HPP
#define INTERPROC_SYNC_INTERPROCESS_CONDITION_HPP

#include <interproc/sync/detail/condition_waits.hpp>

namespace interproc {

/// A process-shared condition variable (Boost's `interprocess_condition`).
///
/// Place it in shared memory. 32 bytes, not copyable or movable. It works with any lock
/// type that has `lock()` and `unlock()` (`scoped_lock` of any interproc mutex,
/// `std::unique_lock`, ...). Built on a shared futex, not on `pthread_cond_t`: a waiter
/// killed in the middle of a wait never blocks the other processes.
class interprocess_condition : public detail::inplace_condition {
public:
   /// Initialises the condition.
   interprocess_condition() {}
};

} // namespace interproc

#endif // INTERPROC_SYNC_INTERPROCESS_CONDITION_HPP
