//! Small allocations without the segment lock (the segment's size-class lists): exact
//! accounting, blocks freed twice, several processes at once, and garbage in the lists.

mod common;

use common::{Remove, Xorshift, aligned_buffer, bytes_of, unique};
use interproc::{ErrorKind, ManagedExternalBuffer, ManagedSharedMemory, Permissions};
use std::process::Command;
use std::ptr::NonNull;
use std::time::Duration;

/// Where the lists' heads lie in a segment whose header starts at `base` (the layout is
/// pinned by the library's test): the lists' table ends the header, whose size is the
/// 16-bit word at offset 14, and holds 43 heads.
fn class_heads(base: *const u8) -> usize {
    // SAFETY: `base` is the start of a segment; its header is at least 16 bytes.
    let header_size = unsafe { base.add(14).cast::<u16>().read() };
    usize::from(header_size) - 43 * 8
}

/// Sizes that cover the classes: every 16-byte step up to 512, the rounded ones up to
/// 4096, and a few above.
fn sizes() -> Vec<usize> {
    let mut v: Vec<usize> = (1..=40).map(|i| i * 13).collect();
    v.extend([
        600, 700, 1000, 1500, 2000, 3000, 4000, 4080, 4081, 5000, 9000,
    ]);
    v
}

fn fill(p: NonNull<u8>, n: usize, byte: u8) {
    // SAFETY: `p` is a fresh allocation of at least `n` bytes.
    unsafe { std::ptr::write_bytes(p.as_ptr(), byte, n) };
}

#[test]
fn free_memory_returns_exactly_and_blocks_are_reused() {
    let mut buf = aligned_buffer(1 << 20);
    let bytes = bytes_of(&mut buf);
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let free0 = seg.free_memory().unwrap();
    for round in 0..3 {
        let blocks: Vec<_> = sizes()
            .into_iter()
            .flat_map(|n| std::iter::repeat_n(n, 5))
            .map(|n| {
                let p = seg.allocate(n).unwrap().unwrap();
                assert!(seg.allocation_size(p.as_ptr()).unwrap() >= n);
                fill(p, n, round as u8);
                p
            })
            .collect();
        assert!(seg.free_memory().unwrap() < free0);
        assert!(!seg.all_memory_deallocated().unwrap());
        for p in &blocks {
            seg.deallocate(p.as_ptr()).unwrap();
        }
        // Parked blocks count as free, to the byte.
        assert_eq!(seg.free_memory().unwrap(), free0, "round {round}");
        seg.check_sanity().unwrap();
    }
    // The same small size comes back from its list.
    let a = seg.allocate(100).unwrap().unwrap();
    seg.deallocate(a.as_ptr()).unwrap();
    let b = seg.allocate(100).unwrap().unwrap();
    assert_eq!(a, b);
    seg.deallocate(b.as_ptr()).unwrap();
    // Everything given back: the heap is whole again, and one allocation can take most of
    // it (the parked blocks are merged back first).
    assert!(seg.all_memory_deallocated().unwrap());
    assert_eq!(seg.free_memory().unwrap(), free0);
    let big = seg
        .allocate(free0 * 3 / 4)
        .unwrap()
        .expect("the heap is whole again");
    seg.deallocate(big.as_ptr()).unwrap();
    assert_eq!(seg.free_memory().unwrap(), free0);
}

#[test]
fn a_full_segment_takes_back_parked_blocks() {
    let mut buf = aligned_buffer(64 << 10);
    let bytes = bytes_of(&mut buf);
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let free0 = seg.free_memory().unwrap();
    let mut small = Vec::new();
    while let Some(p) = seg.allocate(48).unwrap() {
        small.push(p);
    }
    assert!(small.len() > 500);
    for p in small {
        seg.deallocate(p.as_ptr()).unwrap();
    }
    // Every byte is parked in one list; a large allocation must still succeed.
    let big = seg
        .allocate(free0 / 2)
        .unwrap()
        .expect("parked blocks merge back");
    seg.deallocate(big.as_ptr()).unwrap();
    assert_eq!(seg.free_memory().unwrap(), free0);
    // Growing in place past a parked neighbour works the same way.
    let g = seg.allocate(64).unwrap().unwrap();
    let n = seg.allocate(64).unwrap().unwrap();
    seg.deallocate(n.as_ptr()).unwrap();
    let grown = seg.expand_in_place(g.as_ptr(), 1000, 1000).unwrap();
    assert!(grown >= 1000, "{grown}");
    seg.deallocate(g.as_ptr()).unwrap();
    assert!(seg.all_memory_deallocated().unwrap());
}

#[test]
fn a_block_freed_twice_is_refused_and_nothing_is_lost() {
    let mut buf = aligned_buffer(64 << 10);
    let bytes = bytes_of(&mut buf);
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let free0 = seg.free_memory().unwrap();
    for n in [24, 300, 2000] {
        let p = seg.allocate(n).unwrap().unwrap();
        seg.deallocate(p.as_ptr()).unwrap();
        let e = seg.deallocate(p.as_ptr()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert!(e.message().contains("freed twice"), "{e}");
        // A freed (parked) block has no size to ask for, and cannot grow.
        assert!(seg.allocation_size(p.as_ptr()).is_err());
        assert!(seg.expand_in_place(p.as_ptr(), n, n).is_err());
        assert_eq!(seg.free_memory().unwrap(), free0);
    }
    // A pointer into the middle of a block is not a block.
    let p = seg.allocate(256).unwrap().unwrap();
    let inside = p.as_ptr().wrapping_add(64);
    assert_eq!(
        seg.deallocate(inside).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    seg.deallocate(p.as_ptr()).unwrap();
    seg.check_sanity().unwrap();
    assert!(seg.all_memory_deallocated().unwrap());
    assert_eq!(seg.free_memory().unwrap(), free0);
}

/// A list head of garbage is never followed: the class is quarantined (its blocks come
/// from the heap from then on), allocation of that size and every other keeps working, and
/// the sanity check names the class.
#[test]
fn garbage_in_a_list_head_is_quarantined_not_followed() {
    let mut buf = aligned_buffer(64 << 10);
    let bytes = bytes_of(&mut buf);
    let (base, len) = (bytes.as_mut_ptr(), bytes.len());
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let heads = class_heads(base);
    // Class 3 holds 80-byte blocks (64-byte allocations).
    let head = |v: u64| {
        // SAFETY: the head word lies inside the buffer, 8-aligned; nothing else runs.
        unsafe { base.add(heads + 3 * 8).cast::<u64>().write(v) };
    };
    let inside = |p: NonNull<u8>| {
        let at = p.as_ptr() as usize - base as usize;
        at > heads && at + 64 <= len
    };
    let used = seg.allocate(200).unwrap().unwrap();
    for garbage in [
        u64::MAX >> 24,          // far outside the segment
        1,                       // inside the header
        (len as u64 / 16) - 1,   // the last 16 bytes: no room for a block
        (heads as u64 / 16) + 1, // the header again
        // A real, used block (not parked).
        (used.as_ptr() as u64 - 16 - base as u64) / 16,
    ] {
        head(garbage);
        let p = seg.allocate(64).unwrap().unwrap();
        assert!(inside(p), "{garbage:#x}");
        seg.deallocate(p.as_ptr()).unwrap();
        let e = seg.check_sanity().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Corrupted, "{e}");
        assert!(e.message().contains("80-byte blocks"), "{e}");
    }
    // The used block named by the garbage is untouched, and other sizes keep working.
    let other = seg.allocate(300).unwrap().unwrap();
    seg.deallocate(other.as_ptr()).unwrap();
    seg.deallocate(used.as_ptr()).unwrap();
    assert!(seg.free_memory().is_ok());
}

/// Child: allocates and frees small blocks of sizes drawn from the shared list, keeping
/// each block's contents as a check that no two holders ever share a block.
#[test]
fn small_blocks_child() {
    let Ok(name) = std::env::var("INTERPROC_SMALL_BLOCKS") else {
        return;
    };
    let id: u8 = std::env::var("INTERPROC_SMALL_ID")
        .unwrap()
        .parse()
        .unwrap();
    let seg = ManagedSharedMemory::open(&name).unwrap();
    let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15u64 ^ u64::from(id));
    let mut held: Vec<(NonNull<u8>, usize)> = Vec::new();
    for _ in 0..40_000 {
        let x = rng.next();
        if held.len() < 64 && x % 3 != 0 {
            let n = 8 + (x % 2000) as usize;
            let p = seg.allocate(n).unwrap().expect("room");
            fill(p, n, id);
            held.push((p, n));
        } else if !held.is_empty() {
            let (p, n) = held.swap_remove((x as usize / 3) % held.len());
            // SAFETY: this process's own block of `n` bytes.
            let s = unsafe { std::slice::from_raw_parts(p.as_ptr(), n) };
            assert!(s.iter().all(|&b| b == id), "a block was shared");
            seg.deallocate(p.as_ptr()).unwrap();
        }
    }
    for (p, _) in held {
        seg.deallocate(p.as_ptr()).unwrap();
    }
}

#[test]
fn several_processes_share_the_lists_and_the_totals_come_back_exactly() {
    let name = unique("small", "procs");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 8 << 20, Permissions::default()).unwrap();
    let free0 = seg.free_memory().unwrap();
    let mut kids: Vec<_> = (1..=4)
        .map(|id| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "small_blocks_child", "--test-threads=1"])
                .env("INTERPROC_SMALL_BLOCKS", &name)
                .env("INTERPROC_SMALL_ID", id.to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    for k in &mut kids {
        assert!(common::wait_bounded(k, Duration::from_secs(120)).success());
    }
    assert_eq!(seg.free_memory().unwrap(), free0);
    seg.check_sanity().unwrap();
    assert!(seg.all_memory_deallocated().unwrap());
    assert_eq!(seg.free_memory().unwrap(), free0);
}

/// A process that maps the segment read-only cannot give parked blocks back to the heap:
/// it counts them where they wait, and its free memory agrees with a writer's.
#[test]
fn a_read_only_mapping_counts_parked_blocks_as_free() {
    let name = unique("ipt_small", "ro");
    let _rm = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 20, Permissions::default()).unwrap();
    let free0 = seg.free_memory().unwrap();
    let blocks: Vec<_> = sizes()
        .into_iter()
        .map(|n| seg.allocate(n).unwrap().unwrap())
        .collect();
    for p in &blocks[..blocks.len() / 2] {
        seg.deallocate(p.as_ptr()).unwrap();
    }
    let reader = ManagedSharedMemory::new(
        interproc::OpenMode::OpenReadOnly,
        &name,
        0,
        Permissions::default(),
    )
    .unwrap();
    let seen = reader.free_memory().unwrap();
    // The writer's query gives the parked blocks back to the heap; the count is the same.
    assert_eq!(seen, seg.free_memory().unwrap());
    assert!(seen < free0);
    for p in &blocks[blocks.len() / 2..] {
        seg.deallocate(p.as_ptr()).unwrap();
    }
    assert_eq!(reader.free_memory().unwrap(), free0);
    assert_eq!(seg.free_memory().unwrap(), free0);
}
