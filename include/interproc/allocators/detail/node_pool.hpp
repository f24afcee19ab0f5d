// interproc C++ wrapper: the node pools behind node_allocator, adaptive_pool and their
// private and cached forms (not part of the public API).
#ifndef INTERPROC_ALLOCATORS_DETAIL_NODE_POOL_HPP
#define INTERPROC_ALLOCATORS_DETAIL_NODE_POOL_HPP

#include <interproc/allocators/allocator.hpp>
#include <interproc/detail/multiallocation_chain.hpp>
#include <interproc/exceptions.hpp>
#include <interproc/offset_ptr.hpp>
#include <interproc/segment_manager.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// Every node's alignment and size granule: the library's (`INTERPROC_NODE_POOL_ALIGN`).
constexpr std::size_t pool_node_align = INTERPROC_NODE_POOL_ALIGN;

/// The size of the nodes that hold objects of `size` bytes: room for a free-list link,
/// rounded up to `pool_node_align` so that every node is aligned as the segment's memory is.
constexpr std::size_t pool_node_size(std::size_t size) noexcept {
   return ((size < pool_node_align ? pool_node_align : size) + pool_node_align - 1) / pool_node_align * pool_node_align;
}

/// A pool of fixed-size nodes living in a managed segment, shared by every allocator of
/// the same node size and block size in that segment (the segment's unique object of its
/// type). The pool itself is the library's (`interproc_node_pool_*`, the Rust core's
/// `NodePool`): nodes carved from blocks of `NodesPerBlock` taken from the segment and kept
/// on a lock-free free list, so taking or giving back a node is one compare-and-swap, safe
/// between threads and processes, and a process that dies in the middle holds no lock: at
/// worst the node it was taking is lost to the pool. C and Rust programs use the same
/// pools, and `interproc check` checks them. The pool's state and free list are the
/// library's alone: this class holds the state as an opaque `interproc_node_pool_t` and
/// only calls the library. Blocks stay in the pool for the segment's lifetime.
template <std::size_t NodeSize, std::size_t NodesPerBlock> class segment_node_pool {
   static_assert(NodeSize >= pool_node_align && NodeSize % pool_node_align == 0, "nodes hold a link and are aligned");
   static_assert(NodesPerBlock > 0, "a block holds at least one node");
   static_assert(NodeSize * NodesPerBlock <= INTERPROC_NODE_POOL_MAX_BLOCK, "a block is at most 4 GiB");

public:
   /// The size of a node.
   static constexpr std::size_t node_size = NodeSize;
   /// The number of nodes carved from each block.
   static constexpr std::size_t nodes_per_block = NodesPerBlock;

   segment_node_pool() noexcept {
      // Cannot fail: the shape is checked at compile time above.
      (void)::interproc_node_pool_init(&m_state, NodeSize, NodesPerBlock);
   }
   segment_node_pool(const segment_node_pool &) = delete;
   segment_node_pool &operator=(const segment_node_pool &) = delete;

   /// A node: the first free one, or the first of a new block. Throws `bad_alloc` when
   /// the segment is full (and `interprocess_exception` for a corrupted pool).
   template <class SegmentManager> void *allocate_node(SegmentManager *mgr) {
      void *n = nullptr;
      const interproc_status_t st = ::interproc_node_pool_allocate(mgr->native(), &m_state, &n);
      if (st != INTERPROC_OK) {
         detail::throw_alloc_status(st);
      }
      return n;
   }

   /// Up to `count` nodes into `out`, in one call; how many. Fewer only when the segment
   /// filled up (or the pool is corrupted) meanwhile; throws as `allocate_node` when none.
   template <class SegmentManager> std::size_t allocate_nodes(SegmentManager *mgr, void **out, std::size_t count) {
      std::size_t taken = 0;
      const interproc_status_t st = ::interproc_node_pool_allocate_many(mgr->native(), &m_state, out, count, &taken);
      if (st != INTERPROC_OK) {
         detail::throw_alloc_status(st);
      }
      return taken;
   }

   /// Gives a node back to the pool. A pointer that is not a node of the segment is
   /// refused by the library and left alone.
   template <class SegmentManager> void deallocate_node(SegmentManager *mgr, void *node) noexcept {
      (void)::interproc_node_pool_deallocate(mgr->native(), &m_state, node);
   }

   /// Gives back the `count` nodes listed at `nodes` in one step. Pointers that are not
   /// nodes of the segment make the library refuse the whole list and leave it alone.
   template <class SegmentManager> void deallocate_many(SegmentManager *mgr, void *const *nodes, std::size_t count) noexcept {
      (void)::interproc_node_pool_deallocate_many(mgr->native(), &m_state, nodes, count);
   }

   /// Blocks taken from the segment so far.
   std::size_t blocks() const noexcept { return ::interproc_node_pool_blocks(&m_state); }
   /// Boost's `deallocate_free_blocks`: the shared pool keeps its blocks for the segment's
   /// lifetime (other processes may be taking nodes from them without a lock), so this
   /// gives nothing back.
   void deallocate_free_blocks() noexcept {}
   /// Boost's `purge_blocks`: kept blocks, as `deallocate_free_blocks`.
   void purge_blocks() noexcept {}

private:
   // The pool's state: the library's, laid out and read by the library only.
   interproc_node_pool_t m_state;
};

/// A per-allocator cache of free nodes in front of a shared pool (what cached_node_allocator
/// and cached_adaptive_pool add): taking and giving back a node touch only the cache; the
/// pool is visited for half the cache's capacity at a time. Like the allocator that holds
/// it, a cache is for one thread at a time. A cached node holds the next one's distance in
/// bytes from the pool object (a form of the cache's own, not the pool's free list, which is
/// the library's), so the cache may live inside the segment and be used from any process.
template <class Pool> class node_cache {
public:
   /// Boost's default capacity.
   static constexpr std::size_t default_max_cached_nodes = 64;

   explicit node_cache(std::size_t max_cached) noexcept : m_first(0), m_count(0), m_max(max_cached) {}
   node_cache(const node_cache &) = delete;
   node_cache &operator=(const node_cache &) = delete;

   /// A node from the cache, refilled from `pool` when empty.
   template <class SegmentManager> void *take(Pool *pool, SegmentManager *mgr) {
      if (m_count == 0) {
         refill(pool, mgr);
      }
      return pop(pool);
   }
   /// Keeps `node` in the cache; a full cache first gives half its nodes back to `pool`.
   template <class SegmentManager> void give(Pool *pool, SegmentManager *mgr, void *node) noexcept {
      if (m_count >= m_max) {
         flush(pool, mgr, m_count - m_max / 2);
      }
      push(pool, node);
   }
   /// Gives `n` cached nodes back to `pool`, up to `flush_batch` in each exchange.
   template <class SegmentManager> void flush(Pool *pool, SegmentManager *mgr, std::size_t n) noexcept {
      if (n > m_count) {
         n = m_count;
      }
      void *batch[flush_batch];
      while (n > 0) {
         std::size_t k = 0;
         while (k < flush_batch && k < n) {
            batch[k++] = pop(pool);
         }
         n -= k;
         pool->deallocate_many(mgr, batch, k);
      }
   }
   /// Sets the capacity, giving back what no longer fits.
   template <class SegmentManager> void set_max(Pool *pool, SegmentManager *mgr, std::size_t max_cached) noexcept {
      m_max = max_cached;
      if (m_count > m_max) {
         flush(pool, mgr, m_count - m_max);
      }
   }
   /// The capacity.
   std::size_t max() const noexcept { return m_max; }
   /// Nodes held now.
   std::size_t size() const noexcept { return m_count; }
   /// Exchanges two caches, along with their allocators' pools.
   void swap(node_cache &other) noexcept {
      std::swap(m_first, other.m_first);
      std::swap(m_count, other.m_count);
      std::swap(m_max, other.m_max);
   }

private:
   /// The most nodes taken from or given back to the pool in one call.
   static constexpr std::size_t flush_batch = 64;

   void push(const Pool *pool, void *node) noexcept {
      std::memcpy(node, &m_first, sizeof m_first);
      m_first = static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(node) - reinterpret_cast<std::uintptr_t>(pool));
      ++m_count;
   }
   void *pop(const Pool *pool) noexcept {
      void *n = reinterpret_cast<void *>(reinterpret_cast<std::uintptr_t>(pool) + static_cast<std::uintptr_t>(m_first));
      std::memcpy(&m_first, n, sizeof m_first);
      --m_count;
      return n;
   }
   template <class SegmentManager> void refill(Pool *pool, SegmentManager *mgr) {
      std::size_t want = m_max / 2 > 0 ? m_max / 2 : 1;
      void *batch[flush_batch];
      try {
         while (want > 0) {
            const std::size_t ask = want < flush_batch ? want : flush_batch;
            const std::size_t got = pool->allocate_nodes(mgr, batch, ask);
            for (std::size_t i = 0; i < got; ++i) {
               push(pool, batch[i]);
            }
            if (got < ask) {
               return;
            }
            want -= got;
         }
      } catch (...) {
         if (m_count == 0) {
            throw;
         }
      }
   }

   // The first cached node's distance from the pool (meaningless while m_count is 0).
   std::int64_t m_first;
   std::size_t m_count;
   std::size_t m_max;
};

/// A pool owned by one allocator object (what private_node_allocator and
/// private_adaptive_pool hold): no sharing, no atomics. Its blocks go back to the segment
/// when it is destroyed.
///
/// It is the allocator object's own state, not one of the library's shared pools: it lives
/// where that allocator object lives. That is process memory for an allocator on the stack
/// or the heap, and the segment for one held by a container stored there; then a process
/// that uses the container, under whatever lock guards the container, uses the pool too.
/// So, like a container's nodes, it holds offset_ptrs only, and takes its blocks from the
/// segment's allocator. Nothing else in the segment refers to it, and `interproc check`
/// does not walk it. Its operations stay inline, as a container's do: a node taken
/// and given back costs about 2 ns here, against about 18 ns for a node of the shared pool
/// through the library (2-core Intel Xeon VM, Linux 6.18, 2026-12-07). Its node sizes and
/// alignment are the library's (`pool_node_size`, `INTERPROC_NODE_POOL_ALIGN`).
template <std::size_t NodeSize, std::size_t NodesPerBlock> class private_node_pool {
   static_assert(NodeSize >= pool_node_align && NodeSize % pool_node_align == 0, "nodes hold a link and are aligned");
   static_assert(NodesPerBlock > 0, "a block holds at least one node");

public:
   /// The size of a node.
   static constexpr std::size_t node_size = NodeSize;
   /// The number of nodes carved from each block.
   static constexpr std::size_t nodes_per_block = NodesPerBlock;

   private_node_pool() noexcept : m_free(), m_blocks(), m_block_count(0), m_free_count(0) {}
   private_node_pool(const private_node_pool &) = delete;
   private_node_pool &operator=(const private_node_pool &) = delete;

   /// A node: the first free one, or the first of a new block. Throws `bad_alloc` when
   /// the segment is full.
   template <class SegmentManager> void *allocate_node(SegmentManager *mgr) {
      if (!m_free) {
         carve_block(mgr);
      }
      link *n = m_free.get();
      m_free = n->next;
      --m_free_count;
      return n;
   }
   /// Gives a node back to the pool.
   void deallocate_node(void *node) noexcept {
      push(node);
      ++m_free_count;
   }
   /// Gives every block back to `mgr`; the nodes must all be free.
   template <class SegmentManager> void release(SegmentManager *mgr) noexcept {
      while (m_blocks) {
         link *b = m_blocks.get();
         m_blocks = b->next;
         try {
            mgr->deallocate(static_cast<void *>(b));
         } catch (...) {
            // Only a block this pool took is given back; the segment cannot refuse it.
         }
      }
      m_free = nullptr;
      m_block_count = 0;
      m_free_count = 0;
   }
   /// Takes over `other`'s blocks and free nodes; this pool must have none.
   void take(private_node_pool &other) noexcept {
      m_free = other.m_free;
      m_blocks = other.m_blocks;
      m_block_count = other.m_block_count;
      m_free_count = other.m_free_count;
      other.m_free = nullptr;
      other.m_blocks = nullptr;
      other.m_block_count = 0;
      other.m_free_count = 0;
   }
   /// Exchanges the blocks and free nodes of two pools.
   void swap(private_node_pool &other) noexcept {
      private_node_pool t;
      t.take(other);
      other.take(*this);
      take(t);
   }

   /// Blocks taken from the segment and not given back.
   std::size_t blocks() const noexcept { return m_block_count; }
   /// Free nodes in the pool.
   std::size_t free_nodes() const noexcept { return m_free_count; }

   /// Gives every block whose nodes are all free back to `mgr` (Boost's
   /// `deallocate_free_blocks`); blocks with a node in use stay.
   template <class SegmentManager> void deallocate_free_blocks(SegmentManager *mgr) noexcept {
      offset_ptr<link> *at = &m_blocks;
      while (*at) {
         link *b = at->get();
         char *first = reinterpret_cast<char *>(b) + block_header;
         char *end = first + NodeSize * NodesPerBlock;
         const auto inside = [&](const link *n) {
            const char *c = reinterpret_cast<const char *>(n);
            return c >= first && c < end;
         };
         std::size_t free_here = 0;
         for (link *n = m_free.get(); n; n = n->next.get()) {
            free_here += inside(n) ? 1 : 0;
         }
         if (free_here != NodesPerBlock) {
            at = &b->next;
            continue;
         }
         // Unlink the block's nodes from the free list, then the block itself.
         offset_ptr<link> *f = &m_free;
         while (*f) {
            if (inside(f->get())) {
               *f = (*f)->next;
            } else {
               f = &(*f)->next;
            }
         }
         *at = b->next;
         m_free_count -= NodesPerBlock;
         --m_block_count;
         try {
            mgr->deallocate(static_cast<void *>(b));
         } catch (...) {
            // Only a block this pool took is given back; the segment cannot refuse it.
         }
      }
   }
   /// Gives every block back to `mgr` when every node is free (Boost's precondition);
   /// with a node still in use it keeps them all instead of invalidating that node.
   template <class SegmentManager> void purge_blocks(SegmentManager *mgr) noexcept {
      if (m_free_count == m_block_count * NodesPerBlock) {
         release(mgr);
      }
   }

private:
   struct link {
      offset_ptr<link> next;
   };
   // Each block starts with the link to the next block, then its nodes (aligned as nodes).
   static constexpr std::size_t block_header = pool_node_align;

   void push(void *p) noexcept {
      link *n = ::new (p) link();
      n->next = m_free;
      m_free = n;
   }

   template <class SegmentManager> void carve_block(SegmentManager *mgr) {
      char *block = static_cast<char *>(mgr->allocate(block_header + NodeSize * NodesPerBlock));
      link *b = ::new (static_cast<void *>(block)) link();
      b->next = m_blocks;
      m_blocks = b;
      ++m_block_count;
      for (std::size_t i = NodesPerBlock; i > 0; --i) {
         push(block + block_header + (i - 1) * NodeSize);
      }
      m_free_count += NodesPerBlock;
   }

   offset_ptr<link> m_free;
   offset_ptr<link> m_blocks;
   std::size_t m_block_count;
   std::size_t m_free_count;
};

/// The type whose size and alignment a pooled allocator for T uses: T itself, or a pointer
/// for (cv) void, as Boost's `sizeof_value` does. Generic code names allocators for void
/// (Boost.Container's stable_vector rebinds to one for its index) without allocating
/// through them, so they must be complete types.
template <class T> struct sized_value {
   typedef typename std::conditional<std::is_void<T>::value, void *, T>::type type;
};

/// What every pooled allocator declares. As in Boost, `pointer` is the segment's void
/// pointer rebound to T (`offset_ptr<T>` by default, the segment's own `offset_ptr` form,
/// or `T *` for a segment whose void pointer is `void *`), and the protocol is version 2.
template <class T, class SegmentManager> struct pooled_allocator_types {
   typedef typename segment_void_pointer<SegmentManager>::type segment_void_pointer_t;
   typedef T value_type;
   typedef rebind_pointer_t<segment_void_pointer_t, T> pointer;
   typedef rebind_pointer_t<segment_void_pointer_t, const T> const_pointer;
   typedef rebind_pointer_t<segment_void_pointer_t, void> void_pointer;
   typedef rebind_pointer_t<segment_void_pointer_t, const void> const_void_pointer;
   typedef typename add_reference<T>::type reference;
   typedef typename add_reference<const T>::type const_reference;
   typedef typename segment_void_pointer<SegmentManager>::size_type size_type;
   typedef typename std::pointer_traits<pointer>::difference_type difference_type;
   typedef SegmentManager segment_manager;
   typedef std::false_type propagate_on_container_copy_assignment;
   typedef std::true_type propagate_on_container_move_assignment;
   typedef std::true_type propagate_on_container_swap;
   typedef std::false_type is_always_equal;
   /// The allocator protocol version: 2, as Boost's (see `allocator::version`).
   typedef std::integral_constant<unsigned, 2> version;
   /// The list of buffers of `allocate_many`/`allocate_individual`, holding `pointer`s.
   typedef basic_multiallocation_chain<pointer> multiallocation_chain;

   /// Whether single objects come from a pool: nodes are 16-byte aligned, so a T that
   /// needs more comes straight from the segment.
   static constexpr bool pooled = alignof(typename sized_value<T>::type) <= 16;

   /// The largest count `allocate` may be asked for.
   static constexpr size_type max_count() noexcept { return size_type(-1) / sizeof(typename sized_value<T>::type); }

   /// Memory for `count` objects straight from the segment.
   static pointer allocate_from_segment(SegmentManager *mgr, size_type count) {
      if (count > max_count()) {
         throw bad_alloc();
      }
      constexpr std::size_t size = sizeof(typename sized_value<T>::type);
      constexpr std::size_t align = alignof(typename sized_value<T>::type);
      return pointer(static_cast<T *>(align > 16 ? mgr->allocate_aligned(count * size, align) : mgr->allocate(count * size)));
   }
};

/// The shared-pool allocators' common part (node_allocator, adaptive_pool and the cached
/// forms): single objects come from the segment's shared pool for their node size, arrays
/// straight from the segment.
template <class T, class SegmentManager, std::size_t NodesPerBlock>
class shared_pool_allocator_base : public pooled_allocator_types<T, SegmentManager> {
   typedef pooled_allocator_types<T, SegmentManager> types;

public:
   typedef typename types::pointer pointer;
   typedef typename types::size_type size_type;
   typedef SegmentManager segment_manager;
   typedef segment_node_pool<pool_node_size(sizeof(typename sized_value<T>::type)), NodesPerBlock> pool_type;

   /// Finds (or makes) the segment's pool for T's node size.
   explicit shared_pool_allocator_base(segment_manager *mgr) : mp_mngr(mgr), mp_pool(find_pool(mgr)) {}
   /// The pool of an allocator for another type: reused when the node size is the same,
   /// else looked up.
   template <class OtherPool>
   shared_pool_allocator_base(segment_manager *mgr, OtherPool *other_pool) : mp_mngr(mgr), mp_pool(same_or_find(mgr, other_pool)) {}
   shared_pool_allocator_base(const shared_pool_allocator_base &other) noexcept
      : mp_mngr(other.get_segment_manager()), mp_pool(other.get_node_pool()) {}
   shared_pool_allocator_base &operator=(const shared_pool_allocator_base &other) noexcept {
      mp_mngr = other.get_segment_manager();
      mp_pool = other.get_node_pool();
      return *this;
   }

   /// The segment manager.
   segment_manager *get_segment_manager() const noexcept { return mp_mngr.get(); }
   /// The shared pool this allocator draws single objects from.
   pool_type *get_node_pool() const noexcept { return mp_pool.get(); }
   /// The largest count `allocate` may be asked for.
   size_type max_size() const noexcept { return types::max_count(); }

   /// Memory for `count` objects: one comes from the pool, more straight from the segment.
   pointer allocate(size_type count, const void * = nullptr) {
      if (count == 1 && types::pooled) {
         return pointer(static_cast<T *>(mp_pool->allocate_node(mp_mngr.get())));
      }
      return segment_allocate(count);
   }
   /// Gives memory back (single objects to the pool).
   void deallocate(const pointer &p, size_type count) {
      if (count == 1 && types::pooled) {
         mp_pool->deallocate_node(mp_mngr.get(), static_cast<void *>(to_raw_pointer(p)));
      } else {
         segment_deallocate(p);
      }
   }
   /// Boost's `deallocate_free_blocks`: the shared pool keeps its blocks (see
   /// `segment_node_pool::deallocate_free_blocks`).
   void deallocate_free_blocks() noexcept { mp_pool->deallocate_free_blocks(); }

protected:
   pointer segment_allocate(size_type count) { return types::allocate_from_segment(mp_mngr.get(), count); }
   void segment_deallocate(const pointer &p) { mp_mngr->deallocate(static_cast<void *>(to_raw_pointer(p))); }
   void swap_base(shared_pool_allocator_base &other) noexcept {
      shared_pool_allocator_base t(*this);
      *this = other;
      other = t;
   }

private:
   static pool_type *find_pool(segment_manager *mgr) {
      return mgr->template find_or_construct<pool_type>(unique_instance)();
   }
   template <class OtherPool> static pool_type *same_or_find(segment_manager *mgr, OtherPool *other_pool) {
      if constexpr (std::is_same<OtherPool, pool_type>::value) {
         return other_pool;
      } else {
         (void)other_pool;
         return find_pool(mgr);
      }
   }

   offset_ptr<segment_manager> mp_mngr;
   offset_ptr<pool_type> mp_pool;
};

/// The cached allocators' common part: a shared pool with a node cache in front.
template <class T, class SegmentManager, std::size_t NodesPerBlock>
class cached_pool_allocator_base : public shared_pool_allocator_base<T, SegmentManager, NodesPerBlock> {
   typedef shared_pool_allocator_base<T, SegmentManager, NodesPerBlock> shared_t;

public:
   typedef typename shared_t::pointer pointer;
   typedef typename shared_t::size_type size_type;
   typedef typename shared_t::pool_type pool_type;

   /// Boost's default cache capacity (64 nodes).
   static constexpr size_type default_max_cached_nodes = node_cache<pool_type>::default_max_cached_nodes;

   cached_pool_allocator_base(SegmentManager *mgr, size_type max_cached) : shared_t(mgr), m_cache(max_cached) {}
   template <class OtherPool>
   cached_pool_allocator_base(SegmentManager *mgr, OtherPool *other_pool, size_type max_cached)
      : shared_t(mgr, other_pool), m_cache(max_cached) {}
   /// A copy shares the pool and the capacity, not the cached nodes.
   cached_pool_allocator_base(const cached_pool_allocator_base &other) noexcept
      : shared_t(other), m_cache(other.get_max_cached_nodes()) {}
   /// Gives the cached nodes back to the pool.
   ~cached_pool_allocator_base() { m_cache.flush(this->get_node_pool(), this->get_segment_manager(), m_cache.size()); }
   /// Takes `other`'s pool and capacity; the cached nodes go back to the old pool.
   cached_pool_allocator_base &operator=(const cached_pool_allocator_base &other) noexcept {
      if (this != &other) {
         m_cache.flush(this->get_node_pool(), this->get_segment_manager(), m_cache.size());
         shared_t::operator=(other);
         m_cache.set_max(this->get_node_pool(), this->get_segment_manager(), other.get_max_cached_nodes());
      }
      return *this;
   }

   /// Memory for `count` objects: one comes from the cache, more straight from the segment.
   pointer allocate(size_type count, const void * = nullptr) {
      if (count == 1 && shared_t::pooled) {
         return pointer(static_cast<T *>(m_cache.take(this->get_node_pool(), this->get_segment_manager())));
      }
      return this->segment_allocate(count);
   }
   /// Gives memory back (single objects to the cache).
   void deallocate(const pointer &p, size_type count) {
      if (count == 1 && shared_t::pooled) {
         m_cache.give(this->get_node_pool(), this->get_segment_manager(), static_cast<void *>(to_raw_pointer(p)));
      } else {
         this->segment_deallocate(p);
      }
   }

   /// Sets how many free nodes the cache may hold; the surplus goes back to the pool.
   void set_max_cached_nodes(size_type newmax) noexcept {
      m_cache.set_max(this->get_node_pool(), this->get_segment_manager(), newmax);
   }
   /// How many free nodes the cache may hold.
   size_type get_max_cached_nodes() const noexcept { return m_cache.max(); }
   /// How many free nodes the cache holds now.
   size_type get_num_cached_nodes() const noexcept { return m_cache.size(); }
   /// Gives every cached node back to the pool.
   void deallocate_cached_nodes() noexcept { m_cache.flush(this->get_node_pool(), this->get_segment_manager(), m_cache.size()); }
   /// Boost's name for `deallocate_cached_nodes`.
   void deallocate_cache() noexcept { deallocate_cached_nodes(); }

protected:
   void swap_cached(cached_pool_allocator_base &other) noexcept {
      this->swap_base(other);
      m_cache.swap(other.m_cache);
   }

private:
   node_cache<pool_type> m_cache;
};

/// The private allocators' common part: a pool of their own, inside the allocator object.
/// A copy or a rebound allocator starts with an empty pool of its own; a moved-to
/// allocator takes the pool (so a container moved or swapped keeps its nodes' pool).
template <class T, class SegmentManager, std::size_t NodesPerBlock>
class private_pool_allocator_base : public pooled_allocator_types<T, SegmentManager> {
   typedef pooled_allocator_types<T, SegmentManager> types;

public:
   typedef typename types::pointer pointer;
   typedef typename types::size_type size_type;
   typedef SegmentManager segment_manager;
   typedef private_node_pool<pool_node_size(sizeof(typename sized_value<T>::type)), NodesPerBlock> pool_type;

   explicit private_pool_allocator_base(segment_manager *mgr) noexcept : mp_mngr(mgr), m_pool() {}
   /// Same segment, an empty pool of its own.
   private_pool_allocator_base(const private_pool_allocator_base &other) noexcept
      : mp_mngr(other.get_segment_manager()), m_pool() {}
   /// Same segment, and `other`'s pool.
   private_pool_allocator_base(private_pool_allocator_base &&other) noexcept
      : mp_mngr(other.get_segment_manager()), m_pool() {
      m_pool.take(other.m_pool);
   }
   /// Gives the pool's blocks back to the segment.
   ~private_pool_allocator_base() { m_pool.release(mp_mngr.get()); }
   /// Takes `other`'s pool; this allocator's blocks go back to the segment (it must have
   /// no node in use).
   private_pool_allocator_base &operator=(private_pool_allocator_base &&other) noexcept {
      if (this != &other) {
         m_pool.release(mp_mngr.get());
         mp_mngr = other.get_segment_manager();
         m_pool.take(other.m_pool);
      }
      return *this;
   }
   private_pool_allocator_base &operator=(const private_pool_allocator_base &) = delete;

   /// The segment manager.
   segment_manager *get_segment_manager() const noexcept { return mp_mngr.get(); }
   /// This allocator's own pool.
   pool_type *get_node_pool() const noexcept { return const_cast<pool_type *>(&m_pool); }
   /// The largest count `allocate` may be asked for.
   size_type max_size() const noexcept { return types::max_count(); }

   /// Memory for `count` objects: one comes from the pool, more straight from the segment.
   pointer allocate(size_type count, const void * = nullptr) {
      if (count == 1 && types::pooled) {
         return pointer(static_cast<T *>(m_pool.allocate_node(mp_mngr.get())));
      }
      return types::allocate_from_segment(mp_mngr.get(), count);
   }
   /// Gives memory back (single objects to the pool).
   void deallocate(const pointer &p, size_type count) {
      if (count == 1 && types::pooled) {
         m_pool.deallocate_node(static_cast<void *>(to_raw_pointer(p)));
      } else {
         mp_mngr->deallocate(static_cast<void *>(to_raw_pointer(p)));
      }
   }
   /// Gives the pool's blocks whose nodes are all free back to the segment.
   void deallocate_free_blocks() noexcept { m_pool.deallocate_free_blocks(mp_mngr.get()); }

protected:
   void swap_private(private_pool_allocator_base &other) noexcept {
      segment_manager *m = get_segment_manager();
      mp_mngr = other.get_segment_manager();
      other.mp_mngr = m;
      m_pool.swap(other.m_pool);
   }

private:
   offset_ptr<segment_manager> mp_mngr;
   pool_type m_pool;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_ALLOCATORS_DETAIL_NODE_POOL_HPP
