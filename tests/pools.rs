//! Node pools in the Rust core: the typed Rust API, several processes on one pool with exact
//! totals, and garbage in a pool's state or free list.

mod common;

use common::{Remove, Xorshift, unique};
use interproc::prelude::*;
use interproc::{ErrorKind, ManagedHeapMemory, ManagedSharedMemory, NodePool, Permissions};
use std::collections::HashSet;
use std::process::Command;
use std::ptr::NonNull;
use std::time::Duration;

#[test]
fn nodes_are_distinct_aligned_reused_and_accounted() {
    let seg = ManagedHeapMemory::new(1 << 20).unwrap();
    let pool = seg
        .construct("pool", NodePool::new(40, 32).unwrap())
        .unwrap();
    assert_eq!((pool.node_size(), pool.nodes_per_block()), (48, 32));
    let mut nodes = Vec::new();
    let mut seen = HashSet::new();
    for i in 0..100u8 {
        let n = pool.allocate(&seg).unwrap();
        assert_eq!(n.as_ptr() as usize % 16, 0);
        assert!(seen.insert(n.as_ptr() as usize), "a node handed out twice");
        // SAFETY: a node of 48 bytes, this test's alone.
        unsafe { std::ptr::write_bytes(n.as_ptr(), i, 48) };
        nodes.push(n);
    }
    // 100 nodes from blocks of 32: four blocks.
    assert_eq!(pool.blocks(), 4);
    let report = pool.check(&seg).unwrap();
    assert_eq!((report.blocks, report.free_nodes), (4, 28));
    for n in nodes.drain(..50) {
        pool.deallocate(&seg, n.as_ptr()).unwrap();
    }
    assert_eq!(pool.check(&seg).unwrap().free_nodes, 78);
    // Taken again, no new block.
    for _ in 0..78 {
        nodes.push(pool.allocate(&seg).unwrap());
    }
    assert_eq!(pool.blocks(), 4);
    assert_eq!(pool.check(&seg).unwrap().free_nodes, 0);
    for n in nodes {
        pool.deallocate(&seg, n.as_ptr()).unwrap();
    }
    assert_eq!(pool.check(&seg).unwrap().free_nodes, 128);
    seg.check_sanity().unwrap();
    let pools = seg.node_pools().unwrap();
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0].0, "pool");
    assert_eq!(pools[0].1.as_ref().unwrap().free_nodes, 128);
}

#[test]
fn bad_arguments_are_errors_that_change_nothing() {
    let seg = ManagedHeapMemory::new(1 << 16).unwrap();
    for (size, n) in [(16, 0), (1 << 20, 1 << 20), (usize::MAX, 2)] {
        let e = NodePool::new(size, n).err().expect("refused");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    }
    let pool = seg
        .construct("pool", NodePool::new(16, 8).unwrap())
        .unwrap();
    let n = pool.allocate(&seg).unwrap();
    let free = pool.check(&seg).unwrap().free_nodes;
    for bad in [
        n.as_ptr().wrapping_add(8),
        std::ptr::dangling_mut(),
        seg.as_ptr(),
    ] {
        let e = pool.deallocate(&seg, bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    }
    assert_eq!(pool.check(&seg).unwrap().free_nodes, free);
    // A segment full of pool blocks: a clean OutOfMemory, and the pool still works.
    let mut held = Vec::new();
    let e = loop {
        match pool.allocate(&seg) {
            Ok(n) => held.push(n),
            Err(e) => break e,
        }
    };
    assert_eq!(e.kind(), ErrorKind::OutOfMemory, "{e}");
    for h in held {
        pool.deallocate(&seg, h.as_ptr()).unwrap();
    }
    assert!(pool.allocate(&seg).is_ok());
}

#[test]
fn many_nodes_go_back_in_one_step_and_a_bad_one_refuses_them_all() {
    let seg = ManagedHeapMemory::new(1 << 20).unwrap();
    let pool = seg
        .construct("pool", NodePool::new(24, 16).unwrap())
        .unwrap();
    let nodes: Vec<*mut u8> = (0..40)
        .map(|_| pool.allocate(&seg).unwrap().as_ptr())
        .collect();
    let free = pool.check(&seg).unwrap().free_nodes;
    pool.deallocate_many(&seg, &[]).unwrap();
    // One bad pointer anywhere in the list: refused, and nothing given back.
    for at in [0, 20, 40] {
        for bad in [nodes[5].wrapping_add(8), std::ptr::null_mut()] {
            let mut list = nodes.clone();
            list.insert(at, bad);
            let e = pool.deallocate_many(&seg, &list).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
            assert_eq!(pool.check(&seg).unwrap().free_nodes, free);
        }
    }
    pool.deallocate_many(&seg, &nodes[..25]).unwrap();
    pool.deallocate_many(&seg, &nodes[25..]).unwrap();
    assert_eq!(pool.check(&seg).unwrap().free_nodes, free + 40);
    // Every node comes back out, each once, before a new block is taken.
    let blocks = pool.blocks();
    let again: HashSet<usize> = (0..free + 40)
        .map(|_| pool.allocate(&seg).unwrap().as_ptr() as usize)
        .collect();
    assert_eq!(again.len(), free + 40);
    assert!(nodes.iter().all(|n| again.contains(&(*n as usize))));
    assert_eq!(pool.blocks(), blocks);
}

#[test]
fn many_nodes_come_out_in_one_call_until_the_segment_is_full() {
    let seg = ManagedHeapMemory::new(1 << 16).unwrap();
    let pool = seg
        .construct("pool", NodePool::new(32, 16).unwrap())
        .unwrap();
    let mut out = [std::ptr::null_mut(); 40];
    assert_eq!(pool.allocate_many(&seg, &mut out[..0]).unwrap(), 0);
    assert_eq!(pool.allocate_many(&seg, &mut out).unwrap(), 40);
    // 40 nodes from blocks of 16: three blocks, 8 left free.
    assert_eq!(pool.blocks(), 3);
    assert_eq!(pool.check(&seg).unwrap().free_nodes, 8);
    let mut seen: HashSet<usize> = out.iter().map(|&p| p as usize).collect();
    assert_eq!(seen.len(), 40);
    // More than the segment holds (4096 nodes of 32 bytes, in 64 KiB): fewer than asked,
    // then OutOfMemory.
    let mut more = vec![std::ptr::null_mut(); 4096];
    let n = pool.allocate_many(&seg, &mut more).unwrap();
    assert!(n > 0 && n < more.len(), "{n}");
    for &p in &more[..n] {
        assert!(seen.insert(p as usize), "a node handed out twice");
    }
    let e = pool.allocate_many(&seg, &mut more).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfMemory, "{e}");
    let all: Vec<*mut u8> = seen.iter().map(|&p| p as *mut u8).collect();
    pool.deallocate_many(&seg, &all).unwrap();
    let report = pool.check(&seg).unwrap();
    assert_eq!(report.free_nodes, report.blocks * 16);
}

#[test]
fn garbage_in_a_pool_is_an_error_not_a_wild_access() {
    let seg = ManagedHeapMemory::new(1 << 16).unwrap();
    let pool = seg
        .construct("pool", NodePool::new(32, 4).unwrap())
        .unwrap();
    let n = pool.allocate(&seg).unwrap();
    pool.deallocate(&seg, n.as_ptr()).unwrap();
    let words = std::ptr::from_ref(pool).cast::<u64>().cast_mut();
    // A position naming an address 8 bytes off the 16-byte grid.
    let misaligned = if words as usize % 16 == 0 { 1 } else { 2 };
    // The head (word 2), the blocks link (word 3): positions outside the segment, into its
    // header, misaligned.
    for (word, garbage) in [
        (2, (1u64 << 39) - 1),
        (2, (-(1i64 << 20) as u64) & ((1 << 40) - 1)),
        (2, misaligned),
        (3, u64::MAX - 15),
        (3, 8),
    ] {
        // SAFETY: the pool's 48 bytes lie in the segment, 8-aligned; nothing else runs.
        let saved = unsafe { words.add(word).read() };
        // SAFETY: as above.
        unsafe { words.add(word).write(garbage) };
        if word == 2 {
            let e = pool.allocate(&seg).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Corrupted, "{e}");
        }
        assert_eq!(pool.check(&seg).unwrap_err().kind(), ErrorKind::Corrupted);
        assert_eq!(seg.check_sanity().unwrap_err().kind(), ErrorKind::Corrupted);
        // SAFETY: as above.
        unsafe { words.add(word).write(saved) };
    }
    // A free node whose link was overwritten with garbage (a use after free).
    let m = pool.allocate(&seg).unwrap();
    pool.deallocate(&seg, m.as_ptr()).unwrap();
    // SAFETY: the freed node's link word, inside the segment.
    unsafe { m.as_ptr().cast::<u64>().write(0xdead_beef) };
    assert_eq!(pool.check(&seg).unwrap_err().kind(), ErrorKind::Corrupted);
    pool.allocate(&seg).unwrap();
    assert_eq!(
        pool.allocate(&seg).unwrap_err().kind(),
        ErrorKind::Corrupted
    );
    // A corrupted header.
    // SAFETY: as above: the node size field (word 1, low half).
    unsafe { words.add(1).cast::<u32>().write(7) };
    assert_eq!(
        pool.allocate(&seg).unwrap_err().kind(),
        ErrorKind::Corrupted
    );
}

/// Child: takes and gives back nodes of the shared pool, checking each node keeps its
/// contents while held (no node is ever handed to two holders).
#[test]
fn pool_child() {
    let Ok(name) = std::env::var("INTERPROC_POOL_TEST") else {
        return;
    };
    let id: u8 = std::env::var("INTERPROC_POOL_ID").unwrap().parse().unwrap();
    let seg = ManagedSharedMemory::open(&name).unwrap();
    let pool = seg.find::<NodePool>("pool").unwrap().expect("the pool");
    let mut held: Vec<NonNull<u8>> = Vec::new();
    let mut rng = Xorshift(0x2545_F491_4F6C_DD1Du64 ^ u64::from(id));
    for _ in 0..50_000 {
        let x = rng.next();
        let mine = |n: NonNull<u8>| {
            // SAFETY: a 64-byte node, this process's alone.
            let bytes = unsafe { std::slice::from_raw_parts(n.as_ptr(), 64) };
            assert!(bytes.iter().all(|&b| b == id), "a node was shared");
            n.as_ptr()
        };
        if held.len() < 100 && x % 3 != 0 {
            // One node, or (one time in five) eight in one call.
            let mut batch = [std::ptr::null_mut(); 8];
            let want = if x % 5 == 0 { 8 } else { 1 };
            assert_eq!(pool.allocate_many(&seg, &mut batch[..want]).unwrap(), want);
            for &p in &batch[..want] {
                // SAFETY: a 64-byte node, this process's alone.
                unsafe { std::ptr::write_bytes(p, id, 64) };
                held.push(NonNull::new(p).unwrap());
            }
        } else if x % 5 == 0 && held.len() >= 8 {
            let batch: Vec<*mut u8> = held.drain(held.len() - 8..).map(mine).collect();
            pool.deallocate_many(&seg, &batch).unwrap();
        } else if !held.is_empty() {
            let n = held.swap_remove((x as usize / 3) % held.len());
            pool.deallocate(&seg, mine(n)).unwrap();
        }
    }
    for n in held {
        pool.deallocate(&seg, n.as_ptr()).unwrap();
    }
}

#[test]
fn processes_share_a_pool_and_every_node_comes_back() {
    let name = unique("ipt_pool", "procs");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 4 << 20, Permissions::default()).unwrap();
    let pool = seg
        .construct("pool", NodePool::new(64, 64).unwrap())
        .unwrap();
    let mut kids: Vec<_> = (1..=4)
        .map(|id| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "pool_child", "--test-threads=1"])
                .env("INTERPROC_POOL_TEST", &name)
                .env("INTERPROC_POOL_ID", id.to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    for k in &mut kids {
        assert!(common::wait_bounded(k, Duration::from_secs(120)).success());
    }
    let report = pool.check(&seg).unwrap();
    assert_eq!(report.free_nodes, report.blocks * 64);
    // At most 4 × 107 nodes were held at once: no more blocks than that needs.
    assert!(report.blocks <= 428 / 64 + 4, "{report:?}");
    seg.check_sanity().unwrap();
}
