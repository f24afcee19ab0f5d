//! Finding named objects without the segment lock: while other processes construct and
//! destroy names (regrowing and dropping the index table), a finder never sees a wrong
//! object, never misses a name that stays, and a stuck or garbage sequence word only sends
//! finds back to the lock.

mod common;

use common::{Remove, aligned_buffer, bytes_of, unique};
use interproc::{InstanceKind, ManagedExternalBuffer, ManagedSharedMemory, Permissions};
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
    let mut x = std::process::id() as u64 | 1;
    while Instant::now() < until {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
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
