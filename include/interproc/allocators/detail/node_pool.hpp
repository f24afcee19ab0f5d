// interproc C++ wrapper: the node pool behind node_allocator and adaptive_pool (not part
// of the public API).
#ifndef INTERPROC_ALLOCATORS_DETAIL_NODE_POOL_HPP
#define INTERPROC_ALLOCATORS_DETAIL_NODE_POOL_HPP

#include <interproc/exceptions.hpp>
#include <interproc/offset_ptr.hpp>
#include <interproc/segment_manager.hpp>

#include <cstddef>
#include <new>
#include <type_traits>

namespace interproc {
namespace detail {

/// A pool of fixed-size nodes living in a managed segment, shared by every allocator of
/// the same node size and block size in that segment (it is the segment's unique object
/// of its type). Nodes are carved from blocks of `NodesPerBlock` allocated from the
/// segment and threaded on a free list of offsets; every change runs under the segment
/// lock, so processes share the pool safely.
template <std::size_t NodeSize, std::size_t NodesPerBlock> class shared_node_pool {
public:
   /// The size of a node (at least an offset_ptr, rounded to 16 bytes).
   static constexpr std::size_t node_size = ((NodeSize < sizeof(offset_ptr<void>) ? sizeof(offset_ptr<void>) : NodeSize) + 15) / 16 * 16;

   shared_node_pool() noexcept : m_free(), m_blocks(0), m_in_use(0) {}

   /// A node, taken from the free list or from a new block. Throws `bad_alloc` when the
   /// segment is full.
   template <class SegmentManager> void *allocate_node(SegmentManager *mgr) {
      void *out = nullptr;
      auto take = [&] {
         if (!m_free) {
            char *block = static_cast<char *>(mgr->allocate(node_size * NodesPerBlock));
            for (std::size_t i = NodesPerBlock; i > 0; --i) {
               push(block + (i - 1) * node_size);
            }
            ++m_blocks;
         }
         link *n = m_free.get();
         m_free = n->next;
         ++m_in_use;
         out = n;
      };
      mgr->atomic_func(take);
      return out;
   }

   /// Gives a node back to the pool.
   template <class SegmentManager> void deallocate_node(SegmentManager *mgr, void *node) {
      auto give = [&] {
         push(node);
         --m_in_use;
      };
      mgr->atomic_func(give);
   }

   /// Nodes handed out and not given back.
   std::size_t in_use() const noexcept { return m_in_use; }
   /// Blocks taken from the segment.
   std::size_t blocks() const noexcept { return m_blocks; }

private:
   struct link {
      offset_ptr<link> next;
   };

   void push(void *p) noexcept {
      link *n = static_cast<link *>(p);
      ::new (static_cast<void *>(n)) link();
      n->next = m_free;
      m_free = n;
   }

   offset_ptr<link> m_free;
   std::size_t m_blocks;
   std::size_t m_in_use;
};

/// The pooled allocators' common part: single objects come from the segment's shared
/// pool for their size, arrays straight from the segment.
template <class T, class SegmentManager, std::size_t NodesPerBlock> class pooled_allocator_base {
public:
   typedef T value_type;
   typedef offset_ptr<T> pointer;
   typedef offset_ptr<const T> const_pointer;
   typedef offset_ptr<void> void_pointer;
   typedef offset_ptr<const void> const_void_pointer;
   typedef T &reference;
   typedef const T &const_reference;
   typedef std::size_t size_type;
   typedef std::ptrdiff_t difference_type;
   typedef SegmentManager segment_manager;
   typedef shared_node_pool<sizeof(T), NodesPerBlock> pool_type;
   typedef std::false_type propagate_on_container_copy_assignment;
   typedef std::true_type propagate_on_container_move_assignment;
   typedef std::true_type propagate_on_container_swap;
   typedef std::false_type is_always_equal;

   explicit pooled_allocator_base(segment_manager *mgr)
      : mp_mngr(mgr), mp_pool(mgr->template find_or_construct<pool_type>(unique_instance)()) {}
   /// A copy: the same segment and the same pool, without looking the pool up again.
   pooled_allocator_base(const pooled_allocator_base &other) noexcept
      : mp_mngr(other.get_segment_manager()), mp_pool(other.get_node_pool()) {}

   /// The segment manager.
   segment_manager *get_segment_manager() const noexcept { return mp_mngr.get(); }
   /// The shared pool this allocator draws single nodes from.
   pool_type *get_node_pool() const noexcept { return mp_pool.get(); }

   /// Memory for `count` objects: one comes from the pool, more straight from the segment.
   pointer allocate(size_type count, const void * = nullptr) {
      if (count == 1) {
         return pointer(static_cast<T *>(mp_pool->allocate_node(mp_mngr.get())));
      }
      if (count > max_size()) {
         throw bad_alloc();
      }
      return pointer(static_cast<T *>(alignof(T) > 16 ? mp_mngr->allocate_aligned(count * sizeof(T), alignof(T))
                                                        : mp_mngr->allocate(count * sizeof(T))));
   }
   /// Gives memory back (to the pool for single objects).
   void deallocate(const pointer &p, size_type count) {
      if (count == 1) {
         mp_pool->deallocate_node(mp_mngr.get(), static_cast<void *>(p.get()));
      } else {
         mp_mngr->deallocate(static_cast<void *>(p.get()));
      }
   }
   /// Like `allocate(1)`.
   pointer allocate_one() { return allocate(1); }
   /// Like `deallocate(p, 1)`.
   void deallocate_one(const pointer &p) { deallocate(p, 1); }
   /// The largest count `allocate` may be asked for.
   size_type max_size() const noexcept { return std::size_t(-1) / sizeof(T); }

protected:
   offset_ptr<segment_manager> mp_mngr;
   offset_ptr<pool_type> mp_pool;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_ALLOCATORS_DETAIL_NODE_POOL_HPP
