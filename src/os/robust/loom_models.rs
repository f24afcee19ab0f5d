//! Loom model of the robust lock's hand-off ([`super::handoff`]): threads that take the
//! word, sleep on it with the waiters bit, and free it and wake a sleeper, using the
//! library's own hand-off functions over a loom word. The futex is the models' shared
//! [`Futex`]. The loop around the hand-off follows `wait::sleep_until_taken` (the thread
//! identity, the robust list and the spinning are not modelled). Loom reports a thread left
//! asleep with no one to wake it as a deadlock, and a critical section's data not handed
//! over as a causality violation.

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::AtomicU32;
use loom::thread;
use std::sync::atomic::Ordering::Relaxed;

use super::handoff::{announce_sleeper, free_and_wake, give_up, take};
use super::word::{TID_MASK, WAITERS};
use crate::os::loom_futex::Futex;

/// A lock word with its futex.
struct Lock {
    word: AtomicU32,
    futex: Futex,
    /// What the lock protects: loom checks every access is ordered after the last one.
    data: UnsafeCell<u64>,
}

impl Lock {
    fn new() -> Lock {
        Lock {
            word: AtomicU32::new(0),
            futex: Futex::new(),
            data: UnsafeCell::new(0),
        }
    }

    /// `futex_wait`: sleeps if the word is still `expected`.
    fn wait(&self, expected: u32) {
        self.futex.wait(&self.word, expected);
    }

    /// `futex_wake` of one sleeper.
    fn wake(&self) {
        self.futex.wake_one();
    }

    /// Takes the lock for `tid`: one try that clears nothing, then, while it is held,
    /// announce a sleeper, sleep, and try again keeping the waiters bit (others may sleep).
    fn lock(&self, tid: u32) {
        let mut keep_waiters = false;
        loop {
            let v = self.word.load(Relaxed);
            if v & TID_MASK == 0 {
                let waiters = if keep_waiters { WAITERS } else { v & WAITERS };
                if take(&self.word, v, tid | waiters).is_ok() {
                    return;
                }
                continue;
            }
            keep_waiters = true;
            if v & WAITERS == 0 && !announce_sleeper(&self.word, v) {
                continue;
            }
            self.wait(v | WAITERS);
        }
    }

    /// Frees the lock `tid` holds, waking a sleeper if the word says there is one.
    fn unlock(&self, tid: u32) {
        if let Err(v) = give_up(&self.word, tid) {
            assert_eq!(v & TID_MASK, tid, "the holder's id stays in the word");
            free_and_wake(&self.word, || self.wake());
        }
    }
}

/// `threads` threads each take the lock `rounds` times and add one under it: every one
/// finishes (no sleeper is forgotten), the total is exact, and the word ends free.
fn contend(threads: u32, rounds: u32) {
    loom::model(move || {
        let lock = Arc::new(Lock::new());
        let workers: Vec<_> = (1..=threads)
            .map(|tid| {
                let lock = lock.clone();
                thread::spawn(move || {
                    for _ in 0..rounds {
                        lock.lock(tid);
                        // SAFETY: the lock is held, so no other thread touches the data;
                        // loom checks that the hand-off ordered the accesses.
                        lock.data.with_mut(|d| unsafe { *d += 1 });
                        lock.unlock(tid);
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        // SAFETY: every worker has been joined.
        let total = lock.data.with(|d| unsafe { *d });
        assert_eq!(total, u64::from(threads * rounds));
        assert_eq!(lock.word.load(Relaxed), 0, "the word ends free");
    });
}

#[test]
fn loom_lock_two_threads_hand_off() {
    contend(2, 2);
}

#[test]
fn loom_lock_three_threads_wake_each_sleeper() {
    contend(3, 1);
}
