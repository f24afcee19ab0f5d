//! Taking the lock: one attempt for a thread, and the claim of a free word that links the
//! lock into the thread's robust list with the kernel told throughout.

use super::handoff;
use super::list::{link, pending};
use super::thread::ThreadIdentity;
use super::word::{Acquired, KIND_RECURSIVE, OWNER_DIED, RobustLock, TID_MASK, WAITERS};
use crate::os::{Errno, OsResult};
use std::sync::atomic::Ordering;

/// One attempt to take the lock for `me`; `None` if another thread holds it.
///
/// # Safety
/// `m` points to an initialised lock; `me` is the calling thread's.
#[inline]
pub(super) unsafe fn attempt(
    m: *mut RobustLock,
    me: ThreadIdentity,
    keep_waiters: bool,
) -> OsResult<Option<Acquired>> {
    // SAFETY: `m` points to an initialised lock for the whole call (this fn's contract).
    let lock = unsafe { &*m };
    // Relaxed: a first look; only the compare-and-swap in `claim` (Acquire) takes the lock.
    // A word naming this thread was stored by this thread, which always sees its own store.
    let mut v = lock.word.load(Ordering::Relaxed);
    loop {
        let owner = v & TID_MASK;
        if owner == me.tid {
            // Relaxed: `kind` is set before the lock is shared (see `init`); `depth` is
            // read and written only by the holder, which this thread is.
            if lock.kind.load(Ordering::Relaxed) != KIND_RECURSIVE {
                return Err(Errno(libc::EDEADLK));
            }
            let d = lock.depth.load(Ordering::Relaxed);
            if d == u32::MAX {
                return Err(Errno(libc::EAGAIN));
            }
            lock.depth.store(d + 1, Ordering::Relaxed);
            return Ok(Some(Acquired::Clean));
        }
        if owner != 0 {
            return Ok(None);
        }
        // Free, or released by the kernel for a dead owner. A thread that slept keeps the
        // waiters bit: others may still sleep.
        let waiters = if keep_waiters { WAITERS } else { v & WAITERS };
        // SAFETY: `m` is live (this fn's contract) and `me` is the calling thread's (ditto).
        match unsafe { claim(m, me, v, me.tid | waiters) } {
            Ok(()) => {
                // Relaxed: this thread holds the lock now; the next holder acquires it.
                lock.depth.store(0, Ordering::Relaxed);
                return Ok(Some(if v & OWNER_DIED != 0 {
                    Acquired::OwnerDied
                } else {
                    Acquired::Clean
                }));
            }
            Err(now) => v = now,
        }
    }
}

/// Changes the lock word from `from` (no owner) to `to` (this thread) and, if that worked,
/// links the lock into the thread's robust list; the word it found otherwise. The kernel
/// is told about the lock for the whole step, so a death half-way through is caught.
///
/// # Safety
/// `m` points to an initialised lock; `me` is the calling thread's.
#[inline(always)]
pub(super) unsafe fn claim(
    m: *mut RobustLock,
    me: ThreadIdentity,
    from: u32,
    to: u32,
) -> Result<(), u32> {
    // SAFETY: `m` points to an initialised lock for the whole call (this fn's contract).
    let lock = unsafe { &*m };
    // SAFETY: `me` is the calling thread's (this fn's contract).
    unsafe { pending(me, Some(m)) };
    // Acquire on success (see `handoff::take`).
    let r = handoff::take(&lock.word, from, to);
    // SAFETY: `me` is the calling thread's; on success this thread holds `m`, which `link`
    // requires.
    unsafe {
        if r.is_ok() {
            link(m, me);
        }
        pending(me, None);
    }
    r.map(|_| ())
}
