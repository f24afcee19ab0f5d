//! What a robust lock's word says of its holder, for tools and reports.

use super::word::{OWNER_DIED, RobustLock, TID_MASK, impossible_owner, owner_of};
use std::sync::atomic::Ordering;

/// What a lock's word says of its holder at one moment (for tools and reports; a holder
/// is never judged alive or dead by looking for its process, only by the kernel's mark).
/// The public API re-exports it as `interproc::LockHolder`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockHolder {
    /// Free, released normally.
    Free,
    /// Free, marked by the kernel: its last owner died holding it. The next locker gets it
    /// and is told the owner died.
    OwnerDied,
    /// Held by this thread id, as the holder's own PID namespace numbers it.
    Thread(u32),
    /// The word names a thread id no kernel hands out: garbage written over the lock.
    Garbage(u32),
}

/// What `m`'s word says of its holder.
///
/// # Safety
/// `m` must point to a live [`RobustLock`] (any bit pattern: see the type).
pub(super) unsafe fn holder(m: *mut RobustLock) -> LockHolder {
    // SAFETY: `m` points to a live lock (this fn's contract); its word is an aligned atomic.
    // Relaxed: a report of one moment, ordered with nothing else.
    let v = unsafe { (*m).word.load(Ordering::Relaxed) };
    match owner_of(v) {
        _ if impossible_owner(v) => LockHolder::Garbage(v & TID_MASK),
        Some(tid) => LockHolder::Thread(tid),
        None if v & OWNER_DIED != 0 => LockHolder::OwnerDied,
        None => LockHolder::Free,
    }
}
