//! Managed segments through the Rust API: allocation, named/unique/anonymous objects,
//! handles, accounting, growth and every kind of backing memory (their edges, bad input
//! and faults: `managed_edges.rs`).

use interproc::{
    ErrorKind, InstanceKind, ManagedExternalBuffer, ManagedHeapMemory, ManagedMappedFile,
    ManagedSharedMemory, ManagedXsiSharedMemory, OpenMode, Permissions, SegmentManager,
    SharedMemoryObject, XsiKey,
};

mod common;
use common::{Remove, aligned_buffer, bytes_of, read_u64, write_u64s};

fn unique(tag: &str) -> String {
    common::unique("ipt_mng", tag)
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
