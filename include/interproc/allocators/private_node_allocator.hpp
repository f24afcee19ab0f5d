// interproc C++ wrapper: private_node_allocator, as in <boost/interprocess/allocators/private_node_allocator.hpp>.
#ifndef INTERPROC_ALLOCATORS_PRIVATE_NODE_ALLOCATOR_HPP
#define INTERPROC_ALLOCATORS_PRIVATE_NODE_ALLOCATOR_HPP

#include <interproc/allocators/detail/pool_allocator_v2.hpp>
#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// Boost's private_node_allocator: each allocator object has a node pool of its own, not
/// shared and not locked (one thread at a time), whose blocks go back to the segment when
/// the allocator is destroyed. A copy or a rebound allocator starts with an empty pool, so
/// an allocator equals only itself; a moved-to allocator takes the pool, so a container
/// moved or swapped keeps its nodes' pool.
template <class T, class SegmentManager, std::size_t NodesPerBlock>
class private_node_allocator : public detail::pool_allocator_v2<detail::private_pool_allocator_base<T, SegmentManager, NodesPerBlock>> {
   typedef detail::pool_allocator_v2<detail::private_pool_allocator_base<T, SegmentManager, NodesPerBlock>> base_t;

public:
   /// The same allocator for U (with a pool of its own).
   template <class U> struct rebind {
      typedef private_node_allocator<U, SegmentManager, NodesPerBlock> other;
   };

   /// An allocator for the segment of `segment_mngr`, with an empty pool.
   private_node_allocator(SegmentManager *segment_mngr) noexcept : base_t(segment_mngr) {}
   /// The same segment, another type, an empty pool.
   template <class U>
   private_node_allocator(const private_node_allocator<U, SegmentManager, NodesPerBlock> &other) noexcept
      : base_t(other.get_segment_manager()) {}

   /// Exchanges two allocators (their pools).
   friend void swap(private_node_allocator &a, private_node_allocator &b) noexcept { a.swap_private(b); }
};

/// An allocator equals only itself: no other one can free its nodes.
template <class T, class S, std::size_t N>
bool operator==(const private_node_allocator<T, S, N> &a, const private_node_allocator<T, S, N> &b) noexcept {
   return &a == &b;
}
/// Not equal.
template <class T, class S, std::size_t N>
bool operator!=(const private_node_allocator<T, S, N> &a, const private_node_allocator<T, S, N> &b) noexcept {
   return !(a == b);
}

} // namespace interproc

#endif // INTERPROC_ALLOCATORS_PRIVATE_NODE_ALLOCATOR_HPP
