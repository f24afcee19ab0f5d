//! The create/publish/open protocol shared by segments, message queues and named sync
//! objects: a creator that died at any step of creation is replaced by the next
//! `open_or_create` and reported at once to `open_only`; a slow creator is waited for,
//! never declared dead. A dead process's build lock (an `flock`) is released by the kernel,
//! so "a creator died at step N" is exactly "the object as step N left it, with nobody
//! holding its build lock", which these tests lay out directly.

use interproc::{
    Creation, ErrorKind, ManagedSharedMemory, MappedRegion, MessageQueue, Mode, NamedMutex,
    Permissions, SharedMemoryObject,
};
use std::ffi::CString;
use std::time::{Duration, Instant};

mod common;
use common::Remove;

fn unique(tag: &str) -> String {
    common::unique("ipt_pub", tag)
}

/// What a creator leaves behind when it dies after each step of creation.
#[derive(Clone, Copy, Debug)]
enum DiedAfter {
    /// The exclusive create: an empty object.
    Create,
    /// Sizing: zeros.
    Size,
    /// Part of the build: the state word marked as building (a builder's first store, at
    /// `state_at`, the kind's offset), the magic not yet written, garbage after the header.
    HalfBuilt { state_at: usize },
}

/// The publish protocol's `BUILDING` value, as a builder stores it.
const BUILDING: u32 = 0x424C_4447;
/// Where each kind keeps its state word (pinned by the layout tests).
const SEGMENT_STATE_AT: usize = 16;
const QUEUE_STATE_AT: usize = 12;
const SYNC_STATE_AT: usize = 20;

fn leave(name: &str, step: DiedAfter) {
    let shm = SharedMemoryObject::create(name, Mode::ReadWrite, Permissions::default()).unwrap();
    match step {
        DiedAfter::Create => {}
        DiedAfter::Size => shm.truncate(16384).unwrap(),
        DiedAfter::HalfBuilt { state_at } => {
            shm.truncate(16384).unwrap();
            let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
            r.write_at(state_at, &BUILDING.to_ne_bytes()).unwrap();
            r.write_at(64, &[0x5a; 256]).unwrap();
        }
    }
}

/// The steps a creator of a kind whose state word is at `state_at` may die after.
fn steps(state_at: usize) -> [DiedAfter; 3] {
    [
        DiedAfter::Create,
        DiedAfter::Size,
        DiedAfter::HalfBuilt { state_at },
    ]
}

/// Whether `f` fails at once with a `Corrupted` error naming a creator that died.
fn reports_dead_creator<T: std::fmt::Debug>(f: impl FnOnce() -> interproc::Result<T>) {
    let t = Instant::now();
    let e = f().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupted, "{e}");
    assert!(e.message().contains("creator died"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
}

#[test]
fn a_creator_dead_at_any_step_is_reported_at_once_and_replaced() {
    let p = Permissions::default();
    for step in steps(SEGMENT_STATE_AT) {
        // A managed segment.
        let name = unique("seg");
        let _r = Remove(name.clone());
        leave(&name, step);
        reports_dead_creator(|| ManagedSharedMemory::open(&name));
        let seg = ManagedSharedMemory::open_or_create(&name, 65536, p).unwrap();
        assert!(seg.created(), "{step:?}");
        assert!(seg.allocate(1000).is_ok());
        drop(seg);
        let again = ManagedSharedMemory::open(&name).unwrap();
        assert!(!again.created());
        assert!(again.check_sanity().is_ok());
    }
    for step in steps(QUEUE_STATE_AT) {
        // A message queue.
        let name = unique("mq");
        let _r = Remove(name.clone());
        leave(&name, step);
        reports_dead_creator(|| MessageQueue::open(&name));
        let q = MessageQueue::open_or_create(&name, 4, 16, p).unwrap();
        assert!(q.created(), "{step:?}");
        q.send(b"hello", 1).unwrap();
        let other = MessageQueue::open(&name).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(other.try_receive(&mut buf).unwrap(), Some((5, 1)));
    }
    for step in steps(SYNC_STATE_AT) {
        // A named mutex.
        let name = unique("mx");
        let _r = Remove(name.clone());
        leave(&name, step);
        reports_dead_creator(|| NamedMutex::new(Creation::OpenOnly, &name, p));
        let m = NamedMutex::new(Creation::OpenOrCreate, &name, p).unwrap();
        let _ = m.lock().unwrap();
        let other = NamedMutex::new(Creation::OpenOnly, &name, p).unwrap();
        assert!(other.try_lock().unwrap().is_none());
        m.unlock().unwrap();
    }
}

/// Runs `hold` in a child process that opens `name` itself and holds its build lock for
/// `for_ms`, as a creator building slowly (or stopped) would; returns once the lock is
/// held, and the child's pid.
fn slow_builder(name: &str, for_ms: u64) -> libc::pid_t {
    let path = CString::new(format!("/{name}")).unwrap();
    let mut ready = [0 as libc::c_int; 2];
    // SAFETY: `ready` has room for the two descriptors.
    assert_eq!(unsafe { libc::pipe(ready.as_mut_ptr()) }, 0);
    // SAFETY: the child only makes system calls (open, flock, write, nanosleep) and
    // `_exit`s; it touches no lock another thread could hold.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        // SAFETY: plain system calls on valid arguments, then `_exit`.
        unsafe {
            let fd = libc::shm_open(path.as_ptr(), libc::O_RDWR, 0);
            if fd < 0 || libc::flock(fd, libc::LOCK_EX) != 0 {
                libc::_exit(3);
            }
            libc::write(ready[1], b"x".as_ptr().cast(), 1);
            let ts = libc::timespec {
                tv_sec: (for_ms / 1000) as libc::time_t,
                tv_nsec: ((for_ms % 1000) * 1_000_000) as libc::c_long,
            };
            libc::nanosleep(&ts, std::ptr::null_mut());
            libc::_exit(0);
        }
    }
    let mut b = [0u8; 1];
    // SAFETY: reading one byte into `b` from the pipe's read end; the write end is closed
    // here first so a child that failed gives end-of-file instead of a hang.
    unsafe {
        libc::close(ready[1]);
        assert_eq!(
            libc::read(ready[0], b.as_mut_ptr().cast(), 1),
            1,
            "child failed"
        );
        libc::close(ready[0]);
    }
    pid
}

fn reap(pid: libc::pid_t) {
    let mut status = 0;
    // SAFETY: `pid` is our child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{status}"
    );
}

#[test]
fn a_slow_creator_is_waited_for_and_never_declared_dead() {
    let p = Permissions::default();
    // `open_only` sleeps while the builder holds its lock, however long; when the builder
    // goes without publishing, it says so.
    let name = unique("slow_open");
    let _r = Remove(name.clone());
    leave(&name, DiedAfter::Size);
    let child = slow_builder(&name, 700);
    let t = Instant::now();
    reports_dead_creator_after(|| ManagedSharedMemory::open(&name), t);
    assert!(
        t.elapsed() >= Duration::from_millis(600),
        "{:?}",
        t.elapsed()
    );
    reap(child);

    // `open_or_create` sleeps too, then builds what the builder left unfinished.
    for kind in ["segment", "queue", "mutex"] {
        let name = unique("slow_build");
        let _r = Remove(name.clone());
        leave(&name, DiedAfter::Create);
        let child = slow_builder(&name, 500);
        let t = Instant::now();
        match kind {
            "segment" => {
                let seg = ManagedSharedMemory::open_or_create(&name, 65536, p).unwrap();
                assert!(seg.created());
            }
            "queue" => {
                let q = MessageQueue::open_or_create(&name, 2, 8, p).unwrap();
                assert!(q.created());
                assert!(q.try_send(b"1", 0).unwrap());
            }
            _ => {
                let m = NamedMutex::new(Creation::OpenOrCreate, &name, p).unwrap();
                let _ = m.lock().unwrap();
                m.unlock().unwrap();
            }
        }
        assert!(
            t.elapsed() >= Duration::from_millis(400),
            "{kind}: {:?}",
            t.elapsed()
        );
        reap(child);
    }
}

fn reports_dead_creator_after<T: std::fmt::Debug>(
    f: impl FnOnce() -> interproc::Result<T>,
    start: Instant,
) {
    let e = f().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupted, "{e}");
    assert!(e.message().contains("creator died"), "{e}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

/// Many processes racing `open_or_create` on a name whose creator died: exactly one
/// builds it, and everyone ends up with the same working segment.
#[test]
fn racing_openers_replace_a_dead_creator_exactly_once() {
    let name = unique("race");
    let _r = Remove(name.clone());
    leave(
        &name,
        DiedAfter::HalfBuilt {
            state_at: SEGMENT_STATE_AT,
        },
    );
    // Real processes started from this test binary (not forks of a threaded test run).
    let racers: Vec<_> = (0..6)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "racer", "--nocapture", "--test-threads=1"])
                .env("INTERPROC_PUBLISH_RACE", &name)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut built = 0;
    for mut c in racers {
        common::wait_bounded(&mut c, Duration::from_secs(60));
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        let said = String::from_utf8_lossy(&out.stdout);
        if said.contains("RACER built") {
            built += 1;
        } else {
            assert!(said.contains("RACER opened"), "{said}");
        }
    }
    assert_eq!(built, 1);
    assert!(
        ManagedSharedMemory::open(&name)
            .unwrap()
            .check_sanity()
            .is_ok()
    );
}

/// One racer of [`racing_openers_replace_a_dead_creator_exactly_once`] (does nothing when run
/// as an ordinary test).
#[test]
fn racer() {
    let Ok(name) = std::env::var("INTERPROC_PUBLISH_RACE") else {
        return;
    };
    let seg = ManagedSharedMemory::open_or_create(&name, 65536, Permissions::default()).unwrap();
    println!("RACER {}", if seg.created() { "built" } else { "opened" });
}

/// The bytes of the object `name`.
fn bytes_of(name: &str) -> Vec<u8> {
    std::fs::read(format!("/dev/shm/{name}")).unwrap()
}

/// An object that interproc did not build: 64 KiB of 0xAB; one that looks like each kind
/// but whose state word a stray write smashed; and one marked as building under another
/// kind's magic. Every opener of every kind gets a `Corrupted` error that says the object
/// is left as it is, and every byte stays as it was.
#[test]
fn objects_interproc_did_not_build_are_refused_and_left_untouched() {
    let p = Permissions::default();
    type Opener = fn(&str) -> interproc::Result<()>;
    let openers: [(&str, &[u8; 8], usize, Opener, Opener); 3] = [
        (
            "segment",
            b"IPROCSEG",
            SEGMENT_STATE_AT,
            |n| ManagedSharedMemory::open_or_create(n, 65536, Permissions::default()).map(drop),
            |n| ManagedSharedMemory::open(n).map(drop),
        ),
        (
            "queue",
            b"IPROCMQ1",
            QUEUE_STATE_AT,
            |n| MessageQueue::open_or_create(n, 4, 16, Permissions::default()).map(drop),
            |n| MessageQueue::open(n).map(drop),
        ),
        (
            "mutex",
            b"IPSYNC\0\x01",
            SYNC_STATE_AT,
            |n| NamedMutex::new(Creation::OpenOrCreate, n, Permissions::default()).map(drop),
            |n| NamedMutex::new(Creation::OpenOnly, n, Permissions::default()).map(drop),
        ),
    ];
    for (kind, magic, state_at, open_or_create, open_only) in openers {
        let mut smashed = vec![0u8; 65536];
        smashed[..8].copy_from_slice(magic);
        smashed[state_at..state_at + 4].copy_from_slice(&0xdead_beef_u32.to_ne_bytes());
        smashed[100..200].fill(7);
        let mut other_kind = vec![0u8; 65536];
        other_kind[..8].copy_from_slice(b"NOTOURS!");
        other_kind[state_at..state_at + 4].copy_from_slice(&BUILDING.to_ne_bytes());
        for (case, content) in [
            ("foreign", vec![0xab; 65536]),
            ("smashed", smashed),
            ("other magic", other_kind),
        ] {
            let name = unique("foreign");
            let _r = Remove(name.clone());
            let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, p).unwrap();
            shm.truncate(content.len() as u64).unwrap();
            MappedRegion::new(&shm, Mode::ReadWrite, 0, 0)
                .unwrap()
                .write_at(0, &content)
                .unwrap();
            for (how, open) in [("open_or_create", open_or_create), ("open_only", open_only)] {
                let e = open(&name).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::Corrupted, "{kind} {case} {how}: {e}");
                assert!(
                    e.message().contains("left as it is"),
                    "{kind} {case} {how}: {e}"
                );
                assert!(
                    bytes_of(&name) == content,
                    "{kind} {case} {how}: bytes changed"
                );
            }
        }
    }
}

/// A half-built object whose magic is already the kind's own (the builder died after
/// writing it) is still taken over.
#[test]
fn a_marked_half_built_object_with_its_magic_is_taken_over() {
    let name = unique("magic_half");
    let _r = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(16384).unwrap();
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    r.write_at(0, b"IPROCSEG").unwrap();
    r.write_at(SEGMENT_STATE_AT, &BUILDING.to_ne_bytes())
        .unwrap();
    r.write_at(64, &[0x5a; 256]).unwrap();
    let seg = ManagedSharedMemory::open_or_create(&name, 65536, Permissions::default()).unwrap();
    assert!(seg.created());
    assert!(seg.check_sanity().is_ok());
}
