// interproc C++ wrapper: node_allocator, as in <boost/interprocess/allocators/node_allocator.hpp>.
#ifndef INTERPROC_ALLOCATORS_NODE_ALLOCATOR_HPP
#define INTERPROC_ALLOCATORS_NODE_ALLOCATOR_HPP

#include <interproc/allocators/detail/pool_allocator_v2.hpp>
#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// An allocator whose single objects come from a pool of nodes shared, in the segment, by
/// every node_allocator of the same node size (Boost's node_allocator): for list, set and
/// map nodes. Taking or giving back a node is one atomic exchange on the pool's lock-free
/// free list, safe between threads and processes; arrays come straight from the segment.
template <class T, class SegmentManager, std::size_t NodesPerBlock>
class node_allocator : public detail::pool_allocator_v2<detail::shared_pool_allocator_base<T, SegmentManager, NodesPerBlock>> {
   typedef detail::pool_allocator_v2<detail::shared_pool_allocator_base<T, SegmentManager, NodesPerBlock>> base_t;

public:
   /// The same allocator for U (and U's pool).
   template <class U> struct rebind {
      typedef node_allocator<U, SegmentManager, NodesPerBlock> other;
   };

   /// An allocator for the segment of `segment_mngr` (finds or makes the pool).
   node_allocator(SegmentManager *segment_mngr) : base_t(segment_mngr) {}
   /// The same segment, another type: the same pool if the node size is the same.
   template <class U>
   node_allocator(const node_allocator<U, SegmentManager, NodesPerBlock> &other)
      : base_t(other.get_segment_manager(), other.get_node_pool()) {}

   /// Exchanges two allocators.
   friend void swap(node_allocator &a, node_allocator &b) noexcept { a.swap_base(b); }
};

/// Allocators are equal when they draw from the same segment (and so the same pools).
template <class T, class U, class S, std::size_t N>
bool operator==(const node_allocator<T, S, N> &a, const node_allocator<U, S, N> &b) noexcept {
   return a.get_segment_manager() == b.get_segment_manager();
}
/// Not equal.
template <class T, class U, class S, std::size_t N>
bool operator!=(const node_allocator<T, S, N> &a, const node_allocator<U, S, N> &b) noexcept {
   return !(a == b);
}

} // namespace interproc

#endif // INTERPROC_ALLOCATORS_NODE_ALLOCATOR_HPP
