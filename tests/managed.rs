//! Managed segments through the Rust API: allocation, named/unique/anonymous objects,
//! handles, accounting, growth, every kind of backing memory, bad input and faults.

use interproc::{
    ErrorKind, InstanceKind, ManagedExternalBuffer, ManagedHeapMemory, ManagedMappedFile,
    ManagedSharedMemory, ManagedXsiSharedMemory, OpenMode, Permissions, SegmentManager,
    SharedMemoryObject, XsiKey,
};
use std::ptr::NonNull;

mod common;
use common::{Remove, aligned_buffer, bytes_of};

fn unique(tag: &str) -> String {
    common::unique("ipt_mng", tag)
}

fn write_u64s(ptr: NonNull<u8>, count: usize, first: u64) -> interproc::Result<()> {
    for i in 0..count {
        // SAFETY: `ptr` holds `count` u64 slots freshly allocated for this object.
        unsafe { ptr.as_ptr().cast::<u64>().add(i).write(first + i as u64) };
    }
    Ok(())
}

fn read_u64(ptr: NonNull<u8>, i: usize) -> u64 {
    // SAFETY: callers pass objects of at least `i + 1` u64 elements.
    unsafe { ptr.as_ptr().cast::<u64>().add(i).read() }
}

fn exercise(m: &SegmentManager) {
    let size = m.size();
    let free0 = m.free_memory().unwrap();
    assert!(free0 < size && free0 > size / 2, "free {free0} of {size}");
    m.check_sanity().unwrap();
    assert!(m.all_memory_deallocated().unwrap());

    // Raw allocation and exact accounting.
    let p = m.allocate(1024).unwrap().unwrap();
    assert_eq!(p.as_ptr() as usize % 16, 0);
    assert!(m.free_memory().unwrap() < free0);
    assert!(m.allocation_size(p.as_ptr()).unwrap() >= 1024);
    assert!(!m.all_memory_deallocated().unwrap());
    let h = m.handle_from_address(p.as_ptr()).unwrap();
    assert_eq!(m.address_from_handle(h).unwrap(), p);
    m.deallocate(p.as_ptr()).unwrap();
    assert_eq!(m.free_memory().unwrap(), free0);
    let a = m.allocate_aligned(100, 256).unwrap().unwrap();
    assert_eq!(a.as_ptr() as usize % 256, 0);
    m.deallocate(a.as_ptr()).unwrap();
    assert_eq!(m.free_memory().unwrap(), free0);

    // Growing in place: into free memory after the block, not past a used neighbour.
    let g = m.allocate(64).unwrap().unwrap();
    write_u64s(g, 8, 5).unwrap();
    let grown = m.expand_in_place(g.as_ptr(), 1000, 4000).unwrap();
    assert!(grown >= 4000, "{grown}");
    assert_eq!(m.allocation_size(g.as_ptr()).unwrap(), grown);
    assert_eq!(read_u64(g, 7), 12);
    let n = m.allocate(5000).unwrap().unwrap();
    assert_eq!(
        m.expand_in_place(g.as_ptr(), grown + 1, grown + 1).unwrap(),
        grown
    );
    assert_eq!(
        m.expand_in_place(std::ptr::dangling_mut(), 1, 1)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    m.deallocate(n.as_ptr()).unwrap();
    m.deallocate(g.as_ptr()).unwrap();
    assert_eq!(m.free_memory().unwrap(), free0);

    // Named object, array, unique, anonymous.
    let (obj, created) = m
        .construct(
            InstanceKind::Named,
            b"answer",
            8,
            8,
            1,
            false,
            &mut |p, n| write_u64s(p, n, 42),
        )
        .unwrap();
    assert!(created);
    assert_eq!(read_u64(obj.ptr, 0), 42);
    let (arr, _) = m
        .construct(
            InstanceKind::Named,
            b"array",
            8,
            8,
            10,
            false,
            &mut |p, n| write_u64s(p, n, 100),
        )
        .unwrap();
    assert_eq!(arr.count, 10);
    assert_eq!(read_u64(arr.ptr, 9), 109);
    let (uni, _) = m
        .construct(
            InstanceKind::Unique,
            b"MyType",
            8,
            8,
            1,
            false,
            &mut |p, n| write_u64s(p, n, 7),
        )
        .unwrap();
    let (anon, _) = m
        .construct(
            InstanceKind::Anonymous,
            b"",
            8,
            64,
            3,
            false,
            &mut |p, n| write_u64s(p, n, 1),
        )
        .unwrap();
    assert_eq!(anon.ptr.as_ptr() as usize % 64, 0);
    assert_eq!(m.num_named_objects().unwrap(), 2);
    assert_eq!(m.num_unique_objects().unwrap(), 1);

    // find, find_or_construct, duplicates.
    let found = m
        .find(InstanceKind::Named, b"array", Some(8))
        .unwrap()
        .unwrap();
    assert_eq!((found.ptr, found.count), (arr.ptr, 10));
    assert!(
        m.find(InstanceKind::Named, b"missing", None)
            .unwrap()
            .is_none()
    );
    assert_eq!(
        m.find(InstanceKind::Named, b"array", Some(4))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    let (again, created) = m
        .construct(
            InstanceKind::Named,
            b"answer",
            8,
            8,
            1,
            true,
            &mut |_, _| panic!("must not construct"),
        )
        .unwrap();
    assert!(!created);
    assert_eq!(again.ptr, obj.ptr);
    let dup = m.construct(
        InstanceKind::Named,
        b"answer",
        8,
        8,
        1,
        false,
        &mut |p, n| write_u64s(p, n, 0),
    );
    assert_eq!(dup.unwrap_err().kind(), ErrorKind::AlreadyExists);
    assert_eq!(read_u64(obj.ptr, 0), 42);

    // Instance queries.
    let (info, name, len) = m.instance(arr.ptr.as_ptr()).unwrap();
    assert_eq!((info.kind, info.count, len), (InstanceKind::Named, 10, 5));
    // SAFETY: `name` points at `len` bytes plus a NUL inside the segment.
    assert_eq!(
        unsafe { std::slice::from_raw_parts(name, len + 1) },
        b"array\0"
    );
    assert_eq!(
        m.instance(uni.ptr.as_ptr()).unwrap().0.kind,
        InstanceKind::Unique
    );
    assert_eq!(
        m.instance(anon.ptr.as_ptr()).unwrap().0.kind,
        InstanceKind::Anonymous
    );
    assert_eq!(
        m.instance(arr.ptr.as_ptr().wrapping_add(8))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );

    // Iteration.
    let mut names = Vec::new();
    let mut cursor = 0;
    while let Some((next, _, name, len)) = m.next_object(InstanceKind::Named, cursor).unwrap() {
        // SAFETY: as above.
        names.push(unsafe { std::slice::from_raw_parts(name, len) }.to_vec());
        cursor = next;
    }
    names.sort();
    assert_eq!(names, vec![b"answer".to_vec(), b"array".to_vec()]);

    // A constructor that fails leaves nothing behind.
    let before = m.free_memory().unwrap();
    let failed = m.construct(
        InstanceKind::Named,
        b"broken",
        8,
        8,
        4,
        false,
        &mut |_, _| Err(interproc::Error::new(ErrorKind::Other, "constructor threw")),
    );
    assert_eq!(failed.unwrap_err().message(), "constructor threw");
    assert_eq!(m.free_memory().unwrap(), before);
    assert!(
        m.find(InstanceKind::Named, b"broken", None)
            .unwrap()
            .is_none()
    );

    // destroy, destroy_ptr.
    let mut dropped = 0;
    assert!(
        m.destroy(InstanceKind::Named, b"array", Some(8), &mut |_, n| {
            dropped += n
        })
        .unwrap()
    );
    assert_eq!(dropped, 10);
    assert!(
        !m.destroy(InstanceKind::Named, b"array", None, &mut |_, _| ())
            .unwrap()
    );
    m.destroy_ptr(obj.ptr.as_ptr(), &mut |_, _| ()).unwrap();
    m.destroy_ptr(uni.ptr.as_ptr(), &mut |_, _| ()).unwrap();
    m.destroy_ptr(anon.ptr.as_ptr(), &mut |_, _| ()).unwrap();
    assert_eq!(m.num_named_objects().unwrap(), 0);
    assert_eq!(m.num_unique_objects().unwrap(), 0);
    assert!(m.all_memory_deallocated().unwrap());
    m.check_sanity().unwrap();
    // Everything is back, the name index's table too.
    let free1 = m.free_memory().unwrap();
    assert_eq!(free1, free0);

    // Bad input changes nothing.
    assert_eq!(
        m.deallocate(std::ptr::dangling_mut()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let q = m.allocate(64).unwrap().unwrap();
    assert_eq!(
        m.deallocate(q.as_ptr().wrapping_add(16))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    m.deallocate(q.as_ptr()).unwrap();
    assert_eq!(
        m.deallocate(q.as_ptr()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert!(m.allocate(size * 2).unwrap().is_none());
    assert!(m.allocate(usize::MAX).unwrap().is_none());
    let big = m.construct(
        InstanceKind::Named,
        b"huge",
        1 << 20,
        8,
        1 << 20,
        false,
        &mut |_, _| Ok(()),
    );
    assert_eq!(big.unwrap_err().kind(), ErrorKind::OutOfMemory);
    let over = m.construct(
        InstanceKind::Named,
        b"over",
        usize::MAX,
        8,
        2,
        false,
        &mut |_, _| Ok(()),
    );
    assert_eq!(over.unwrap_err().kind(), ErrorKind::OutOfMemory);
    let empty = m.construct(InstanceKind::Named, b"", 8, 8, 1, false, &mut |_, _| Ok(()));
    assert_eq!(empty.unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        m.address_from_handle(size as u64).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(m.free_memory().unwrap(), free1);
    assert!(m.atomic_func(|| 5).unwrap() == 5);
    assert_eq!(m.try_atomic_func(|| 6).unwrap(), Some(6));
    m.check_sanity().unwrap();
}

#[test]
fn managed_shared_memory_full_tour() {
    let name = unique("tour");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 20, Permissions::default()).unwrap();
    assert!(seg.created());
    assert_eq!(seg.size(), 1 << 20);
    exercise(&seg);
}

#[test]
fn a_second_mapping_sees_the_same_objects() {
    let name = unique("second");
    let _r = Remove(name.clone());
    let a = ManagedSharedMemory::create(&name, 65536, Permissions::default()).unwrap();
    a.construct(InstanceKind::Named, b"x", 8, 8, 3, false, &mut |p, n| {
        write_u64s(p, n, 5)
    })
    .unwrap();
    let b = ManagedSharedMemory::open(&name).unwrap();
    assert!(!b.created());
    assert_ne!(a.address(), b.address());
    let found = b.find(InstanceKind::Named, b"x", Some(8)).unwrap().unwrap();
    assert_eq!((read_u64(found.ptr, 2), found.count), (7, 3));
    let c = ManagedSharedMemory::open_or_create(&name, 65536, Permissions::default()).unwrap();
    assert!(!c.created());
    // A handle made in one mapping is valid in another.
    let h = a
        .handle_from_address(
            a.find(InstanceKind::Named, b"x", None)
                .unwrap()
                .unwrap()
                .ptr
                .as_ptr(),
        )
        .unwrap();
    assert_eq!(b.address_from_handle(h).unwrap(), found.ptr);
    // Read-only: finds work, writes are refused with an error instead of a fault.
    let ro =
        ManagedSharedMemory::new(OpenMode::OpenReadOnly, &name, 0, Permissions::default()).unwrap();
    assert_eq!(
        read_u64(
            ro.find(InstanceKind::Named, b"x", None)
                .unwrap()
                .unwrap()
                .ptr,
            0
        ),
        5
    );
    assert_eq!(ro.allocate(16).unwrap_err().kind(), ErrorKind::Mode);
    assert_eq!(ro.free_memory().unwrap(), a.free_memory().unwrap());
    // Copy-on-write: private changes.
    let cow = ManagedSharedMemory::new(OpenMode::OpenCopyOnWrite, &name, 0, Permissions::default())
        .unwrap();
    cow.destroy(InstanceKind::Named, b"x", None, &mut |_, _| ())
        .unwrap();
    assert!(cow.find(InstanceKind::Named, b"x", None).unwrap().is_none());
    assert!(a.find(InstanceKind::Named, b"x", None).unwrap().is_some());
}

#[test]
fn grow_and_shrink_to_fit() {
    let name = unique("grow");
    let _r = Remove(name.clone());
    {
        let seg = ManagedSharedMemory::create(&name, 65536, Permissions::default()).unwrap();
        seg.construct(InstanceKind::Named, b"keep", 8, 8, 1, false, &mut |p, n| {
            write_u64s(p, n, 9)
        })
        .unwrap();
    }
    let free_before = ManagedSharedMemory::open(&name)
        .unwrap()
        .free_memory()
        .unwrap();
    ManagedSharedMemory::grow(&name, 65536).unwrap();
    {
        let seg = ManagedSharedMemory::open(&name).unwrap();
        assert_eq!(seg.size(), 131072);
        assert_eq!(seg.free_memory().unwrap(), free_before + 65536);
        assert_eq!(
            read_u64(
                seg.find(InstanceKind::Named, b"keep", None)
                    .unwrap()
                    .unwrap()
                    .ptr,
                0
            ),
            9
        );
        seg.check_sanity().unwrap();
    }
    ManagedSharedMemory::shrink_to_fit(&name).unwrap();
    let seg = ManagedSharedMemory::open(&name).unwrap();
    assert!(seg.size() < 65536 / 2, "size after shrink {}", seg.size());
    assert_eq!(
        SharedMemoryObject::open(&name, interproc::Mode::ReadOnly)
            .unwrap()
            .size()
            .unwrap(),
        seg.size() as u64
    );
    assert_eq!(
        read_u64(
            seg.find(InstanceKind::Named, b"keep", None)
                .unwrap()
                .unwrap()
                .ptr,
            0
        ),
        9
    );
    seg.check_sanity().unwrap();
}

#[test]
fn mapped_file_heap_external_and_xsi() {
    let path = format!("/tmp/{}", unique("file"));
    {
        let f =
            ManagedMappedFile::new(OpenMode::CreateOnly, &path, 1 << 18, Permissions::default())
                .unwrap();
        exercise(&f);
        f.construct(
            InstanceKind::Named,
            b"persist",
            8,
            8,
            1,
            false,
            &mut |p, n| write_u64s(p, n, 77),
        )
        .unwrap();
        f.flush().unwrap();
    }
    {
        let f =
            ManagedMappedFile::new(OpenMode::OpenOnly, &path, 0, Permissions::default()).unwrap();
        assert_eq!(
            read_u64(
                f.find(InstanceKind::Named, b"persist", None)
                    .unwrap()
                    .unwrap()
                    .ptr,
                0
            ),
            77
        );
    }
    ManagedMappedFile::grow(&path, 4096).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), (1 << 18) + 4096);
    ManagedMappedFile::shrink_to_fit(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 8192);
    std::fs::remove_file(&path).unwrap();

    let mut heap = ManagedHeapMemory::new(1 << 16).unwrap();
    exercise(&heap);
    let (o, _) = heap
        .construct(InstanceKind::Named, b"h", 8, 8, 1, false, &mut |p, n| {
            write_u64s(p, n, 3)
        })
        .unwrap();
    let handle = heap.handle_from_address(o.ptr.as_ptr()).unwrap();
    heap.grow(1 << 16).unwrap();
    assert_eq!(heap.size(), 1 << 17);
    assert_eq!(read_u64(heap.address_from_handle(handle).unwrap(), 0), 3);
    heap.check_sanity().unwrap();

    let mut buf = aligned_buffer(65536);
    let bytes = bytes_of(&mut buf);
    {
        let ext = ManagedExternalBuffer::create(bytes).unwrap();
        exercise(&ext);
    }
    let ext = ManagedExternalBuffer::open(bytes_of(&mut buf)).unwrap();
    assert!(!ext.created());
    ext.check_sanity().unwrap();
    drop(ext);
    let mut garbage = vec![0x55u8; 65536 + 16];
    let off = garbage.as_ptr().align_offset(16);
    let g = &mut garbage[off..off + 65536];
    assert_eq!(
        ManagedExternalBuffer::open(g).unwrap_err().kind(),
        ErrorKind::Corrupted
    );

    let xsi = ManagedXsiSharedMemory::new(
        OpenMode::CreateOnly,
        XsiKey::PRIVATE,
        1 << 16,
        Permissions::from_mode(0o600),
    )
    .unwrap();
    exercise(&xsi);
    assert!(interproc::XsiSharedMemory::remove(xsi.shmid()));
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

#[test]
fn managed_xsi_segments_open_read_only_and_refuse_copy_on_write() {
    let path = std::env::temp_dir().join(unique("xsi_ro"));
    std::fs::write(&path, b"").unwrap();
    let key = XsiKey::from_path(path.to_str().unwrap(), 1).unwrap();
    let rw = ManagedXsiSharedMemory::new(
        OpenMode::CreateOnly,
        key,
        1 << 16,
        Permissions::from_mode(0o600),
    )
    .unwrap();
    let x = rw.allocate(8).unwrap().unwrap();
    // SAFETY: 8 bytes freshly allocated for this test.
    unsafe { x.as_ptr().cast::<u64>().write(0x1234) };
    let h = rw.handle_from_address(x.as_ptr()).unwrap();

    let ro = ManagedXsiSharedMemory::new(OpenMode::OpenReadOnly, key, 0, Permissions::default())
        .unwrap();
    assert!(!ro.created());
    assert_eq!(ro.shmid(), rw.shmid());
    assert_eq!(read_u64(ro.address_from_handle(h).unwrap(), 0), 0x1234);
    assert_eq!(ro.allocate(8).unwrap_err().kind(), ErrorKind::Mode);
    assert_eq!(
        ManagedXsiSharedMemory::new(OpenMode::OpenCopyOnWrite, key, 0, Permissions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::Mode
    );
    assert!(interproc::XsiSharedMemory::remove(rw.shmid()));
    std::fs::remove_file(&path).unwrap();
}
