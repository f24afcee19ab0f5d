// interproc C++ wrapper: cached_node_allocator, as in <boost/interprocess/allocators/cached_node_allocator.hpp>.
#ifndef INTERPROC_ALLOCATORS_CACHED_NODE_ALLOCATOR_HPP
#define INTERPROC_ALLOCATORS_CACHED_NODE_ALLOCATOR_HPP

#include <interproc/allocators/detail/pool_allocator_v2.hpp>
#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// Boost's cached_node_allocator: node_allocator's shared pool with a cache of free nodes
/// in each allocator object, so most allocations and deallocations touch only the cache.
/// The cache holds at most `get_max_cached_nodes()` nodes (64 unless set), is refilled
/// half full from the pool, and gives half back when full. Like Boost's, one allocator
/// object is for one thread at a time; a copy starts with an empty cache.
template <class T, class SegmentManager, std::size_t NodesPerBlock>
class cached_node_allocator : public detail::pool_allocator_v2<detail::cached_pool_allocator_base<T, SegmentManager, NodesPerBlock>> {
   typedef detail::pool_allocator_v2<detail::cached_pool_allocator_base<T, SegmentManager, NodesPerBlock>> base_t;

public:
   typedef typename base_t::size_type size_type;

   /// The same allocator for U (and U's pool).
   template <class U> struct rebind {
      typedef cached_node_allocator<U, SegmentManager, NodesPerBlock> other;
   };

   /// An allocator for the segment of `segment_mngr` whose cache holds up to `max_cached_nodes`.
   cached_node_allocator(SegmentManager *segment_mngr, size_type max_cached_nodes = base_t::default_max_cached_nodes)
      : base_t(segment_mngr, max_cached_nodes) {}
   /// The same segment and cache capacity, another type (the same pool if the node size is the same).
   template <class U>
   cached_node_allocator(const cached_node_allocator<U, SegmentManager, NodesPerBlock> &other)
      : base_t(other.get_segment_manager(), other.get_node_pool(), other.get_max_cached_nodes()) {}

   /// Exchanges two allocators (their pools and caches).
   friend void swap(cached_node_allocator &a, cached_node_allocator &b) noexcept { a.swap_cached(b); }
};

/// Allocators are equal when they draw from the same segment (and so the same pools).
template <class T, class U, class S, std::size_t N>
bool operator==(const cached_node_allocator<T, S, N> &a, const cached_node_allocator<U, S, N> &b) noexcept {
   return a.get_segment_manager() == b.get_segment_manager();
}
/// Not equal.
template <class T, class U, class S, std::size_t N>
bool operator!=(const cached_node_allocator<T, S, N> &a, const cached_node_allocator<U, S, N> &b) noexcept {
   return !(a == b);
}

} // namespace interproc

#endif // INTERPROC_ALLOCATORS_CACHED_NODE_ALLOCATOR_HPP
