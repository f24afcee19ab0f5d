//! Managed segments at their edges, through the Rust API: bad segments and garbage counts
//! are errors, free memory comes back exactly, a fixed address is never replaced, small
//! segments cost no more than Boost's, finds check the caller's alignment, and
//! constructors and destructors that change the name index leave it whole.

use interproc::{
    ErrorKind, InstanceKind, ManagedExternalBuffer, ManagedSharedMemory, OpenMode, Permissions,
    SharedMemoryObject,
};
use std::ptr::NonNull;

mod common;
use common::{Remove, aligned_buffer, bytes_of, read_u64, write_u64s};

fn unique(tag: &str) -> String {
    common::unique("ipt_mng_edge", tag)
}

#[test]
fn bad_segments_give_errors() {
    // Too small, and the object is not left behind.
    let name = unique("small");
    let _r = Remove(name.clone());
    assert_eq!(
        ManagedSharedMemory::create(&name, 100, Permissions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::Size
    );
    assert!(!SharedMemoryObject::remove(&name));
    assert_eq!(
        ManagedSharedMemory::open(&name).unwrap_err().kind(),
        ErrorKind::NotFound
    );

    // Garbage, another layout version, another pointer width, a truncated segment.
    let write_garbage = |patch: &dyn Fn(&mut [u8])| -> interproc::Error {
        let n = unique("garbage");
        let _r = Remove(n.clone());
        {
            let seg = ManagedSharedMemory::create(&n, 65536, Permissions::default()).unwrap();
            drop(seg);
        }
        let shm = SharedMemoryObject::open(&n, interproc::Mode::ReadWrite).unwrap();
        {
            let mut region =
                interproc::MappedRegion::new(&shm, interproc::Mode::ReadWrite, 0, 0).unwrap();
            // SAFETY: nobody else uses this object.
            patch(unsafe { region.as_mut_slice() });
        }
        ManagedSharedMemory::open(&n).unwrap_err()
    };
    let e = write_garbage(&|b| b[..8].copy_from_slice(b"NOTMAGIC"));
    assert_eq!(e.kind(), ErrorKind::Corrupted);
    assert!(e.message().contains("bad magic"), "{}", e.message());
    let e = write_garbage(&|b| b[8] = 99);
    assert!(e.message().contains("layout version 99"), "{}", e.message());
    let e = write_garbage(&|b| b[12] = 4);
    assert!(e.message().contains("4-byte pointers"), "{}", e.message());
    let e = write_garbage(&|b| b[16] = 0x77);
    assert_eq!(e.kind(), ErrorKind::Corrupted);
    let e = write_garbage(&|b| b[24..32].copy_from_slice(&(1u64 << 40).to_le_bytes()));
    assert!(e.message().contains("truncated"), "{}", e.message());

    // An object that is not a segment at all.
    let n = unique("raw");
    let _r2 = Remove(n.clone());
    let shm =
        SharedMemoryObject::create(&n, interproc::Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(65536).unwrap();
    {
        let mut region =
            interproc::MappedRegion::new(&shm, interproc::Mode::ReadWrite, 0, 0).unwrap();
        region.write_at(0, &[0xAB; 64]).unwrap();
    }
    assert_eq!(
        ManagedSharedMemory::open(&n).unwrap_err().kind(),
        ErrorKind::Corrupted
    );
}

/// The name index gives its table back with its last name: free memory returns to the byte.
#[test]
fn free_memory_returns_exactly_after_named_objects() {
    let mut buf = aligned_buffer(256 << 10);
    let bytes = bytes_of(&mut buf);
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let free0 = seg.free_memory().unwrap();
    for round in 0..3 {
        for i in 0..40 {
            let name = format!("obj{i}");
            seg.construct(
                InstanceKind::Named,
                name.as_bytes(),
                8,
                8,
                3,
                false,
                &mut |_, _| Ok(()),
            )
            .unwrap();
        }
        seg.construct(
            InstanceKind::Unique,
            b"the_one",
            16,
            8,
            1,
            false,
            &mut |_, _| Ok(()),
        )
        .unwrap();
        assert!(seg.free_memory().unwrap() < free0);
        for i in (0..40).rev() {
            let name = format!("obj{i}");
            assert!(
                seg.destroy(InstanceKind::Named, name.as_bytes(), None, &mut |_, _| ())
                    .unwrap()
            );
        }
        // One name left: the table stays.
        assert!(seg.free_memory().unwrap() < free0, "round {round}");
        assert!(
            seg.destroy(InstanceKind::Unique, b"the_one", None, &mut |_, _| ())
                .unwrap()
        );
        assert_eq!(seg.free_memory().unwrap(), free0, "round {round}");
        assert!(seg.all_memory_deallocated().unwrap());
        seg.check_sanity().unwrap();
    }
}

/// A segment mapped at a fixed address lands there; a second mapping asked for the same
/// range while it is in use is an error and never replaces it (Boost's MAP_FIXED would).
#[test]
fn a_fixed_address_is_used_and_never_replaced() {
    let name = common::unique("ipt_managed", "fixed");
    let _r = Remove(name.clone());
    let at = NonNull::new(0x5100_0000_0000usize as *mut u8).unwrap();
    let sizes = (1 << 20, 0);
    let seg = interproc::ManagedSharedMemory::at_address(
        OpenMode::CreateOnly,
        &name,
        sizes,
        Permissions::default(),
        Some(at),
    )
    .unwrap();
    assert_eq!(seg.address(), at.as_ptr());
    let p = seg.allocate(64).unwrap().unwrap();
    // SAFETY: a fresh 64-byte allocation.
    unsafe { p.as_ptr().write(42) };
    let again = interproc::ManagedSharedMemory::at_address(
        OpenMode::OpenOnly,
        &name,
        sizes,
        Permissions::default(),
        Some(at),
    );
    assert!(again.is_err(), "the range is in use");
    // SAFETY: still this segment's memory, untouched.
    assert_eq!(unsafe { p.as_ptr().read() }, 42);
    // A misaligned address is refused before anything is mapped.
    let odd = NonNull::new(0x5200_0000_0008usize as *mut u8).unwrap();
    let e = interproc::ManagedSharedMemory::at_address(
        OpenMode::OpenOnly,
        &name,
        sizes,
        Permissions::default(),
        Some(odd),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    // Elsewhere, the same segment opens and sees the same bytes.
    let other = interproc::ManagedSharedMemory::open(&name).unwrap();
    let off = p.as_ptr() as usize - seg.address() as usize;
    // SAFETY: the same allocation through the second mapping.
    assert_eq!(unsafe { other.address().add(off).read() }, 42);
}

/// A destructor run by `destroy` may change the index (here: constructing enough names to
/// regrow its table): the destroyed name is still the one removed, and every other stays.
#[test]
fn destroy_survives_a_destructor_that_regrows_the_index() {
    let mut buf = aligned_buffer(1 << 20);
    let bytes = bytes_of(&mut buf);
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let none = &mut |_: NonNull<u8>, _: usize| Ok(());
    seg.construct(InstanceKind::Named, b"victim", 8, 8, 1, false, none)
        .unwrap();
    seg.construct(InstanceKind::Named, b"bystander", 8, 8, 1, false, none)
        .unwrap();
    let destroyed = seg
        .destroy(InstanceKind::Named, b"victim", None, &mut |_, _| {
            for i in 0..200 {
                let n = format!("made_in_destructor_{i}");
                seg.construct(
                    InstanceKind::Named,
                    n.as_bytes(),
                    8,
                    8,
                    1,
                    false,
                    &mut |_, _| Ok(()),
                )
                .unwrap();
            }
        })
        .unwrap();
    assert!(destroyed);
    assert!(
        seg.find(InstanceKind::Named, b"victim", None)
            .unwrap()
            .is_none()
    );
    assert!(
        seg.find(InstanceKind::Named, b"bystander", None)
            .unwrap()
            .is_some()
    );
    for i in 0..200 {
        let n = format!("made_in_destructor_{i}");
        assert!(
            seg.find(InstanceKind::Named, n.as_bytes(), None)
                .unwrap()
                .is_some()
        );
    }
    assert_eq!(seg.num_named_objects().unwrap(), 201);
    seg.check_sanity().unwrap();
}

/// A segment of 1 000 bytes, as Boost's examples make them, spends at most Boost's 224
/// bytes on itself, holds names and allocations to the last byte of its free memory, grows
/// offline, and shrinks to fit below 1 000 bytes with its objects kept; below the smallest
/// size is a clear `Size` error.
#[test]
fn small_segments_work_and_cost_no_more_than_boosts() {
    let name = unique("small");
    let _rm = Remove(name.clone());
    {
        let seg = ManagedSharedMemory::create(&name, 1000, Permissions::default()).unwrap();
        let free0 = seg.free_memory().unwrap();
        assert!(1000 - free0 <= 224, "overhead {}", 1000 - free0);
        let obj = seg
            .construct(InstanceKind::Named, b"kept", 8, 8, 1, false, &mut |p, n| {
                write_u64s(p, n, 77)
            })
            .unwrap()
            .0
            .ptr;
        let mut blocks = Vec::new();
        while let Some(p) = seg.allocate(24).unwrap() {
            blocks.push(p);
        }
        assert!(blocks.len() >= 8, "{} blocks", blocks.len());
        assert!(seg.free_memory().unwrap() < 48);
        for p in blocks {
            seg.deallocate(p.as_ptr()).unwrap();
        }
        seg.check_sanity().unwrap();
        assert_eq!(read_u64(obj, 0), 77);
    }
    ManagedSharedMemory::grow(&name, 500).unwrap();
    ManagedSharedMemory::shrink_to_fit(&name).unwrap();
    let seg = ManagedSharedMemory::open(&name).unwrap();
    assert!(seg.size() < 1000, "{}", seg.size());
    let kept = seg
        .find(InstanceKind::Named, b"kept", Some(8))
        .unwrap()
        .expect("the object stays");
    assert_eq!(read_u64(kept.ptr, 0), 77);
    seg.check_sanity().unwrap();

    let smallest = interproc::MIN_SEGMENT_SIZE as usize;
    let mut buf = aligned_buffer(smallest);
    let bytes = &mut bytes_of(&mut buf)[..smallest];
    let tiny = ManagedExternalBuffer::create(bytes).unwrap();
    assert!(tiny.allocate(1).unwrap().is_some());
    drop(tiny);
    let e = ManagedExternalBuffer::create(&mut bytes[..smallest - 16]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Size);
}

/// The header's table counts (the heap's lists at offset 172, the size classes at 174) are
/// read on every operation: garbage there is a `Corrupted` error, on open and after it,
/// never a wild access; the segment works again once they are put back.
#[test]
fn garbage_table_counts_are_errors() {
    let mut buf = aligned_buffer(64 << 10);
    let bytes = bytes_of(&mut buf);
    let base = bytes.as_mut_ptr();
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let p = seg.allocate(64).unwrap().unwrap();
    // SAFETY: the two 16-bit counts lie inside the buffer's header; nothing else runs.
    let counts = |lists: u16, classes: u16| unsafe {
        base.add(172).cast::<u16>().write(lists);
        base.add(174).cast::<u16>().write(classes);
    };
    // SAFETY: as above.
    let (lists, classes) = unsafe {
        (
            base.add(172).cast::<u16>().read(),
            base.add(174).cast::<u16>().read(),
        )
    };
    for (l, c) in [
        (0, classes),
        (u16::MAX, classes),
        (lists, 1),
        (lists, u16::MAX),
    ] {
        counts(l, c);
        assert_eq!(
            seg.allocate(64).unwrap_err().kind(),
            ErrorKind::Corrupted,
            "{l} {c}"
        );
        assert_eq!(
            seg.deallocate(p.as_ptr()).unwrap_err().kind(),
            ErrorKind::Corrupted
        );
        assert_eq!(seg.free_memory().unwrap_err().kind(), ErrorKind::Corrupted);
    }
    counts(lists, classes);
    seg.deallocate(p.as_ptr()).unwrap();
    seg.check_sanity().unwrap();
    assert!(seg.all_memory_deallocated().unwrap());
}

/// A constructor that constructs (and destroys) named objects of its own changes the index
/// between the outer construct's probe and its insertion: the outer name still lands once,
/// whether the table regrew or a slot was taken and given back meanwhile.
#[test]
fn constructors_that_construct_names_of_their_own() {
    let mut buf = aligned_buffer(256 << 10);
    let bytes = bytes_of(&mut buf);
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let make = |name: &str, init: &mut dyn FnMut(NonNull<u8>, usize) -> interproc::Result<()>| {
        seg.construct(InstanceKind::Named, name.as_bytes(), 8, 8, 1, false, init)
            .map(|(info, _)| info.ptr)
    };
    for round in 0..3 {
        let outer = format!("outer{round}");
        make(&outer, &mut |p, n| {
            // Enough names to regrow the table, then one made and destroyed at once.
            for i in 0..9 {
                make(&format!("inner{round}_{i}"), &mut |q, m| {
                    write_u64s(q, m, i)
                })
                .unwrap();
            }
            make("passing", &mut |q, m| write_u64s(q, m, 0)).unwrap();
            seg.destroy(InstanceKind::Named, b"passing", None, &mut |_, _| {})
                .unwrap();
            write_u64s(p, n, 100 + round)
        })
        .unwrap();
        let found = seg
            .find(InstanceKind::Named, outer.as_bytes(), Some(8))
            .unwrap()
            .expect("the outer object");
        assert_eq!(read_u64(found.ptr, 0), 100 + round);
        let again = make(&outer, &mut |_, _| Ok(())).unwrap_err();
        assert_eq!(again.kind(), ErrorKind::AlreadyExists);
        seg.check_sanity().unwrap();
    }
    assert_eq!(seg.num_named_objects().unwrap(), 3 * 10);
}

/// An object is found only as a type it can be: `find_aligned` of an object whose address
/// is not a multiple of the asked alignment is an `InvalidArgument` error, and so is a
/// `construct` with `find_existing` that would return it; the object stays as it was.
#[test]
fn find_checks_the_callers_alignment() {
    let name = unique("align");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 65536, Permissions::default()).unwrap();
    let named = InstanceKind::Named;
    let mut zeros = |_: NonNull<u8>, _: usize| Ok(());
    // An 8-aligned object that lies off a 64-byte boundary.
    let off = (0..64)
        .map(|i| format!("s1_{i}"))
        .find(|n| {
            let (info, _) = seg
                .construct(named, n.as_bytes(), 64, 8, 1, false, &mut zeros)
                .unwrap();
            info.ptr.as_ptr() as usize % 64 != 0
        })
        .expect("an object off a 64-byte boundary");
    let found = seg
        .find_aligned(named, off.as_bytes(), Some(64), 8)
        .unwrap();
    assert!(found.is_some());
    let e = seg
        .find_aligned(named, off.as_bytes(), Some(64), 64)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(e.message().contains("aligned"), "{e}");
    let e = seg
        .construct(named, off.as_bytes(), 64, 64, 1, true, &mut zeros)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    let e = seg
        .find_aligned(named, off.as_bytes(), None, 3)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    // Still there, and found as what it is.
    assert_eq!(
        seg.find(named, off.as_bytes(), Some(64))
            .unwrap()
            .unwrap()
            .ptr,
        found.unwrap().ptr
    );
}
