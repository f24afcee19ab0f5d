// interproc C++ wrapper: private_node_allocator, as in <boost/interprocess/allocators/private_node_allocator.hpp>.
#ifndef INTERPROC_ALLOCATORS_PRIVATE_NODE_ALLOCATOR_HPP
#define INTERPROC_ALLOCATORS_PRIVATE_NODE_ALLOCATOR_HPP

#include <interproc/allocators/detail/node_pool.hpp>

namespace interproc {

/// Boost's private_node_allocator. interproc draws from the same segment-wide node pool as node_allocator (a per-allocator pool would save the lock on allocation only in the process that owns it).
template <class T, class SegmentManager, std::size_t NodesPerBlock = 64>
class private_node_allocator : public detail::pooled_allocator_base<T, SegmentManager, NodesPerBlock> {
   typedef detail::pooled_allocator_base<T, SegmentManager, NodesPerBlock> base_t;

public:
   /// The same allocator for U (and U's pool).
   template <class U> struct rebind {
      typedef private_node_allocator<U, SegmentManager, NodesPerBlock> other;
   };

   /// An allocator for the segment of `segment_mngr`.
   private_node_allocator(SegmentManager *segment_mngr) : base_t(segment_mngr) {}
   private_node_allocator(const private_node_allocator &other) noexcept : base_t(other) {}
   /// The same segment, another type (and its pool).
   template <class U>
   private_node_allocator(const private_node_allocator<U, SegmentManager, NodesPerBlock> &other) : base_t(other.get_segment_manager()) {}
   private_node_allocator &operator=(const private_node_allocator &other) {
      this->mp_mngr = other.mp_mngr;
      this->mp_pool = other.mp_pool;
      return *this;
   }

   /// Exchanges two allocators.
   friend void swap(private_node_allocator &a, private_node_allocator &b) noexcept {
      private_node_allocator t(a);
      a = b;
      b = t;
   }
};

/// Allocators are equal when they draw from the same segment (and so the same pool).
template <class T, class U, class S, std::size_t N>
bool operator==(const private_node_allocator<T, S, N> &a, const private_node_allocator<U, S, N> &b) noexcept {
   return a.get_segment_manager() == b.get_segment_manager();
}
template <class T, class U, class S, std::size_t N>
bool operator!=(const private_node_allocator<T, S, N> &a, const private_node_allocator<U, S, N> &b) noexcept {
   return !(a == b);
}

} // namespace interproc

#endif // INTERPROC_ALLOCATORS_PRIVATE_NODE_ALLOCATOR_HPP
