//! The lock word's hand-off, written once over any [`Atomic`] word: the robust lock's
//! functions use these on its word in shared memory, and the loom model
//! (`os::robust::loom_models`) on a model's word, with the futex's wait and wake played by
//! a model mutex and condition variable (see `docs/lock-free.md`). Each is
//! `#[inline(always)]`, so the lock's paths compile to the same instructions as when they
//! named the word's methods directly.

use super::word::WAITERS;
use crate::os::atomic::Atomic;
use std::sync::atomic::Ordering;

/// Takes the lock: changes the word from `from` (no owner) to `to` (the taker, with the
/// waiters bit it keeps); the word found otherwise, with nothing taken.
#[inline(always)]
pub(super) fn take<W: Atomic<Int = u32>>(word: &W, from: u32, to: u32) -> Result<u32, u32> {
    // Acquire: pairs with the Release that freed the word (`give_up`, `free_and_wake`,
    // `release_hold`), so the previous holder's writes under the lock are visible; after an
    // owner died, the kernel's marking of the word is a full barrier. Relaxed on failure:
    // nothing is taken.
    word.compare_exchange(from, to, Ordering::Acquire, Ordering::Relaxed)
}

/// Frees a word that names only the holder `tid`; the word found otherwise (a sleeper's
/// bit beside the id, or garbage), left as it was.
#[inline(always)]
pub(super) fn give_up<W: Atomic<Int = u32>>(word: &W, tid: u32) -> Result<u32, u32> {
    // Release: the critical section's writes come before the word says free; pairs with
    // the Acquire of the next `take`. Relaxed on failure: the word is only looked at
    // (`free_and_wake` frees it, with Release).
    word.compare_exchange(tid, 0, Ordering::Release, Ordering::Relaxed)
}

/// Frees the word whatever else it says, and calls `wake` if it said someone sleeps.
#[inline(always)]
pub(super) fn free_and_wake<W: Atomic<Int = u32>>(word: &W, wake: impl FnOnce()) {
    // Release: as in `give_up`. A swap, not a store: the waiters bit it reads is the last
    // one set before the word was freed (a sleeper's `announce_sleeper` is a
    // read-modify-write of the same word, so the word's modification order alone decides),
    // and a sleeper that set it sleeps only while the word still has it.
    if word.swap(0, Ordering::Release) & WAITERS != 0 {
        wake();
    }
}

/// Sets the waiters bit in a held word that was `v` (without it); whether it did. The
/// caller then sleeps while the word is `v | WAITERS`.
#[inline(always)]
pub(super) fn announce_sleeper<W: Atomic<Int = u32>>(word: &W, v: u32) -> bool {
    // Relaxed, both: the bit publishes no data. The holder's release is a read-modify-write
    // of the same word, so it reads the bit, and the futex wait sleeps only while the word
    // still has it.
    word.compare_exchange(v, v | WAITERS, Ordering::Relaxed, Ordering::Relaxed)
        .is_ok()
}
