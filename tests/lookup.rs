//! Finding named objects without the segment lock: while other processes construct and
//! destroy names (regrowing and dropping the index table), a finder never sees a wrong
//! object, never misses a name that stays, and a stuck or garbage sequence word only sends
//! finds back to the lock.

mod common;

use common::{Remove, Xorshift, aligned_buffer, bytes_of, unique};
use interproc::{ErrorKind, InstanceKind, ManagedExternalBuffer, ManagedSharedMemory, Permissions};
use std::process::Command;
use std::ptr::NonNull;
use std::time::{Duration, Instant};

/// Where the index's sequence word lies in a segment (pinned by the library's layout test).
const INDEX_SEQ: usize = 36;
const KEEP: u64 = 200;

fn make(seg: &ManagedSharedMemory, name: &str, value: u64) -> bool {
    seg.construct(
        InstanceKind::Named,
        name.as_bytes(),
        8,
        8,
        1,
        false,
        &mut |p: NonNull<u8>, _| {
            // SAFETY: room for one u64, fresh.
            unsafe { p.as_ptr().cast::<u64>().write(value) };
            Ok(())
        },
    )
    .is_ok()
}

fn value_of(seg: &ManagedSharedMemory, name: &str) -> Option<u64> {
    let info = seg
        .find(InstanceKind::Named, name.as_bytes(), Some(8))
        .unwrap()?;
    // SAFETY: a constructed u64.
    Some(unsafe { info.ptr.as_ptr().cast::<u64>().read() })
}

/// Child: constructs and destroys `temp_<k>` names (value k) for a while.
#[test]
fn lookup_writer_child() {
    let Ok(name) = std::env::var("INTERPROC_LOOKUP_WRITER") else {
        return;
    };
    let seg = ManagedSharedMemory::open(&name).unwrap();
    let until = Instant::now() + Duration::from_millis(1500);
    let mut k = 0u64;
    while Instant::now() < until {
        for j in 0..64 {
            assert!(make(&seg, &format!("temp_{}", k + j), k + j));
        }
        for j in 0..64 {
            let n = format!("temp_{}", k + j);
            assert!(
                seg.destroy(InstanceKind::Named, n.as_bytes(), None, &mut |_, _| ())
                    .unwrap()
            );
        }
        k = (k + 64) % 4096;
    }
}

/// Child: finds the kept names and whatever temporary names it can, checking values.
#[test]
fn lookup_finder_child() {
    let Ok(name) = std::env::var("INTERPROC_LOOKUP_FINDER") else {
        return;
    };
    let seg = ManagedSharedMemory::open(&name).unwrap();
    let until = Instant::now() + Duration::from_millis(1500);
    let (mut finds, mut temps, mut raced) = (0u64, 0u64, 0u64);
    let mut rng = Xorshift(std::process::id() as u64 | 1);
    while Instant::now() < until {
        let x = rng.next();
        let i = x % KEEP;
        assert_eq!(value_of(&seg, &format!("keep_{i}")), Some(i), "a kept name");
        let t = x % 4096;
        let temp = format!("temp_{t}");
        if let Some(v) = value_of(&seg, &temp) {
            if v != t {
                // The value is read after the find, without the lock: the writer may have
                // destroyed the name and given its block to another meanwhile (a use after
                // destroy in this test, not a wrong find). A wrong find would give the
                // wrong value again; a race gives the right one, or no object at all.
                let again = value_of(&seg, &temp);
                assert!(
                    again.is_none_or(|w| w == t),
                    "a temporary name found with another's value: {v}, then {again:?}, for {t}"
                );
                raced += 1;
            }
            temps += 1;
        }
        finds += 1;
    }
    println!("FINDER {finds} finds, {temps} temporary names seen, {raced} read after a destroy");
}

#[test]
fn finds_stay_right_while_other_processes_change_the_index() {
    let name = unique("lookup", "race");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 16 << 20, Permissions::default()).unwrap();
    for i in 0..KEEP {
        assert!(make(&seg, &format!("keep_{i}"), i));
    }
    let spawn = |test: &str, var: &str| {
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env(var, &name)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut writer = spawn("lookup_writer_child", "INTERPROC_LOOKUP_WRITER");
    let mut finders: Vec<_> = (0..2)
        .map(|_| spawn("lookup_finder_child", "INTERPROC_LOOKUP_FINDER"))
        .collect();
    assert!(common::wait_bounded(&mut writer, Duration::from_secs(60)).success());
    for f in &mut finders {
        assert!(common::wait_bounded(f, Duration::from_secs(60)).success());
    }
    for f in finders {
        let out = f.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("FINDER"), "{said}");
        println!("{}", said.trim());
    }
    for i in 0..KEEP {
        assert_eq!(value_of(&seg, &format!("keep_{i}")), Some(i));
    }
    assert_eq!(seg.num_named_objects().unwrap(), KEEP as usize);
    seg.check_sanity().unwrap();
}

#[test]
fn a_stuck_or_garbage_sequence_only_sends_finds_to_the_lock() {
    let mut buf = aligned_buffer(256 << 10);
    let bytes = bytes_of(&mut buf);
    let base = bytes.as_mut_ptr();
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let set_seq = |v: u32| {
        // SAFETY: the sequence word lies in the header, 4-aligned; nothing else runs.
        unsafe { base.add(INDEX_SEQ).cast::<u32>().write(v) };
    };
    seg.construct(
        InstanceKind::Named,
        b"x",
        8,
        8,
        1,
        false,
        &mut |_, _| Ok(()),
    )
    .unwrap();
    // A writer killed half-way leaves the word odd: finds still answer (under the lock).
    for v in [1, 0xFFFF_FFFF, 12345] {
        set_seq(v);
        assert!(seg.find(InstanceKind::Named, b"x", None).unwrap().is_some());
        assert!(seg.find(InstanceKind::Named, b"y", None).unwrap().is_none());
    }
    // A change in the middle of that still finds and registers as usual.
    set_seq(7);
    seg.construct(
        InstanceKind::Named,
        b"y",
        8,
        8,
        1,
        false,
        &mut |_, _| Ok(()),
    )
    .unwrap();
    assert!(seg.find(InstanceKind::Named, b"y", None).unwrap().is_some());
    // Back to even, finds take the unlocked path again and agree.
    set_seq(8);
    assert!(seg.find(InstanceKind::Named, b"x", None).unwrap().is_some());
    assert!(seg.find(InstanceKind::Named, b"y", None).unwrap().is_some());
}

/// A construction whose initialiser constructs another object (under the recursive lock)
/// keeps the word odd until the outer one is done: the inner end must not even it.
#[test]
fn a_nested_construction_keeps_the_change_open() {
    let mut buf = aligned_buffer(256 << 10);
    let bytes = bytes_of(&mut buf);
    let base = bytes.as_mut_ptr();
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    // SAFETY: the sequence word lies in the header, 4-aligned.
    let seq = || unsafe { base.add(INDEX_SEQ).cast::<u32>().read_volatile() };
    let before = seq();
    assert_eq!(before % 2, 0);
    let mut seen = Vec::new();
    seg.construct(
        InstanceKind::Named,
        b"outer",
        8,
        8,
        1,
        false,
        &mut |_, _| {
            seen.push(seq());
            seg.construct(
                InstanceKind::Named,
                b"inner",
                8,
                8,
                1,
                false,
                &mut |_, _| Ok(()),
            )?;
            seen.push(seq());
            Ok(())
        },
    )
    .unwrap();
    assert!(seen.iter().all(|s| s % 2 == 1), "{seen:?}");
    assert_eq!(seq() % 2, 0);
    assert_ne!(seq(), before);
    assert!(
        seg.find(InstanceKind::Named, b"inner", None)
            .unwrap()
            .is_some()
    );
    assert!(
        seg.find(InstanceKind::Named, b"outer", None)
            .unwrap()
            .is_some()
    );
}

/// Where the index's table offset and slot count lie in a segment (pinned by the library's
/// layout test), and the layout of a slot: a 24-bit fingerprint over a 40-bit offset in
/// 16-byte units.
const INDEX_TABLE: usize = 80;
const INDEX_CAPACITY: usize = 88;
const OFFSET_MASK: u64 = (1 << 40) - 1;

fn construct_u64(seg: &ManagedExternalBuffer, name: &str) -> *mut u8 {
    seg.construct(
        InstanceKind::Named,
        name.as_bytes(),
        8,
        8,
        1,
        false,
        &mut |_, _| Ok(()),
    )
    .unwrap()
    .0
    .ptr
    .as_ptr()
}

/// A slot that names a header where there is none (past the segment, inside an object's
/// elements, inside the segment header) makes a find of its name
/// fail with `Corrupted`, on the unlocked path and the locked one alike, and never crash; a
/// fingerprint that no longer matches only hides the name. Restored, the slot works again.
#[test]
fn a_corrupt_compact_slot_is_reported_not_followed() {
    let mut buf = aligned_buffer(256 << 10);
    let bytes = bytes_of(&mut buf);
    let base = bytes.as_mut_ptr();
    let seg = ManagedExternalBuffer::create(bytes).unwrap();
    let object = construct_u64(&seg, "x");
    // SAFETY: the two fields lie in the segment header, 8-aligned; nothing else runs.
    let (table, cap) = unsafe {
        (
            base.add(INDEX_TABLE).cast::<u64>().read(),
            base.add(INDEX_CAPACITY).cast::<u64>().read(),
        )
    };
    // SAFETY (all slot accesses below): slot `i < cap` of the table, 8-aligned, in the buffer.
    let slot = |i: u64| unsafe { base.add((table + 8 * i) as usize).cast::<u64>() };
    let i = (0..cap).find(|&i| unsafe { slot(i).read() } > 1).unwrap();
    let good = unsafe { slot(i).read() };
    let fp = good & !OFFSET_MASK;
    let object_units = (object as u64 - base as u64) / 16;
    for units in [OFFSET_MASK, (256 << 10) / 16, object_units, 2, 5] {
        unsafe { slot(i).write(fp | units) };
        let e = seg.find(InstanceKind::Named, b"x", None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Corrupted, "{units}: {e}");
        assert!(seg.check_sanity().is_err());
    }
    unsafe { slot(i).write(good ^ (1 << 63)) };
    assert!(seg.find(InstanceKind::Named, b"x", None).unwrap().is_none());
    assert_eq!(seg.check_sanity().unwrap_err().kind(), ErrorKind::Corrupted);
    unsafe { slot(i).write(good) };
    assert!(seg.find(InstanceKind::Named, b"x", None).unwrap().is_some());
    seg.check_sanity().unwrap();
}

/// Names come and go through regrowths and tombstone clean-ups of the compact table: every
/// name that stays is found, every one destroyed is not, the index checks out after each
/// round, and with every object destroyed the segment has its first free memory again.
#[test]
fn the_compact_table_keeps_every_name_through_churn() {
    let mut buf = aligned_buffer(4 << 20);
    let seg = ManagedExternalBuffer::create(bytes_of(&mut buf)).unwrap();
    let free = seg.free_memory().unwrap();
    let name = |round: usize, k: usize| format!("r{round}_{k}");
    const N: usize = 3000;
    for round in 0..4 {
        for k in 0..N {
            construct_u64(&seg, &name(round, k));
        }
        if round > 0 {
            // The odd names of the round before go: tombstones among live names.
            for k in (1..N).step_by(2) {
                assert!(
                    seg.destroy(
                        InstanceKind::Named,
                        name(round - 1, k).as_bytes(),
                        None,
                        &mut |_, _| {}
                    )
                    .unwrap()
                );
            }
        }
        seg.check_sanity().unwrap();
        for k in 0..N {
            let found = |r: usize| {
                seg.find(InstanceKind::Named, name(r, k).as_bytes(), None)
                    .unwrap()
                    .is_some()
            };
            assert!(found(round));
            if round > 0 {
                assert_eq!(found(round - 1), k % 2 == 0, "{}", name(round - 1, k));
            }
        }
    }
    // Left: every name of the last round, the even ones of the others.
    for round in 0..4 {
        for k in (0..N).filter(|k| round == 3 || k % 2 == 0) {
            let n = name(round, k);
            assert!(
                seg.destroy(InstanceKind::Named, n.as_bytes(), None, &mut |_, _| {})
                    .unwrap()
            );
        }
    }
    seg.check_sanity().unwrap();
    assert_eq!(seg.free_memory().unwrap(), free);
}
