// interproc C++ wrapper: private_adaptive_pool, as in <boost/interprocess/allocators/private_adaptive_pool.hpp>.
#ifndef INTERPROC_ALLOCATORS_PRIVATE_ADAPTIVE_POOL_HPP
#define INTERPROC_ALLOCATORS_PRIVATE_ADAPTIVE_POOL_HPP

#include <interproc/allocators/detail/pool_allocator_v2.hpp>
#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// Boost's private_adaptive_pool: each allocator object has a node pool of its own (as
/// private_node_allocator), not shared and not locked, whose blocks go back to the segment
/// when the allocator is destroyed. An allocator equals only itself; a moved-to allocator
/// takes the pool. `MaxFreeBlocks` and `OverheadPercent` are accepted for Boost's sake.
template <class T, class SegmentManager, std::size_t NodesPerBlock, std::size_t MaxFreeBlocks, unsigned char OverheadPercent>
class private_adaptive_pool : public detail::pool_allocator_v2<detail::private_pool_allocator_base<T, SegmentManager, NodesPerBlock>> {
   typedef detail::pool_allocator_v2<detail::private_pool_allocator_base<T, SegmentManager, NodesPerBlock>> base_t;

public:
   /// The same allocator for U (with a pool of its own).
   template <class U> struct rebind {
      typedef private_adaptive_pool<U, SegmentManager, NodesPerBlock, MaxFreeBlocks, OverheadPercent> other;
   };

   /// An allocator for the segment of `segment_mngr`, with an empty pool.
   private_adaptive_pool(SegmentManager *segment_mngr) noexcept : base_t(segment_mngr) {}
   /// The same segment, another type, an empty pool.
   template <class U>
   private_adaptive_pool(const private_adaptive_pool<U, SegmentManager, NodesPerBlock, MaxFreeBlocks, OverheadPercent> &other) noexcept
      : base_t(other.get_segment_manager()) {}

   /// Exchanges two allocators (their pools).
   friend void swap(private_adaptive_pool &a, private_adaptive_pool &b) noexcept { a.swap_private(b); }
};

/// An allocator equals only itself: no other one can free its nodes.
template <class T, class S, std::size_t N, std::size_t F, unsigned char O>
bool operator==(const private_adaptive_pool<T, S, N, F, O> &a, const private_adaptive_pool<T, S, N, F, O> &b) noexcept {
   return &a == &b;
}
/// Not equal.
template <class T, class S, std::size_t N, std::size_t F, unsigned char O>
bool operator!=(const private_adaptive_pool<T, S, N, F, O> &a, const private_adaptive_pool<T, S, N, F, O> &b) noexcept {
   return !(a == b);
}

} // namespace interproc

#endif // INTERPROC_ALLOCATORS_PRIVATE_ADAPTIVE_POOL_HPP
