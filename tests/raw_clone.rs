//! A process made by a raw `clone(SIGCHLD)` system call (a fork that skips glibc's atfork
//! handlers, as some runtimes and sandboxes make them) is its own lock owner: it never
//! locks with its parent's thread id, and when it dies holding a lock, the next locker is
//! told the owner died.
//!
//! The scenario runs in a fresh copy of this test binary (so no other test's threads are
//! copied into the clone), started by the test that checks its exit status.

use interproc::{InterprocessMutex, InterprocessRecursiveMutex, LockOutcome};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

mod common;

const SCENARIO_ENV: &str = "INTERPROC_RAW_CLONE_SCENARIO";

/// The shared page the parent and the clone use: the two locks and a step word.
#[repr(C, align(64))]
struct Shared {
    recursive: InterprocessRecursiveMutex,
    _pad: [u8; 64],
    plain: InterprocessMutex,
    _pad2: [u8; 64],
    step: AtomicU32,
}

/// Waits at most `limit` for `cond`.
fn wait_until(limit: Duration, cond: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while !cond() {
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    true
}

/// Waits at most `limit` for the child `pid` to end; its raw wait status, or `None` (the
/// child is then killed and reaped).
fn reap_bounded(pid: libc::pid_t, limit: Duration) -> Option<libc::c_int> {
    let start = Instant::now();
    loop {
        let mut status = 0;
        // SAFETY: `pid` is this process's child; `status` is writable.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            return Some(status);
        }
        if start.elapsed() > limit {
            // SAFETY: plain system calls on our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_raw_clone_child_is_its_own_lock_owner() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "scenario", "--nocapture", "--test-threads=1"])
        .env(SCENARIO_ENV, "1")
        .spawn()
        .unwrap();
    let status = common::wait_bounded(&mut child, Duration::from_secs(60));
    assert!(status.success(), "the scenario failed: {status}");
}

/// The scenario (does nothing when run as an ordinary test).
#[test]
fn scenario() {
    if std::env::var_os(SCENARIO_ENV).is_none() {
        return;
    }
    let len = std::mem::size_of::<Shared>();
    // SAFETY: a fresh shared anonymous mapping, which the clone shares.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(p, libc::MAP_FAILED);
    let shared = p.cast::<Shared>();
    // SAFETY: the mapping is fresh, page-aligned and large enough for `Shared`; each lock is
    // initialised once, before anyone uses it, and the mapping is never unmapped.
    let (recursive, plain, step) = unsafe {
        (
            InterprocessRecursiveMutex::init_at(&raw mut (*shared).recursive).unwrap(),
            InterprocessMutex::init_at(&raw mut (*shared).plain).unwrap(),
            &(*shared).step,
        )
    };
    // The parent's thread locks first, so its identity is known and proven before the clone.
    for _ in 0..3 {
        assert_eq!(recursive.lock().unwrap(), LockOutcome::Acquired);
        recursive.unlock().unwrap();
        assert_eq!(plain.lock().unwrap(), LockOutcome::Acquired);
        plain.unlock().unwrap();
    }

    // SAFETY: a fork by the raw system call: the child shares nothing but the shared
    // mapping, runs only lock calls and atomics, and ends with `_exit`.
    let pid = unsafe { libc::syscall(libc::SYS_clone, libc::SIGCHLD as libc::c_long, 0, 0, 0, 0) };
    assert!(pid >= 0, "clone failed");
    if pid == 0 {
        // The clone: take both locks, say so, wait for the parent's word, die holding them.
        let code = if recursive.lock().is_ok() && plain.lock().is_ok() {
            // Release: pairs with the parent's Acquire load; the locks are taken.
            step.store(1, Ordering::Release);
            // Acquire: pairs with the parent's Release store of 2.
            if wait_until(Duration::from_secs(20), || {
                step.load(Ordering::Acquire) == 2
            }) {
                0
            } else {
                3
            }
        } else {
            2
        };
        // SAFETY: ends the clone at once, holding both locks.
        unsafe { libc::_exit(code) };
    }
    let pid = pid as libc::pid_t;
    // Acquire: pairs with the clone's Release store of 1.
    assert!(
        wait_until(Duration::from_secs(20), || step.load(Ordering::Acquire)
            == 1),
        "the clone did not take its locks"
    );
    // The clone holds the recursive mutex: this process is another owner and must not get in.
    assert!(
        recursive.try_lock().unwrap().is_none(),
        "the parent entered a recursive mutex its raw-clone child holds"
    );
    assert!(plain.try_lock().unwrap().is_none());
    // Release: lets the clone die.
    step.store(2, Ordering::Release);
    let status = reap_bounded(pid, Duration::from_secs(20)).expect("the clone did not end");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the clone failed: {status:#x}"
    );
    // The clone died holding both: the next locker gets each and is told the owner died.
    assert_eq!(
        plain.lock_for(Duration::from_secs(5)).unwrap(),
        Some(LockOutcome::OwnerDied)
    );
    assert_eq!(
        recursive.lock_for(Duration::from_secs(5)).unwrap(),
        Some(LockOutcome::OwnerDied)
    );
}
