//! Integration tests for `MappedRegion` over shared memory objects, files, anonymous memory
//! and System V segments.

use interproc::{
    Advice, Creation, ErrorKind, FileMapping, Mappable, MappedRegion, Mode, Permissions,
    SharedMemoryObject, XsiKey, XsiSharedMemory,
};
use std::ptr::NonNull;

use std::time::Duration;

mod common;
use common::{FileGuard, Remove, XsiGuard, child_name, page, run_role};

fn unique(tag: &str) -> String {
    common::unique("ipt", tag)
}

/// Bytes that differ from their neighbours and from their position a page away.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8 ^ (i >> 16) as u8)
        .collect()
}

/// A new read-write object of `len` bytes filled with `pattern(len, seed)`.
fn filled_object(test: &str, len: usize, seed: u8) -> (Remove, SharedMemoryObject, Vec<u8>) {
    let name = unique(test);
    let guard = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(len as u64).unwrap();
    let data = pattern(len, seed);
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    r.write_at(0, &data).unwrap();
    (guard, shm, data)
}

fn read_all(r: &MappedRegion) -> Vec<u8> {
    let mut v = vec![0u8; r.len()];
    r.read_at(0, &mut v).unwrap();
    v
}

// ---------------------------------------------------------------------------------------
// Child-process support: checks that need a single-threaded address space.

const MARKER: &str = "interproc-child-done:";

fn run_child(role: &str, name: &str) {
    let (status, out, err) = run_role(role, name, Duration::from_secs(30));
    assert!(
        status.success(),
        "child {role} failed: {status}\nstdout:\n{out}\nstderr:\n{err}"
    );
    assert!(
        out.contains(&format!("{MARKER}{role}")),
        "child {role} did not run:\n{out}"
    );
}

/// Whether any byte of the page at `addr` is mapped in this process (`msync` fails with
/// `ENOMEM` on unmapped memory).
fn is_mapped(addr: usize) -> bool {
    let page_addr = addr - addr % page();
    // SAFETY: msync with MS_ASYNC changes no memory; on an unmapped range it only fails.
    let rc = unsafe { libc::msync(page_addr as *mut libc::c_void, page(), libc::MS_ASYNC) };
    if rc == 0 {
        return true;
    }
    assert_eq!(
        std::io::Error::last_os_error().raw_os_error(),
        Some(libc::ENOMEM)
    );
    false
}

/// A page-aligned address with `pages` free pages, found by mapping and unmapping anonymous
/// memory. Another thread may take it meanwhile, so callers retry.
fn free_address(pages: usize) -> NonNull<u8> {
    let probe = MappedRegion::anonymous(pages * page()).unwrap();
    NonNull::new(probe.as_ptr()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Shared memory objects.

#[test]
fn write_through_one_region_read_through_another() {
    let len = 3 * page() + 123;
    let name = unique("two");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(len as u64).unwrap();
    let data = pattern(len, 1);
    let mut w = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let r = MappedRegion::new(&shm, Mode::ReadOnly, 0, 0).unwrap();
    assert_eq!(w.len(), len);
    assert_eq!(r.len(), len);
    assert!(!w.is_empty());
    assert_eq!(w.mode(), Mode::ReadWrite);
    assert_eq!(r.mode(), Mode::ReadOnly);
    assert_ne!(w.as_ptr(), r.as_ptr());
    assert_eq!(w.as_ptr() as usize % page(), 0);
    w.write_at(0, &data).unwrap();
    assert_eq!(read_all(&r), data);
    // SAFETY: nobody writes the object while the slice is alive.
    assert_eq!(unsafe { r.as_slice() }, &data[..]);
    // Writes through the mutable slice are seen by the other region too.
    // SAFETY: this thread is the only writer and the region is writable.
    unsafe { w.as_mut_slice()[len - 1] = 0xA5 };
    let mut last = [0u8; 1];
    r.read_at(len - 1, &mut last).unwrap();
    assert_eq!(last, [0xA5]);
    // And through a region of a second handle (opened read-only).
    let ro = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    let r2 = MappedRegion::new(&ro, Mode::ReadOnly, 0, 0).unwrap();
    let mut want = data.clone();
    want[len - 1] = 0xA5;
    assert_eq!(read_all(&r2), want);
}

#[test]
fn unaligned_offsets_map_the_right_bytes() {
    let p = page();
    let len = 3 * p + 50;
    let (_g, shm, data) = filled_object("unaligned", len, 2);
    let mut offsets = vec![
        1usize,
        100,
        4095,
        4096,
        4097,
        p - 1,
        p,
        p + 1,
        2 * p + 7,
        len - 1,
    ];
    offsets.sort_unstable();
    offsets.dedup();
    for off in offsets {
        // Size 0: to the end.
        let r = MappedRegion::new(&shm, Mode::ReadOnly, off as u64, 0).unwrap();
        assert_eq!(r.len(), len - off, "offset {off}");
        assert_eq!(r.as_ptr() as usize % p, off % p, "offset {off}");
        assert_eq!(read_all(&r), &data[off..], "offset {off}");
        // SAFETY: nobody writes while the slice is alive.
        assert_eq!(unsafe { r.as_slice() }[0], data[off]);
        // An explicit size.
        let n = (len - off).min(10);
        let r = MappedRegion::new(&shm, Mode::ReadOnly, off as u64, n).unwrap();
        assert_eq!(r.len(), n);
        assert_eq!(read_all(&r), &data[off..off + n], "offset {off}");
    }
}

#[test]
fn writes_at_an_unaligned_offset_land_at_that_offset() {
    let p = page();
    let len = 2 * p + 10;
    let (_g, shm, mut data) = filled_object("unalignedw", len, 3);
    let off = p + 3;
    let mut w = MappedRegion::new(&shm, Mode::ReadWrite, off as u64, 20).unwrap();
    w.write_at(0, b"0123456789abcdefghij").unwrap();
    data[off..off + 20].copy_from_slice(b"0123456789abcdefghij");
    let whole = MappedRegion::new(&shm, Mode::ReadOnly, 0, 0).unwrap();
    assert_eq!(read_all(&whole), data);
}

#[test]
fn region_at_exact_end_and_single_byte() {
    let (_g, shm, data) = filled_object("exact", 5000, 4);
    let r = MappedRegion::new(&shm, Mode::ReadOnly, 0, 5000).unwrap();
    assert_eq!(r.len(), 5000);
    assert_eq!(read_all(&r), data);
    let r = MappedRegion::new(&shm, Mode::ReadOnly, 4999, 1).unwrap();
    assert_eq!(read_all(&r), [data[4999]]);
    let r = MappedRegion::new(&shm, Mode::ReadOnly, 4999, 0).unwrap();
    assert_eq!(r.len(), 1);
}

#[test]
fn copy_on_write_is_private() {
    let len = 2 * page();
    let (g, shm, data) = filled_object("cow", len, 5);
    let mut shared = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let mut cow = MappedRegion::new(&shm, Mode::CopyOnWrite, 0, 0).unwrap();
    assert_eq!(cow.mode(), Mode::CopyOnWrite);
    assert_eq!(read_all(&cow), data);
    cow.write_at(10, b"private").unwrap();
    let mut back = [0u8; 7];
    cow.read_at(10, &mut back).unwrap();
    assert_eq!(&back, b"private");
    shared.read_at(10, &mut back).unwrap();
    assert_eq!(back, data[10..17]);
    // Another mapping and another handle see the object unchanged.
    let ro = SharedMemoryObject::open(&g.0, Mode::ReadOnly).unwrap();
    let fresh = MappedRegion::new(&ro, Mode::ReadOnly, 0, 0).unwrap();
    assert_eq!(read_all(&fresh), data);
    // A write through the shared region does not overwrite the private copy.
    shared.write_at(10, b"SHARED!").unwrap();
    cow.read_at(10, &mut back).unwrap();
    assert_eq!(&back, b"private");
    fresh.read_at(10, &mut back).unwrap();
    assert_eq!(&back, b"SHARED!");

    // Copy on write is allowed on an object opened read-only, and stays private.
    let mut cow_ro = MappedRegion::new(&ro, Mode::CopyOnWrite, 100, 0).unwrap();
    cow_ro.write_at(0, b"mine").unwrap();
    let mut four = [0u8; 4];
    cow_ro.read_at(0, &mut four).unwrap();
    assert_eq!(&four, b"mine");
    fresh.read_at(100, &mut four).unwrap();
    assert_eq!(four, data[100..104]);
}

#[test]
fn read_private_reads_and_refuses_writes() {
    let (g, _shm, data) = filled_object("rpriv", 3000, 6);
    let ro = SharedMemoryObject::open(&g.0, Mode::ReadOnly).unwrap();
    let mut r = MappedRegion::new(&ro, Mode::ReadPrivate, 7, 0).unwrap();
    assert_eq!(r.mode(), Mode::ReadPrivate);
    assert_eq!(r.len(), 2993);
    assert_eq!(read_all(&r), &data[7..]);
    assert_eq!(r.write_at(0, b"x").unwrap_err().kind(), ErrorKind::Mode);
    assert_eq!(read_all(&r), &data[7..]);
}

#[test]
fn flush_sync_and_async() {
    let len = 3 * page() + 11;
    let (_g, shm, _data) = filled_object("flush", len, 7);
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 100, 0).unwrap();
    r.write_at(0, b"flushed").unwrap();
    r.flush(0, 0, false).unwrap();
    r.flush(0, 0, true).unwrap();
    r.flush(5, 10, false).unwrap();
    r.flush(page() - 50, 100, true).unwrap();
    r.flush(r.len() - 1, 1, false).unwrap();
    r.flush(r.len(), 0, false).unwrap();
    let ro = MappedRegion::new(&shm, Mode::ReadOnly, 100, 7).unwrap();
    assert_eq!(read_all(&ro), b"flushed");
    ro.flush(0, 0, false).unwrap();
    ro.flush(0, 0, true).unwrap();
}

#[test]
fn shrink_from_back_keeps_address_and_content() {
    let p = page();
    let len = 4 * p;
    let (_g, shm, data) = filled_object("shrinkb", len, 8);
    let off = 100usize;
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, off as u64, 0).unwrap();
    let addr = r.as_ptr();
    let mut size = len - off;
    for bytes in [1usize, p + 5, p - 1, 17] {
        r.shrink_by(bytes, true).unwrap();
        size -= bytes;
        assert_eq!(r.len(), size);
        assert_eq!(r.as_ptr(), addr);
        assert_eq!(read_all(&r), &data[off..off + size]);
        let mut one = [0u8; 1];
        assert_eq!(
            r.read_at(size, &mut one).unwrap_err().kind(),
            ErrorKind::Size
        );
    }
    // Still writable where it is still mapped.
    r.write_at(size - 2, b"ok").unwrap();
    let check = MappedRegion::new(&shm, Mode::ReadOnly, (off + size - 2) as u64, 2).unwrap();
    assert_eq!(read_all(&check), b"ok");
    r.flush(0, 0, false).unwrap();
    r.advise(Advice::Normal).unwrap();
    // Everything.
    r.shrink_by(size, true).unwrap();
    assert_eq!(r.len(), 0);
    assert!(r.is_empty());
    r.flush(0, 0, false).unwrap();
    r.advise(Advice::WillNeed).unwrap();
    assert_eq!(r.shrink_by(1, true).unwrap_err().kind(), ErrorKind::Size);
    r.shrink_by(0, true).unwrap();
}

#[test]
fn shrink_from_front_moves_the_address_forward() {
    let p = page();
    let len = 5 * p;
    let (_g, shm, data) = filled_object("shrinkf", len, 9);
    let off = 100usize;
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, off as u64, 0).unwrap();
    let start = r.as_ptr() as usize;
    let mut gone = 0usize;
    for bytes in [1usize, p, p - 1, 3, 2 * p + 1] {
        r.shrink_by(bytes, false).unwrap();
        gone += bytes;
        assert_eq!(r.as_ptr() as usize, start + gone, "after {gone} bytes");
        assert_eq!(r.len(), len - off - gone);
        assert_eq!(read_all(&r), &data[off + gone..]);
    }
    // Writes land at the right place of the object.
    r.write_at(0, b"front").unwrap();
    let check = MappedRegion::new(&shm, Mode::ReadOnly, (off + gone) as u64, 5).unwrap();
    assert_eq!(read_all(&check), b"front");
    r.flush(0, 0, false).unwrap();
    r.flush(1, 3, true).unwrap();
    r.advise(Advice::Sequential).unwrap();
    // Everything.
    let rest = r.len();
    r.shrink_by(rest, false).unwrap();
    assert!(r.is_empty());
    assert_eq!(r.len(), 0);
    r.flush(0, 0, false).unwrap();
    r.advise(Advice::Normal).unwrap();
    assert_eq!(r.shrink_by(1, false).unwrap_err().kind(), ErrorKind::Size);
}

#[test]
fn shrink_from_back_then_front() {
    let p = page();
    let len = 5 * p;
    let (_g, shm, data) = filled_object("shrinkbf", len, 20);
    let off = 100usize;
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, off as u64, 0).unwrap();
    let start = r.as_ptr() as usize;
    r.shrink_by(10, true).unwrap();
    assert_eq!(r.as_ptr() as usize, start);
    assert_eq!(r.len(), len - off - 10);
    r.shrink_by(p + 1, false).unwrap();
    assert_eq!(r.as_ptr() as usize, start + p + 1);
    assert_eq!(r.len(), len - off - 10 - p - 1);
    assert_eq!(read_all(&r), &data[off + p + 1..len - 10]);
}

/// Shrinking away everything from the front after a shrink from the back that kept the
/// last page must leave an empty region (it used to underflow `page_offset`).
#[test]
fn shrink_everything_from_front_after_shrinking_the_back() {
    let p = page();
    let (_g, shm, _data) = filled_object("shrinkall", 2 * p, 21);
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    r.shrink_by(10, true).unwrap();
    assert_eq!(r.len(), 2 * p - 10);
    r.shrink_by(2 * p - 10, false).unwrap();
    assert!(r.is_empty());
    assert_eq!(r.len(), 0);
    r.flush(0, 0, false).unwrap();
    assert_eq!(r.shrink_by(1, false).unwrap_err().kind(), ErrorKind::Size);
}

/// Child: the pages given back by `shrink_by` are really unmapped, the others are not.
#[test]
fn shrink_unmaps_child() {
    let Some(name) = child_name("shrink_unmaps_child") else {
        return;
    };
    let p = page();
    let shm = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    // Offset 100 to the end: the mapping covers pages 0 to 4 of the object.
    let mut r = MappedRegion::new(&shm, Mode::ReadOnly, 100, 0).unwrap();
    let base = r.as_ptr() as usize - 100;
    let len = 5 * p - 100;
    assert_eq!(r.len(), len);
    for i in 0..5 {
        assert!(is_mapped(base + i * p), "page {i} before shrinking");
    }
    // From the front by p: the first byte is now object byte 100 + p, in page 1.
    r.shrink_by(p, false).unwrap();
    assert!(!is_mapped(base), "page 0 after shrinking the front");
    assert!(is_mapped(base + p));
    // From the front by 1 more byte: the first byte is still in page 1, nothing unmapped.
    r.shrink_by(1, false).unwrap();
    assert!(is_mapped(base + p));
    // From the back by p: the end is now the end of page 3.
    r.shrink_by(p, true).unwrap();
    assert_eq!(r.as_ptr() as usize + r.len(), base + 4 * p);
    assert!(!is_mapped(base + 4 * p), "page 4 after shrinking the back");
    assert!(is_mapped(base + 3 * p));
    // From the back by one byte more: page 3 still holds the rest.
    r.shrink_by(1, true).unwrap();
    assert!(is_mapped(base + 3 * p));
    let mut last = [0u8; 1];
    r.read_at(r.len() - 1, &mut last).unwrap();
    assert_eq!(last[0], pattern(5 * p, 10)[4 * p - 2]);
    // Everything.
    let rest = r.len();
    r.shrink_by(rest, true).unwrap();
    for i in 0..5 {
        assert!(
            !is_mapped(base + i * p),
            "page {i} after shrinking everything"
        );
    }
    drop(r);
    println!("{MARKER}shrink_unmaps_child");
}

#[test]
fn shrink_really_unmaps_pages() {
    let (g, _shm, _data) = filled_object("shrinkun", 5 * page(), 10);
    run_child("shrink_unmaps_child", &g.0);
}

#[test]
fn advise_accepts_every_advice() {
    let all = [
        Advice::Normal,
        Advice::Sequential,
        Advice::Random,
        Advice::WillNeed,
        Advice::DontNeed,
    ];
    let len = 3 * page() + 5;
    let (_g, shm, data) = filled_object("advise", len, 11);
    let rw = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let ro = MappedRegion::new(&shm, Mode::ReadOnly, 77, 0).unwrap();
    let rp = MappedRegion::new(&shm, Mode::ReadPrivate, 4097, 0).unwrap();
    for a in all {
        rw.advise(a).unwrap();
        ro.advise(a).unwrap();
        rp.advise(a).unwrap();
        // A shared mapping keeps its content whatever the advice.
        assert_eq!(read_all(&rw), data, "{a:?}");
        assert_eq!(read_all(&ro), &data[77..], "{a:?}");
        assert_eq!(read_all(&rp), &data[4097..], "{a:?}");
    }
    let anon = MappedRegion::anonymous(page()).unwrap();
    for a in all {
        anon.advise(a).unwrap();
    }
}

#[test]
fn dont_need_drops_private_changes() {
    let (_g, shm, data) = filled_object("dontneed", 2 * page(), 12);
    let mut cow = MappedRegion::new(&shm, Mode::CopyOnWrite, 0, 0).unwrap();
    cow.write_at(0, b"lost").unwrap();
    let mut four = [0u8; 4];
    cow.read_at(0, &mut four).unwrap();
    assert_eq!(&four, b"lost");
    cow.advise(Advice::DontNeed).unwrap();
    assert_eq!(read_all(&cow), data);
    // A shared mapping keeps what was written.
    let mut rw = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    rw.write_at(0, b"kept").unwrap();
    rw.advise(Advice::DontNeed).unwrap();
    rw.read_at(0, &mut four).unwrap();
    assert_eq!(&four, b"kept");
}

#[test]
fn with_address_places_the_first_byte() {
    let (_g, shm, data) = filled_object("withaddr", 3 * page(), 13);
    for off in [0usize, 100, page() + 1] {
        let mut placed = None;
        for _ in 0..20 {
            let at = free_address(4);
            // SAFETY: only address arithmetic inside the probed range; nothing is accessed.
            let want = unsafe { NonNull::new_unchecked(at.as_ptr().add(off % page())) };
            match MappedRegion::with_address(&shm, Mode::ReadOnly, off as u64, 0, Some(want)) {
                Ok(r) => {
                    placed = Some((r, want));
                    break;
                }
                // Another thread took the hole meanwhile: try another one.
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("with_address at offset {off}: {e}"),
            }
        }
        let (r, want) = placed.expect("no free address in 20 tries");
        assert_eq!(r.as_ptr(), want.as_ptr());
        assert_eq!(read_all(&r), &data[off..]);
    }
}

#[test]
fn swap_exchanges_regions() {
    let (_g, shm, data) = filled_object("rswap", 3 * page(), 14);
    let mut a = MappedRegion::new(&shm, Mode::ReadOnly, 0, 10).unwrap();
    let mut b = MappedRegion::new(&shm, Mode::ReadWrite, 200, 0).unwrap();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    a.swap(&mut b);
    assert_eq!(a.as_ptr(), pb);
    assert_eq!(b.as_ptr(), pa);
    assert_eq!(a.len(), 3 * page() - 200);
    assert_eq!(b.len(), 10);
    assert_eq!(a.mode(), Mode::ReadWrite);
    assert_eq!(b.mode(), Mode::ReadOnly);
    assert_eq!(read_all(&a), &data[200..]);
    assert_eq!(read_all(&b), &data[..10]);
    a.write_at(0, b"z").unwrap();
    assert_eq!(b.write_at(0, b"z").unwrap_err().kind(), ErrorKind::Mode);
}

#[test]
fn page_size_is_the_system_page_size() {
    // SAFETY: sysconf has no preconditions.
    let sys = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    assert_eq!(MappedRegion::page_size() as libc::c_long, sys);
    assert!(MappedRegion::page_size().is_power_of_two());
}

#[test]
fn maps_through_a_trait_object() {
    let (_g, shm, data) = filled_object("dyn", 1000, 15);
    let obj: &dyn Mappable = &shm;
    let r = MappedRegion::new(obj, Mode::ReadOnly, 500, 0).unwrap();
    assert_eq!(read_all(&r), &data[500..]);
}

// ---------------------------------------------------------------------------------------
// Anonymous shared memory.

#[test]
fn anonymous_memory_is_zeroed_and_writable() {
    for size in [1usize, 5000, 3 * page()] {
        let mut r = MappedRegion::anonymous(size).unwrap();
        assert_eq!(r.len(), size);
        assert_eq!(r.mode(), Mode::ReadWrite);
        assert_eq!(r.as_ptr() as usize % page(), 0);
        assert!(read_all(&r).iter().all(|&b| b == 0));
        let data = pattern(size, 16);
        r.write_at(0, &data).unwrap();
        assert_eq!(read_all(&r), data);
        r.flush(0, 0, false).unwrap();
        r.shrink_by(size / 2, false).unwrap();
        assert_eq!(read_all(&r), &data[size / 2..]);
    }
}

#[test]
fn anonymous_at_a_chosen_address() {
    for _ in 0..20 {
        let at = free_address(2);
        match MappedRegion::anonymous_at(2 * page(), Some(at)) {
            Ok(mut r) => {
                assert_eq!(r.as_ptr(), at.as_ptr());
                r.write_at(2 * page() - 1, b"e").unwrap();
                return;
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("anonymous_at: {e}"),
        }
    }
    panic!("no free address in 20 tries");
}

// ---------------------------------------------------------------------------------------
// Files.

#[test]
fn file_mapping_writes_reach_the_file() {
    let f = FileGuard::new("file");
    let data = pattern(10_000, 17);
    std::fs::write(&f.0, &data).unwrap();
    let fm = FileMapping::new(f.path(), Mode::ReadWrite).unwrap();
    assert_eq!(fm.name(), f.path());
    assert_eq!(fm.mode(), Mode::ReadWrite);
    assert_eq!(fm.size().unwrap(), 10_000);
    let mut r = MappedRegion::new(&fm, Mode::ReadWrite, 4097, 0).unwrap();
    assert_eq!(r.len(), 10_000 - 4097);
    assert_eq!(read_all(&r), &data[4097..]);
    r.write_at(0, b"hello").unwrap();
    r.write_at(r.len() - 3, b"end").unwrap();
    r.flush(0, 0, false).unwrap();
    let mut want = data.clone();
    want[4097..4102].copy_from_slice(b"hello");
    want[9997..].copy_from_slice(b"end");
    assert_eq!(std::fs::read(&f.0).unwrap(), want);
    drop(r);
    drop(fm);
    assert_eq!(std::fs::read(&f.0).unwrap(), want);
}

#[test]
fn file_mapping_read_only_and_copy_on_write() {
    let f = FileGuard::new("filero");
    let data = pattern(3 * page(), 18);
    std::fs::write(&f.0, &data).unwrap();
    let fm = FileMapping::new(f.path(), Mode::ReadOnly).unwrap();
    assert_eq!(fm.mode(), Mode::ReadOnly);
    let r = MappedRegion::new(&fm, Mode::ReadOnly, 100, 0).unwrap();
    assert_eq!(read_all(&r), &data[100..]);
    let mut cow = MappedRegion::new(&fm, Mode::CopyOnWrite, 0, 0).unwrap();
    cow.write_at(0, b"private").unwrap();
    cow.flush(0, 0, false).unwrap();
    assert_eq!(std::fs::read(&f.0).unwrap(), data);
    let rp = MappedRegion::new(&fm, Mode::ReadPrivate, 0, 0).unwrap();
    assert_eq!(read_all(&rp), data);
}

#[test]
fn file_mapping_remove_and_swap() {
    let fa = FileGuard::new("fileswapa");
    let fb = FileGuard::new("fileswapb");
    std::fs::write(&fa.0, b"aaaa").unwrap();
    std::fs::write(&fb.0, b"bbbbbbbb").unwrap();
    let mut a = FileMapping::new(fa.path(), Mode::ReadWrite).unwrap();
    let mut b = FileMapping::new(fb.path(), Mode::ReadOnly).unwrap();
    a.swap(&mut b);
    assert_eq!(a.name(), fb.path());
    assert_eq!(a.mode(), Mode::ReadOnly);
    assert_eq!(a.size().unwrap(), 8);
    assert_eq!(b.name(), fa.path());
    assert_eq!(b.size().unwrap(), 4);
    let r = MappedRegion::new(&a, Mode::ReadOnly, 0, 0).unwrap();
    assert_eq!(read_all(&r), b"bbbbbbbb");
    assert!(FileMapping::remove(fa.path()));
    assert!(!fa.0.exists());
    assert!(!FileMapping::remove(fa.path()));
    // The open mapping survives the removal of the file.
    let r = MappedRegion::new(&b, Mode::ReadWrite, 0, 0).unwrap();
    assert_eq!(read_all(&r), b"aaaa");
}

// ---------------------------------------------------------------------------------------
// System V.

fn shm_perm_mode(shmid: i32) -> u32 {
    let mut ds = std::mem::MaybeUninit::<libc::shmid_ds>::uninit();
    // SAFETY: `ds` is storage for one `shmid_ds`.
    let rc = unsafe { libc::shmctl(shmid, libc::IPC_STAT, ds.as_mut_ptr()) };
    assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
    // SAFETY: IPC_STAT succeeded and filled `ds`.
    let ds = unsafe { ds.assume_init() };
    u32::from(ds.shm_perm.mode) & 0o777
}

#[test]
fn xsi_key_from_path_is_ftok() {
    let f = FileGuard::new("xsikey");
    std::fs::write(&f.0, b"k").unwrap();
    let c = std::ffi::CString::new(f.path()).unwrap();
    for id in [1u8, 7, 255] {
        let key = XsiKey::from_path(f.path(), id).unwrap();
        // SAFETY: `c` is a valid NUL-terminated path.
        let raw = unsafe { libc::ftok(c.as_ptr(), libc::c_int::from(id)) };
        assert_ne!(raw, -1);
        assert_eq!(key.raw(), raw);
        assert_eq!(XsiKey::from_raw(raw), key);
    }
    assert_ne!(
        XsiKey::from_path(f.path(), 1).unwrap(),
        XsiKey::from_path(f.path(), 2).unwrap()
    );
    assert_eq!(XsiKey::PRIVATE.raw(), libc::IPC_PRIVATE);
}

#[test]
fn xsi_create_open_map_remove() {
    let f = FileGuard::new("xsi");
    std::fs::write(&f.0, b"k").unwrap();
    let key = XsiKey::from_path(f.path(), b'x').unwrap();
    let seg = XsiSharedMemory::new(
        Creation::CreateOnly,
        key,
        10_000,
        Permissions::from_mode(0o600),
    )
    .unwrap();
    let _xg = XsiGuard(seg.shmid());
    assert!(seg.created());
    assert_eq!(seg.key(), key);
    assert_eq!(seg.size().unwrap(), 10_000);
    assert_eq!(shm_perm_mode(seg.shmid()), 0o600);

    let opened = XsiSharedMemory::new(Creation::OpenOnly, key, 0, Permissions::default()).unwrap();
    assert!(!opened.created());
    assert_eq!(opened.shmid(), seg.shmid());
    assert_eq!(opened.size().unwrap(), 10_000);
    let by_id = XsiSharedMemory::open_id(seg.shmid()).unwrap();
    assert!(!by_id.created());
    assert_eq!((by_id.shmid(), by_id.key()), (seg.shmid(), key));
    assert_eq!(by_id.size().unwrap(), 10_000);
    let ooc = XsiSharedMemory::new(Creation::OpenOrCreate, key, 1, Permissions::default()).unwrap();
    assert!(!ooc.created());
    assert_eq!(ooc.shmid(), seg.shmid());
    assert_eq!(ooc.size().unwrap(), 10_000);
    assert_eq!(
        XsiSharedMemory::new(Creation::CreateOnly, key, 10, Permissions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::AlreadyExists
    );

    let data = pattern(10_000, 19);
    let mut w = MappedRegion::new(&seg, Mode::ReadWrite, 0, 0).unwrap();
    assert_eq!(w.len(), 10_000);
    assert!(read_all(&w).iter().all(|&b| b == 0));
    w.write_at(0, &data).unwrap();
    w.flush(0, 0, false).unwrap();
    let mut r = MappedRegion::new(&opened, Mode::ReadOnly, 0, 0).unwrap();
    assert_eq!(r.mode(), Mode::ReadOnly);
    assert_eq!(read_all(&r), data);
    assert_eq!(r.write_at(0, b"x").unwrap_err().kind(), ErrorKind::Mode);
    let part = MappedRegion::new(&ooc, Mode::ReadOnly, 0, 100).unwrap();
    assert_eq!(part.len(), 100);
    assert_eq!(read_all(&part), &data[..100]);
    for a in [
        Advice::Normal,
        Advice::Sequential,
        Advice::Random,
        Advice::WillNeed,
    ] {
        r.advise(a).unwrap();
    }
    assert_eq!(read_all(&r), data);

    assert!(XsiSharedMemory::remove(seg.shmid()));
    assert_eq!(
        XsiSharedMemory::new(Creation::OpenOnly, key, 0, Permissions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    // Attached regions keep the segment alive after removal.
    assert_eq!(read_all(&r), data);
    w.write_at(0, b"after").unwrap();
    let mut five = [0u8; 5];
    r.read_at(0, &mut five).unwrap();
    assert_eq!(&five, b"after");
    assert_eq!(seg.size().unwrap(), 10_000);
    // Once the last attachment is gone, so is the segment.
    drop((w, r, part));
    assert!(!XsiSharedMemory::remove(seg.shmid()));
    assert!(seg.size().is_err());
    assert!(XsiSharedMemory::open_id(seg.shmid()).is_err());
}

#[test]
fn xsi_open_or_create_creates() {
    let f = FileGuard::new("xsiooc");
    std::fs::write(&f.0, b"k").unwrap();
    let key = XsiKey::from_path(f.path(), 3).unwrap();
    let seg =
        XsiSharedMemory::new(Creation::OpenOrCreate, key, 5000, Permissions::UNRESTRICTED).unwrap();
    let _xg = XsiGuard(seg.shmid());
    assert!(seg.created());
    assert_eq!(seg.size().unwrap(), 5000);
    assert_eq!(shm_perm_mode(seg.shmid()), 0o666);
}

#[test]
fn xsi_private_key_makes_distinct_segments() {
    let a = XsiSharedMemory::new(
        Creation::CreateOnly,
        XsiKey::PRIVATE,
        4096,
        Permissions::default(),
    )
    .unwrap();
    let _ga = XsiGuard(a.shmid());
    let b = XsiSharedMemory::new(
        Creation::CreateOnly,
        XsiKey::PRIVATE,
        8192,
        Permissions::default(),
    )
    .unwrap();
    let _gb = XsiGuard(b.shmid());
    assert!(a.created() && b.created());
    assert_ne!(a.shmid(), b.shmid());
    assert_eq!(a.key(), XsiKey::PRIVATE);
    assert_eq!(a.size().unwrap(), 4096);
    assert_eq!(b.size().unwrap(), 8192);
    assert_eq!(shm_perm_mode(a.shmid()), 0o644);
    let mut ra = MappedRegion::new(&a, Mode::ReadWrite, 0, 0).unwrap();
    let rb = MappedRegion::new(&b, Mode::ReadWrite, 0, 0).unwrap();
    ra.write_at(0, b"only in a").unwrap();
    assert!(read_all(&rb).iter().all(|&x| x == 0));
    assert!(XsiSharedMemory::remove(a.shmid()));
    assert!(XsiSharedMemory::remove(b.shmid()));
}
