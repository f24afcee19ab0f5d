//! The robust lock's word and its shared layout: the kernel's bits, the owner's thread id,
//! and [`RobustLock`]'s fields, below every part of the lock that reads them.

use std::sync::atomic::{AtomicU32, AtomicUsize};

/// The kernel's bit: someone sleeps on the word.
pub(super) const WAITERS: u32 = 0x8000_0000;
/// The kernel's bit: the owner died holding the lock.
pub(super) const OWNER_DIED: u32 = 0x4000_0000;
/// The owner's thread id.
pub(super) const TID_MASK: u32 = 0x3fff_ffff;
/// `kind` of a recursive lock.
pub(super) const KIND_RECURSIVE: u32 = 1;
/// The kernel's `PID_MAX_LIMIT` on 64-bit Linux: no thread id in any PID namespace is
/// larger, so a lock word naming one is garbage, not a holder.
pub(super) const TID_LIMIT: u32 = 4 * 1024 * 1024;

/// How a lock was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Acquired {
    /// The previous owner released it normally.
    Clean,
    /// The previous owner died holding it. The lock keeps working; the data it protects
    /// may be half-updated.
    OwnerDied,
}

/// A robust lock (40 bytes, 8-byte aligned; the shared layout is pinned by a test): the
/// one lock type every part of the library that needs owner-death detection uses, through
/// the safe methods below and [`RobustGuard`].
///
/// Every bit pattern of it is a lock state these methods handle (garbage gives errors, and
/// its list links are checked before anything is written through them), so a live
/// reference is all they need. One duty stays with the holder, as with glibc's robust
/// mutexes: memory holding a lock must stay mapped while the lock is held, or the
/// thread's robust list keeps a dangling entry.
#[repr(C, align(8))]
pub(crate) struct RobustLock {
    /// 0 when free; otherwise the owner's TID, `WAITERS` and `OWNER_DIED`.
    pub(super) word: AtomicU32,
    /// Extra locks held by the owner of a recursive lock (0 for a single lock).
    pub(super) depth: AtomicU32,
    /// `KIND_RECURSIVE` or 0.
    pub(super) kind: AtomicU32,
    pub(super) _reserved: [u32; 3],
    /// The robust-list links: addresses in the owner's process, written only by the owner
    /// while it holds the lock (and by glibc when it unlinks a neighbour).
    pub(super) prev: AtomicUsize,
    pub(super) next: AtomicUsize,
}

/// The lock's current owner TID from a word, if any.
pub(super) fn owner_of(v: u32) -> Option<u32> {
    let tid = v & TID_MASK;
    (tid != 0).then_some(tid)
}

/// Whether a lock word names a thread id no kernel hands out: garbage written over the
/// lock. Nothing else about the holder is judged here: a holder whose id this process
/// cannot see (another PID namespace, `hidepid`) is waited for like any other, and the
/// kernel alone says when a holder died (it marks the word `OWNER_DIED`).
pub(super) fn impossible_owner(v: u32) -> bool {
    v & TID_MASK > TID_LIMIT
}
