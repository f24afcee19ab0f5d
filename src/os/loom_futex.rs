//! The futex as the loom models play it: a model mutex and condition variable with the
//! futex's promise. A wait sleeps only while the word holds the expected value, checked
//! atomically with respect to wakes (a waker changes the word before it wakes, and takes
//! the mutex to wake). Loom reports a sleeper no one wakes as a deadlock.

use loom::sync::atomic::AtomicU32;
use loom::sync::{Condvar, Mutex};
use std::sync::atomic::Ordering::Relaxed;

/// The kernel's side of one futex word.
pub(crate) struct Futex {
    lock: Mutex<()>,
    woken: Condvar,
}

impl Futex {
    pub(crate) fn new() -> Futex {
        Futex {
            lock: Mutex::new(()),
            woken: Condvar::new(),
        }
    }

    /// `futex_wait`: sleeps if `word` still holds `expected`, until a wake.
    pub(crate) fn wait(&self, word: &AtomicU32, expected: u32) {
        let g = self.lock.lock().unwrap();
        if word.load(Relaxed) == expected {
            drop(self.woken.wait(g).unwrap());
        }
    }

    /// `futex_wake` of one sleeper.
    pub(crate) fn wake_one(&self) {
        let _g = self.lock.lock().unwrap();
        self.woken.notify_one();
    }

    /// `futex_wake` of every sleeper.
    pub(crate) fn wake_all(&self) {
        let _g = self.lock.lock().unwrap();
        self.woken.notify_all();
    }
}
