// interproc C++ wrapper: adaptive_pool, as in <boost/interprocess/allocators/adaptive_pool.hpp>.
#ifndef INTERPROC_ALLOCATORS_ADAPTIVE_POOL_HPP
#define INTERPROC_ALLOCATORS_ADAPTIVE_POOL_HPP

#include <interproc/allocators/detail/pool_allocator_v2.hpp>
#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// Boost's adaptive_pool. interproc draws single objects from the same segment-wide,
/// lock-free node pool as node_allocator (empty blocks are kept, not returned to the
/// segment; `MaxFreeBlocks` and `OverheadPercent` are accepted for Boost's sake).
template <class T, class SegmentManager, std::size_t NodesPerBlock, std::size_t MaxFreeBlocks, unsigned char OverheadPercent>
class adaptive_pool : public detail::pool_allocator_v2<detail::shared_pool_allocator_base<T, SegmentManager, NodesPerBlock>> {
   typedef detail::pool_allocator_v2<detail::shared_pool_allocator_base<T, SegmentManager, NodesPerBlock>> base_t;

public:
   /// The same allocator for U (and U's pool).
   template <class U> struct rebind {
      typedef adaptive_pool<U, SegmentManager, NodesPerBlock, MaxFreeBlocks, OverheadPercent> other;
   };

   /// An allocator for the segment of `segment_mngr` (finds or makes the pool).
   adaptive_pool(SegmentManager *segment_mngr) : base_t(segment_mngr) {}
   /// The same segment, another type: the same pool if the node size is the same.
   template <class U>
   adaptive_pool(const adaptive_pool<U, SegmentManager, NodesPerBlock, MaxFreeBlocks, OverheadPercent> &other)
      : base_t(other.get_segment_manager(), other.get_node_pool()) {}

   /// Exchanges two allocators.
   friend void swap(adaptive_pool &a, adaptive_pool &b) noexcept { a.swap_base(b); }
};

/// Allocators are equal when they draw from the same segment (and so the same pools).
template <class T, class U, class S, std::size_t N, std::size_t F, unsigned char O>
bool operator==(const adaptive_pool<T, S, N, F, O> &a, const adaptive_pool<U, S, N, F, O> &b) noexcept {
   return a.get_segment_manager() == b.get_segment_manager();
}
/// Not equal.
template <class T, class U, class S, std::size_t N, std::size_t F, unsigned char O>
bool operator!=(const adaptive_pool<T, S, N, F, O> &a, const adaptive_pool<U, S, N, F, O> &b) noexcept {
   return !(a == b);
}

} // namespace interproc

#endif // INTERPROC_ALLOCATORS_ADAPTIVE_POOL_HPP
