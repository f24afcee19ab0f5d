//! A `Mutex<T>`-shaped lock for shared memory, and a condition variable that waits with its
//! guard.

use super::unlock_record;
use crate::shareable::{Shareable, mix_type_tag, type_tag_of};
use crate::sync::{InterprocessCondition, InterprocessMutex, LockOutcome};
use crate::{Error, Result};
use std::cell::UnsafeCell;
use std::marker::PhantomData;
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
// pattern, with `#[repr(C)]` layout, no pointers and no Drop (T is Shareable, the mutex has
// none), and Sync (above); it changes through shared references.
unsafe impl<T: Shareable> Shareable for SharedMutex<T> {
    /// Its own name and size, with `T`'s tag folded in: a `SharedMutex<f64>` is not a
    /// `SharedMutex<u64>`, nor an `[u64; N]` of the same size.
    const TYPE_TAG: u64 = mix_type_tag(
        type_tag_of(
            "interproc::SharedMutex",
            std::mem::size_of::<SharedMutex<T>>(),
        ),
        T::TYPE_TAG,
    );
    const INTERIOR_MUTABLE: bool = true;
}

/// Why a lock did not simply succeed: the previous owner died (the lock is held, here is its
/// guard), or the lock failed. Like [`std::sync::PoisonError`], its `Debug` does not need
/// the guard's, so `lock().unwrap()` works for every `T`.
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

impl<G> std::fmt::Debug for LockError<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::OwnerDied(_) => f.debug_tuple("OwnerDied").finish_non_exhaustive(),
            LockError::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
        }
    }
}

impl<G> std::error::Error for LockError<G> {}

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
        let g = SharedMutexGuard {
            lock: self,
            not_send: PhantomData,
        };
        match outcome {
            LockOutcome::Acquired => Ok(g),
            LockOutcome::OwnerDied => Err(LockError::OwnerDied(g)),
        }
    }

    /// Locks, waiting as long as it takes.
    ///
    /// If an earlier guard of this mutex failed to unlock it in this process (see
    /// [`SharedMutexGuard`]), this call (and only this one) returns that failure as
    /// [`LockError::Failed`] without trying, since the lock may still be held.
    pub fn lock(&self) -> LockResult<SharedMutexGuard<'_, T>> {
        if let Some(e) = unlock_record::take(&self.mutex) {
            return Err(LockError::Failed(e));
        }
        match self.mutex.lock() {
            Ok(o) => self.guard(o),
            Err(e) => Err(LockError::Failed(e)),
        }
    }

    /// Locks if that is possible at once; `Ok(None)` if another thread holds it.
    /// An earlier failed unlock is reported as [`Self::lock`] reports it.
    pub fn try_lock(&self) -> LockResult<Option<SharedMutexGuard<'_, T>>> {
        if let Some(e) = unlock_record::take(&self.mutex) {
            return Err(LockError::Failed(e));
        }
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
    /// An earlier failed unlock is reported as [`Self::lock`] reports it.
    pub fn lock_for(&self, timeout: Duration) -> LockResult<Option<SharedMutexGuard<'_, T>>> {
        if let Some(e) = unlock_record::take(&self.mutex) {
            return Err(LockError::Failed(e));
        }
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

/// Says who holds the lock, never the value: reading it would need the lock, and taking
/// the lock here could take another locker's notice that an owner died.
impl<T> std::fmt::Debug for SharedMutex<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedMutex")
            .field("holder", &self.mutex.holder())
            .finish_non_exhaustive()
    }
}

/// A held [`SharedMutex`]: dereferences to the value, unlocks when dropped.
///
/// Like [`std::sync::MutexGuard`] it is not `Send`: the lock belongs to the thread that
/// took it, and only that thread can release it. If the unlock in `Drop` fails all the same
/// (the lock word was changed behind the guard's back, for example through
/// [`SharedMutex::raw`]), it is not ignored: a debug build panics (unless the thread is
/// already panicking), and every build records the failure, which the next `lock`,
/// `try_lock` or `lock_for` of that mutex in this process returns.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct SharedMutexGuard<'a, T: Shareable> {
    lock: &'a SharedMutex<T>,
    /// Not `Send` (but `Sync`, as `std`'s guard is).
    not_send: PhantomData<std::sync::MutexGuard<'static, ()>>,
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
        if let Err(e) = self.lock.mutex.unlock() {
            unlock_record::failed(&self.lock.mutex, e);
        }
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
// pointers, no Drop, Sync; it changes through shared references.
unsafe impl Shareable for SharedCondvar {
    const TYPE_TAG: u64 = type_tag_of(
        "interproc::SharedCondvar",
        std::mem::size_of::<SharedCondvar>(),
    );
    const INTERIOR_MUTABLE: bool = true;
}

impl std::fmt::Debug for SharedCondvar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedCondvar").finish_non_exhaustive()
    }
}

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
