//! The typed Rust API: Shareable values as named objects, SharedMutex and SharedCondvar,
//! typed queues; across real processes, with exact totals and bounded waits.

use interproc::prelude::*;
use interproc::{
    ErrorKind, LockError, ManagedHeapMemory, ManagedSharedMemory, MessageQueue, OpenMode,
    Permissions, SharedCondvar, SharedMutex,
};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

interproc::shareable! {
    /// What the processes share.
    pub struct Board {
        pub hits: AtomicU64,
        pub ready: AtomicU32,
        pub flags: [u8; 4],
        pub scale: f64,
    }
}

interproc::shareable! {
    /// One message.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Reading {
        pub seq: u64,
        pub value: f64,
        pub sensor: u32,
        pub pad: u32,
    }
}

mod common;
use common::{Remove, child_role, spawn_child as spawn, wait_child_ok as wait_ok};

fn unique(tag: &str) -> String {
    common::unique("ipt_typed", tag)
}

const ROUNDS: u64 = 5_000;
const CHILDREN: u64 = 4;

/// The other processes; does nothing in a normal run.
#[test]
fn child() {
    let Some((role, name)) = child_role() else {
        return;
    };
    if role == "send" {
        let q = MessageQueue::open(&name).unwrap();
        for seq in 0..ROUNDS {
            let r = Reading {
                seq,
                value: seq as f64 * 0.5,
                sensor: (seq % 3) as u32,
                pad: 0,
            };
            q.send_value(&r, 1).unwrap();
        }
        return;
    }
    let seg = ManagedSharedMemory::open(&name).unwrap();
    match role.as_str() {
        "count" => {
            let board = seg.find::<Board>("board").unwrap().unwrap();
            let total = seg.find::<SharedMutex<u64>>("total").unwrap().unwrap();
            for _ in 0..ROUNDS {
                board.hits.fetch_add(1, Ordering::Relaxed);
                *total.lock().unwrap() += 1;
            }
        }
        "die_holding" => {
            let total = seg.find::<SharedMutex<u64>>("total").unwrap().unwrap();
            let mut g = total.lock().unwrap();
            *g = 777;
            std::mem::forget(g);
            std::process::exit(0);
        }
        "read_only" => read_only_child(&name),
        "wrong_types" => {
            // `destroy` needs `&mut`: a second mapping of the same segment.
            let mut other = ManagedSharedMemory::open(&name).unwrap();
            check_wrong_types(&seg, &mut other);
        }
        "hold_until_killed" => {
            let total = seg.find::<SharedMutex<u64>>("total").unwrap().unwrap();
            let ready = seg.find::<AtomicU32>("ready").unwrap().unwrap();
            let mut g = total.lock().unwrap();
            *g = 555;
            ready.store(1, Ordering::Release);
            std::thread::sleep(Duration::from_secs(60));
            unreachable!("killed before waking");
        }
        "signal" => {
            let state = seg.find::<SharedMutex<u64>>("state").unwrap().unwrap();
            let cv = seg.find::<SharedCondvar>("changed").unwrap().unwrap();
            std::thread::sleep(Duration::from_millis(50));
            *state.lock().unwrap() = 42;
            cv.notify_all().unwrap();
        }
        other => panic!("unknown role {other}"),
    }
}

#[test]
fn named_objects_by_type_with_checks() {
    let mut seg = ManagedHeapMemory::new(1 << 16).unwrap();
    let board = seg
        .construct(
            "board",
            Board {
                hits: AtomicU64::new(3),
                ready: AtomicU32::new(0),
                flags: [1, 2, 3, 4],
                scale: 2.5,
            },
        )
        .unwrap();
    board.hits.fetch_add(1, Ordering::Relaxed);
    let again = seg.find::<Board>("board").unwrap().unwrap();
    assert_eq!(again.hits.load(Ordering::Relaxed), 4);
    assert_eq!((again.flags, again.scale), ([1, 2, 3, 4], 2.5));
    assert!(std::ptr::eq(board, again));
    // Another type of another size: an error, nothing changed.
    let e = seg.find::<u64>("board").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert_eq!(seg.find::<u32>("nothing").unwrap(), None);
    // Taken names, find_or_construct, slices, unique and anonymous objects.
    let e = seg.construct("board", 0u64).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    let n = seg.find_or_construct("n", || 5u32).unwrap();
    assert_eq!(*n, 5);
    assert_eq!(*seg.find_or_construct("n", || 9u32).unwrap(), 5);
    let squares = seg
        .construct_slice("squares", 6, |i| (i * i) as u64)
        .unwrap();
    assert_eq!(squares, &[0, 1, 4, 9, 16, 25]);
    assert_eq!(seg.find_slice::<u64>("squares").unwrap().unwrap().len(), 6);
    let e = seg.find::<u64>("squares").unwrap_err();
    assert!(e.message().contains("array of 6"), "{e}");
    let u = seg.construct_unique(AtomicU32::new(7)).unwrap();
    assert_eq!(u.load(Ordering::Relaxed), 7);
    assert!(seg.find_unique::<AtomicU32>().unwrap().is_some());
    let a = seg.construct_anonymous([1.5f32; 3]).unwrap();
    assert_eq!(*a, [1.5; 3]);
    assert_eq!(seg.num_named_objects().unwrap(), 3);
    // Destroying: by the right type only; then the name is free.
    assert!(seg.destroy::<u64>("board").is_err());
    assert!(seg.find::<Board>("board").unwrap().is_some());
    assert!(seg.destroy::<Board>("board").unwrap());
    assert!(!seg.destroy::<Board>("board").unwrap());
    assert!(seg.destroy::<u64>("squares").unwrap());
    assert!(seg.destroy_unique::<AtomicU32>().unwrap());
    assert!(seg.find::<Board>("board").unwrap().is_none());
}

#[test]
fn a_read_only_segment_refuses_to_construct() {
    let name = unique("ro");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 16, Permissions::default()).unwrap();
    seg.construct("x", 1u64).unwrap();
    let ro =
        ManagedSharedMemory::new(OpenMode::OpenReadOnly, &name, 0, Permissions::default()).unwrap();
    assert_eq!(*ro.find::<u64>("x").unwrap().unwrap(), 1);
    let e = ro.construct("y", 2u64).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Mode, "{e}");
    assert_eq!(seg.find::<u64>("y").unwrap(), None);
}

#[test]
fn processes_count_exactly_through_atomics_and_a_shared_mutex() {
    let name = unique("count");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 16, Permissions::default()).unwrap();
    seg.construct(
        "board",
        Board {
            hits: AtomicU64::new(0),
            ready: AtomicU32::new(0),
            flags: [0; 4],
            scale: 1.0,
        },
    )
    .unwrap();
    let total = seg.construct("total", SharedMutex::new(0u64)).unwrap();
    let children: Vec<_> = (0..CHILDREN).map(|_| spawn("count", &name)).collect();
    for c in children {
        wait_ok(c);
    }
    let board = seg.find::<Board>("board").unwrap().unwrap();
    assert_eq!(board.hits.load(Ordering::Relaxed), CHILDREN * ROUNDS);
    assert_eq!(*total.lock().unwrap(), CHILDREN * ROUNDS);
}

#[test]
fn a_dead_owner_surfaces_like_poisoning() {
    let name = unique("dead");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 16, Permissions::default()).unwrap();
    let total = seg.construct("total", SharedMutex::new(1u64)).unwrap();
    wait_ok(spawn("die_holding", &name));
    match total.lock() {
        Err(LockError::OwnerDied(mut g)) => {
            assert_eq!(*g, 777, "the dead owner's write is reachable");
            *g = 1;
        }
        other => panic!("expected OwnerDied, got {:?}", other.map(|g| *g)),
    }
    // Told once; the lock works on.
    assert_eq!(*total.lock().unwrap(), 1);
    assert!(total.try_lock().unwrap().is_some());
}

#[test]
fn a_condvar_waits_with_the_guard_across_processes() {
    let name = unique("cv");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 16, Permissions::default()).unwrap();
    let state = seg.construct("state", SharedMutex::new(0u64)).unwrap();
    let cv = seg.construct("changed", SharedCondvar::new()).unwrap();
    let child = spawn("signal", &name);
    let g = state.lock().unwrap();
    let t = Instant::now();
    let mut g = g;
    while *g != 42 {
        let (g2, _) = cv.wait_timeout(g, Duration::from_secs(1)).unwrap();
        g = g2;
        assert!(t.elapsed() < Duration::from_secs(30), "never signalled");
    }
    drop(g);
    wait_ok(child);
    // A timed wait with nobody to signal times out and gives the guard back.
    let (g, timed_out) = cv
        .wait_timeout(state.lock().unwrap(), Duration::from_millis(20))
        .unwrap();
    assert!(timed_out);
    assert_eq!(*g, 42);
}

#[test]
fn typed_queues_across_processes_and_their_checks() {
    let name = unique("mq");
    let _r = Remove(name.clone());
    let size = std::mem::size_of::<Reading>();
    let q = MessageQueue::create(&name, 64, size, Permissions::default()).unwrap();
    let child = spawn("send", &name);
    let mut next = 0u64;
    while next < ROUNDS {
        let (r, prio) = q
            .recv_timeout::<Reading>(Duration::from_secs(30))
            .unwrap()
            .expect("the sender stalled");
        assert_eq!(prio, 1);
        assert_eq!(
            r,
            Reading {
                seq: next,
                value: next as f64 * 0.5,
                sensor: (next % 3) as u32,
                pad: 0
            }
        );
        next += 1;
    }
    wait_ok(child);
    assert_eq!(q.try_receive_value::<Reading>().unwrap(), None);
    // A value larger than the messages, and a message of another size: Size errors.
    let e = q.send_value(&[0u64; 8], 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Size, "{e}");
    q.send(b"short", 0).unwrap();
    let e = q.receive_value::<Reading>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Size, "{e}");
    // Smaller values travel in larger messages only if the sizes match exactly.
    q.send_value(&7u64, 3).unwrap();
    assert!(q.receive_value::<u32>().is_err());
    for i in 0..5u64 {
        assert!(q.try_send_value(&i, (i % 2) as u32).unwrap());
    }
    let got: Vec<(u64, u32)> = q.try_iter::<u64>().map(|r| r.unwrap()).collect();
    assert_eq!(got, vec![(1, 1), (3, 1), (0, 0), (2, 0), (4, 0)]);
}

mod tags {
    // Two structs of one layout and one spelling apart, for the tag tests.
    interproc::shareable! {
        pub struct Celsius {
            pub value: f64,
        }
    }
    interproc::shareable! {
        pub struct Fahrenheit {
            pub value: f64,
        }
    }
    pub mod spelled_out {
        interproc::shareable! {
            pub struct Counter {
                pub n: std::sync::atomic::AtomicU64,
            }
        }
    }
    pub mod imported {
        use std::sync::atomic::AtomicU64;
        interproc::shareable! {
            pub struct Counter {
                pub n: AtomicU64,
            }
        }
    }
}

/// Objects of one size but another type are told apart by their type tag; objects built
/// without one (from C, C++ or the raw API) are checked by size and alignment only.
#[test]
fn type_tags_tell_apart_types_of_one_size() {
    use interproc::{InstanceKind, Shareable};
    let mut seg = ManagedHeapMemory::new(1 << 16).unwrap();
    seg.construct("count", 7u64).unwrap();
    for e in [
        seg.find::<f64>("count").unwrap_err(),
        seg.find::<i64>("count").unwrap_err(),
        seg.find_or_construct::<f64>("count", || 1.0).unwrap_err(),
        seg.destroy::<f64>("count").unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert!(e.message().contains("type tag"), "{e}");
    }
    // Nothing changed: the object is still there, and found as what it is.
    assert_eq!(*seg.find::<u64>("count").unwrap().unwrap(), 7);

    seg.construct("temp", tags::Celsius { value: 21.5 })
        .unwrap();
    assert!(seg.find::<tags::Fahrenheit>("temp").is_err());
    assert_eq!(
        seg.find::<tags::Celsius>("temp").unwrap().unwrap().value,
        21.5
    );
    // A struct's tag comes from its name, its fields' names and their types' tags, not
    // from how the types are spelled.
    assert_eq!(
        tags::spelled_out::Counter::TYPE_TAG,
        tags::imported::Counter::TYPE_TAG
    );
    assert_ne!(tags::Celsius::TYPE_TAG, tags::Fahrenheit::TYPE_TAG);
    seg.construct_slice("quad", 4, |i| i as u32).unwrap();
    assert!(seg.find_slice::<f32>("quad").is_err());
    assert_eq!(
        seg.find_slice::<u32>("quad").unwrap().unwrap(),
        &[0, 1, 2, 3]
    );
    assert_ne!(<[u32; 4]>::TYPE_TAG, <[f32; 4]>::TYPE_TAG);

    // Built without a tag (as C and C++ do): any type of its size and alignment finds it.
    let raw: &interproc::SegmentManager = &seg;
    raw.construct(InstanceKind::Named, b"raw", 8, 8, 1, false, &mut |_, _| {
        Ok(())
    })
    .unwrap();
    assert!(seg.find::<u64>("raw").unwrap().is_some());
    assert!(seg.find::<f64>("raw").unwrap().is_some());
    assert!(seg.destroy::<f64>("raw").unwrap());
    assert!(seg.destroy::<u64>("count").unwrap());
}

/// The objects the soundness tests share: a counter, a lock, a board (a struct with
/// atomics) and plain numbers.
fn soundness_segment(name: &str) -> ManagedSharedMemory {
    let seg = ManagedSharedMemory::create(name, 1 << 16, Permissions::default()).unwrap();
    seg.construct("counter", AtomicU64::new(1)).unwrap();
    seg.construct("total", SharedMutex::new(2u64)).unwrap();
    seg.construct("changed", SharedCondvar::new()).unwrap();
    seg.construct("plain", 3u64).unwrap();
    seg.construct_slice("atomics", 3, |i| AtomicU32::new(i as u32))
        .unwrap();
    seg.construct(
        "board",
        Board {
            hits: AtomicU64::new(0),
            ready: AtomicU32::new(0),
            flags: [1, 2, 3, 4],
            scale: 1.0,
        },
    )
    .unwrap();
    seg
}

/// `seg`'s objects hold what [`soundness_segment`] put there.
fn unchanged(seg: &ManagedSharedMemory) {
    assert_eq!(
        seg.find::<AtomicU64>("counter")
            .unwrap()
            .unwrap()
            .load(Ordering::Relaxed),
        1
    );
    assert_eq!(
        *seg.find::<SharedMutex<u64>>("total")
            .unwrap()
            .unwrap()
            .lock()
            .unwrap(),
        2
    );
    assert!(seg.find::<SharedCondvar>("changed").unwrap().is_some());
}

/// In a process of its own (a fault would kill it): on a read-only mapping, every find of
/// an interior-mutable type is a `Mode` error, and plain types are found.
fn read_only_child(name: &str) {
    let ro =
        ManagedSharedMemory::new(OpenMode::OpenReadOnly, name, 0, Permissions::default()).unwrap();
    for e in [
        ro.find::<AtomicU64>("counter").map(|_| ()).unwrap_err(),
        ro.find::<SharedMutex<u64>>("total")
            .map(|_| ())
            .unwrap_err(),
        ro.find::<SharedCondvar>("changed").map(|_| ()).unwrap_err(),
        ro.find::<Board>("board").map(|_| ()).unwrap_err(),
        ro.find_slice::<AtomicU32>("atomics")
            .map(|_| ())
            .unwrap_err(),
        ro.find_or_construct("total", || SharedMutex::new(0u64))
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Mode, "{e}");
    }
    assert_eq!(*ro.find::<u64>("plain").unwrap().unwrap(), 3);
    let view = ro.read_only_view();
    assert_eq!(*view.find::<u64>("plain").unwrap().unwrap(), 3);
    assert_eq!(view.find::<u64>("nothing").unwrap(), None);
    let e = view.find::<f64>("plain").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
}

#[test]
fn a_read_only_segment_hands_out_no_interior_mutability() {
    let name = unique("ro_interior");
    let _r = Remove(name.clone());
    let seg = soundness_segment(&name);
    wait_ok(spawn("read_only", &name));
    // Nothing changed.
    unchanged(&seg);
}

/// A copy-on-write mapping is writable in this process: atomics and locks work on it, and
/// what it changes stays in this process.
#[test]
fn a_copy_on_write_segment_is_writable_here_only() {
    let name = unique("cow");
    let _r = Remove(name.clone());
    let seg = soundness_segment(&name);
    let cow = ManagedSharedMemory::new(OpenMode::OpenCopyOnWrite, &name, 0, Permissions::default())
        .unwrap();
    let counter = cow.find::<AtomicU64>("counter").unwrap().unwrap();
    assert_eq!(counter.fetch_add(10, Ordering::Relaxed), 1);
    *cow.find::<SharedMutex<u64>>("total")
        .unwrap()
        .unwrap()
        .lock()
        .unwrap() = 20;
    cow.construct("private", 5u32).unwrap();
    assert_eq!(counter.load(Ordering::Relaxed), 11);
    assert_eq!(
        *cow.find::<SharedMutex<u64>>("total")
            .unwrap()
            .unwrap()
            .lock()
            .unwrap(),
        20
    );
    // The shared segment saw none of it.
    unchanged(&seg);
    assert_eq!(seg.find::<u32>("private").unwrap(), None);
}

/// Every find and destroy of another type of the same size fails and changes nothing:
/// `seg` finds, `for_destroy` destroys (two mappings of one segment).
fn check_wrong_types(seg: &ManagedSharedMemory, for_destroy: &mut ManagedSharedMemory) {
    const MUTEX_U64: usize = std::mem::size_of::<SharedMutex<u64>>();
    let wrong: Vec<(&str, interproc::Error)> = vec![
        (
            "total",
            seg.find::<SharedMutex<f64>>("total")
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "total",
            seg.find::<SharedMutex<i64>>("total")
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "total",
            seg.find::<[u64; MUTEX_U64 / 8]>("total")
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "total",
            seg.find_or_construct("total", || SharedMutex::new(0f64))
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "changed",
            seg.find::<interproc::InterprocessCondition>("changed")
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "counter",
            seg.find::<u64>("counter").map(|_| ()).unwrap_err(),
        ),
        (
            "plain",
            seg.find::<AtomicU64>("plain").map(|_| ()).unwrap_err(),
        ),
        (
            "total",
            for_destroy
                .destroy::<SharedMutex<f64>>("total")
                .unwrap_err(),
        ),
        (
            "total",
            for_destroy
                .destroy::<[u64; MUTEX_U64 / 8]>("total")
                .unwrap_err(),
        ),
        (
            "changed",
            for_destroy
                .destroy::<interproc::InterprocessCondition>("changed")
                .unwrap_err(),
        ),
        (
            "counter",
            for_destroy.destroy::<u64>("counter").unwrap_err(),
        ),
    ];
    for (name, e) in wrong {
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{name}: {e}");
        assert!(e.message().contains("type tag"), "{name}: {e}");
    }
    // Nothing changed: each is found as what it is.
    unchanged(seg);
}

#[test]
fn wrong_types_are_refused_in_this_process_and_another() {
    let name = unique("wrong");
    let _r = Remove(name.clone());
    let seg = soundness_segment(&name);
    let mut again = ManagedSharedMemory::open(&name).unwrap();
    check_wrong_types(&seg, &mut again);
    wait_ok(spawn("wrong_types", &name));
    // The right types still find and destroy them.
    assert!(again.destroy::<SharedMutex<u64>>("total").unwrap());
    assert!(again.destroy::<SharedCondvar>("changed").unwrap());
    assert!(again.destroy::<AtomicU64>("counter").unwrap());
}

/// A lock held by a process that is killed (SIGKILL) is taken over by the next locker,
/// told as poisoning is.
#[test]
fn an_owner_killed_while_holding_surfaces_like_poisoning() {
    let name = unique("killed");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 16, Permissions::default()).unwrap();
    let total = seg.construct("total", SharedMutex::new(1u64)).unwrap();
    let ready = seg.construct("ready", AtomicU32::new(0)).unwrap();
    let mut child = spawn("hold_until_killed", &name);
    let t = Instant::now();
    while ready.load(Ordering::Acquire) == 0 {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the child never locked"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut g = match total.lock_for(Duration::from_secs(30)) {
        Err(LockError::OwnerDied(Some(g))) => g,
        Err(e) => panic!("expected OwnerDied, got {e:?}"),
        Ok(g) => panic!("expected OwnerDied, got {:?}", g.map(|g| *g)),
    };
    assert_eq!(*g, 555, "the killed owner's write is reachable");
    *g = 1;
    drop(g);
    assert_eq!(*total.lock().unwrap(), 1);
}

/// A guard whose unlock fails (here: the lock was released behind its back) panics in a
/// debug build, and in every build the next lock reports it, once.
#[test]
fn a_failed_unlock_in_drop_is_never_silent() {
    let seg = ManagedHeapMemory::new(1 << 16).unwrap();
    let m = seg.construct("m", SharedMutex::new(9u32)).unwrap();
    let g = m.lock().unwrap();
    m.raw().unlock().unwrap();
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(g)));
    assert_eq!(
        dropped.is_err(),
        cfg!(debug_assertions),
        "a debug build panics"
    );
    match m.lock() {
        Err(LockError::Failed(e)) => assert!(e.message().contains("earlier unlock"), "{e}"),
        other => panic!("expected the recorded failure, got {other:?}"),
    }
    assert_eq!(*m.lock().unwrap(), 9, "reported once; the lock works on");
}

interproc::shareable! {
    /// No `Debug`: `lock().unwrap()` works all the same.
    pub struct Opaque {
        pub n: u64,
    }
}

#[test]
fn lock_results_unwrap_for_any_value_type() {
    let seg = ManagedHeapMemory::new(1 << 16).unwrap();
    let m = seg
        .construct("m", SharedMutex::new(Opaque { n: 1 }))
        .unwrap();
    m.lock().unwrap().n += 1;
    assert_eq!(m.try_lock().unwrap().unwrap().n, 2);
    assert_eq!(m.lock_for(Duration::from_secs(1)).unwrap().unwrap().n, 2);
    let cv = seg.construct("cv", SharedCondvar::new()).unwrap();
    let (g, timed_out) = cv
        .wait_timeout(m.lock().unwrap(), Duration::from_millis(1))
        .unwrap();
    assert!(timed_out && g.n == 2);
    let e: LockError<()> = LockError::Failed(interproc::Error::new(ErrorKind::Lock, "x"));
    assert!(format!("{e:?}").starts_with("Failed"));
    // The mutex and the condvar print without the value (nor taking the lock).
    assert!(format!("{m:?}").starts_with("SharedMutex"));
    assert!(format!("{cv:?}").starts_with("SharedCondvar"));
    // Guards are Sync, as std's are (and not Send: the compile-fail doctests).
    fn shared_between_threads<T: Sync>(_: &T) {}
    shared_between_threads(&g);
    drop(g);
    // So `find(..).unwrap_err()` works on them too.
    assert!(
        seg.find::<SharedMutex<u64>>("m")
            .unwrap_err()
            .message()
            .contains("type tag")
    );
}
