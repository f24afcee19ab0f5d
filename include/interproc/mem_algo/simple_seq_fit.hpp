// interproc C++ wrapper: the simple_seq_fit memory algorithm policy, as in
// <boost/interprocess/mem_algo/simple_seq_fit.hpp>.
#ifndef INTERPROC_MEM_ALGO_SIMPLE_SEQ_FIT_HPP
#define INTERPROC_MEM_ALGO_SIMPLE_SEQ_FIT_HPP

#include <interproc/mem_algo/detail/memory_algorithm_policy.hpp>

namespace interproc {

/// Boost's small sequential-fit memory algorithm, as a policy of `basic_managed_*`:
/// `VoidPointer` as for `rbtree_best_fit`. interproc serves it with the same allocator as
/// `rbtree_best_fit` (whose per-allocation overhead is no larger), so allocations are
/// 16-aligned.
template <class MutexFamily, class VoidPointer>
class simple_seq_fit : public detail::memory_algorithm_policy<MutexFamily, VoidPointer, 0> {};

} // namespace interproc

#endif // INTERPROC_MEM_ALGO_SIMPLE_SEQ_FIT_HPP
