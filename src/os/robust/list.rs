//! The calling thread's kernel robust list, as the robust lock uses it: linking a lock the
//! thread took, unlinking it on release, and the pending slot.
//!
//! The list's nodes sit inside the locks, in shared memory, where any process that can
//! write the segment can overwrite them. Unlinking writes through a node's `prev` and
//! `next`, so those two links are checked first against what this thread knows from memory
//! no other process can write: its own list head, and a private record (the *shadow*) of
//! the nodes it linked itself. A link that is neither is accepted only as the node of a
//! glibc robust mutex this thread holds (its lock word, read without any risk of a fault,
//! names this thread), outside this thread's own descriptor. Anything else is garbage: the
//! lock is released without writing through it, and the caller is told. A peer with write
//! access can thus spoil shared data, as it always could, but never make this process write
//! to its private memory.
//!
//! The shadow lives in a process-wide table indexed by the thread's list head (no
//! thread-local lookup, which costs a call in a shared library); a thread whose home entry
//! is taken uses a thread-local one.
//!
//! Orderings: the list, its links and the pending slot are read by the kernel only when
//! their thread has died (or is exiting), on the dying thread's own behalf, so they need the
//! order of that thread's program and nothing across CPUs: Relaxed stores, with
//! `compiler_fence(SeqCst)` where the order of two steps is what makes a death half-way
//! safe (the kernel acts as a signal handler of the thread would). The links of a held
//! lock are written only by its holder, and a new holder acquires them through the lock
//! word.

use super::private::private;
use super::shadow::{PROVEN, SHADOW_NODES, SHADOWS, Shadow};
use super::thread::{ThreadIdentity, claimed_identity_holds};
use super::word::{RobustLock, TID_MASK};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering, compiler_fence};

thread_local! {
    /// The shadow of a thread whose home entry in the table belongs to another thread.
    static OWN_SHADOW: Shadow = const { Shadow::new() };
    /// Frees this thread's entry of the table when the thread exits.
    static RELEASE: Release = const { Release(UnsafeCell::new(None)) };
}

/// The entry of the table a thread claimed, freed when the thread exits.
struct Release(UnsafeCell<Option<usize>>);

impl Drop for Release {
    fn drop(&mut self) {
        if let Some(i) = self.0.get_mut().take() {
            let entry = &private().table[i];
            // Relaxed: published by the Release store of `owner` below.
            entry.len.store(0, Ordering::Relaxed);
            // Release: the next thread to claim the entry sees `len` cleared.
            entry.owner.store(0, Ordering::Release);
        }
    }
}

/// A thread's home entry in the table: by TID (unique among the process's live threads;
/// two whose TIDs collide share a home, and the second uses its thread-local shadow).
fn home(me: ThreadIdentity) -> usize {
    me.tid as usize & (SHADOWS - 1)
}

/// The calling thread's shadow: its home entry in one load and compare.
#[inline(always)]
fn shadow(me: ThreadIdentity, f: impl FnOnce(&Shadow)) {
    let entry = &private().table[home(me)];
    // Relaxed: an entry that names this thread's head was claimed by this thread (heads are
    // unique among live threads), and its contents are this thread's own.
    if entry.owner.load(Ordering::Relaxed) & !PROVEN == me.head as usize {
        f(entry);
    } else {
        shadow_slow(me, f);
    }
}

#[cold]
#[inline(never)]
fn shadow_slow(me: ThreadIdentity, f: impl FnOnce(&Shadow)) {
    let i = home(me);
    let entry = &private().table[i];
    let proven = if claimed_identity_holds(me) {
        PROVEN
    } else {
        0
    };
    // Acquire: pairs with the Release store of a thread that freed the entry at its exit,
    // so its cleared `len` is visible. Relaxed on failure: the entry is another live
    // thread's, and nothing is read from it.
    if entry
        .owner
        .compare_exchange(
            0,
            me.head as usize | proven,
            Ordering::Acquire,
            Ordering::Relaxed,
        )
        .is_ok()
    {
        // SAFETY: `RELEASE` is this thread's own thread-local; no other thread can reach its
        // cell, and nothing else borrows it during this closure.
        if RELEASE
            .try_with(|r| unsafe { *r.0.get() = Some(i) })
            .is_ok()
        {
            return f(entry);
        }
        // The thread is exiting: nothing would free the entry. Release: as in
        // `Release::drop` (this thread cleared nothing, but the next claimer's Acquire
        // pairs with every store that frees an entry).
        entry.owner.store(0, Ordering::Release);
    }
    // A thread that is past its thread-locals' end uses the table entry as it is: the
    // checks below then fall to the slow path, which is still safe.
    let _ = OWN_SHADOW.try_with(|s| f(s));
}

/// The address of a lock's list node (its `next` field), as the robust list stores it.
pub(super) fn node(m: *mut RobustLock) -> usize {
    // SAFETY: only the address is computed.
    unsafe { (&raw const (*m).next) as usize }
}

/// Links a lock the calling thread just acquired into its robust list (the list only).
///
/// # Safety
/// The calling thread holds `m`; `me` is the calling thread's.
#[inline(always)]
unsafe fn link_node(m: *mut RobustLock, me: ThreadIdentity) {
    // SAFETY: `me.head` is this thread's registered head. `first` was written there by this
    // thread (a node it linked, or a link it checked before unlinking, see `unlink`) or by
    // glibc, so it is the head or the node of a lock this thread holds, whose `prev` field
    // lies 8 bytes before its node (for the head, glibc's `robust_prev` or
    // `OwnHead::before`).
    // Relaxed, all five: the list is this thread's own, read by the kernel only at its death
    // (see the module's documentation on orderings); the compiler fences keep the order
    // that makes a death half-way safe (the node complete before the head names it). The
    // lock's links reach the lock's next holder through the lock word's Release/Acquire.
    unsafe {
        let head = &*me.head;
        let first = head.list.load(Ordering::Relaxed);
        let first_prev = ((first & !1) - 8) as *const AtomicUsize;
        (*first_prev).store(node(m), Ordering::Relaxed);
        (*m).next.store(first, Ordering::Relaxed);
        (*m).prev.store(me.head as usize, Ordering::Relaxed);
        compiler_fence(Ordering::SeqCst);
        head.list.store(node(m), Ordering::Relaxed);
        compiler_fence(Ordering::SeqCst);
    }
}

/// Links a lock the calling thread just acquired into its robust list and records it in
/// its shadow.
///
/// # Safety
/// The calling thread holds `m`; `me` is the calling thread's.
#[inline(always)]
pub(super) unsafe fn link(m: *mut RobustLock, me: ThreadIdentity) {
    // SAFETY: the caller's contract is `link_node`'s.
    unsafe { link_node(m, me) };
    shadow(me, |s| s.push(node(m)));
}

/// [`link`] with the thread's shadow entry at hand (no call).
///
/// # Safety
/// The calling thread holds `m`; `me` is the calling thread's and `entry` its shadow.
#[inline(always)]
pub(super) unsafe fn link_recorded(m: *mut RobustLock, me: ThreadIdentity, entry: &Shadow) {
    // SAFETY: the caller's contract is `link_node`'s.
    unsafe { link_node(m, me) };
    entry.push(node(m));
}

/// Whether `m` is the first node of the calling thread's list, as its head (memory no
/// other process can write) says: then the thread holds `m`, since a thread links only
/// locks it has taken and unlinks them before it releases them.
///
/// # Safety
/// `me` is the calling thread's.
#[inline(always)]
pub(super) unsafe fn first_on_list(m: *mut RobustLock, me: ThreadIdentity) -> bool {
    // SAFETY: `me.head` is this thread's registered head. Relaxed: the head is this
    // thread's own (see the module's documentation on orderings).
    unsafe { (*me.head).list.load(Ordering::Relaxed) == node(m) }
}

/// Whether the list holds nothing but `m` (its links both name the head): the unlink the
/// fast unlock does, with nothing to check.
///
/// # Safety
/// `m` points to an initialised lock; `me` is the calling thread's.
#[inline(always)]
pub(super) unsafe fn alone(m: *mut RobustLock, me: ThreadIdentity) -> bool {
    let head = me.head as usize;
    // SAFETY: `m` points to a live lock (this fn's contract); its links are atomics that
    // any bit pattern makes valid. Relaxed, both: this thread wrote them when it linked the
    // lock (or glibc did, in this thread, unlinking a neighbour); a garbage value written by
    // another process fails the comparison, whatever order it arrived in.
    unsafe {
        (*m).next.load(Ordering::Relaxed) == head && (*m).prev.load(Ordering::Relaxed) == head
    }
}

/// The calling thread's shadow entry, found from [`claimed_identity`](super::thread::claimed_identity) alone, and with it
/// the proof that `claimed` is the thread's true identity: an entry whose owner is that
/// head with [`PROVEN`] was claimed by the live thread whose thread pointer gives that
/// head, after checking that it is its identity (no other live thread
/// has that head, and entries are freed when their thread exits or forks).
#[inline(always)]
pub(super) fn proven_entry(claimed: ThreadIdentity) -> Option<&'static Shadow> {
    let entry = &private().table[home(claimed)];
    // Relaxed: as in `shadow`.
    (entry.owner.load(Ordering::Relaxed) == claimed.head as usize | PROVEN).then_some(entry)
}

/// Unlinks `m` if it is the only node of the thread's list and its shadow records just
/// that (the common case of one lock held): two stores to the head, one to the shadow,
/// nothing read from shared memory written through. False, with nothing written, for
/// anything else, which [`unlink`] handles.
///
/// # Safety
/// The calling thread (`me`) holds `m`, linked by [`link`]; `entry` is its shadow.
#[inline(always)]
pub(super) unsafe fn unlink_alone(m: *mut RobustLock, me: ThreadIdentity, entry: &Shadow) -> bool {
    // SAFETY: `m` is live (this fn's contract); its links are atomics, valid with any bits.
    if !unsafe { alone(m, me) } {
        return false;
    }
    // Relaxed, all: the shadow is this thread's alone (see `Shadow`).
    if entry.len.load(Ordering::Relaxed) != 1 || entry.nodes[0].load(Ordering::Relaxed) != node(m) {
        return false;
    }
    let head = me.head as usize;
    // SAFETY: both links of `m` name the head (checked above), so the unlink writes only
    // the head's list slot and the `prev` slot 8 bytes before it (glibc's `robust_prev` or
    // `OwnHead::before`), both this thread's own. Relaxed: as every list write (see the
    // module's documentation on orderings).
    unsafe {
        (*((head - 8) as *const AtomicUsize)).store(head, Ordering::Relaxed);
        (*me.head).list.store(head, Ordering::Relaxed);
    }
    compiler_fence(Ordering::SeqCst);
    // Relaxed: the shadow is this thread's alone, as above.
    entry.len.store(0, Ordering::Relaxed);
    true
}

/// Unlinks a lock the calling thread holds from its robust list; false if its links are
/// garbage (another process overwrote them), in which case nothing was written through
/// them and the lock is only dropped from the shadow.
///
/// # Safety
/// The calling thread (`me`) holds `m`, linked by [`link`].
#[inline(always)]
pub(super) unsafe fn unlink(m: *mut RobustLock, me: ThreadIdentity) -> bool {
    // SAFETY: `m` points to a live lock this thread holds (this fn's contract); its links
    // are atomics, valid with any bits. Relaxed, both: as in `alone`; what they say is
    // checked before anything is written through them.
    let (next, prev) = unsafe {
        (
            (*m).next.load(Ordering::Relaxed),
            (*m).prev.load(Ordering::Relaxed),
        )
    };
    let head = me.head as usize;
    let mut trusted = next == head && prev == head;
    if !trusted {
        trusted = links_trusted(me, next & !1, prev & !1);
    }
    if trusted {
        // SAFETY: both links are the head or nodes of locks this thread holds (checked
        // above), so both writes land in the head or in such a lock's link fields.
        // Relaxed, both: this thread's own list (see the module's documentation on
        // orderings); the fence after them orders them before the shadow's change.
        unsafe {
            (*(((next & !1) - 8) as *const AtomicUsize)).store(prev, Ordering::Relaxed);
            (*((prev & !1) as *const AtomicUsize)).store(next, Ordering::Relaxed);
        }
        compiler_fence(Ordering::SeqCst);
    }
    shadow(me, |s| s.remove(node(m)));
    if !trusted {
        // SAFETY: `me` is the calling thread's (this fn's contract), and its shadow names
        // only nodes of locks it holds: `link` records them, `unlink` drops them.
        unsafe { rebuild(me) };
    }
    trusted
}

/// Relinks the calling thread's list from its shadow alone, after garbage was found in
/// it: every lock the shadow records is linked again, with links this thread writes
/// itself. A glibc robust mutex the thread holds drops out of the list (it keeps working,
/// but the kernel will not mark it if the thread dies holding it); so do locks beyond what
/// an overflowed shadow recorded.
///
/// # Safety
/// `me` is the calling thread's, and every node in its shadow is the node of a lock it
/// holds.
#[cold]
#[inline(never)]
unsafe fn rebuild(me: ThreadIdentity) {
    let head = me.head as usize;
    let mut nodes = [0usize; SHADOW_NODES];
    let mut n = 0;
    shadow(me, |s| {
        n = s.used();
        for (d, k) in nodes.iter_mut().zip(&s.nodes[..n]) {
            // Relaxed: the shadow is this thread's alone.
            *d = k.load(Ordering::Relaxed);
        }
    });
    let nodes = &nodes[..n];
    // SAFETY: the head is this thread's (its `prev` slot 8 bytes before it), and every node
    // is a lock this thread holds (caller's contract), whose `prev` lies 8 bytes before it.
    // Relaxed, all: this thread's own list, as in `link_node`; the fence after them ends the
    // rebuild before anything else the thread does.
    unsafe {
        let link_at = |at: usize| &*(at as *const AtomicUsize);
        let mut prev = head;
        for &k in nodes {
            link_at(k - 8).store(prev, Ordering::Relaxed);
            link_at(prev).store(k, Ordering::Relaxed);
            prev = k;
        }
        link_at(prev).store(head, Ordering::Relaxed);
        link_at(head - 8).store(prev, Ordering::Relaxed);
    }
    compiler_fence(Ordering::SeqCst);
}

/// The slow check of [`unlink`]: whether `next` and `prev` are each the head, a node this
/// thread linked, or a glibc robust mutex this thread holds.
#[cold]
#[inline(never)]
fn links_trusted(me: ThreadIdentity, next: usize, prev: usize) -> bool {
    let mut known = [false; 2];
    shadow(me, |s| {
        for (k, l) in known.iter_mut().zip([next, prev]) {
            *k = l == me.head as usize || s.contains(l);
        }
    });
    known
        .iter()
        .zip([next, prev])
        .all(|(&k, l)| k || foreign_node(me, l))
}

/// Whether `l` is the node of a lock this thread holds that it did not link itself (a glibc
/// robust mutex, or one of its own beyond what its shadow records): 8-aligned, not inside
/// this thread's descriptor or the thread-local and stack memory glibc places beside it,
/// and with a lock word 32 bytes before it that names this thread, read without any risk
/// of a fault.
fn foreign_node(me: ThreadIdentity, l: usize) -> bool {
    const NEAR_DESCRIPTOR: usize = 1 << 20;
    let head = me.head as usize;
    if l % 8 != 0 || l < 32 || (l < head + 4096 && l + NEAR_DESCRIPTOR > head) {
        return false;
    }
    super::super::mem::read_u32(l - 32).is_some_and(|w| w & TID_MASK == me.tid)
}

/// [`pending`] for `m` unless the slot names it already (left there by the fast lock,
/// see `lock_fast`): one load instead of a store before the release's locked instruction.
///
/// # Safety
/// `me` is the calling thread's.
#[inline(always)]
pub(super) unsafe fn pending_again(me: ThreadIdentity, m: *mut RobustLock) {
    // SAFETY: `me.head` is this thread's registered head. Relaxed: the slot is this
    // thread's own (see the module's documentation on orderings).
    if unsafe { (*me.head).pending.load(Ordering::Relaxed) } != node(m) {
        // SAFETY: as above.
        unsafe { pending(me, Some(m)) };
    }
}

/// Marks `m` as the lock this thread is taking or releasing, so that the kernel looks at it
/// if the thread dies half-way (`None` when done). The fast lock leaves it naming the lock
/// it took, until the next lock operation of the thread.
///
/// # Safety
/// `me` is the calling thread's.
#[inline(always)]
pub(super) unsafe fn pending(me: ThreadIdentity, m: Option<*mut RobustLock>) {
    compiler_fence(Ordering::SeqCst);
    // SAFETY: `me.head` is this thread's registered head. Relaxed: the slot is this
    // thread's own, read by the kernel only at its death; the two compiler fences keep it
    // between the steps it covers (the kernel acts as a signal handler of the thread would).
    unsafe {
        (*me.head)
            .pending
            .store(m.map_or(0, node), Ordering::Relaxed)
    };
    compiler_fence(Ordering::SeqCst);
}
