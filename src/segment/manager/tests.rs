//! The manager's unit tests: the pinned layout, and cases that reach into its internals.

use super::header::LAYOUT_VERSION;
use super::*;
use crate::segment::heap::HeapState;
use crate::segment::index::IndexState;
use std::mem::{align_of, offset_of, size_of};

/// The layout is a promise to every process that maps a segment: a change here must
/// come with a new LAYOUT_VERSION.
#[test]
fn shared_layout_is_pinned() {
    assert_eq!(LAYOUT_VERSION, 7);
    assert_eq!(offset_of!(SegmentHeader, magic), 0);
    assert_eq!(offset_of!(SegmentHeader, layout_version), 8);
    assert_eq!(offset_of!(SegmentHeader, pointer_width), 12);
    assert_eq!(offset_of!(SegmentHeader, endianness), 13);
    assert_eq!(offset_of!(SegmentHeader, header_size), 14);
    assert_eq!(offset_of!(SegmentHeader, init_state), 16);
    assert_eq!(offset_of!(SegmentHeader, creator_pid), 20);
    assert_eq!(offset_of!(SegmentHeader, size), 24);
    assert_eq!(offset_of!(SegmentHeader, corrupted), 32);
    assert_eq!(offset_of!(SegmentHeader, index_seq), 36);
    assert_eq!(offset_of!(SegmentHeader, lock), 40);
    assert_eq!(size_of::<robust::RobustLock>(), 40);
    assert_eq!(offset_of!(SegmentHeader, index), 80);
    assert_eq!(size_of::<IndexState>(), 48);
    assert_eq!(offset_of!(SegmentHeader, heap), 128);
    assert_eq!(size_of::<HeapState>(), 24);
    assert_eq!(offset_of!(SegmentHeader, max_size), 152);
    assert_eq!(offset_of!(SegmentHeader, growing_from), 160);
    assert_eq!(offset_of!(SegmentHeader, generation), 168);
    assert_eq!(offset_of!(SegmentHeader, lists), 172);
    assert_eq!(offset_of!(SegmentHeader, classes), 174);
    assert_eq!(size_of::<SegmentHeader>(), 176);
    assert_eq!(align_of::<SegmentHeader>(), 8);
    assert_eq!(offset_of!(ObjectHeader, meta), 4);
    assert_eq!(offset_of!(ObjectHeader, elem_size), 8);
    assert_eq!(offset_of!(ObjectHeader, count), 12);
    assert_eq!(size_of::<ObjectHeader>(), 16);
    // A multiple of the block alignment, so an object of alignment 16 or less needs no
    // padding in front of its header.
    assert_eq!(size_of::<ObjectHeader>() as u64 % heap::ALIGN, 0);
    // The smallest header, at or below Boost's 224 bytes of fixed overhead.
    assert_eq!(Shape::SMALLEST.header_size(), 192);
    assert_eq!(Shape::for_capacity(1000), Shape::SMALLEST);
    assert_eq!(MIN_SEGMENT_SIZE, 240);
    // The largest: every list and every class.
    let big = Shape::for_capacity(heap::MAX_HEAP);
    assert_eq!(big.lists(), heap::MAX_LISTS);
    assert_eq!(big.classes_at(), Some(176 + 8 * (5 + 302)));
    assert_eq!(big.header_size(), 176 + 8 * (5 + 302) + 8 * 43);
}

/// A new segment over `buf` (16-aligned, as `u128`s), borrowed for the segment's life.
fn segment_in(buf: &mut [u128]) -> crate::ManagedExternalBuffer<'_> {
    let len = std::mem::size_of_val(buf);
    // SAFETY: `buf` is `len` initialised bytes, any bytes are valid u128s, and the view
    // borrows `buf` mutably for as long as the segment lives.
    let bytes = unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<u8>(), len) };
    crate::ManagedExternalBuffer::create(bytes).unwrap()
}

/// A size-class head's change count wraps only after 2^32 changes: a process stopped
/// between reading a head and its exchange is not fooled by 2^24 changes that bring
/// the same block back on top (it was, with a 24-bit count).
#[test]
fn a_class_head_is_not_fooled_by_2_to_the_24_changes() {
    let mut buf = vec![0u128; (1 << 20) / 16];
    let seg = segment_in(&mut buf);
    let heads = |m: &SegmentManager| -> Vec<u64> {
        let at = m.shape().unwrap().classes_at().unwrap() as usize;
        // SAFETY: the class table lies inside the mapped header (see `classes`).
        let table = unsafe {
            &*m.base
                .as_ptr()
                .add(at)
                .cast::<[AtomicU64; classes::CLASSES]>()
        };
        table.iter().map(|w| w.load(Ordering::Relaxed)).collect()
    };
    let p = seg.allocate(40).unwrap().unwrap();
    seg.deallocate(p.as_ptr()).unwrap();
    let before = heads(&seg);
    // Each pair pops the block and pushes it back: two changes, the same block on top.
    for _ in 0..1 << 23 {
        let q = seg.allocate(40).unwrap().unwrap();
        assert_eq!(q, p);
        seg.deallocate(q.as_ptr()).unwrap();
    }
    let after = heads(&seg);
    let changed: Vec<_> = (0..classes::CLASSES)
        .filter(|&c| before[c] != after[c])
        .collect();
    assert_eq!(changed.len(), 1, "{before:x?} {after:x?}");
    let c = changed[0];
    assert_eq!(after[c] - before[c], 1 << (32 + 24));
}

/// A garbage size-class head is contained: its class is quarantined at the first look
/// (served by the heap from then on), every other class, the drain and the free-memory
/// queries keep working, and the sanity check names the class.
#[test]
fn a_garbage_class_head_is_quarantined_and_the_rest_keeps_working() {
    let mut buf = vec![0u128; (1 << 20) / 16];
    let seg = segment_in(&mut buf);
    let at = seg.shape().unwrap().classes_at().unwrap() as usize;
    // SAFETY: the class table lies inside the mapped header (see `classes`).
    let table = unsafe {
        &*seg
            .base
            .as_ptr()
            .add(at)
            .cast::<[AtomicU64; classes::CLASSES]>()
    };
    // Park one block in every class, then smash the head of the 64-byte blocks' class.
    let sizes: Vec<usize> = (0..classes::CLASSES)
        .map(|c| (classes::class_size(c) - heap::HEADER) as usize)
        .collect();
    let parked: Vec<_> = sizes
        .iter()
        .map(|&n| seg.allocate(n).unwrap().unwrap())
        .collect();
    for p in &parked {
        seg.deallocate(p.as_ptr()).unwrap();
    }
    let bad = classes::class_of(64).unwrap().0;
    table[bad].store(0x0000_0001_0000_1235, Ordering::Relaxed);
    let free = seg.free_memory().unwrap();
    assert!(free > 0);
    for &n in &sizes {
        let p = seg.allocate(n).unwrap().unwrap();
        seg.deallocate(p.as_ptr()).unwrap();
    }
    assert_eq!(seg.free_memory().unwrap(), free);
    let e = seg.check_sanity().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupted, "{e}");
    assert!(e.message().contains("64-byte blocks"), "{e}");
    // What the smashed list held (one 64-byte block) is all that is lost.
    let before_all = seg.free_memory().unwrap();
    let big = seg.allocate(1 << 16).unwrap().unwrap();
    seg.deallocate(big.as_ptr()).unwrap();
    assert_eq!(seg.free_memory().unwrap(), before_all);
}

/// A name-index table in flight when its process died (allocated and marked, never
/// installed) is given back by the recovery: with every object destroyed, the free
/// memory is what it was before any was made.
#[test]
fn recovery_gives_back_an_index_table_left_in_flight() {
    let mut buf = vec![0u128; (1 << 20) / 16];
    let seg = segment_in(&mut buf);
    let free0 = seg.free_memory().unwrap();
    let named = InstanceKind::Named;
    let mut zeros = |_: NonNull<u8>, _: usize| Ok(());
    let names: Vec<String> = (0..100).map(|i| format!("obj{i}")).collect();
    for n in &names {
        seg.construct(named, n.as_bytes(), 8, 8, 1, false, &mut zeros)
            .unwrap();
    }
    {
        // What a process killed in the middle of regrowing the index leaves: the new
        // table allocated and marked as the manager's, not yet installed.
        let _g = seg.lock().unwrap();
        let heap = seg.heap().unwrap();
        let orphan = heap.allocate(8192, 16).unwrap().unwrap();
        heap.mark_internal(orphan, true).unwrap();
        seg.recover().unwrap();
    }
    for n in &names {
        assert!(
            seg.destroy(named, n.as_bytes(), Some(8), &mut |_, _| {})
                .unwrap()
        );
    }
    assert_eq!(seg.free_memory().unwrap(), free0);
    assert!(seg.all_memory_deallocated().unwrap());
}

/// Objects of every alignment up to the page size: the header right before the object
/// (after padding for large alignments), found from the object's address, from its
/// name, and again by the recovery's rebuild of the index from the blocks.
#[test]
fn objects_of_any_alignment_are_found_and_rebuilt() {
    let mut buf = vec![0u128; (1 << 20) / 16];
    let seg = segment_in(&mut buf);
    let free0 = seg.free_memory().unwrap();
    let page = crate::os::mmap::page_size();
    let aligns = [1, 8, 16, 32, 64, 256, page];
    let mut made = Vec::new();
    for (i, &align) in aligns.iter().enumerate() {
        let name = format!("aligned_{align}_{}", "x".repeat(i));
        let fill = &mut |p: NonNull<u8>, n: usize| {
            // SAFETY: `init` gets `n` elements of 24 bytes to initialise.
            unsafe { p.as_ptr().write_bytes(0xA0 + i as u8, 24 * n) };
            Ok(())
        };
        let (info, _) = seg
            .construct(
                InstanceKind::Named,
                name.as_bytes(),
                24,
                align,
                3,
                false,
                fill,
            )
            .unwrap();
        assert_eq!(info.ptr.as_ptr() as usize % align.max(8), 0, "{name}");
        made.push((name, info.ptr));
    }
    let check_all = |seg: &SegmentManager| {
        for (i, (name, ptr)) in made.iter().enumerate() {
            let found = seg
                .find(InstanceKind::Named, name.as_bytes(), Some(24))
                .unwrap();
            assert_eq!(found.map(|f| f.ptr), Some(*ptr), "{name}");
            let (info, at, len) = seg.instance(ptr.as_ptr()).unwrap();
            // SAFETY: the manager reports the name's address and length in the segment.
            let got = unsafe { std::slice::from_raw_parts(at, len) };
            assert_eq!((got, info.count), (name.as_bytes(), 3));
            // SAFETY: the object's 72 bytes, initialised above.
            let body = unsafe { std::slice::from_raw_parts(ptr.as_ptr(), 72) };
            assert!(body.iter().all(|&b| b == 0xA0 + i as u8), "{name}");
        }
    };
    check_all(&seg);
    // Garbage in the index's count: the check fails, and the recovery rebuilds the
    // index from the object headers it finds in the heap's blocks.
    let live = offset_of!(SegmentHeader, index) + offset_of!(IndexState, live);
    // SAFETY: the count lies in the segment header, 8-aligned; nothing else runs.
    unsafe { seg.as_ptr().add(live).cast::<u64>().write(12345) };
    seg.recover().unwrap();
    check_all(&seg);
    assert_eq!(seg.num_named_objects().unwrap(), aligns.len());
    for (_, ptr) in &made {
        seg.destroy_ptr(ptr.as_ptr(), &mut |_, _| {}).unwrap();
    }
    assert!(seg.all_memory_deallocated().unwrap());
    assert_eq!(seg.free_memory().unwrap(), free0);
}

/// A construction cut short before its object is registered (here by a panic in `init`;
/// in life by the process's death) leaves a block whose header has no magic: a rebuild of
/// the index never takes it for a second object of the name constructed again later.
#[test]
fn a_construction_cut_short_is_not_rebuilt_as_an_object() {
    let mut buf = vec![0u128; (256 << 10) / 16];
    let seg = segment_in(&mut buf);
    let cut = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = seg.construct(
            InstanceKind::Named,
            b"twice",
            8,
            8,
            1,
            false,
            &mut |_, _| panic!("the constructor dies"),
        );
    }));
    assert!(cut.is_err());
    let (made, _) = seg
        .construct(
            InstanceKind::Named,
            b"twice",
            8,
            8,
            1,
            false,
            &mut |_, _| Ok(()),
        )
        .unwrap();
    rebuilt_holds_only(&seg, b"twice", made.ptr);
}

/// A process killed while constructing an object after its block was taken and its header
/// and name were written, before its constructor ran and it was registered, leaves no
/// object: a rebuild of the index (after a later death) finds no header there, so neither
/// an object whose contents were never written nor a second object of the name that is
/// constructed again later, nor (a death before the name is copied) an object named by
/// zeros.
#[test]
fn a_construction_killed_before_its_object_is_whole_is_not_rebuilt_as_one() {
    let mut buf = vec![0u128; (256 << 10) / 16];
    let seg = segment_in(&mut buf);
    {
        let _g = seg.lock().unwrap();
        let heap = seg.heap().unwrap();
        // Every store a construction makes before its constructor runs: a death at any
        // instruction up to there leaves a subset of them.
        seg.lay_out(&heap, InstanceKind::Named, b"cut", (8, 8, 1, 0), 8)
            .unwrap();
    }
    let (made, _) = seg
        .construct(InstanceKind::Named, b"cut", 8, 8, 1, false, &mut |p, _| {
            // SAFETY: the 8 bytes of the fresh object.
            unsafe { p.as_ptr().cast::<u64>().write(7) };
            Ok(())
        })
        .unwrap();
    rebuilt_holds_only(&seg, b"cut", made.ptr);
    // SAFETY: the object found is the one constructed, 8 bytes.
    assert_eq!(unsafe { made.ptr.as_ptr().cast::<u64>().read() }, 7);
}

/// Puts garbage in the index's count, so that the recovery rebuilds the index from the
/// blocks, and checks that it then holds one named object: `name`, at `ptr`.
fn rebuilt_holds_only(seg: &SegmentManager, name: &[u8], ptr: NonNull<u8>) {
    let live = offset_of!(SegmentHeader, index) + offset_of!(IndexState, live);
    // SAFETY: the count lies in the segment header, 8-aligned; nothing else runs.
    unsafe { seg.as_ptr().add(live).cast::<u64>().write(12345) };
    seg.recover().unwrap();
    assert_eq!(seg.num_named_objects().unwrap(), 1);
    let found = seg.find(InstanceKind::Named, name, Some(8)).unwrap();
    assert_eq!(found.map(|f| f.ptr), Some(ptr));
    let mut listed = 0;
    let mut cursor = 0;
    while let Some((next, ..)) = seg.next_object(InstanceKind::Named, cursor).unwrap() {
        listed += 1;
        cursor = next;
    }
    assert_eq!(listed, 1);
}

/// Garbage in an object header's padding is an error for a destroy, which then frees
/// nothing: the padding must lead back to the object's own block.
#[test]
fn a_garbage_padding_frees_nothing() {
    let mut buf = vec![0u128; (256 << 10) / 16];
    let seg = segment_in(&mut buf);
    let none = &mut |_: NonNull<u8>, _: usize| Ok(());
    let mut ptrs = Vec::new();
    for (name, align) in [("before", 8), ("victim", 8), ("padded", 256)] {
        let (info, _) = seg
            .construct(
                InstanceKind::Named,
                name.as_bytes(),
                8,
                align,
                1,
                false,
                none,
            )
            .unwrap();
        ptrs.push(info.ptr);
    }
    let free = seg.free_memory().unwrap();
    // The padding, in 16-byte units, is bits 4 to 15 of the header's `meta`. The 256-aligned
    // object's real padding depends on where the buffer lies, so its garbage values are
    // taken around the real one (never equal to it).
    let real = |victim: usize| {
        let h = ptrs[victim].as_ptr().wrapping_sub(OBJECT_HEADER as usize);
        // SAFETY: the object's header lies right before it, inside the buffer.
        (unsafe { (*h.cast::<ObjectHeader>()).meta } >> 4) & 0xFFF
    };
    let padded = real(2);
    let below = if padded > 0 { padded - 1 } else { padded + 2 };
    assert_eq!(real(1), 0);
    for (victim, units) in [(1, 1), (1, 3), (2, padded + 1), (2, below)] {
        let h = ptrs[victim].as_ptr().wrapping_sub(OBJECT_HEADER as usize);
        // SAFETY: the object's header lies right before it, inside the buffer.
        let was = unsafe {
            let at = &raw mut (*h.cast::<ObjectHeader>()).meta;
            at.replace(at.read() & !0xFFF0 | units << 4)
        };
        let e = seg
            .destroy_ptr(ptrs[victim].as_ptr(), &mut |_, _| {})
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Corrupted, "{}", e.message());
        assert_eq!(seg.free_memory().unwrap(), free);
        // SAFETY: as above.
        unsafe { (&raw mut (*h.cast::<ObjectHeader>()).meta).write(was) };
    }
    for p in ptrs {
        seg.destroy_ptr(p.as_ptr(), &mut |_, _| {}).unwrap();
    }
    assert!(seg.all_memory_deallocated().unwrap());
}

/// A name index full of tombstones in a full segment is rehashed in place: after every
/// other small object of a full segment is destroyed, new names fit (a second table of the
/// same size, which the freed holes, none of them contiguous, could not hold, is not
/// needed).
#[test]
fn a_full_segment_takes_new_names_after_destroys() {
    let mut buf = vec![0u128; (64 << 10) / 16];
    let seg = segment_in(&mut buf);
    let named = InstanceKind::Named;
    let mut zeros = |_: NonNull<u8>, _: usize| Ok(());
    let mut names = Vec::new();
    loop {
        let n = format!("n{}", names.len());
        match seg.construct(named, n.as_bytes(), 8, 8, 1, false, &mut zeros) {
            Ok(_) => names.push(n),
            Err(e) if e.kind() == ErrorKind::OutOfMemory => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(names.len() > 100, "{}", names.len());
    for n in names.iter().step_by(2) {
        assert!(
            seg.destroy(named, n.as_bytes(), Some(8), &mut |_, _| {})
                .unwrap()
        );
    }
    // As many new names as were freed, each in the room of a destroyed one.
    for i in 0..names.len() / 2 {
        let n = format!("m{i}");
        seg.construct(named, n.as_bytes(), 8, 8, 1, false, &mut zeros)
            .unwrap_or_else(|e| panic!("new name {i}: {e}"));
    }
    seg.check_sanity().unwrap();
}

/// Objects whose header needs words before it (a type tag; a name too long for the
/// header's 16 bits) are found with their tag, report their name, survive a rebuild of
/// the index from the blocks, and give all their memory back.
#[test]
fn tagged_and_wide_headers_are_found_rebuilt_and_freed() {
    let mut buf = vec![0u128; (1 << 20) / 16];
    let seg = segment_in(&mut buf);
    let free0 = seg.free_memory().unwrap();
    let long = "w".repeat(70_000);
    let cases: [(&str, usize, u64); 4] = [
        ("plain", 8, 0),
        ("tagged", 8, 0x1234_5678_9abc_def0),
        ("tagged_aligned", 256, 7),
        (&long, 16, 0),
    ];
    let mut made = Vec::new();
    for (name, align, tag) in cases {
        let (info, _) = seg
            .construct_tagged(
                InstanceKind::Named,
                name.as_bytes(),
                (4, align, 3),
                tag,
                false,
                &mut |_, _| Ok(()),
            )
            .unwrap();
        assert_eq!(
            info.ptr.as_ptr() as usize % align,
            0,
            "{}",
            &name[..8.min(name.len())]
        );
        made.push((name, tag, info.ptr));
    }
    let check_all = |seg: &SegmentManager| {
        seg.check_sanity().unwrap();
        for (name, tag, ptr) in &made {
            let f = seg
                .find(InstanceKind::Named, name.as_bytes(), Some(4))
                .unwrap()
                .unwrap();
            assert_eq!((f.ptr, f.type_tag, f.count), (*ptr, *tag, 3));
            let (_, at, len) = seg.instance(ptr.as_ptr()).unwrap();
            // SAFETY: the manager reports the name's address and length in the segment.
            assert_eq!(
                unsafe { std::slice::from_raw_parts(at, len) },
                name.as_bytes()
            );
        }
    };
    check_all(&seg);
    // Garbage in the index's count: the recovery rebuilds the index from the blocks.
    let live = offset_of!(SegmentHeader, index) + offset_of!(IndexState, live);
    // SAFETY: the count lies in the segment header, 8-aligned; nothing else runs.
    unsafe { seg.as_ptr().add(live).cast::<u64>().write(999) };
    seg.recover().unwrap();
    check_all(&seg);
    for (_, _, ptr) in made {
        seg.destroy_ptr(ptr.as_ptr(), &mut |_, _| {}).unwrap();
    }
    assert_eq!(seg.free_memory().unwrap(), free0);
}
