use super::lists::{list_of, search_size, size_class};
use super::*;

/// A heap over a 16-aligned buffer; the state lives in the buffer's first bytes.
struct TestHeap {
    buf: Vec<u128>,
    heap: Heap,
}

fn heap(bytes: usize) -> TestHeap {
    heap_with_lists(bytes, lists_for(bytes as u64))
}

fn heap_with_lists(bytes: usize, lists: usize) -> TestHeap {
    let mut buf = vec![0u128; bytes / 16];
    let base = buf.as_mut_ptr().cast::<u8>();
    // SAFETY: the buffer outlives the heap view and nothing else touches it.
    let heap = unsafe { test_heap(base, bytes as u64, lists) };
    TestHeap { buf, heap }
}

/// The smallest block size filed in list `(f, s)`.
fn class_min(f: usize, s: usize) -> u64 {
    if f == 0 {
        s as u64 * ALIGN
    } else {
        let level = 1u64 << (f as u32 + SMALL_LOG2 - 1);
        level + s as u64 * (level >> SL_LOG2)
    }
}

#[test]
fn size_classes_are_monotonic_and_in_range() {
    let mut last = (0, 0);
    for size in (MIN_BLOCK..1 << 22).step_by(16) {
        let m = size_class(size);
        assert!(m >= last, "{size}");
        assert!(m.0 < FL_COUNT && m.1 < SL_COUNT);
        assert!(class_min(m.0, m.1) <= size, "{size}");
        last = m;
        // Every block in the list searched for a request is large enough for it.
        let (f, s) = size_class(search_size(size));
        assert!(class_min(f, s) >= size, "{size}");
    }
    assert!(size_class(MAX_HEAP - 16).0 < FL_COUNT);
}

#[test]
fn allocate_free_restores_exact_free_memory() {
    let t = heap(1 << 16);
    let h = &t.heap;
    let free0 = h.free_bytes();
    h.check().unwrap();
    let a = h.allocate(1024, 16).unwrap().unwrap();
    assert_eq!(a % 16, 0);
    assert_eq!(h.free_bytes(), free0 - 1040);
    let b = h.allocate(1, 16).unwrap().unwrap();
    let c = h.allocate(100, 16).unwrap().unwrap();
    h.check().unwrap();
    h.deallocate(b).unwrap();
    h.deallocate(a).unwrap();
    h.deallocate(c).unwrap();
    h.check().unwrap();
    assert_eq!(h.free_bytes(), free0);
    assert!(h.all_deallocated());
    drop(t.buf);
}

#[test]
fn expand_grows_into_the_next_free_block_only() {
    let t = heap(1 << 16);
    let h = &t.heap;
    let free0 = h.free_bytes();
    let a = h.allocate(100, 16).unwrap().unwrap();
    // SAFETY: `a` is a 100-byte allocation inside the buffer.
    unsafe { std::ptr::write_bytes(h.base.add(a as usize), 7, 100) };
    // The rest of the heap follows `a`: it grows to the preferred size, keeping its bytes.
    let got = h.expand(a, 1000, 4000).unwrap();
    assert!((4000..4016).contains(&got), "{got}");
    h.check().unwrap();
    assert_eq!(h.free_bytes(), free0 - got - HEADER);
    // SAFETY: `a` is an allocation inside the buffer that now holds `got` bytes.
    let bytes = unsafe { std::slice::from_raw_parts(h.base.add(a as usize), got as usize) };
    assert!(bytes[..100].iter().all(|&b| b == 7));
    // Asking for no more than it has changes nothing.
    assert_eq!(h.expand(a, 50, 50).unwrap(), got);
    // A used block right after it stops the growth; nothing changes.
    let b = h.allocate(16, 16).unwrap().unwrap();
    assert_eq!(b, a + got + HEADER);
    assert_eq!(h.expand(a, got + 1, got + 1).unwrap(), got);
    h.check().unwrap();
    // Freed, the neighbour is room again; more than is free fails and changes nothing.
    h.deallocate(b).unwrap();
    let free1 = h.free_bytes();
    assert_eq!(h.expand(a, 1 << 20, 1 << 20).unwrap(), got);
    assert_eq!(h.free_bytes(), free1);
    let all = h.expand(a, got + 1, u64::MAX).unwrap();
    assert_eq!(h.free_bytes(), 0);
    assert_eq!(all, free0 - HEADER);
    h.check().unwrap();
    h.deallocate(a).unwrap();
    h.check().unwrap();
    assert_eq!(h.free_bytes(), free0);
    assert!(h.expand(a, 10, 10).is_err());
    drop(t.buf);
}

#[test]
fn aligned_allocations_and_bad_frees() {
    let t = heap(1 << 18);
    let h = &t.heap;
    for align in [32u64, 64, 256, 4096] {
        let p = h.allocate(100, align).unwrap().unwrap();
        assert_eq!((p + t.buf.as_ptr() as u64) % align, 0, "align {align}");
        h.check().unwrap();
    }
    let p = h.allocate(64, 16).unwrap().unwrap();
    assert_eq!(
        h.deallocate(p + 16).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        h.deallocate(3).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    h.deallocate(p).unwrap();
    assert_eq!(
        h.deallocate(p).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        h.allocate(10, 3).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    h.check().unwrap();
}

#[test]
fn full_heap_says_none_and_stays_usable() {
    let t = heap(1 << 14);
    let h = &t.heap;
    assert_eq!(h.allocate(1 << 20, 16).unwrap(), None);
    assert_eq!(h.allocate(u64::MAX - 4, 16).unwrap(), None);
    let mut v = Vec::new();
    while let Some(p) = h.allocate(200, 16).unwrap() {
        v.push(p);
    }
    assert!(v.len() > 40);
    h.check().unwrap();
    for p in v {
        h.deallocate(p).unwrap();
    }
    h.check().unwrap();
    assert!(h.all_deallocated());
}

#[test]
fn random_mix_keeps_invariants() {
    // Every list exact, then fewer lists than classes: the last one takes the rest and is
    // searched first-fit, down to a single list for everything.
    for lists in [lists_for(1 << 20), 40, 9, 2, 1] {
        random_mix(lists);
    }
}

fn random_mix(lists: usize) {
    let t = heap_with_lists(1 << 20, lists);
    let h = &t.heap;
    let free0 = h.free_bytes();
    let mut live: Vec<(u64, u64)> = Vec::new();
    let mut x = 0x2545F4914F6CDD1Du64;
    for i in 0..20000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if live.len() < 200 && (x % 3 != 0 || live.is_empty()) {
            let n = 16 + x % 4000;
            if let Some(p) = h.allocate(n, 16).unwrap() {
                // SAFETY: `p..p+n` is allocated memory inside the test buffer.
                unsafe {
                    std::ptr::write_bytes(
                        t.buf.as_ptr().cast::<u8>().cast_mut().add(p as usize),
                        0xAB,
                        n as usize,
                    )
                };
                live.push((p, n));
            }
        } else {
            let (p, _) = live.swap_remove((x as usize / 3) % live.len());
            h.deallocate(p).unwrap();
        }
        if i % 997 == 0 {
            h.check().unwrap();
        }
    }
    for (p, _) in live {
        h.deallocate(p).unwrap();
    }
    h.check().unwrap();
    assert_eq!(h.free_bytes(), free0);
}

#[test]
fn lists_follow_the_capacity() {
    assert_eq!(lists_for(1000), 1);
    assert_eq!(lists_for(4096), 8);
    assert_eq!(lists_for(MAX_HEAP), MAX_LISTS);
    assert_eq!(table_bytes(1), 16);
    assert_eq!(table_bytes(MAX_LISTS), 8 * (5 + MAX_LISTS as u64));
    // Large capacities get every class up to their size, so the last list is exact too.
    let all = lists_for(64 << 20);
    assert_eq!(all, list_of(64 << 20) + 1);
}

#[test]
fn a_single_list_fits_first_and_fills_the_heap() {
    let t = heap_with_lists(1024, 1);
    let h = &t.heap;
    let free0 = h.free_bytes();
    let mut got = Vec::new();
    while let Some(p) = h.allocate(24, 16).unwrap() {
        got.push(p);
    }
    // Every byte went to 48-byte blocks (24 bytes and a 16-byte header, rounded).
    assert_eq!(got.len() as u64, free0 / 48);
    // Holes of 48 bytes do not fit 100 bytes; two merged neighbours do.
    for p in got.iter().step_by(2) {
        h.deallocate(*p).unwrap();
    }
    assert_eq!(h.allocate(100, 16).unwrap(), None);
    h.deallocate(got[1]).unwrap();
    let big = h
        .allocate(100, 16)
        .unwrap()
        .expect("three merged blocks hold it");
    assert_eq!(big, got[0]);
    h.check().unwrap();
}

#[test]
fn extend_and_truncate_tail() {
    let t = heap(1 << 16);
    let h = &t.heap;
    // Pretend the heap was formatted smaller, then grows into the rest of the buffer.
    let t2 = heap(1 << 16);
    drop(t2);
    let p = h.allocate(100, 16).unwrap().unwrap();
    let free = h.free_bytes();
    let end = h.truncate_tail(0).unwrap();
    h.check().unwrap();
    assert!(end < 1 << 16);
    assert!(h.free_bytes() < free);
    h.extend(1 << 16).unwrap();
    h.check().unwrap();
    assert_eq!(h.free_bytes(), free);
    h.deallocate(p).unwrap();
    assert!(h.all_deallocated());
}

#[test]
fn an_extend_cut_short_at_any_store_is_undone() {
    // A heap of 32 KiB inside a 64 KiB buffer, with a free or a used last block.
    for last_free in [true, false] {
        // Each partial state `extend` can leave, as its stores land one by one.
        for cut in 0..4 {
            let t = heap(1 << 16);
            let h = &t.heap;
            let a = h.allocate(100, 16).unwrap().unwrap();
            let _ = h.truncate_tail(0).unwrap();
            h.extend(1 << 15).unwrap();
            if !last_free {
                for n in [64, 16] {
                    while h.allocate(n, 16).unwrap().is_some() {}
                }
                assert_eq!(h.free_tail(), None);
            }
            h.check().unwrap();
            let (old_end, free) = (h.end(), h.free_bytes());
            let old_sentinel = old_end - HEADER;
            let last = h.prev_phys(old_sentinel);
            let new_end = 1u64 << 16;
            h.heap_state().end = new_end;
            if cut >= 1 {
                h.set(old_sentinel, new_end - HEADER - old_sentinel, false);
            }
            if cut >= 2 {
                h.set_prev_phys(new_end - HEADER, old_sentinel);
                h.set(new_end - HEADER, 0, false);
            }
            if cut >= 3 && last_free {
                h.set(last, new_end - HEADER - last, true);
            }
            h.undo_extend(old_end).unwrap();
            h.check().unwrap();
            assert_eq!((h.end(), h.free_bytes()), (old_end, free), "cut {cut}");
            h.extend(new_end).unwrap();
            h.check().unwrap();
            h.deallocate(a).unwrap();
            h.check().unwrap();
        }
    }
}

/// An extend cut short after a used last block leaves that block's header as it was,
/// flags included: a block parked in a size-class list stays parked, an index table stays
/// internal.
#[test]
fn an_extend_cut_short_keeps_the_flags_of_a_used_last_block() {
    for flag in [PARKED, INTERNAL] {
        let t = heap(1 << 16);
        let h = &t.heap;
        let _ = h.truncate_tail(0).unwrap();
        h.extend(1 << 15).unwrap();
        for n in [64, 16] {
            while h.allocate(n, 16).unwrap().is_some() {}
        }
        let old_end = h.end();
        let old_sentinel = old_end - HEADER;
        let last = h.prev_phys(old_sentinel);
        let word = h.size_of(last) | flag;
        h.flags_word(last).store(word, Ordering::Relaxed);
        // `extend` from `old_end` killed after it moved the end and laid out the new space.
        let new_end = 1u64 << 16;
        h.heap_state().end = new_end;
        h.set(old_sentinel, new_end - HEADER - old_sentinel, false);
        h.set_prev_phys(new_end - HEADER, old_sentinel);
        h.set(new_end - HEADER, 0, false);
        h.undo_extend(old_end).unwrap();
        h.check().unwrap();
        assert_eq!(h.flags_word(last).load(Ordering::Relaxed), word);
    }
}

#[test]
fn repair_rebuilds_lists_counts_and_links() {
    let t = heap(1 << 16);
    let h = &t.heap;
    let a = h.allocate(100, 16).unwrap().unwrap();
    let b = h.allocate(200, 16).unwrap().unwrap();
    let c = h.allocate(300, 16).unwrap().unwrap();
    h.deallocate(b).unwrap();
    let free = h.free_bytes();
    // What a killed process can leave: a wrong count, emptied lists, a stale back link,
    // and two free neighbours.
    h.heap_state().free_bytes = 12345;
    h.clear_lists();
    h.set_prev_phys(c - HEADER, 999);
    let size_a = h.size_of(a - HEADER);
    h.set(a - HEADER, size_a, true);
    assert!(h.check().is_err());
    h.repair().unwrap();
    h.check().unwrap();
    assert_eq!(h.free_bytes(), free + size_a);
    h.deallocate(c).unwrap();
    h.check().unwrap();
    assert!(h.all_deallocated());
    // A broken size chain cannot be repaired.
    let d = h.allocate(64, 16).unwrap().unwrap();
    h.set(d - HEADER, 8, false);
    assert_eq!(h.repair().unwrap_err().kind(), ErrorKind::Corrupted);
}

#[test]
fn check_notices_damage() {
    let t = heap(1 << 16);
    let h = &t.heap;
    let p = h.allocate(64, 16).unwrap().unwrap();
    h.check().unwrap();
    // Overwrite the block header that follows the allocation.
    let next = p - HEADER + h.size_of(p - HEADER);
    h.set_prev_phys(next, 12345);
    assert_eq!(h.check().unwrap_err().kind(), ErrorKind::Corrupted);
}

/// Which pages of `[addr, addr + len)` are in memory; `addr` is the start of a live
/// mapping of the calling test, `len` inside it.
fn resident(addr: *mut u8, len: usize) -> Vec<bool> {
    // SAFETY: the callers pass the start of a mapping they made (page-aligned) and a
    // length inside it, and keep it mapped for the call.
    unsafe { crate::os::mmap::resident(addr, len) }
}

#[test]
fn prefault_maps_pages_and_keeps_their_bytes() {
    let page = crate::os::mmap::page_size();
    let p = crate::os::mmap::map_anonymous_shared(4 * page, None).unwrap();
    let base = p.as_ptr();
    // SAFETY: the first page of a fresh writable mapping of four.
    unsafe { base.write_bytes(0xA5, page) };
    assert_eq!(resident(base, 4 * page), [true, false, false, false]);
    // SAFETY: the whole mapping, live and writable.
    unsafe { crate::os::mmap::prefault(base, 4 * page) };
    assert_eq!(resident(base, 4 * page), [true; 4]);
    // SAFETY: the mapping is live; its four pages are readable.
    let bytes = unsafe { std::slice::from_raw_parts(base, 4 * page) };
    assert!(bytes[..page].iter().all(|&b| b == 0xA5));
    assert!(bytes[page..].iter().all(|&b| b == 0));
    // SAFETY: mapped above, used by nothing else.
    unsafe { crate::os::mmap::unmap(base, 4 * page).unwrap() };
}

#[test]
fn carving_fresh_memory_maps_one_chunk_ahead_and_no_more() {
    let len = 1 << 20;
    let p = crate::os::mmap::map_anonymous_shared(len, None).unwrap();
    let base = p.as_ptr();
    // SAFETY: a fresh writable mapping of `len` bytes, used by this heap alone.
    let h = unsafe { test_heap(base, len as u64, lists_for(len as u64)) };
    let chunk = PREFAULT_CHUNK as usize;
    let page = crate::os::mmap::page_size();
    // Allocations front to back until one reaches into the second chunk.
    let mut last = 0;
    while last < chunk {
        last = h.allocate(1000, 16).unwrap().unwrap() as usize;
    }
    let map = resident(base, len);
    // Everything handed out, and the rest of the chunk the cut entered (chunks of the
    // address space), is in memory...
    let edge = ((base as usize + last) / chunk + 1) * chunk - base as usize;
    let ahead = edge / page;
    assert!(map[..ahead].iter().all(|&r| r), "{:?}", &map[..ahead]);
    // ...and nothing past it but the heap's end marker in the last page.
    let beyond = &map[ahead..map.len() - 1];
    assert!(beyond.iter().all(|&r| !r), "{beyond:?}");
    // A large block is left to fault as it is used: past the chunk mapped ahead above,
    // only the page of the next cut's header is in memory.
    let big = h.allocate(4 * chunk as u64, 16).unwrap().unwrap() as usize;
    let map = resident(base, len);
    let inside = &map[edge / page..(big + 4 * chunk) / page - 1];
    assert!(inside.iter().all(|&r| !r), "{inside:?}");
    // What a caller will write whole (the name index's table) it maps in one call.
    h.prefault_used(big as u64, 4 * chunk as u64);
    let map = resident(base, len);
    assert!(
        map[big.div_ceil(page)..(big + 4 * chunk) / page]
            .iter()
            .all(|&r| r)
    );
    h.check().unwrap();
    // SAFETY: mapped above; the heap view is not used after this.
    unsafe { crate::os::mmap::unmap(base, len).unwrap() };
}
