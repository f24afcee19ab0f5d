//! Synchronisation across real processes, from Rust.
//!
//! The test binary re-executes itself with `--exact child_entry`; `child_entry` acts only
//! when `IPSYNC_ROLE` is set. Every wait is bounded: a child that hangs is killed and the
//! test fails.

use interproc::sync::{Clock, Deadline, NamedSharableMutex, NamedUpgradableMutex};
use interproc::{
    Creation, ErrorKind, InterprocessMutex, LockOutcome, MappedRegion, Mode, NamedCondition,
    NamedMutex, NamedRecursiveMutex, NamedSemaphore, Permissions, SharedMemoryObject,
};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

mod common;
use common::wait_bounded;

fn unique(tag: &str) -> String {
    common::unique("ipsync_rs", tag)
}

/// A new named semaphore `{name}{suffix}` holding `initial`.
fn new_semaphore(name: &str, suffix: &str, initial: u32) -> NamedSemaphore {
    let full = format!("{name}{suffix}");
    NamedSemaphore::new(Creation::CreateOnly, &full, initial, Permissions::DEFAULT).unwrap()
}

/// A new named mutex `{name}{suffix}`.
fn new_mutex(name: &str, suffix: &str) -> NamedMutex {
    NamedMutex::new(
        Creation::CreateOnly,
        &format!("{name}{suffix}"),
        Permissions::DEFAULT,
    )
    .unwrap()
}

/// A new named recursive mutex `{name}{suffix}`.
fn new_recursive_mutex(name: &str, suffix: &str) -> NamedRecursiveMutex {
    let full = format!("{name}{suffix}");
    NamedRecursiveMutex::new(Creation::CreateOnly, &full, Permissions::DEFAULT).unwrap()
}

/// A new named condition `{name}{suffix}`.
fn new_condition(name: &str, suffix: &str) -> NamedCondition {
    let full = format!("{name}{suffix}");
    NamedCondition::new(Creation::CreateOnly, &full, Permissions::DEFAULT).unwrap()
}

const WORKERS: usize = 4;
const INCREMENTS: u64 = 20_000;
const ITEMS: u64 = 2_000;

fn spawn(role: &str, name: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_entry", "--nocapture", "--test-threads=1"])
        .env("IPSYNC_ROLE", role)
        .env("IPSYNC_NAME", name)
        .stdout(Stdio::null())
        .spawn()
        .expect("spawning a child")
}

/// Shared state of a test: a counter region and the names of its objects.
struct Region {
    _shm: SharedMemoryObject,
    region: MappedRegion,
}

impl Region {
    fn create(name: &str) -> Region {
        SharedMemoryObject::remove(name);
        let shm = SharedMemoryObject::create(name, Mode::ReadWrite, Permissions::DEFAULT).unwrap();
        shm.truncate(4096).unwrap();
        let region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
        Region { _shm: shm, region }
    }

    fn open(name: &str) -> Region {
        let shm = SharedMemoryObject::open(name, Mode::ReadWrite).unwrap();
        let region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
        Region { _shm: shm, region }
    }

    /// The word at `index` (relaxed atomics so plain increments under a lock are sound).
    fn word(&self, index: usize) -> &AtomicU64 {
        assert!(index < 256);
        // SAFETY: the region is 4096 bytes, page-aligned, and lives as long as `self`.
        unsafe { &*self.region.as_ptr().cast::<AtomicU64>().add(index) }
    }

    /// An anonymous mutex placed at byte 2048.
    fn mutex(&self) -> &InterprocessMutex {
        // SAFETY: 2048 is 8-aligned and inside the region; initialised by the creator.
        unsafe { &*self.region.as_ptr().add(2048).cast::<InterprocessMutex>() }
    }
}

#[test]
fn child_entry() {
    let Ok(role) = std::env::var("IPSYNC_ROLE") else {
        return;
    };
    let name = std::env::var("IPSYNC_NAME").unwrap();
    let region = Region::open(&name);
    match role.as_str() {
        "count" => {
            let m = NamedMutex::new(
                Creation::OpenOrCreate,
                &format!("{name}_mx"),
                Permissions::DEFAULT,
            )
            .unwrap();
            // Word 0 is guarded by the named mutex, word 1 by the anonymous one.
            for _ in 0..INCREMENTS {
                {
                    let _g = m.guard().unwrap();
                    let w = region.word(0);
                    w.store(w.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                }
                let _ = region.mutex().lock().unwrap();
                let w = region.word(1);
                w.store(w.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                region.mutex().unlock().unwrap();
            }
        }
        "hold" | "rhold" => {
            let held = NamedSemaphore::new(
                Creation::OpenOnly,
                &format!("{name}_held"),
                0,
                Permissions::DEFAULT,
            )
            .unwrap();
            let _keep: Box<dyn std::any::Any> = if role == "hold" {
                let m = NamedMutex::new(
                    Creation::OpenOnly,
                    &format!("{name}_dead"),
                    Permissions::DEFAULT,
                )
                .unwrap();
                let _ = m.lock().unwrap();
                Box::new(m)
            } else {
                let m = NamedRecursiveMutex::new(
                    Creation::OpenOnly,
                    &format!("{name}_rdead"),
                    Permissions::DEFAULT,
                )
                .unwrap();
                let _ = m.lock().unwrap();
                let _ = m.lock().unwrap();
                Box::new(m)
            };
            held.post().unwrap();
            loop {
                std::thread::sleep(Duration::from_secs(1)); // until SIGKILL
            }
        }
        "produce" => {
            let m = NamedMutex::new(
                Creation::OpenOnly,
                &format!("{name}_pmx"),
                Permissions::DEFAULT,
            )
            .unwrap();
            let c = NamedCondition::new(
                Creation::OpenOnly,
                &format!("{name}_pc"),
                Permissions::DEFAULT,
            )
            .unwrap();
            for i in 1..=ITEMS {
                let _ = m.lock().unwrap();
                // word 1: the slot (0 = empty)
                c.wait_while(&m, || region.word(1).load(Ordering::Relaxed) != 0)
                    .unwrap();
                region.word(1).store(i, Ordering::Relaxed);
                m.unlock().unwrap();
                c.notify_all().unwrap();
            }
        }
        "notify_die" => {
            // Notifies while holding the mutex, then dies holding it (SIGKILL).
            let held = NamedSemaphore::new(
                Creation::OpenOnly,
                &format!("{name}_held"),
                0,
                Permissions::DEFAULT,
            )
            .unwrap();
            let m = NamedMutex::new(
                Creation::OpenOnly,
                &format!("{name}_nmx"),
                Permissions::DEFAULT,
            )
            .unwrap();
            let c = NamedCondition::new(
                Creation::OpenOnly,
                &format!("{name}_nc"),
                Permissions::DEFAULT,
            )
            .unwrap();
            let _ = m.lock().unwrap();
            region.word(6).store(1, Ordering::Relaxed);
            c.notify_one().unwrap();
            held.post().unwrap();
            loop {
                std::thread::sleep(Duration::from_secs(1)); // until SIGKILL
            }
        }
        "rw" => {
            let m = NamedUpgradableMutex::new(
                Creation::OpenOrCreate,
                &format!("{name}_rw"),
                Permissions::DEFAULT,
            )
            .unwrap();
            // Word 2: the counter; word 3: 1 while a writer is inside; word 4: violations.
            for i in 0..INCREMENTS / 4 {
                if i % 2 == 0 {
                    let _ = m.lock().unwrap();
                    region.word(3).store(1, Ordering::Relaxed);
                    let w = region.word(2);
                    w.store(w.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                    region.word(3).store(0, Ordering::Relaxed);
                    m.unlock().unwrap();
                } else {
                    let _ = m.lock_sharable().unwrap();
                    if region.word(3).load(Ordering::Relaxed) != 0 {
                        region.word(4).fetch_add(1, Ordering::Relaxed);
                    }
                    m.unlock_sharable().unwrap();
                }
            }
        }
        "hold_rw" => {
            let held = NamedSemaphore::new(
                Creation::OpenOnly,
                &format!("{name}_held"),
                0,
                Permissions::DEFAULT,
            )
            .unwrap();
            let m = NamedSharableMutex::new(
                Creation::OpenOnly,
                &format!("{name}_srw"),
                Permissions::DEFAULT,
            )
            .unwrap();
            let _ = m.lock().unwrap();
            held.post().unwrap();
            loop {
                std::thread::sleep(Duration::from_secs(1)); // until SIGKILL
            }
        }
        "read_hold" | "read_wait" => {
            // Holds a sharable lock until killed, or gets killed while waiting for one.
            let held = NamedSemaphore::new(
                Creation::OpenOnly,
                &format!("{name}_held"),
                0,
                Permissions::DEFAULT,
            )
            .unwrap();
            let m = NamedSharableMutex::new(
                Creation::OpenOnly,
                &format!("{name}_srw"),
                Permissions::DEFAULT,
            )
            .unwrap();
            if role == "read_hold" {
                let _ = m.lock_sharable().unwrap();
                held.post().unwrap();
            } else {
                held.post().unwrap();
                let _ = m.lock_sharable().unwrap();
                // The parent kills this process before it lets readers in.
                region.word(5).store(1, Ordering::Relaxed);
            }
            loop {
                std::thread::sleep(Duration::from_secs(1)); // until SIGKILL
            }
        }
        other => panic!("unknown role {other}"),
    }
}

#[test]
fn four_processes_count_exactly() {
    let name = unique("count");
    let region = Region::create(&name);
    // SAFETY: byte 2048 of the fresh region is ours to initialise.
    unsafe { InterprocessMutex::init_at(region.region.as_ptr().add(2048).cast()) }.unwrap();
    NamedMutex::remove(&format!("{name}_mx"));
    let children: Vec<Child> = (0..WORKERS).map(|_| spawn("count", &name)).collect();
    for mut c in children {
        let status = wait_bounded(&mut c, Duration::from_secs(60));
        assert!(status.success(), "a child failed: {status:?}");
    }
    assert_eq!(
        region.word(0).load(Ordering::Relaxed),
        WORKERS as u64 * INCREMENTS
    );
    assert_eq!(
        region.word(1).load(Ordering::Relaxed),
        WORKERS as u64 * INCREMENTS
    );
    assert!(NamedMutex::remove(&format!("{name}_mx")));
    SharedMemoryObject::remove(&name);
}

#[test]
fn killed_owner_is_reported_and_the_mutex_recovers() {
    let name = unique("death");
    let _region = Region::create(&name);
    let held = new_semaphore(&name, "_held", 0);
    let m = new_mutex(&name, "_dead");
    let r = new_recursive_mutex(&name, "_rdead");
    for role in ["hold", "rhold"] {
        let mut child = spawn(role, &name);
        assert!(
            held.wait_for(Duration::from_secs(20)).unwrap(),
            "the child never took the lock"
        );
        if role == "hold" {
            assert_eq!(m.try_lock().unwrap(), None);
        } else {
            assert_eq!(r.try_lock().unwrap(), None);
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if role == "hold" {
            assert_eq!(m.lock().unwrap(), LockOutcome::OwnerDied);
            assert!(m.previous_owner_died());
            m.unlock().unwrap();
            assert_eq!(m.lock().unwrap(), LockOutcome::Acquired);
            m.unlock().unwrap();
        } else {
            assert_eq!(
                r.lock_for(Duration::from_secs(5)).unwrap(),
                Some(LockOutcome::OwnerDied)
            );
            r.unlock().unwrap();
            assert!(
                r.unlock().is_err(),
                "the dead owner's recursion must not carry over"
            );
            assert_eq!(r.lock().unwrap(), LockOutcome::Acquired);
            r.unlock().unwrap();
        }
    }
    for suffix in ["_held", "_dead", "_rdead"] {
        assert!(SharedMemoryObject::remove(&format!("{name}{suffix}")));
    }
    SharedMemoryObject::remove(&name);
}

#[test]
fn condition_hands_items_across_processes() {
    let name = unique("pc");
    let region = Region::create(&name);
    let m = new_mutex(&name, "_pmx");
    let c = new_condition(&name, "_pc");
    let mut child = spawn("produce", &name);
    let mut sum = 0;
    for i in 1..=ITEMS {
        let _ = m.lock().unwrap();
        while region.word(1).load(Ordering::Relaxed) == 0 {
            let w = c.wait_for(&m, Duration::from_secs(10)).unwrap();
            assert!(
                !w.timed_out() || region.word(1).load(Ordering::Relaxed) != 0,
                "lost wake-up"
            );
        }
        assert_eq!(region.word(1).load(Ordering::Relaxed), i);
        sum += i;
        region.word(1).store(0, Ordering::Relaxed);
        m.unlock().unwrap();
        c.notify_all().unwrap();
    }
    let status = wait_bounded(&mut child, Duration::from_secs(60));
    assert!(status.success(), "a child failed: {status:?}");
    assert_eq!(sum, ITEMS * (ITEMS + 1) / 2);
    NamedMutex::remove(&format!("{name}_pmx"));
    NamedCondition::remove(&format!("{name}_pc"));
    SharedMemoryObject::remove(&name);
}

#[test]
fn a_waiter_relocks_from_a_notifier_killed_holding_the_mutex() {
    // The woken waiter looks at the mutex before it tries it: a holder that dies must end
    // that look and hand the lock over, reported as an owner death.
    let name = unique("notifydie");
    let region = Region::create(&name);
    let held = new_semaphore(&name, "_held", 0);
    let m = new_mutex(&name, "_nmx");
    let c = new_condition(&name, "_nc");
    let _ = m.lock().unwrap();
    let mut child = spawn("notify_die", &name);
    std::thread::scope(|s| {
        let killer = s.spawn(|| {
            let notified = held.wait_for(Duration::from_secs(20)).unwrap();
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            notified
        });
        let start = Instant::now();
        let mut died = false;
        while region.word(6).load(Ordering::Relaxed) == 0 {
            died |= c
                .wait_for(&m, Duration::from_secs(20))
                .unwrap()
                .owner_died();
            assert!(start.elapsed() < Duration::from_secs(30), "no notification");
        }
        assert!(killer.join().unwrap(), "the child never notified");
        assert!(died, "the relock must report the notifier's death");
    });
    m.unlock().unwrap();
    assert_eq!(m.lock().unwrap(), LockOutcome::Acquired);
    m.unlock().unwrap();
    for suffix in ["_held", "_nmx", "_nc"] {
        assert!(SharedMemoryObject::remove(&format!("{name}{suffix}")));
    }
    SharedMemoryObject::remove(&name);
}

#[test]
fn timeouts_on_both_clocks_and_open_errors() {
    let name = unique("timeouts");
    NamedSemaphore::remove(&name);
    let err = NamedSemaphore::new(Creation::OpenOnly, &name, 0, Permissions::DEFAULT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let s = NamedSemaphore::new(Creation::CreateOnly, &name, 0, Permissions::DEFAULT).unwrap();
    let err =
        NamedSemaphore::new(Creation::CreateOnly, &name, 0, Permissions::DEFAULT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    let err = NamedCondition::new(Creation::OpenOnly, &name, Permissions::DEFAULT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Corrupted);

    let deadlines: [fn() -> Deadline; 3] = [
        || Deadline::after(Duration::from_millis(40)),
        || Deadline::at(SystemTime::now() + Duration::from_millis(40)),
        || Deadline::now(Clock::Realtime).plus(Duration::from_millis(40)),
    ];
    for deadline in deadlines {
        let start = Instant::now();
        assert!(!s.wait_until(deadline()).unwrap());
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(35) && took < Duration::from_secs(2),
            "{took:?}"
        );
    }
    s.post().unwrap();
    assert!(s.wait_until(Deadline::after(Duration::ZERO)).unwrap());
    assert!(NamedSemaphore::remove(&name));
}

#[test]
fn readers_and_writers_across_processes_and_a_dead_writer() {
    let name = unique("rw");
    let region = Region::create(&name);
    NamedUpgradableMutex::remove(&format!("{name}_rw"));
    let children: Vec<Child> = (0..WORKERS).map(|_| spawn("rw", &name)).collect();
    for mut c in children {
        let status = wait_bounded(&mut c, Duration::from_secs(60));
        assert!(status.success(), "a child failed: {status:?}");
    }
    assert_eq!(
        region.word(2).load(Ordering::Relaxed),
        WORKERS as u64 * INCREMENTS / 8
    );
    assert_eq!(
        region.word(4).load(Ordering::Relaxed),
        0,
        "a reader saw a writer"
    );
    assert!(NamedUpgradableMutex::remove(&format!("{name}_rw")));

    let held = new_semaphore(&name, "_held", 0);
    let m = NamedSharableMutex::new(
        Creation::CreateOnly,
        &format!("{name}_srw"),
        Permissions::DEFAULT,
    )
    .unwrap();
    let mut child = spawn("hold_rw", &name);
    assert!(held.wait_for(Duration::from_secs(20)).unwrap());
    assert_eq!(m.try_lock_sharable().unwrap(), None);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        m.lock_sharable_until(Deadline::after(Duration::from_secs(5)))
            .unwrap(),
        Some(LockOutcome::OwnerDied)
    );
    m.unlock_sharable().unwrap();
    assert_eq!(m.lock().unwrap(), LockOutcome::OwnerDied);
    m.unlock().unwrap();
    assert_eq!(m.lock().unwrap(), LockOutcome::Acquired);
    m.unlock().unwrap();
    for suffix in ["_held", "_srw"] {
        assert!(SharedMemoryObject::remove(&format!("{name}{suffix}")));
    }
    SharedMemoryObject::remove(&name);
}

#[test]
fn readers_killed_holding_or_waiting_do_not_block_writers() {
    let name = unique("deadrd");
    let region = Region::create(&name);
    let held = new_semaphore(&name, "_held", 0);
    let m = NamedSharableMutex::new(
        Creation::CreateOnly,
        &format!("{name}_srw"),
        Permissions::DEFAULT,
    )
    .unwrap();

    // A reader dies holding its sharable lock: a writer reclaims its slot.
    let mut child = spawn("read_hold", &name);
    assert!(held.wait_for(Duration::from_secs(20)).unwrap());
    assert_eq!(m.try_lock().unwrap(), None, "the reader holds it");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        m.lock_until(Deadline::after(Duration::from_secs(5)))
            .unwrap(),
        Some(LockOutcome::Acquired)
    );

    // A reader dies while it sleeps waiting for this writer: nothing is left behind.
    let mut child = spawn("read_wait", &name);
    assert!(held.wait_for(Duration::from_secs(20)).unwrap());
    std::thread::sleep(Duration::from_millis(100)); // let it fall asleep
    child.kill().unwrap();
    child.wait().unwrap();
    m.unlock().unwrap();
    assert_eq!(region.word(5).load(Ordering::Relaxed), 0);
    assert_eq!(m.lock_sharable().unwrap(), LockOutcome::Acquired);
    assert_eq!(m.try_lock().unwrap(), None);
    m.unlock_sharable().unwrap();
    assert_eq!(
        m.lock_until(Deadline::after(Duration::from_secs(5)))
            .unwrap(),
        Some(LockOutcome::Acquired)
    );
    m.unlock().unwrap();
    for suffix in ["_held", "_srw"] {
        assert!(SharedMemoryObject::remove(&format!("{name}{suffix}")));
    }
    SharedMemoryObject::remove(&name);
}
