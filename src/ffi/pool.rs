//! Node pools in C: fixed-size nodes from a lock-free pool inside a managed segment (the
//! pool behind C++'s `node_allocator`, `adaptive_pool` and their cached forms).
//!
//! An `interproc_node_pool_t` lives in the segment (construct it there, for example as a
//! named object of `sizeof(interproc_node_pool_t)` bytes) and is set up once with
//! `interproc_node_pool_init`; every process that maps the segment then takes and gives
//! back nodes through it with the segment's manager.

use super::error::interproc_status_t;
use super::segment::{interproc_segment_manager_t, manager};
use super::sync_obj::obj;
use super::{boundary, boundary_value, out_arg, put};
use crate::{Error, ErrorKind, NodePool, PoolReport};
use std::ffi::c_void;

/// A node pool's state: 48 bytes, 8-byte aligned, inside a managed segment; set up with
/// `interproc_node_pool_init`.
#[repr(C)]
pub struct interproc_node_pool_t {
    _opaque: [u64; 6],
}

const _: () = {
    assert!(size_of::<interproc_node_pool_t>() == size_of::<NodePool>());
    assert!(align_of::<interproc_node_pool_t>() == align_of::<NodePool>());
};

/// Every pool node's alignment in bytes, and the granule of its size: a node size is
/// rounded up to a multiple of it, and is at least it.
pub const INTERPROC_NODE_POOL_ALIGN: usize = 16;
/// The most bytes of nodes one pool block may hold (node size times nodes per block).
pub const INTERPROC_NODE_POOL_MAX_BLOCK: u64 = 4294967296;

const _: () = {
    assert!(INTERPROC_NODE_POOL_ALIGN == NodePool::NODE_ALIGN);
    assert!(INTERPROC_NODE_POOL_MAX_BLOCK == NodePool::MAX_BLOCK_BYTES as u64);
};

/// What `interproc_node_pool_check` found.
#[repr(C)]
pub struct interproc_pool_report_t {
    /// Bytes per node (a multiple of 16).
    pub node_size: usize,
    /// Nodes carved from each block.
    pub nodes_per_block: usize,
    /// Blocks taken from the segment.
    pub blocks: usize,
    /// Nodes on the free list.
    pub free_nodes: usize,
}

/// Sets up an empty pool at `pool` for nodes of at least `node_size` bytes (rounded up to
/// 16), carved from the segment `nodes_per_block` at a time. `INTERPROC_INVALID_ARGUMENT`
/// for a NULL pool, a zero count or a block larger than 4 GiB.
///
/// # Safety
/// `pool` must be NULL or point to writable memory for an `interproc_node_pool_t` that no
/// other thread or process uses yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_node_pool_init(
    pool: *mut interproc_node_pool_t,
    node_size: usize,
    nodes_per_block: usize,
) -> interproc_status_t {
    boundary(|| {
        out_arg(pool, "pool")?;
        let p = NodePool::new(node_size, nodes_per_block)?;
        // SAFETY: `pool` is non-NULL (checked) and writable for the struct, unused by
        // anyone else (this fn's contract); the two types have one layout (checked above).
        unsafe { put(pool.cast::<NodePool>(), p) };
        Ok(())
    })
}

/// Takes a node from `pool` into `*out`: a free one, or the first of a new block taken from
/// the segment of `mgr`. `INTERPROC_OUT_OF_MEMORY_ERROR` when the segment has no room for
/// a block; `INTERPROC_CORRUPTED_ERROR` for a pool whose state or free list is garbage.
///
/// # Safety
/// `mgr` must be NULL or the segment manager of a segment mapped in this process; `pool`
/// NULL or a pool set up with `interproc_node_pool_init` inside that segment; `out` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_node_pool_allocate(
    mgr: *mut interproc_segment_manager_t,
    pool: *mut interproc_node_pool_t,
    out: *mut *mut c_void,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or a manager mapped in this process (this fn's contract).
        let m = unsafe { manager(mgr) }?;
        // SAFETY: `pool` is NULL or a pool set up inside that segment (this fn's contract);
        // `obj` turns NULL into an error, and the pool validates its own state.
        let p: &NodePool = unsafe { obj(pool, "pool") }?;
        out_arg(out, "out")?;
        let node = p.allocate(&m)?;
        // SAFETY: `out` is non-NULL (checked) and writable (this fn's contract).
        unsafe { put(out, node.as_ptr().cast()) };
        Ok(())
    })
}

/// Takes up to `count` nodes from `pool` into `out[0..*taken]`, as that many calls of
/// `interproc_node_pool_allocate` would, in one call (how a per-thread cache refills).
/// Fewer only when taking one more failed (the segment full, or the pool found corrupted:
/// the next call reports it); the status of that failure when none could be taken.
/// `INTERPROC_INVALID_ARGUMENT` for a NULL `out` with a `count` above 0, or a NULL `taken`.
///
/// # Safety
/// As `interproc_node_pool_allocate`; `out` NULL or writable for `count` pointers, `taken`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_node_pool_allocate_many(
    mgr: *mut interproc_segment_manager_t,
    pool: *mut interproc_node_pool_t,
    out: *mut *mut c_void,
    count: usize,
    taken: *mut usize,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or a manager mapped in this process (this fn's contract).
        let m = unsafe { manager(mgr) }?;
        // SAFETY: `pool` is NULL or a pool set up inside that segment (this fn's contract).
        let p: &NodePool = unsafe { obj(pool, "pool") }?;
        out_arg(taken, "taken")?;
        let got = if count == 0 {
            0
        } else {
            out_arg(out, "out")?;
            // SAFETY: `out` is non-NULL (checked) and writable for `count` pointers (this
            // fn's contract).
            let list = unsafe { std::slice::from_raw_parts_mut(out.cast::<*mut u8>(), count) };
            p.allocate_many(&m, list)?
        };
        // SAFETY: `taken` is non-NULL (checked) and writable (this fn's contract).
        unsafe { put(taken, got) };
        Ok(())
    })
}

/// Gives `node` back to `pool`. `INTERPROC_INVALID_ARGUMENT`, changing nothing, for a
/// pointer that is not a 16-aligned node inside the segment's heap.
///
/// # Safety
/// As `interproc_node_pool_allocate`; `node` must be a node taken from `pool` and not in
/// use any more.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_node_pool_deallocate(
    mgr: *mut interproc_segment_manager_t,
    pool: *mut interproc_node_pool_t,
    node: *mut c_void,
) -> interproc_status_t {
    // SAFETY: the same contract as `interproc_node_pool_deallocate_chain`'s, with a chain of
    // one node.
    unsafe { interproc_node_pool_deallocate_chain(mgr, pool, node, node) }
}

/// Gives back the nodes from `first` to `last` in one step: each node's first 8 bytes hold
/// the next one's position in the pool's encoding (its distance from the pool in 8-byte
/// units, in the low 40 bits; `last`'s link is overwritten). Only `first` and `last` are
/// checked. `interproc_node_pool_deallocate_many` does the same from a list of the nodes,
/// with no encoding to know, and checks every one.
///
/// # Safety
/// As `interproc_node_pool_deallocate`, for every node of the chain.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_node_pool_deallocate_chain(
    mgr: *mut interproc_segment_manager_t,
    pool: *mut interproc_node_pool_t,
    first: *mut c_void,
    last: *mut c_void,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or a manager mapped in this process (this fn's contract).
        let m = unsafe { manager(mgr) }?;
        // SAFETY: `pool` is NULL or a pool set up inside that segment (this fn's contract).
        let p: &NodePool = unsafe { obj(pool, "pool") }?;
        p.deallocate_chain(&m, first.cast(), last.cast())
    })
}

/// Gives back the `count` nodes listed at `nodes` in one step (how a per-thread cache gives
/// back many nodes at once; the pool links them itself). `INTERPROC_INVALID_ARGUMENT`,
/// giving nothing back, if any of them is not a 16-aligned node inside the segment's heap,
/// or `nodes` is NULL with a `count` above 0.
///
/// # Safety
/// As `interproc_node_pool_deallocate`, for every node listed; `nodes` NULL or readable for
/// `count` pointers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_node_pool_deallocate_many(
    mgr: *mut interproc_segment_manager_t,
    pool: *mut interproc_node_pool_t,
    nodes: *const *mut c_void,
    count: usize,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or a manager mapped in this process (this fn's contract).
        let m = unsafe { manager(mgr) }?;
        // SAFETY: `pool` is NULL or a pool set up inside that segment (this fn's contract).
        let p: &NodePool = unsafe { obj(pool, "pool") }?;
        if count == 0 {
            return Ok(());
        }
        if nodes.is_null() {
            return Err(Error::new(ErrorKind::InvalidArgument, "nodes is NULL"));
        }
        // SAFETY: `nodes` is non-NULL (checked) and readable for `count` pointers (this fn's
        // contract); `deallocate_many` refuses every pointer that is not a node (NULL
        // included) before it writes anything.
        let list = unsafe { std::slice::from_raw_parts(nodes.cast::<*mut u8>(), count) };
        p.deallocate_many(&m, list)
    })
}

/// The number of blocks `pool` has taken from its segment (0 for NULL).
///
/// # Safety
/// `pool` must be NULL or a pool set up with `interproc_node_pool_init`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_node_pool_blocks(pool: *const interproc_node_pool_t) -> usize {
    boundary_value(0, || {
        // SAFETY: `pool` is NULL or a set-up pool (this fn's contract).
        unsafe { obj::<_, NodePool>(pool, "pool") }.map_or(0, NodePool::blocks)
    })
}

/// Checks `pool` (its blocks inside the segment, every free node inside one of them) and
/// writes what it found to `*report`. `INTERPROC_CORRUPTED_ERROR` says what is wrong.
///
/// # Safety
/// As `interproc_node_pool_allocate`; `report` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_node_pool_check(
    mgr: *mut interproc_segment_manager_t,
    pool: *const interproc_node_pool_t,
    report: *mut interproc_pool_report_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or a manager mapped in this process (this fn's contract).
        let m = unsafe { manager(mgr) }?;
        // SAFETY: `pool` is NULL or a pool set up inside that segment (this fn's contract).
        let p: &NodePool = unsafe { obj(pool, "pool") }?;
        out_arg(report, "report")?;
        let PoolReport {
            node_size,
            nodes_per_block,
            blocks,
            free_nodes,
        } = p.check(&m)?;
        let r = interproc_pool_report_t {
            node_size,
            nodes_per_block,
            blocks,
            free_nodes,
        };
        // SAFETY: `report` is non-NULL (checked) and writable (this fn's contract).
        unsafe { put(report, r) };
        Ok(())
    })
}
