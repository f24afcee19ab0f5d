//! A `Mutex<T>`-shaped lock for shared memory, and a condition variable that waits with its
//! guard.

use super::Shareable;
use crate::sync::{InterprocessCondition, InterprocessMutex, LockOutcome};
use crate::{Error, Result};
use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

/// A value of type `T` behind a process-shared, robust mutex: `std::sync::Mutex<T>` for
/// shared memory. Place it in a segment (`seg.construct("name", SharedMutex::new(v))`) and
/// every process that finds it locks the same lock.
///
/// The lock is Boost's `interprocess_mutex` followed by the value, `#[repr(C)]`, so a C++
/// program sees `struct { interprocess_mutex m; T value; }`. When a process dies holding it,
/// the next locker gets the lock and is told, as [`std::sync::Mutex`] reports poisoning: the
/// guard is inside [`LockError::OwnerDied`]. Unlike poisoning it is told once, to that
/// locker (Boost's and the kernel's rule); the value may be half-updated.
#[repr(C)]
pub struct SharedMutex<T> {
    mutex: InterprocessMutex,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through a guard, which exists only while the calling
// thread holds the process-shared lock; T is Shareable (so Sync and valid in any state).
unsafe impl<T: Shareable> Sync for SharedMutex<T> {}
// SAFETY: a SharedMutex is the lock's state words and a `T`, all valid for every bit
// pattern, with `#[repr(C)]` layout, no pointers and no Drop (checked by the constructor),
// and Sync (above).
unsafe impl<T: Shareable> Shareable for SharedMutex<T> {}

/// Why a lock did not simply succeed: the previous owner died (the lock is held, here is its
/// guard), or the lock failed.
#[derive(Debug)]
pub enum LockError<G> {
    /// The previous owner died holding the lock; the caller holds it now.
    OwnerDied(G),
    /// The lock failed (for example, garbage in the lock word).
    Failed(Error),
}

impl<G> LockError<G> {
    /// The guard, when the lock was taken from a dead owner.
    pub fn into_inner(self) -> Option<G> {
        match self {
            LockError::OwnerDied(g) => Some(g),
            LockError::Failed(_) => None,
        }
    }
}

impl<G> std::fmt::Display for LockError<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::OwnerDied(_) => f.write_str("the previous owner died holding the lock"),
            LockError::Failed(e) => e.fmt(f),
        }
    }
}

/// The result of taking a [`SharedMutex`].
pub type LockResult<G> = std::result::Result<G, LockError<G>>;

impl<T: Shareable> SharedMutex<T> {
    /// A new, unlocked mutex holding `value`, to be placed in a segment.
    pub fn new(value: T) -> SharedMutex<T> {
        const {
            assert!(
                !std::mem::needs_drop::<T>(),
                "a Shareable type needs no Drop"
            )
        };
        let mut mutex = std::mem::MaybeUninit::<InterprocessMutex>::uninit();
        // SAFETY: `mutex` is writable, aligned storage for one mutex that no one uses; an
        // unlocked robust lock holds no address of itself, so moving it afterwards is fine.
        let mutex = unsafe {
            InterprocessMutex::init_at(mutex.as_mut_ptr()).expect("initialising a mutex in place");
            mutex.assume_init()
        };
        SharedMutex {
            mutex,
            value: UnsafeCell::new(value),
        }
    }

    fn guard(&self, outcome: LockOutcome) -> LockResult<SharedMutexGuard<'_, T>> {
        let g = SharedMutexGuard { lock: self };
        match outcome {
            LockOutcome::Acquired => Ok(g),
            LockOutcome::OwnerDied => Err(LockError::OwnerDied(g)),
        }
    }

    /// Locks, waiting as long as it takes.
    pub fn lock(&self) -> LockResult<SharedMutexGuard<'_, T>> {
        match self.mutex.lock() {
            Ok(o) => self.guard(o),
            Err(e) => Err(LockError::Failed(e)),
        }
    }

    /// Locks if that is possible at once; `Ok(None)` if another thread holds it.
    pub fn try_lock(&self) -> LockResult<Option<SharedMutexGuard<'_, T>>> {
        match self.mutex.try_lock() {
            Ok(None) => Ok(None),
            Ok(Some(o)) => self.guard(o).map(Some).map_err(|e| match e {
                LockError::OwnerDied(g) => LockError::OwnerDied(Some(g)),
                LockError::Failed(e) => LockError::Failed(e),
            }),
            Err(e) => Err(LockError::Failed(e)),
        }
    }

    /// Locks, waiting at most `timeout`; `Ok(None)` if it ran out.
    pub fn lock_for(&self, timeout: Duration) -> LockResult<Option<SharedMutexGuard<'_, T>>> {
        match self.mutex.lock_for(timeout) {
            Ok(None) => Ok(None),
            Ok(Some(o)) => self.guard(o).map(Some).map_err(|e| match e {
                LockError::OwnerDied(g) => LockError::OwnerDied(Some(g)),
                LockError::Failed(e) => LockError::Failed(e),
            }),
            Err(e) => Err(LockError::Failed(e)),
        }
    }

    /// The interprocess mutex itself (for a C++ peer's `scoped_lock`, or Boost-style code).
    pub fn raw(&self) -> &InterprocessMutex {
        &self.mutex
    }
}

/// A held [`SharedMutex`]: dereferences to the value, unlocks when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct SharedMutexGuard<'a, T: Shareable> {
    lock: &'a SharedMutex<T>,
}

impl<T: Shareable> Deref for SharedMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this thread holds the lock, so no other thread or process (keeping to the
        // lock) changes the value while the guard lives.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: Shareable> DerefMut for SharedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; the guard is the only way to the value, and `&mut self`
        // makes this the only reference made through it.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: Shareable> Drop for SharedMutexGuard<'_, T> {
    fn drop(&mut self) {
        let _ = self.lock.mutex.unlock();
    }
}

impl<T: Shareable + std::fmt::Debug> std::fmt::Debug for SharedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// A process-shared condition variable that waits with a [`SharedMutexGuard`] (Boost's
/// `interprocess_condition`, which a C++ peer can wait on or notify).
#[repr(C)]
pub struct SharedCondvar {
    cond: InterprocessCondition,
}

// SAFETY: the condition's state words, valid for every bit pattern, `#[repr(C)]`, no
// pointers, no Drop, Sync.
unsafe impl Shareable for SharedCondvar {}

impl Default for SharedCondvar {
    fn default() -> Self {
        Self::new()
    }
}

impl SharedCondvar {
    /// A new condition variable, to be placed in a segment.
    pub fn new() -> SharedCondvar {
        let mut cond = std::mem::MaybeUninit::<InterprocessCondition>::uninit();
        // SAFETY: writable, aligned storage for one condition that no one uses; its state
        // holds no address of itself, so it may move afterwards.
        let cond = unsafe {
            InterprocessCondition::init_at(cond.as_mut_ptr())
                .expect("initialising a condition in place");
            cond.assume_init()
        };
        SharedCondvar { cond }
    }

    /// Unlocks the guard's mutex, waits for a notification, and locks it again. Wake-ups
    /// may be spurious: wait in a loop that checks the condition ([`Self::wait_while`]).
    pub fn wait<'a, T: Shareable>(
        &self,
        guard: SharedMutexGuard<'a, T>,
    ) -> LockResult<SharedMutexGuard<'a, T>> {
        match self.cond.wait(&guard.lock.mutex) {
            Ok(LockOutcome::Acquired) => Ok(guard),
            Ok(LockOutcome::OwnerDied) => Err(LockError::OwnerDied(guard)),
            Err(e) => {
                // The mutex may or may not be held again: do not unlock it a second time.
                std::mem::forget(guard);
                Err(LockError::Failed(e))
            }
        }
    }

    /// Waits while `condition` holds for the value.
    pub fn wait_while<'a, T: Shareable>(
        &self,
        mut guard: SharedMutexGuard<'a, T>,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> LockResult<SharedMutexGuard<'a, T>> {
        let mut died = false;
        while condition(&mut guard) {
            guard = match self.wait(guard) {
                Ok(g) => g,
                Err(LockError::OwnerDied(g)) => {
                    died = true;
                    g
                }
                Err(e) => return Err(e),
            };
        }
        if died {
            Err(LockError::OwnerDied(guard))
        } else {
            Ok(guard)
        }
    }

    /// As [`Self::wait`], giving up after `timeout`; the guard comes back in every case,
    /// with whether the wait timed out.
    pub fn wait_timeout<'a, T: Shareable>(
        &self,
        guard: SharedMutexGuard<'a, T>,
        timeout: Duration,
    ) -> LockResult<(SharedMutexGuard<'a, T>, bool)> {
        match self.cond.wait_for(&guard.lock.mutex, timeout) {
            Ok(w) if w.owner_died() => Err(LockError::OwnerDied((guard, w.timed_out()))),
            Ok(w) => Ok((guard, w.timed_out())),
            Err(e) => {
                std::mem::forget(guard);
                Err(LockError::Failed(e))
            }
        }
    }

    /// Wakes one waiter.
    pub fn notify_one(&self) -> Result<()> {
        self.cond.notify_one()
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) -> Result<()> {
        self.cond.notify_all()
    }
}
