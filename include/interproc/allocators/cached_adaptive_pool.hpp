// interproc C++ wrapper: cached_adaptive_pool, as in <boost/interprocess/allocators/cached_adaptive_pool.hpp>.
#ifndef INTERPROC_ALLOCATORS_CACHED_ADAPTIVE_POOL_HPP
#define INTERPROC_ALLOCATORS_CACHED_ADAPTIVE_POOL_HPP

#include <interproc/allocators/detail/pool_allocator_v2.hpp>
#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// Boost's cached_adaptive_pool: adaptive_pool's shared pool with a cache of free nodes in
/// each allocator object (as cached_node_allocator; `set_max_cached_nodes`,
/// `get_max_cached_nodes`). One allocator object is for one thread at a time; a copy
/// starts with an empty cache.
template <class T, class SegmentManager, std::size_t NodesPerBlock, std::size_t MaxFreeBlocks, unsigned char OverheadPercent>
class cached_adaptive_pool : public detail::pool_allocator_v2<detail::cached_pool_allocator_base<T, SegmentManager, NodesPerBlock>> {
   typedef detail::pool_allocator_v2<detail::cached_pool_allocator_base<T, SegmentManager, NodesPerBlock>> base_t;

public:
   typedef typename base_t::size_type size_type;

   /// The same allocator for U (and U's pool).
   template <class U> struct rebind {
      typedef cached_adaptive_pool<U, SegmentManager, NodesPerBlock, MaxFreeBlocks, OverheadPercent> other;
   };

   /// An allocator for the segment of `segment_mngr` whose cache holds up to `max_cached_nodes`.
   cached_adaptive_pool(SegmentManager *segment_mngr, size_type max_cached_nodes = base_t::default_max_cached_nodes)
      : base_t(segment_mngr, max_cached_nodes) {}
   /// The same segment and cache capacity, another type (the same pool if the node size is the same).
   template <class U>
   cached_adaptive_pool(const cached_adaptive_pool<U, SegmentManager, NodesPerBlock, MaxFreeBlocks, OverheadPercent> &other)
      : base_t(other.get_segment_manager(), other.get_node_pool(), other.get_max_cached_nodes()) {}

   /// Exchanges two allocators (their pools and caches).
   friend void swap(cached_adaptive_pool &a, cached_adaptive_pool &b) noexcept { a.swap_cached(b); }
};

/// Allocators are equal when they draw from the same segment (and so the same pools).
template <class T, class U, class S, std::size_t N, std::size_t F, unsigned char O>
bool operator==(const cached_adaptive_pool<T, S, N, F, O> &a, const cached_adaptive_pool<U, S, N, F, O> &b) noexcept {
   return a.get_segment_manager() == b.get_segment_manager();
}
/// Not equal.
template <class T, class U, class S, std::size_t N, std::size_t F, unsigned char O>
bool operator!=(const cached_adaptive_pool<T, S, N, F, O> &a, const cached_adaptive_pool<U, S, N, F, O> &b) noexcept {
   return !(a == b);
}

} // namespace interproc

#endif // INTERPROC_ALLOCATORS_CACHED_ADAPTIVE_POOL_HPP
