//! Online growth of managed segments: a segment created with a maximum size grows while
//! mapped (on demand and on request), its base never moves, other mappings reach the new
//! memory, a full file system fails cleanly, hostile header words are errors, and a process
//! killed while growing leaves a segment the next locker finishes.

mod common;

use common::{Remove, Xorshift, unique, wait_bounded};
use interproc::{
    ErrorKind, InstanceKind, ManagedMappedFile, ManagedSharedMemory, MappedRegion, Mode, OpenMode,
    Permissions, SharedMemoryObject,
};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// Offsets in the segment header (pinned by the layout test in the library).
const SIZE_AT: usize = 24;
const HEAP_END_AT: usize = 128;
const MAX_AT: usize = 152;
const JOURNAL_AT: usize = 160;

fn create(name: &str, size: u64, max: u64) -> ManagedSharedMemory {
    ManagedSharedMemory::with_max_size(
        OpenMode::CreateOnly,
        name,
        size,
        max,
        Permissions::default(),
    )
    .unwrap()
}

/// The header word at `at` of the object `name`, through a mapping of its own.
fn header_word(name: &str, at: usize) -> u64 {
    let shm = SharedMemoryObject::open(name, Mode::ReadOnly).unwrap();
    let region = MappedRegion::new(&shm, Mode::ReadOnly, 0, 4096).unwrap();
    let mut b = [0u8; 8];
    region.read_at(at, &mut b).unwrap();
    u64::from_ne_bytes(b)
}

fn set_header_word(name: &str, at: usize, value: u64) {
    let shm = SharedMemoryObject::open(name, Mode::ReadWrite).unwrap();
    let mut region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 4096).unwrap();
    region.write_at(at, &value.to_ne_bytes()).unwrap();
}

fn child(test: &str, name: &str) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env("INTERPROC_GROWTH_NAME", name);
    c
}

#[test]
fn allocations_grow_the_segment_up_to_its_maximum_and_the_base_stays() {
    let name = unique("ipgrow", "demand");
    let _rm = Remove(name.clone());
    let seg = create(&name, 64 * KIB, 4 * MIB);
    assert_eq!(
        (seg.size(), seg.max_size(), seg.generation()),
        (64 * 1024, 4 << 20, 0)
    );
    let base = seg.address();
    // A second mapping in this process, made before the growth, as another process has.
    let other = ManagedSharedMemory::open(&name).unwrap();
    let mut handles = Vec::new();
    for i in 0..1000u32 {
        let p = seg.allocate(1000).unwrap().expect("the segment grows");
        // SAFETY: 1000 fresh bytes of the segment.
        unsafe { p.as_ptr().cast::<u32>().write(i) };
        handles.push(seg.handle_from_address(p.as_ptr()).unwrap());
    }
    assert!(seg.size() > 1000 * 1000, "{}", seg.size());
    assert!(seg.generation() >= 4, "{}", seg.generation());
    assert_eq!(seg.address(), base);
    assert_eq!(other.size(), seg.size());
    for (i, h) in handles.iter().enumerate() {
        let p = other.address_from_handle(*h).unwrap();
        // SAFETY: an allocation written above, read through the other mapping.
        assert_eq!(unsafe { p.as_ptr().cast::<u32>().read() }, i as u32);
    }
    // A named object in the tail, found through the other mapping.
    let (made, _) = seg
        .construct(InstanceKind::Named, b"tail", 8, 8, 1, false, &mut |p, _| {
            // SAFETY: 8 bytes of the fresh object.
            unsafe { p.as_ptr().cast::<u64>().write(77) };
            Ok(())
        })
        .unwrap();
    let found = other
        .find(InstanceKind::Named, b"tail", Some(8))
        .unwrap()
        .unwrap();
    assert_eq!(
        other.handle_from_address(found.ptr.as_ptr()).unwrap(),
        seg.handle_from_address(made.ptr.as_ptr()).unwrap()
    );
    seg.check_sanity().unwrap();
    other.check_sanity().unwrap();

    // On request, within the maximum; beyond it, an error and nothing changes.
    let before = seg.size();
    seg.grow(64 * KIB).unwrap();
    assert_eq!(seg.size(), before + 64 * 1024);
    let (size, generation) = (seg.size(), seg.generation());
    assert_eq!(seg.grow(8 * MIB).unwrap_err().kind(), ErrorKind::Size);
    assert_eq!((seg.size(), seg.generation()), (size, generation));

    // Filled to the maximum: allocation says full, never faults.
    while seg.allocate(64 * 1024).unwrap().is_some() {}
    assert_eq!(seg.size(), 4 << 20);
    assert_eq!(other.size(), 4 << 20);
    let shm = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    assert_eq!(shm.size().unwrap(), 4 * MIB);
    seg.check_sanity().unwrap();
    // A pointer past the size is refused, though it is mapped.
    assert!(seg.address_from_handle(4 * MIB).is_err());
}

#[test]
fn a_mapped_file_grows_too_and_a_fixed_segment_only_offline() {
    let path = std::env::temp_dir().join(unique("ipgrow", "file"));
    let path = path.to_str().unwrap().to_owned();
    {
        let f = ManagedMappedFile::with_max_size(
            OpenMode::CreateOnly,
            &path,
            64 * KIB,
            MIB,
            Permissions::default(),
        )
        .unwrap();
        let p = f.allocate(200 * 1024).unwrap().expect("the file grows");
        assert!(f.belongs_to_segment(p.as_ptr()));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), f.size() as u64);
        f.flush().unwrap();
    }
    let f = ManagedMappedFile::new(OpenMode::OpenOnly, &path, 0, Permissions::default()).unwrap();
    assert_eq!(f.max_size(), 1 << 20);
    f.check_sanity().unwrap();
    drop(f);
    let _ = std::fs::remove_file(&path);

    let name = unique("ipgrow", "fixed");
    let _rm = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 64 * KIB, Permissions::default()).unwrap();
    assert_eq!(seg.max_size(), seg.size());
    assert_eq!(
        seg.grow(4096).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert!(seg.allocate(128 * 1024).unwrap().is_none());
    // A maximum below the size is refused.
    let bad = ManagedSharedMemory::with_max_size(
        OpenMode::CreateOnly,
        &unique("ipgrow", "bad"),
        64 * KIB,
        KIB,
        Permissions::default(),
    );
    assert_eq!(bad.unwrap_err().kind(), ErrorKind::Size);
}

/// A region grows in place (the address stays) once its object holds the new range.
#[test]
fn a_region_grows_in_place_over_its_grown_object() {
    let name = unique("ipgrow", "region");
    let _rm = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(4096).unwrap();
    let mut region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let at = region.as_ptr();
    region.write_at(0, b"head").unwrap();
    assert_eq!(
        region.grow_by(&shm, 8192).unwrap_err().kind(),
        ErrorKind::Size
    );
    assert_eq!(region.len(), 4096);
    shm.truncate(3 * 4096).unwrap();
    match region.grow_by(&shm, 8192) {
        Ok(()) => {
            assert_eq!((region.as_ptr(), region.len()), (at, 3 * 4096));
            region.write_at(3 * 4096 - 4, b"tail").unwrap();
            let mut b = [0u8; 4];
            region.read_at(0, &mut b).unwrap();
            assert_eq!(&b, b"head");
        }
        // The addresses after the region were taken: nothing changed.
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::OutOfMemory, "{e}");
            assert_eq!(region.len(), 4096);
        }
    }
}

/// A file size limit stands in for a full `/dev/shm`: `posix_fallocate` fails the same way.
#[test]
fn a_full_file_system_fails_the_growth_and_the_segment_stays_as_it_was() {
    let name = unique("ipgrow", "full");
    let _rm = Remove(name.clone());
    let seg = create(&name, 64 * KIB, 64 * MIB);
    let p = seg.allocate(1000).unwrap().unwrap();
    // SAFETY: fresh bytes of the segment.
    unsafe { p.as_ptr().write(42) };
    let mut c = child("full_file_system_child", &name);
    let status = wait_bounded(&mut c.spawn().unwrap(), Duration::from_secs(60));
    assert!(status.success(), "{status}");
    // What the child left: its one successful step, nothing of the failed one.
    seg.check_sanity().unwrap();
    assert_eq!(seg.size() as u64, 512 * KIB);
    let shm = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    assert_eq!(shm.size().unwrap(), 512 * KIB);
    // SAFETY: written above.
    assert_eq!(unsafe { p.as_ptr().read() }, 42);
}

/// The child of [`a_full_file_system_fails_the_growth_and_the_segment_stays_as_it_was`].
#[test]
fn full_file_system_child() {
    let Ok(name) = std::env::var("INTERPROC_GROWTH_NAME") else {
        return;
    };
    let limit = libc::rlimit {
        rlim_cur: 1024 * 1024,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: plain system calls; the process ignores SIGXFSZ so the limit gives EFBIG.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
    }
    let seg = ManagedSharedMemory::open(&name).unwrap();
    seg.grow(448 * KIB).unwrap();
    let (size, generation, free) = (seg.size(), seg.generation(), seg.free_memory().unwrap());
    let e = seg.allocate(4 << 20).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfSpace, "{e}");
    let e = seg.grow(2 * MIB).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfSpace, "{e}");
    assert_eq!(
        (seg.size(), seg.generation(), seg.free_memory().unwrap()),
        (size, generation, free)
    );
    seg.check_sanity().unwrap();
    assert!(seg.allocate(1000).unwrap().is_some());
}

#[test]
fn hostile_size_and_maximum_words_are_errors_never_faults() {
    let name = unique("ipgrow", "hostile");
    let _rm = Remove(name.clone());
    let seg = create(&name, 64 * KIB, MIB);
    let size = header_word(&name, SIZE_AT);
    let max = header_word(&name, MAX_AT);
    assert_eq!((size, max), (64 * KIB, MIB));

    // A maximum beyond what any segment may have, or below the size.
    for bad in [1u64 << 60, 1 << 50, 4 * KIB] {
        set_header_word(&name, MAX_AT, bad);
        let e = ManagedSharedMemory::open(&name).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Corrupted, "{bad}: {e}");
    }
    set_header_word(&name, MAX_AT, max);

    // A size the object does not hold: refused at open, and by a process that has the
    // segment mapped already, instead of a SIGBUS on the pages past the object's end.
    set_header_word(&name, SIZE_AT, 512 * KIB);
    let e = ManagedSharedMemory::open(&name).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupted, "{e}");
    let e = seg.allocate(16).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupted, "{e}");
    assert!(seg.address_from_handle(100 * KIB).is_err());
    assert_eq!(seg.size() as u64, 64 * KIB);
    // A heap end past what the object holds.
    set_header_word(&name, SIZE_AT, size);
    let end = header_word(&name, HEAP_END_AT);
    set_header_word(&name, HEAP_END_AT, 512 * KIB);
    assert_eq!(seg.allocate(16).unwrap_err().kind(), ErrorKind::Corrupted);
    set_header_word(&name, HEAP_END_AT, end);
    seg.check_sanity().unwrap();
    assert!(seg.allocate(16).unwrap().is_some());
    ManagedSharedMemory::open(&name).unwrap();
}

/// A child holds the segment lock and dies half-way through a growth: it reserved the
/// memory, wrote the journal, published the new size and moved the heap's end, but wrote
/// no block. The next locker finishes the growth; every object keeps its contents.
#[test]
fn a_growth_cut_short_by_death_is_finished_by_the_next_locker() {
    let name = unique("ipgrow", "journal");
    let _rm = Remove(name.clone());
    let seg = create(&name, 64 * KIB, 4 * MIB);
    for i in 0..20u64 {
        let n = format!("o{i}");
        seg.construct(
            InstanceKind::Named,
            n.as_bytes(),
            8,
            8,
            1,
            false,
            &mut |p, _| {
                // SAFETY: 8 bytes of the fresh object.
                unsafe { p.as_ptr().cast::<u64>().write(i * 3) };
                Ok(())
            },
        )
        .unwrap();
    }
    let mut c = child("dies_while_growing_child", &name);
    let status = wait_bounded(&mut c.spawn().unwrap(), Duration::from_secs(60));
    assert!(!status.success());
    assert_ne!(
        header_word(&name, JOURNAL_AT),
        0,
        "the child left its journal"
    );
    // The next locker finishes the growth.
    let free = seg.free_memory().unwrap();
    assert_eq!(header_word(&name, JOURNAL_AT), 0);
    assert_eq!(seg.size() as u64, 256 * KIB);
    assert!(free > 190 * 1024, "{free}");
    seg.check_sanity().unwrap();
    for i in 0..20u64 {
        let n = format!("o{i}");
        let o = seg
            .find(InstanceKind::Named, n.as_bytes(), Some(8))
            .unwrap()
            .unwrap();
        // SAFETY: the object written above.
        assert_eq!(unsafe { o.ptr.as_ptr().cast::<u64>().read() }, i * 3);
    }
    assert!(seg.allocate(200 * 1024).unwrap().is_some());
    seg.check_sanity().unwrap();
}

/// The child of [`a_growth_cut_short_by_death_is_finished_by_the_next_locker`].
#[test]
fn dies_while_growing_child() {
    let Ok(name) = std::env::var("INTERPROC_GROWTH_NAME") else {
        return;
    };
    let seg = ManagedSharedMemory::open(&name).unwrap();
    let shm = SharedMemoryObject::open(&name, Mode::ReadWrite).unwrap();
    seg.atomic_func(|| {
        shm.truncate(256 * KIB).unwrap();
        let end = header_word(&name, HEAP_END_AT);
        set_header_word(&name, JOURNAL_AT, end);
        set_header_word(&name, SIZE_AT, 256 * KIB);
        set_header_word(&name, HEAP_END_AT, 256 * KIB);
        // SAFETY: ends this process at once, holding the lock.
        unsafe { libc::raise(libc::SIGKILL) };
    })
    .unwrap();
}

/// Children grow a segment step by step and are killed at random moments, many of them
/// while growing (most often inside `posix_fallocate`, the longest part of a growth): the
/// segment always checks sane, and every object a child reported made is there with its
/// contents, plus at most the one it was making.
#[test]
fn processes_killed_while_growing_leave_a_sane_segment_with_every_object() {
    let name = unique("ipgrow", "kill");
    let _rm = Remove(name.clone());
    let seg = create(&name, 64 * KIB, 256 * MIB);
    for tag in [b"made", b"runs"] {
        seg.construct(InstanceKind::Named, tag, 8, 8, 1, false, &mut |p, _| {
            // SAFETY: 8 bytes of the fresh object.
            unsafe { p.as_ptr().cast::<u64>().write(0) };
            Ok(())
        })
        .unwrap();
    }
    let made = counter(&seg, b"made");
    let runs = counter(&seg, b"runs");
    let shm = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    let mut rng = Xorshift(0x2545_f491_4f6c_dd1d);
    let (mut kills, mut mid_growth) = (0, 0);
    while seg.size() < 250 * 1024 * 1024 && kills < 200 && mid_growth < 5 {
        let started = runs.load(Ordering::Acquire);
        let mut c = child("grower_child", &name).spawn().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while runs.load(Ordering::Acquire) == started {
            assert!(
                std::time::Instant::now() < deadline,
                "the grower never started"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_micros(rng.next() % 3000));
        let _ = c.kill();
        let status = wait_bounded(&mut c, Duration::from_secs(30));
        if status.success() {
            break; // it filled the segment before the kill
        }
        kills += 1;
        // Before anyone locks: did it die inside a growth?
        if shm.size().unwrap() > header_word(&name, SIZE_AT) || header_word(&name, JOURNAL_AT) != 0
        {
            mid_growth += 1;
        }
        seg.check_sanity().unwrap();
        let n = made.load(Ordering::Acquire);
        for i in 0..n {
            let o = seg
                .find(InstanceKind::Named, format!("g{i}").as_bytes(), None)
                .unwrap()
                .unwrap_or_else(|| panic!("object g{i} of {n} is missing"));
            // SAFETY: the child wrote the object's index into its first 8 bytes.
            assert_eq!(unsafe { o.ptr.as_ptr().cast::<u64>().read() }, i);
        }
        let extra = seg
            .find(InstanceKind::Named, format!("g{n}").as_bytes(), None)
            .unwrap();
        // Listed, each name once, and only names the children constructed: a header the
        // recovery took for an object in error (a killed construction's) shows here.
        let mut names = named_objects(&seg);
        names.sort();
        names.dedup();
        let odd: Vec<_> = names
            .iter()
            .filter(|nm| {
                let g = nm
                    .strip_prefix(b"g")
                    .and_then(|d| std::str::from_utf8(d).ok());
                !(*nm == b"made"
                    || *nm == b"runs"
                    || g.is_some_and(|d| d.parse().is_ok_and(|k: u64| k <= n)))
            })
            .map(|nm| String::from_utf8_lossy(nm).into_owned())
            .collect();
        assert!(odd.is_empty(), "after {kills} kills, objects named {odd:?}");
        let named = seg.num_named_objects().unwrap() as u64;
        assert_eq!(named, 2 + n + u64::from(extra.is_some()));
        assert_eq!(names.len() as u64, named, "after {kills} kills");
    }
    eprintln!(
        "{kills} growers killed, {mid_growth} of them while growing; the segment grew {} times to {} bytes",
        seg.generation(),
        seg.size()
    );
    assert!(mid_growth >= 1, "no kill landed in a growth");
    assert!(seg.generation() >= 3, "{}", seg.generation());

    // With every object destroyed, the free memory is what a segment of the same size and
    // maximum that never saw a kill has, less at most one small block per kill (a block a
    // killed process took from a size-class list is lost, as documented); name-index
    // tables that were in flight come back.
    for n in &named_objects(&seg) {
        assert!(
            seg.destroy(InstanceKind::Named, n, None, &mut |_, _| {})
                .unwrap()
        );
    }
    let twin_name = unique("ipgrow", "kill_twin");
    let _rm_twin = Remove(twin_name.clone());
    let twin = create(&twin_name, 64 * KIB, 256 * MIB);
    twin.grow(seg.size() as u64 - 64 * KIB).unwrap();
    assert_eq!(twin.size(), seg.size());
    let (free, fresh) = (seg.free_memory().unwrap(), twin.free_memory().unwrap());
    let lost = fresh.saturating_sub(free);
    eprintln!("after {kills} kills and every object destroyed: {lost} bytes lost");
    assert!(
        lost <= kills as usize * 4112,
        "{lost} bytes lost after {kills} kills"
    );
}

/// The names of every named object `seg` lists.
fn named_objects(seg: &ManagedSharedMemory) -> Vec<Vec<u8>> {
    let mut names = Vec::new();
    let mut cursor = 0;
    while let Some((next, _, name, len)) = seg.next_object(InstanceKind::Named, cursor).unwrap() {
        // SAFETY: the name's `len` bytes lie in the segment, which outlives this read.
        names.push(unsafe { std::slice::from_raw_parts(name, len) }.to_vec());
        cursor = next;
    }
    names
}

fn counter<'a>(seg: &'a ManagedSharedMemory, tag: &[u8]) -> &'a AtomicU64 {
    let o = seg
        .find(InstanceKind::Named, tag, Some(8))
        .unwrap()
        .unwrap();
    // SAFETY: an 8-aligned u64 in the segment, used only atomically, which lives as long
    // as the mapping.
    unsafe { &*o.ptr.as_ptr().cast::<AtomicU64>() }
}

/// The child of [`processes_killed_while_growing_leave_a_sane_segment_with_every_object`]:
/// constructs objects of 4 KiB (`g0`, `g1`, ... from the count in `made`) and grows the
/// segment by 16 KiB after each, until it is killed or the segment is full.
#[test]
fn grower_child() {
    let Ok(name) = std::env::var("INTERPROC_GROWTH_NAME") else {
        return;
    };
    let seg = ManagedSharedMemory::open(&name).unwrap();
    let made = counter(&seg, b"made");
    counter(&seg, b"runs").fetch_add(1, Ordering::AcqRel);
    loop {
        let i = made.load(Ordering::Acquire);
        let n = format!("g{i}");
        let created = seg.construct(
            InstanceKind::Named,
            n.as_bytes(),
            1,
            8,
            4096,
            true,
            &mut |p, _| {
                // SAFETY: 4 KiB of the fresh object.
                unsafe { p.as_ptr().cast::<u64>().write(i) };
                Ok(())
            },
        );
        match created {
            Ok(_) => made.store(i + 1, Ordering::Release),
            Err(e) if e.kind() == ErrorKind::OutOfMemory => return,
            Err(e) => panic!("{e}"),
        }
        match seg.grow(16 * KIB) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Size => return,
            Err(e) => panic!("{e}"),
        }
    }
}

/// A size word larger than the heap (written by a stray or hostile process, over an object
/// it sized with `ftruncate`, which reserves nothing) does not make a growth reserve from
/// it: the growth reserves from where the heap ends, so no page the heap will hand out is
/// left unreserved, to fault on first use when `/dev/shm` is full.
#[test]
fn a_growth_reserves_from_the_heaps_end() {
    let name = unique("ipgrow", "real_length");
    let _rm = Remove(name.clone());
    let seg = create(&name, 64 * KIB, MIB);
    // Sized by a bare `ftruncate`, which reserves nothing (interproc's own truncate does).
    let path = format!("/dev/shm/{name}");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(512 * KIB)
        .unwrap();
    set_header_word(&name, SIZE_AT, 512 * KIB);
    seg.grow(64 * KIB).unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.len(), 576 * KIB);
    // Every byte from the heap's old end (within the first 64 KiB) to the new size is
    // allocated: at least 512 KiB, where reserving from the size word would give 64 KiB.
    let allocated = std::os::unix::fs::MetadataExt::blocks(&meta) * 512;
    assert!(allocated >= 512 * KIB, "{allocated} bytes allocated");
    seg.check_sanity().unwrap();
}

/// A growable segment's last allocation expands in place by growing the segment, so a
/// container that grows at the end is never copied; an allocation with a used block after
/// it does not grow the segment.
#[test]
fn an_allocation_at_the_end_expands_in_place_by_growing_the_segment() {
    const K: usize = 1024;
    const M: usize = 1024 * K;
    let name = unique("ipgrow", "expand");
    let _rm = Remove(name.clone());
    let seg = create(&name, 64 * KIB, 4 * MIB);
    let a = seg.allocate(16 * K).unwrap().unwrap();
    let b = seg.allocate(16 * K).unwrap().unwrap();
    // `b` reaches the end; expanding it past the segment's size grows the segment.
    let got = seg.expand_in_place(b.as_ptr(), 256 * K, 512 * K);
    assert!(got.unwrap() >= 256 * K);
    assert!(seg.size() > 256 * K && seg.generation() >= 1);
    // `a` has `b` right after it: it cannot expand, and the segment stays as it is.
    let (size, generation) = (seg.size(), seg.generation());
    let got = seg.expand_in_place(a.as_ptr(), size * 2, size * 2);
    assert!(got.unwrap() < size * 2);
    assert_eq!((seg.size(), seg.generation()), (size, generation));
    // Past the maximum, `b` does not expand and nothing breaks.
    let got = seg.expand_in_place(b.as_ptr(), 8 * M, 8 * M);
    assert!(got.unwrap() < 8 * M);
    seg.check_sanity().unwrap();
}
