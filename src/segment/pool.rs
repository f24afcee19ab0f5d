//! Node pools: fixed-size nodes carved from blocks of a managed segment and kept on a
//! lock-free free list inside the segment, shared by every process that maps it. The one
//! pool behind the C++ `node_allocator`, `adaptive_pool` and their cached forms, C's
//! `interproc_node_pool_*` and Rust's [`NodePool`].
//!
//! A pool is an object in the segment (the C++ allocators make it the segment's unique
//! object of its type; Rust constructs it by name). Taking or giving back a node is one
//! compare-and-swap on the pool's head, safe between threads and processes; a process that
//! dies in the middle holds no lock and loses at most the node it was taking or returning.
//! A new block is allocated from the segment when the list is empty; blocks stay in the
//! pool for the segment's lifetime (other processes may be taking nodes from them), and
//! each starts with a header that links it to the pool's previous block, so `check` can
//! tell every free node is inside one of them.
//!
//! **Positions.** A free node holds the position of the next: its distance from the pool
//! in 8-byte units, in the low 40 bits (reach ±4 TiB; 0 means none). The head adds a 24-bit
//! count of changes above the position, so a process that read the head, was preempted,
//! and finds the same node on top again after others took and returned it fails its
//! exchange instead of installing a stale link (the ABA problem). The encoding is the
//! pool's alone: callers take and give back nodes one at a time, or many in one exchange
//! ([`NodePool::allocate_many`], [`NodePool::deallocate_many`], how the C++ node caches
//! refill and flush), and never write a link themselves.
//!
//! **Hostile segments.** Every position read from the segment (the head, a link) is
//! checked to name a 16-aligned node that lies inside the segment's heap before it is
//! used; garbage is `corrupted_error`, and each operation reads a bounded number of links.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use super::SegmentManager;
use crate::shareable::{Shareable, type_tag_of};
use crate::{Error, ErrorKind, Result};

/// The first bytes of every pool.
const MAGIC: [u8; 8] = *b"IPNPOOL1";
const POSITION_BITS: u32 = 40;
const POSITION_MASK: u64 = (1 << POSITION_BITS) - 1;
/// One change, in the count above the position.
const ONE_CHANGE: u64 = 1 << POSITION_BITS;
/// Bytes before the first node of a block: the link to the previous block, and the block's
/// node count (for `check`).
const BLOCK_HEADER: u64 = 16;

/// A pool of fixed-size nodes in a managed segment (see the module documentation). It lives
/// in the segment: construct it there by name (`seg.construct("pool", NodePool::new(..)?)`)
/// and reach it from every process with `find`. 48 bytes, laid out as C's
/// `interproc_node_pool_t` and C++'s pool state.
#[repr(C)]
pub struct NodePool {
    magic: [u8; 8],
    node_size: u32,
    nodes_per_block: u32,
    /// The first free node's position and the change count.
    head: AtomicU64,
    /// The segment offset of the newest block (0: none).
    blocks: AtomicU64,
    /// Blocks taken from the segment.
    block_count: AtomicU64,
    _reserved: u64,
}

// SAFETY: `#[repr(C)]` of plain integers and atomics: valid for every bit pattern (the
// operations validate what they read), no pointer (positions are distances), no Drop, Sync.
unsafe impl Shareable for NodePool {
    const TYPE_TAG: u64 = type_tag_of("interproc::NodePool", 48);
    const INTERIOR_MUTABLE: bool = true;
}

/// What [`NodePool::check`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolReport {
    /// Bytes per node.
    pub node_size: usize,
    /// Nodes per block.
    pub nodes_per_block: usize,
    /// Blocks taken from the segment.
    pub blocks: usize,
    /// Nodes on the free list.
    pub free_nodes: usize,
}

/// Whether `p` can be a node of `size` bytes in the heap `span`: 16-aligned and inside it.
fn is_node(p: usize, size: u64, (lo, hi): (usize, usize)) -> bool {
    p % 16 == 0 && p >= lo && p.checked_add(size as usize).is_some_and(|e| e <= hi)
}

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Corrupted,
        format!("a node pool in the segment is corrupted: {what}"),
    )
}

impl NodePool {
    /// Every node's alignment in bytes, and the granule of its size.
    pub const NODE_ALIGN: usize = 16;
    /// The most bytes of nodes one block may hold.
    pub const MAX_BLOCK_BYTES: usize = 1 << 32;

    /// A pool of nodes of at least `node_size` bytes (rounded up to 16, the alignment of
    /// every node), carved `nodes_per_block` at a time. `InvalidArgument` for a zero count
    /// or a block too large.
    pub fn new(node_size: usize, nodes_per_block: usize) -> Result<NodePool> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("a pool of {nodes_per_block} nodes of {node_size} bytes per block"),
            )
        };
        let Some(size) = node_size
            .max(Self::NODE_ALIGN)
            .checked_next_multiple_of(Self::NODE_ALIGN)
        else {
            return Err(bad());
        };
        if nodes_per_block == 0
            || size > u32::MAX as usize
            || nodes_per_block > u32::MAX as usize
            || size
                .checked_mul(nodes_per_block)
                .is_none_or(|b| b > Self::MAX_BLOCK_BYTES)
        {
            return Err(bad());
        }
        Ok(NodePool {
            magic: MAGIC,
            node_size: size as u32,
            nodes_per_block: nodes_per_block as u32,
            head: AtomicU64::new(0),
            blocks: AtomicU64::new(0),
            block_count: AtomicU64::new(0),
            _reserved: 0,
        })
    }

    /// Bytes per node (a multiple of 16).
    pub fn node_size(&self) -> usize {
        self.node_size as usize
    }

    /// Nodes carved from each block.
    pub fn nodes_per_block(&self) -> usize {
        self.nodes_per_block as usize
    }

    /// Blocks taken from the segment so far.
    pub fn blocks(&self) -> usize {
        // Relaxed: a count for reports.
        self.block_count.load(Ordering::Relaxed) as usize
    }

    /// The pool's shape, checked: what the constructor made, or an error for garbage.
    fn shape(&self) -> Result<(u64, u64)> {
        let (size, n) = (u64::from(self.node_size), u64::from(self.nodes_per_block));
        if self.magic != MAGIC || size < 16 || size % 16 != 0 || n == 0 || size * n > 1 << 32 {
            return Err(corrupt(format_args!(
                "header says {n} nodes of {size} bytes"
            )));
        }
        Ok((size, n))
    }

    fn address(&self) -> usize {
        self as *const NodePool as usize
    }

    /// The position of the node at `p` (its distance from the pool in 8-byte units).
    fn position_of(&self, p: usize) -> u64 {
        ((p as i64 - self.address() as i64) / 8) as u64 & POSITION_MASK
    }

    /// The address a position names (unchecked).
    fn address_at(&self, pos: u64) -> usize {
        // Sign-extend the 40-bit position.
        let units = ((pos << (64 - POSITION_BITS)) as i64) >> (64 - POSITION_BITS);
        (self.address() as i64).wrapping_add(units.wrapping_mul(8)) as usize
    }

    /// The node at `pos`, checked to be a 16-aligned node of `size` bytes inside the heap of
    /// `seg`. `None` for position 0.
    fn node_at(&self, seg: &SegmentManager, pos: u64, size: u64) -> Result<Option<usize>> {
        if pos == 0 {
            return Ok(None);
        }
        let p = self.address_at(pos);
        if !is_node(p, size, seg.heap_span()) {
            return Err(corrupt(format_args!(
                "a free-list position points at {p:#x}"
            )));
        }
        Ok(Some(p))
    }

    /// [`Self::node_at`] against the heap span `span` that the caller keeps: a node past it
    /// has it read again from `seg` (another process may have grown the segment) before it
    /// is called garbage.
    fn node_in(
        &self,
        seg: &SegmentManager,
        span: &mut (usize, usize),
        pos: u64,
        size: u64,
    ) -> Result<Option<usize>> {
        if pos == 0 {
            return Ok(None);
        }
        let p = self.address_at(pos);
        if !is_node(p, size, *span) {
            *span = seg.heap_span();
            if !is_node(p, size, *span) {
                return Err(corrupt(format_args!(
                    "a free-list position points at {p:#x}"
                )));
            }
        }
        Ok(Some(p))
    }

    /// The link word of the free node at `p` (checked by `node_at`, or carved just now).
    fn link(&self, p: usize) -> &AtomicU64 {
        // SAFETY: `p` is a 16-aligned node of at least 16 bytes inside the heap of the
        // segment that holds this pool (checked by `node_at`, or a block just allocated
        // from it), which stays mapped as long as the pool is borrowed.
        unsafe { &*(p as *const AtomicU64) }
    }

    /// Takes a node: the first free one, or the first of a new block. `OutOfMemory` when
    /// the segment has no room for a block.
    pub fn allocate(&self, seg: &SegmentManager) -> Result<NonNull<u8>> {
        let (size, n) = self.shape()?;
        if let Some(p) = self.pop(seg, size)? {
            // SAFETY: `node_at` checked `p` lies inside the segment, so it is not null.
            return Ok(unsafe { NonNull::new_unchecked(p as *mut u8) });
        }
        self.carve(seg, size, n)
    }

    /// Takes up to `out.len()` nodes into `out`, as that many calls of [`Self::allocate`]
    /// would, and says how many. Fewer only when taking one more failed (the segment has no
    /// room for a block, or the pool is found corrupted): the nodes already taken are the
    /// caller's, and the next call reports the error. An error when it could take none.
    pub fn allocate_many(&self, seg: &SegmentManager, out: &mut [*mut u8]) -> Result<usize> {
        let (size, n) = self.shape()?;
        let mut span = seg.heap_span();
        let mut taken = 0;
        while taken < out.len() {
            let got = match self.pop_many(seg, &mut span, size, &mut out[taken..]) {
                Ok(0) => self.carve(seg, size, n).map(|p| {
                    out[taken] = p.as_ptr();
                    1
                }),
                got => got,
            };
            match got {
                Ok(got) => taken += got,
                Err(_) if taken > 0 => break,
                Err(e) => return Err(e),
            }
        }
        Ok(taken)
    }

    /// Takes up to `out.len()` free nodes in one exchange; how many (0: the list is empty).
    fn pop_many(
        &self,
        seg: &SegmentManager,
        span: &mut (usize, usize),
        size: u64,
        out: &mut [*mut u8],
    ) -> Result<usize> {
        // Acquire: pairs with the Release exchange of every push before (the exchanges on
        // the head form one release sequence), so the links of the nodes below are visible.
        let mut seen = self.head.load(Ordering::Acquire);
        'again: loop {
            let mut taken = 0;
            let mut pos = seen & POSITION_MASK;
            while taken < out.len() {
                let p = match self.node_in(seg, span, pos, size) {
                    Ok(Some(p)) => p,
                    Ok(None) => break,
                    Err(e) => {
                        // A link read from a node that another process took meanwhile may
                        // be anything: garbage only counts while the head is unchanged.
                        // Acquire: as the first load.
                        let now = self.head.load(Ordering::Acquire);
                        if now != seen {
                            seen = now;
                            continue 'again;
                        }
                        return Err(e);
                    }
                };
                out[taken] = p as *mut u8;
                taken += 1;
                // Relaxed: if another process took this node meanwhile and wrote over the
                // link, the exchange below sees a changed head and the walk is dropped.
                pos = self.link(p).load(Ordering::Relaxed) & POSITION_MASK;
            }
            if taken == 0 {
                return Ok(0);
            }
            // The head unchanged (position and change count) means no node was taken or
            // given back since it was read, so the walk was of the list as it still is.
            let new = pos | (seen & !POSITION_MASK).wrapping_add(ONE_CHANGE);
            // Acquire on both outcomes: as the first load.
            match self
                .head
                .compare_exchange_weak(seen, new, Ordering::Acquire, Ordering::Acquire)
            {
                Ok(_) => return Ok(taken),
                Err(now) => seen = now,
            }
        }
    }

    fn pop(&self, seg: &SegmentManager, size: u64) -> Result<Option<usize>> {
        // Acquire: pairs with the Release exchange of the push that put the top node there,
        // so its link (and its last user's writes) are visible.
        let mut seen = self.head.load(Ordering::Acquire);
        loop {
            let Some(p) = self.node_at(seg, seen & POSITION_MASK, size)? else {
                return Ok(None);
            };
            // Relaxed: if another process took this node meanwhile and wrote over the link,
            // the exchange below sees a changed head and the value is dropped.
            let next = self.link(p).load(Ordering::Relaxed) & POSITION_MASK;
            let new = next | (seen & !POSITION_MASK).wrapping_add(ONE_CHANGE);
            // Acquire on both outcomes: as the load above.
            match self
                .head
                .compare_exchange_weak(seen, new, Ordering::Acquire, Ordering::Acquire)
            {
                Ok(_) => return Ok(Some(p)),
                Err(now) => seen = now,
            }
        }
    }

    /// Takes a new block from the segment; its first node is the caller's, the rest join
    /// the free list in one exchange.
    #[cold]
    fn carve(&self, seg: &SegmentManager, size: u64, n: u64) -> Result<NonNull<u8>> {
        let bytes = BLOCK_HEADER + size * n;
        let block = seg.allocate(bytes as usize)?.ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfMemory,
                format!("the segment has no room for a pool block of {bytes} bytes"),
            )
        })?;
        let b = block.as_ptr() as usize;
        let first = b + BLOCK_HEADER as usize;
        if self.position_of(first) == 0
            || self.position_of(b + bytes as usize) == 0
            || (first as i64 - self.address() as i64).unsigned_abs() >= 1 << (POSITION_BITS + 2)
        {
            seg.deallocate(block.as_ptr())?;
            return Err(Error::new(
                ErrorKind::OutOfMemory,
                "a pool block out of the pool's reach (4 TiB)",
            ));
        }
        // SAFETY: a fresh allocation of `bytes` bytes, 16-aligned, this process's alone
        // until published below; its first 16 bytes are the block header.
        let header = unsafe { &*(b as *const [AtomicU64; 2]) };
        header[1].store(n, Ordering::Relaxed);
        let off = (b - seg.as_ptr() as usize) as u64;
        let mut seen = self.blocks.load(Ordering::Relaxed);
        loop {
            // Relaxed: published by the Release exchange.
            header[0].store(seen, Ordering::Relaxed);
            // Release: pairs with `check`'s Acquire load of `blocks`: a checker that finds
            // the block sees its header.
            match self
                .blocks
                .compare_exchange_weak(seen, off, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(now) => seen = now,
            }
        }
        // Relaxed: a count for reports.
        self.block_count.fetch_add(1, Ordering::Relaxed);
        if n > 1 {
            let node = |i: u64| first + (i * size) as usize;
            for i in 1..n - 1 {
                self.link(node(i))
                    .store(self.position_of(node(i + 1)), Ordering::Relaxed);
            }
            self.push_chain(node(1), node(n - 1));
        }
        // SAFETY: `first` lies inside the fresh block, so it is not null.
        Ok(unsafe { NonNull::new_unchecked(first as *mut u8) })
    }

    /// Gives back the node at `node`. `InvalidArgument`, changing nothing, if it is not a
    /// 16-aligned node inside the segment's heap.
    pub fn deallocate(&self, seg: &SegmentManager, node: *mut u8) -> Result<()> {
        self.deallocate_chain(seg, node, node)
    }

    /// Gives back the nodes from `first` to `last`, already chained (each node's first 8
    /// bytes hold the next one's position; `last`'s link is overwritten): a cache giving
    /// back many nodes in one exchange.
    pub fn deallocate_chain(
        &self,
        seg: &SegmentManager,
        first: *mut u8,
        last: *mut u8,
    ) -> Result<()> {
        let (size, _) = self.shape()?;
        for p in [first, last] {
            let pos = self.position_of(p as usize);
            if self.node_at(seg, pos, size).ok().flatten() != Some(p as usize) {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("{p:p} is not a node of this segment's pools"),
                ));
            }
        }
        self.push_chain(first as usize, last as usize);
        Ok(())
    }

    /// Gives back the nodes `nodes` in one exchange: a cache giving back many nodes, which
    /// the pool links itself. `InvalidArgument`, changing nothing, if any of them is not a
    /// 16-aligned node inside the segment's heap within the pool's reach.
    pub fn deallocate_many(&self, seg: &SegmentManager, nodes: &[*mut u8]) -> Result<()> {
        let (size, _) = self.shape()?;
        let (Some(first), Some(last)) = (nodes.first(), nodes.last()) else {
            return Ok(());
        };
        let span = seg.heap_span();
        let base = self.address();
        // Within the pool's reach (as `carve` checks blocks), a node's position names it
        // exactly; 0 would be the pool itself.
        let in_reach = |p: usize| {
            let d = p.wrapping_sub(base) as i64;
            d != 0 && d.unsigned_abs() < 1 << (POSITION_BITS + 2)
        };
        if let Some(&bad) = nodes
            .iter()
            .find(|&&p| !is_node(p as usize, size, span) || !in_reach(p as usize))
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{bad:p} is not a node of this segment's pools"),
            ));
        }
        let mut prev = *first as usize;
        for &p in &nodes[1..] {
            // Relaxed: published by the Release exchange in `push_chain`.
            self.link(prev)
                .store(self.position_of(p as usize), Ordering::Relaxed);
            prev = p as usize;
        }
        self.push_chain(*first as usize, *last as usize);
        Ok(())
    }

    /// Pushes the chain `first ..= last` (both checked nodes) in one exchange.
    fn push_chain(&self, first: usize, last: usize) {
        let pos = self.position_of(first);
        let mut seen = self.head.load(Ordering::Relaxed);
        loop {
            // Relaxed: published by the Release exchange that follows.
            self.link(last)
                .store(seen & POSITION_MASK, Ordering::Relaxed);
            let new = pos | (seen & !POSITION_MASK).wrapping_add(ONE_CHANGE);
            // Release: pairs with the Acquire of the pop that takes these nodes, which then
            // sees their links and the last user's writes.
            match self
                .head
                .compare_exchange_weak(seen, new, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(now) => seen = now,
            }
        }
    }

    /// Walks the pool's blocks and free list and checks them: every block inside the
    /// segment, every free node inside one of the blocks, no more free nodes than the
    /// blocks hold. Meant for a quiet segment (`interproc check`): nodes taken and given
    /// back meanwhile may make it report a free list that changed under it.
    pub fn check(&self, seg: &SegmentManager) -> Result<PoolReport> {
        let (size, n) = self.shape()?;
        let base = seg.as_ptr() as usize;
        let (lo, hi) = seg.heap_span();
        let mut blocks = Vec::new();
        // Acquire: pairs with `carve`'s Release exchange, so each block's header is there.
        let mut off = self.blocks.load(Ordering::Acquire);
        let most = (hi - lo) as u64 / (BLOCK_HEADER + size) + 1;
        while off != 0 {
            let b = base.wrapping_add(off as usize);
            let end = b.checked_add((BLOCK_HEADER + size * n) as usize);
            if b % 16 != 0 || b < lo || end.is_none_or(|e| e > hi) || blocks.len() as u64 >= most {
                return Err(corrupt(format_args!("a block at offset {off}")));
            }
            blocks.push(b + BLOCK_HEADER as usize);
            // SAFETY: `[b, b + 16)` lies inside the heap (checked above), 16-aligned.
            off = unsafe { &*(b as *const AtomicU64) }.load(Ordering::Relaxed);
        }
        if blocks.len() as u64 != self.block_count.load(Ordering::Relaxed) {
            return Err(corrupt(format_args!(
                "{} blocks linked, {} counted",
                blocks.len(),
                self.block_count.load(Ordering::Relaxed)
            )));
        }
        let capacity = blocks.len() as u64 * n;
        let mut free = 0u64;
        let mut pos = self.head.load(Ordering::Acquire) & POSITION_MASK;
        while let Some(p) = self.node_at(seg, pos, size)? {
            let inside = blocks.iter().any(|&first| {
                p >= first && p < first + (size * n) as usize && (p - first) as u64 % size == 0
            });
            if !inside {
                return Err(corrupt(format_args!(
                    "a free node at {p:#x} is in none of its blocks"
                )));
            }
            free += 1;
            if free > capacity {
                return Err(corrupt("more free nodes than its blocks hold (a cycle?)"));
            }
            pos = self.link(p).load(Ordering::Relaxed) & POSITION_MASK;
        }
        Ok(PoolReport {
            node_size: size as usize,
            nodes_per_block: n as usize,
            blocks: blocks.len(),
            free_nodes: free as usize,
        })
    }
}

impl SegmentManager {
    /// Every node pool among the segment's named and unique objects (C++'s pooled
    /// allocators make theirs the unique object of their pool type), each with its name
    /// and what [`NodePool::check`] says of it.
    pub fn node_pools(&self) -> Result<Vec<(String, Result<PoolReport>)>> {
        let mut out = Vec::new();
        for kind in [crate::InstanceKind::Named, crate::InstanceKind::Unique] {
            let mut cursor = 0;
            while let Some((next, info, name, len)) = self.next_object(kind, cursor)? {
                cursor = next;
                if info.elem_size * info.count < std::mem::size_of::<NodePool>()
                    || info.ptr.as_ptr() as usize % std::mem::align_of::<NodePool>() != 0
                {
                    continue;
                }
                // SAFETY: the object holds at least 8 bytes at an 8-aligned address inside
                // the mapped segment (checked by the index and above).
                let magic = unsafe { info.ptr.as_ptr().cast::<[u8; 8]>().read() };
                if magic != MAGIC {
                    continue;
                }
                // SAFETY: a validated object of at least `size_of::<NodePool>()` bytes,
                // aligned for it, that starts with a pool's magic; every bit pattern is a
                // `NodePool` (its operations validate what they read).
                let pool = unsafe { info.ptr.cast::<NodePool>().as_ref() };
                // SAFETY: the index checked the name lies inside the segment.
                let name = unsafe { std::slice::from_raw_parts(name, len) };
                out.push((String::from_utf8_lossy(name).into_owned(), pool.check(self)));
            }
        }
        Ok(out)
    }
}
