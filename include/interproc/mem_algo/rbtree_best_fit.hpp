// interproc C++ wrapper: the rbtree_best_fit memory algorithm policy, as in
// <boost/interprocess/mem_algo/rbtree_best_fit.hpp>.
#ifndef INTERPROC_MEM_ALGO_RBTREE_BEST_FIT_HPP
#define INTERPROC_MEM_ALGO_RBTREE_BEST_FIT_HPP

#include <interproc/mem_algo/detail/memory_algorithm_policy.hpp>

namespace interproc {

/// Boost's default memory algorithm, as a policy of `basic_managed_*`: `VoidPointer` is the
/// pointer of the segment's allocators (`offset_ptr<void>` by default; any `offset_ptr`
/// form, or `void *` for a segment every process maps at one address) and `MemAlignment`
/// (a power of two, 0 for 16) the alignment of every allocation. interproc serves it with
/// its one allocator (two-level segregated fit: O(1) allocation, immediate merging).
template <class MutexFamily, class VoidPointer, std::size_t MemAlignment>
class rbtree_best_fit : public detail::memory_algorithm_policy<MutexFamily, VoidPointer, MemAlignment> {};

} // namespace interproc

#endif // INTERPROC_MEM_ALGO_RBTREE_BEST_FIT_HPP
