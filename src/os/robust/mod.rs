//! Robust process-shared locks on a futex word, placed in shared memory.
//!
//! Every interproc lock that a dying process can leave held is one of these. The lock word
//! follows the kernel's robust-futex protocol: it holds the owner's thread id, plus the
//! `FUTEX_WAITERS` bit while someone sleeps on it. Each thread keeps the locks it holds on
//! its robust list (the one glibc registered for it with `set_robust_list`); when a thread
//! exits or is killed, the kernel walks that list, marks every lock word that still names
//! the dead thread `FUTEX_OWNER_DIED` and wakes a waiter. The next locker takes the lock and
//! is told the owner died. The kernel decides this at the owner's exit, so a reused PID or
//! TID cannot fool it.
//!
//! Why not glibc's robust `pthread_mutex_t`, which does the same: its lock and unlock go
//! through glibc's general slow path (about 1.5 times the cost of a plain mutex, before any
//! wrapper), and it sleeps in the kernel at the first contention. Here the uncontended path
//! is one compare-and-swap, a few stores to link the lock into the list, and no system
//! call; contention spins briefly before sleeping, or backs off when two threads relock
//! it in a loop ([`wait`]).
//!
//! The list nodes sit inside the lock, at the offsets of glibc's `pthread_mutex_t`
//! (`__list.__prev` at 24, `__list.__next` at 32, the lock word at 0), so that the
//! `futex_offset` glibc registered (-32) finds our lock words too and both kinds of entry
//! can share one list: glibc unlinks its own mutexes by writing the neighbours' `prev` and
//! `next`, which may be ours, at the same offsets.
//!
//! Unlike glibc, the holder checks the list links of a lock before it writes through them
//! on release ([`list`]): another process that overwrites them gets an error reported to
//! the holder, never a write into the holder's private memory. The limit glibc has stays:
//! a process that unmaps memory holding a lock it still holds leaves a dangling list
//! entry. The rest of the library uses the lock only through [`RobustLock`]'s safe methods
//! and [`RobustGuard`]; the functions behind them take a pointer to a live lock.
//!
//! The word's bits and the lock's layout are in [`word`], taking a free word in [`claim`],
//! the thread's identity in [`thread`], the list in [`list`], the waiting in [`wait`],
//! clocks in [`crate::os::clock`].

mod claim;
mod handoff;
mod holder;
mod kernel;
mod list;
#[cfg(all(loom, test))]
mod loom_models;
mod private;
mod shadow;
mod thread;
mod wait;
mod word;

pub(crate) use super::clock::{Clock, now, timespec};
use super::futex;
use super::{Errno, OsResult};
use claim::attempt;
pub use holder::LockHolder;
use holder::holder;
use list::{
    first_on_list, link_recorded, pending, pending_again, proven_entry, unlink, unlink_alone,
};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
pub(crate) use thread::ThreadIdentity;
use thread::{claimed_identity, thread_identity, thread_identity_fast};
pub(crate) use wait::forget_contention;
use wait::{lock_backing_off, lock_spinning, lock_spinning_until, lock_until};
pub(crate) use word::{Acquired, RobustLock};
use word::{KIND_RECURSIVE, OWNER_DIED, TID_MASK, owner_of};

impl RobustLock {
    fn ptr(&self) -> *mut RobustLock {
        (self as *const RobustLock).cast_mut()
    }

    /// Gives up one nested level of a recursive lock the calling thread holds: true if
    /// there was one (the lock stays held), false at the last level.
    #[inline(always)]
    fn leave_nested(&self) -> bool {
        // Relaxed, both: `depth` belongs to the holder, which the caller is.
        let d = self.depth.load(Ordering::Relaxed);
        if d == 0 {
            return false;
        }
        self.depth.store(d - 1, Ordering::Relaxed);
        true
    }

    /// Makes this a free lock, recursive if asked. No one may be using it: a holder or a
    /// sleeper would be forgotten.
    pub(crate) fn init(&self, recursive: bool) {
        // Relaxed, all five: a lock reaches other threads and processes only through the
        // memory that holds it (a ready state, a segment's construct under its lock), whose
        // own Release and Acquire order these stores. (`kind` was stored with Release, which
        // paired with nothing: every load of it is Relaxed.)
        self.word.store(0, Ordering::Relaxed);
        self.depth.store(0, Ordering::Relaxed);
        self.prev.store(0, Ordering::Relaxed);
        self.next.store(0, Ordering::Relaxed);
        self.kind.store(
            if recursive { KIND_RECURSIVE } else { 0 },
            Ordering::Relaxed,
        );
    }

    /// Makes a lock in this process's private copy of shared memory (a copy-on-write
    /// mapping) this process's alone: a holder it names lives in another process, which
    /// will never release it here, so it is marked as dead (the next locker here gets the
    /// lock with `OwnerDied` and recovers what the holder may have left half done); a free
    /// lock is left free. Waiters and the holder's list links are forgotten.
    pub(crate) fn abandon_foreign_holder(&self) {
        // Relaxed, all: the copy is private to this process, and the opener that calls this
        // publishes the mapping to its own threads only after.
        let held = owner_of(self.word.load(Ordering::Relaxed)).is_some();
        self.word
            .store(if held { OWNER_DIED } else { 0 }, Ordering::Relaxed);
        self.depth.store(0, Ordering::Relaxed);
        self.prev.store(0, Ordering::Relaxed);
        self.next.store(0, Ordering::Relaxed);
    }

    /// Locks, waiting as long as it takes.
    #[inline]
    pub(crate) fn lock(&self) -> OsResult<Acquired> {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { lock(self.ptr()) }
    }

    /// Locks if free; `None` if another thread holds it (or, for a plain lock, the calling
    /// thread itself).
    #[inline]
    pub(crate) fn try_lock(&self) -> OsResult<Option<Acquired>> {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { try_lock(self.ptr()) }
    }

    /// The uncontended lock in a few instructions: whether it took a free lock that no
    /// owner died holding (anything else is left to the other methods).
    #[inline(always)]
    pub(crate) fn lock_fast(&self) -> bool {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { lock_fast(self.ptr()) }
    }

    /// Locks, waiting until the absolute `deadline` on `clock`; `None` on timeout.
    pub(crate) fn lock_until(
        &self,
        clock: Clock,
        deadline: &libc::timespec,
    ) -> OsResult<Option<Acquired>> {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { lock_until(self.ptr(), clock, deadline) }
    }

    /// Locks, spinning and yielding for up to `spin` before sleeping in the kernel.
    pub(crate) fn lock_spinning(&self, spin: Duration) -> OsResult<Acquired> {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { lock_spinning(self.ptr(), spin) }
    }

    /// [`Self::lock_spinning`], except that a thread relocking this lock in a loop against
    /// another one naps instead of spinning, so that the holder keeps a run of turns (see
    /// [`wait`]).
    pub(crate) fn lock_backing_off(&self, spin: Duration) -> OsResult<Acquired> {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { lock_backing_off(self.ptr(), spin) }
    }

    /// [`Self::lock_spinning`] that gives up at the absolute `deadline` on `clock`.
    pub(crate) fn lock_spinning_until(
        &self,
        spin: Duration,
        clock: Clock,
        deadline: &libc::timespec,
    ) -> OsResult<Option<Acquired>> {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { lock_spinning_until(self.ptr(), spin, clock, deadline) }
    }

    /// Unlocks; `EPERM` if the calling thread does not hold it, `ENOTRECOVERABLE` if it
    /// was released but its list links had been overwritten by another process.
    #[inline(always)]
    pub(crate) fn unlock(&self) -> OsResult<()> {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { unlock(self.ptr()) }
    }

    /// The uncontended unlock in a few instructions; false leaves the lock untouched for
    /// [`Self::unlock`] (sleepers to wake, other locks held, errors).
    #[inline(always)]
    pub(crate) fn unlock_fast(&self) -> bool {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { unlock_fast(self.ptr()) }
    }

    /// Takes the lock for a short hold through the pending slot if its word is 0 (see
    /// `try_hold` in this module for what the hold forbids until [`Self::release_hold`]).
    ///
    /// # Safety
    /// `me` is the calling thread's identity, looked up ([`identity`]) since the process
    /// last forked.
    #[inline(always)]
    pub(crate) unsafe fn try_hold_as(&self, me: ThreadIdentity) -> bool {
        // SAFETY: `self.ptr()` points to this live lock; `me` is the calling thread's (this
        // fn's contract).
        unsafe { try_hold(self.ptr(), me) }
    }

    /// Ends a hold taken by [`Self::try_hold_as`] with plain stores. Called without the
    /// hold, it frees a lock someone else holds: a logic error the caller must not make,
    /// though no memory is at risk.
    ///
    /// # Safety
    /// `me` is the identity the hold was taken with, and the calling thread's.
    #[inline(always)]
    pub(crate) unsafe fn release_hold_as(&self, me: ThreadIdentity) {
        // SAFETY: `self.ptr()` points to this live lock; `me` is the calling thread's (this
        // fn's contract).
        unsafe { release_hold(self.ptr(), me) }
    }

    /// Whether a thread died holding the lock and no one has taken it since.
    pub(crate) fn owner_died(&self) -> bool {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { owner_died(self.ptr()) }
    }

    /// Whether the calling thread holds the lock.
    #[inline]
    pub(crate) fn held_by_me(&self) -> bool {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { held_by_me(self.ptr()) }
    }

    /// Marks the lock destroyed; `EBUSY` if it is held.
    pub(crate) fn destroy(&self) -> OsResult<()> {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { destroy(self.ptr()) }
    }

    /// The owner's thread id, if it is held.
    pub(crate) fn owner_tid(&self) -> Option<u32> {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { owner_tid(self.ptr()) }
    }

    /// What the word says of its holder right now.
    pub(crate) fn holder(&self) -> LockHolder {
        // SAFETY: `self.ptr()` points to this live lock.
        unsafe { holder(self.ptr()) }
    }
}

/// A held [`RobustLock`], unlocked when dropped (an unlock error is ignored there: call
/// [`RobustGuard::unlock`] to see it).
#[must_use]
pub(crate) struct RobustGuard<'a> {
    lock: &'a RobustLock,
}

impl<'a> RobustGuard<'a> {
    /// Takes over a lock the calling thread has just taken.
    pub(crate) fn adopt(lock: &'a RobustLock) -> RobustGuard<'a> {
        RobustGuard { lock }
    }

    /// Unlocks now and reports how it went.
    pub(crate) fn unlock(self) -> OsResult<()> {
        let lock = self.lock;
        std::mem::forget(self);
        lock.unlock()
    }
}

impl Drop for RobustGuard<'_> {
    fn drop(&mut self) {
        let _ = self.lock.unlock();
    }
}

/// Locks, waiting as long as it takes.
///
/// # Safety
/// `m` must point to a live [`RobustLock`] (any bit pattern: see the type).
unsafe fn lock(m: *mut RobustLock) -> OsResult<Acquired> {
    // SAFETY: `m` points to a live lock (this fn's contract, the same as `lock_spinning`'s).
    unsafe { lock_spinning(m, Duration::ZERO) }
}

/// Locks if free; `None` if another thread holds it (or, for a plain lock, the calling
/// thread itself).
///
/// # Safety
/// As [`lock`].
#[inline]
unsafe fn try_lock(m: *mut RobustLock) -> OsResult<Option<Acquired>> {
    let me = thread_identity()?;
    // SAFETY: `m` points to a live lock (this fn's contract); `me` was just read for the
    // calling thread.
    match unsafe { attempt(m, me, false) } {
        Err(Errno(libc::EDEADLK)) => Ok(None),
        r => r,
    }
}

/// The uncontended lock in a few instructions: takes a free lock that no owner died
/// holding, and reports whether it did (anything else is left to [`lock`] and friends).
///
/// # Safety
/// As [`lock`].
#[inline(always)]
unsafe fn lock_fast(m: *mut RobustLock) -> bool {
    // No call on this path, so the C entry points need no stack frame for it.
    let me = claimed_identity();
    let Some(entry) = proven_entry(me) else {
        return false;
    };
    // SAFETY: `m` points to a live lock for the whole call (this fn's contract).
    let lock = unsafe { &*m };
    // No look at the word first (see `unlock_fast`): the compare-and-swap is the look.
    // `depth` is 0 when the word is: unlocks release only at depth 0, and a lock left by a
    // dead owner is never 0 (it carries OWNER_DIED).
    // SAFETY: `me` is the calling thread's (its entry proves it); the kernel is told about
    // the lock for the whole step, so a death half-way through is caught.
    unsafe { pending(me, Some(m)) };
    // Acquire on success (see `handoff::take`).
    if handoff::take(&lock.word, 0, me.tid).is_err() {
        // SAFETY: as above.
        unsafe { pending(me, None) };
        return false;
    }
    // SAFETY: this thread holds `m` now; `me` and `entry` are its own (above). The
    // pending slot keeps naming `m` (a store saved here and one in the unlock): a slot
    // naming a lock the thread holds and has linked is handled once by the kernel, like
    // the list, and every release clears the slot when done; any other lock operation
    // of the thread overwrites it.
    unsafe { link_recorded(m, me, entry) };
    true
}

/// Takes a lock only if its word is 0 (free, with no dead owner's `OWNER_DIED` left in it),
/// for a short hold: the lock is not linked into the thread's robust list but named in its
/// pending slot, which the kernel also looks at when a thread dies. So until
/// [`release_hold`] the thread must take or release no other robust lock (glibc's
/// included), and no one may ever sleep on the lock. Never waits.
///
/// # Safety
/// As [`lock`]; `me` is the calling thread's identity; and until [`release_hold`] the
/// thread takes or releases no other robust lock.
#[inline(always)]
unsafe fn try_hold(m: *mut RobustLock, me: ThreadIdentity) -> bool {
    // SAFETY: `m` points to a live lock and `me` is the calling thread's (this fn's
    // contract), as `pending` requires.
    unsafe {
        // Relaxed: a look; the compare-and-swap decides. Acquire on success: pairs with
        // the Release store of `release_hold` (or of an unlock), so the last holder's
        // writes are visible.
        if (*m).word.load(Ordering::Relaxed) != 0 {
            return false;
        }
        pending(me, Some(m));
        if handoff::take(&(*m).word, 0, me.tid).is_err() {
            pending(me, None);
            return false;
        }
    }
    true
}

/// The calling thread's identity, for [`RobustLock::try_hold_as`] and
/// [`RobustLock::release_hold_as`]: one look-up for an operation's hold and release.
#[inline(always)]
pub(crate) fn identity() -> OsResult<ThreadIdentity> {
    thread_identity_fast()
}

/// Ends a hold taken by [`try_hold`] with plain stores: no locked instruction, so the
/// caller's earlier stores to memory other processes are reading need not be complete
/// first.
///
/// # Safety
/// The calling thread holds `m`, taken by [`try_hold`] with its identity `me`.
#[inline(always)]
unsafe fn release_hold(m: *mut RobustLock, me: ThreadIdentity) {
    // SAFETY: this thread holds `m` through its pending slot (this fn's contract), so `m`
    // is live and `me` is the identity that named it there.
    unsafe {
        // Release: the holder's writes (a queue entry's intent, a copy published) come
        // before the word says free; pairs with the Acquire of the next `try_hold`, and of
        // `owner_tid`.
        (*m).word.store(0, Ordering::Release);
        pending(me, None);
    }
}

/// Whether a thread died holding the lock and no one has taken it since.
///
/// # Safety
/// As [`lock`].
unsafe fn owner_died(m: *mut RobustLock) -> bool {
    // SAFETY: `m` points to a live lock (this fn's contract), whose word is an aligned atomic.
    // Relaxed (it was Acquire, which ordered nothing the callers read): an answer of one
    // moment; a caller that acts on it takes the lock, whose compare-and-swap acquires.
    let v = unsafe { (*m).word.load(Ordering::Relaxed) };
    v & OWNER_DIED != 0 && v & TID_MASK == 0
}

/// Whether the calling thread holds the lock.
///
/// # Safety
/// As [`lock`].
#[inline]
unsafe fn held_by_me(m: *mut RobustLock) -> bool {
    // SAFETY: `m` points to a live lock (this fn's contract), whose word is an aligned atomic.
    // Relaxed: only this thread stores its own id in the word, and it sees its own stores.
    thread_identity()
        .is_ok_and(|me| unsafe { (*m).word.load(Ordering::Relaxed) } & TID_MASK == me.tid)
}

/// Marks a lock destroyed; it must not be locked or waited on.
///
/// # Safety
/// As [`lock`].
unsafe fn destroy(m: *mut RobustLock) -> OsResult<()> {
    // SAFETY: `m` points to a live lock for the whole call (this fn's contract).
    let lock = unsafe { &*m };
    // Relaxed, both: destroying needs everyone to have stopped using the lock, so no one
    // races with these; the check only catches a lock still held.
    if owner_of(lock.word.load(Ordering::Relaxed)).is_some() {
        return Err(Errno(libc::EBUSY));
    }
    lock.kind.store(0, Ordering::Relaxed);
    Ok(())
}

/// Unlocks.
///
/// # Safety
/// As [`lock`]. Fails with `EPERM` if the calling thread does not hold the lock.
#[inline(always)]
unsafe fn unlock(m: *mut RobustLock) -> OsResult<()> {
    // SAFETY: `m` points to a live lock (this fn's contract, the same as both callees').
    unsafe {
        if unlock_fast(m) {
            return Ok(());
        }
        unlock_slow(m)
    }
}

/// The uncontended unlock in a few instructions: unlocks a lock the calling thread holds
/// when it is the only lock on the thread's list and no one sleeps on it; false releases
/// nothing and leaves the rest to [`unlock`].
///
/// The word is not read before the release: a load of a word that a locked instruction
/// (the lock's compare-and-swap) has just written waits for that write to complete, and
/// cost about as much as the compare-and-swap itself on the development machine. The
/// thread's own list head says instead whether it holds the lock.
///
/// # Safety
/// As [`lock`].
#[inline(always)]
unsafe fn unlock_fast(m: *mut RobustLock) -> bool {
    let me = claimed_identity();
    let Some(entry) = proven_entry(me) else {
        return false;
    };
    // SAFETY: `me` is the calling thread's (its entry proves it).
    if !unsafe { first_on_list(m, me) } {
        return false;
    }
    // SAFETY: `m` points to a live lock for the whole call (this fn's contract).
    let lock = unsafe { &*m };
    // This thread holds the lock (above).
    if lock.leave_nested() {
        return true;
    }
    // SAFETY: `me` is the calling thread's (its entry proves it), which holds `m`, linked
    // when taken, and `entry` is its shadow: what `pending` and `unlink_alone` require. No
    // call on this path (the wake is out of line), so the C entry point keeps no registers
    // of its own.
    unsafe {
        pending_again(me, m);
        if !unlink_alone(m, me, entry) {
            // Other locks held, or links to check: the slow path, as if nothing happened.
            pending(me, None);
            return false;
        }
        // Release on success (see `handoff::give_up`).
        match handoff::give_up(&lock.word, me.tid) {
            Ok(_) => pending(me, None),
            // A sleeper's bit beside this thread's id.
            Err(v) if v & TID_MASK == me.tid => release_and_wake(m, me),
            Err(_) => {
                // A word naming another thread, written over the lock by another
                // process: nothing is released (the full call reports it). The lock was
                // only dropped from this thread's list, where the kernel would not have
                // marked it anyway (its word does not name this thread).
                pending(me, None);
                return false;
            }
        }
    }
    true
}

/// The rest of [`unlock`]: the thread found the slow way, sleepers to wake, errors.
///
/// # Safety
/// As [`lock`].
#[cold]
#[inline(never)]
unsafe fn unlock_slow(m: *mut RobustLock) -> OsResult<()> {
    let me = thread_identity()?;
    // SAFETY: `m` points to a live lock (this fn's contract). Relaxed: as in `held_by_me`.
    if unsafe { (*m).word.load(Ordering::Relaxed) } & TID_MASK != me.tid {
        return Err(Errno(libc::EPERM));
    }
    // SAFETY: this thread holds the lock.
    if unsafe { release(m, me) } {
        Ok(())
    } else {
        // Released, but its list links had been overwritten by another process.
        Err(Errno(libc::ENOTRECOVERABLE))
    }
}

/// Gives up one level of a lock the calling thread holds: the last one unlinks it from the
/// robust list, frees the word and wakes a sleeper if there is one. False if the lock's
/// list links were garbage (the lock is released all the same, see [`list::unlink`]).
///
/// # Safety
/// The calling thread (`me`) holds `m`, linked when it was taken.
#[inline(always)]
unsafe fn release(m: *mut RobustLock, me: ThreadIdentity) -> bool {
    // SAFETY: the calling thread holds `m`, so it is live for the whole call (this fn's
    // contract).
    let lock = unsafe { &*m };
    if lock.leave_nested() {
        return true;
    }
    // SAFETY: `me` is the calling thread, which holds `m`, linked when taken (this fn's
    // contract): what `pending`, `unlink` and `release_and_wake` require.
    unsafe {
        pending(me, Some(m));
        let linked = unlink(m, me);
        // Release on success (see `handoff::give_up`); on failure the word carries
        // `WAITERS`, and `release_and_wake` frees it.
        if handoff::give_up(&lock.word, me.tid).is_err() {
            release_and_wake(m, me);
        } else {
            pending(me, None);
        }
        linked
    }
}

/// The end of a release that found more than this thread's id in the word: frees it,
/// wakes a sleeper if the word says there is one, and clears the pending slot (out of
/// line, so the fast path keeps no registers across a call).
///
/// # Safety
/// The calling thread holds `m`, already unlinked and named in the pending slot.
#[cold]
#[inline(never)]
unsafe fn release_and_wake(m: *mut RobustLock, me: ThreadIdentity) {
    // SAFETY: the calling thread holds `m`, so it is live for the whole call (this fn's
    // contract).
    let word = unsafe { &(*m).word };
    // Release (see `handoff::free_and_wake`).
    handoff::free_and_wake(word, || wake_one(word));
    // SAFETY: `me` is the calling thread's, whose pending slot names `m` (this fn's
    // contract).
    unsafe { pending(me, None) };
}

/// Wakes a sleeper after an unlock. The lock may be freed by now; a wake-up on its old
/// address is harmless.
#[cold]
fn wake_one(word: &AtomicU32) {
    let _ = futex::wake(word, 1);
}

/// The thread id of the current owner of a lock, if it is locked.
///
/// # Safety
/// `m` must point to a live [`RobustLock`] (any bit pattern: see the type).
unsafe fn owner_tid(m: *mut RobustLock) -> Option<u32> {
    // SAFETY: `m` points to a live lock (this fn's contract); its word is an aligned atomic.
    // Acquire: pairs with the Release that freed the word (an unlock, `release_hold`), so a
    // caller that sees no owner sees what the last holder wrote (the queue's `orphaned`).
    owner_of(unsafe { (*m).word.load(Ordering::Acquire) })
}

#[cfg(test)]
mod tests;
