//! The loan pool: `max_msg` slots beside the queue's own, where loans are written and where
//! messages sent from loans stay until their receiver is done with them.
//!
//! Each pool slot has a robust lock (`owner`) and a state, which only the lock's holder
//! changes:
//! - `POOL_FREE`: nobody's;
//! - `POOL_LOANED`: lent to the thread holding `owner`, which writes its message, and keeps
//!   holding it while it sends the descriptor, then marks the slot queued and lets go;
//! - `POOL_QUEUED`: named by a descriptor in the queue, held by nobody, or by a receiver
//!   taking it (a receiver takes the lock before it claims the descriptor's position);
//! - `POOL_HELD`: held by a receiver reading it in place.
//!
//! A slot whose `owner` died is taken back by a loan that finds no free slot (`reclaim`);
//! its generation tells the receiver of a descriptor naming an older lending that the
//! message is gone.

use super::handle::{MessageQueue, Wait, corrupted};
use super::layout::{
    Descriptor, GLANCE, POOL_FREE, POOL_HEADER, POOL_HELD, POOL_LOANED, POOL_QUEUED, POOL_RECHECK,
    PoolHeader, copy_naps,
};
use crate::Result;
use crate::os::robust;
use crate::os::spin::Spin;
use crate::sync::Deadline;
use std::sync::atomic::Ordering;

/// The loan pool of a queue.
#[derive(Clone, Copy)]
pub(super) struct LoanPool<'q> {
    pub(super) q: &'q MessageQueue,
}

/// How an attempt to take a descriptor's pool slot went.
pub(super) enum Taken {
    /// The calling thread holds it now (`died`: its last holder died holding it).
    Mine { died: bool },
    /// Another thread holds it: its sender finishing the send, or another receiver.
    Busy,
}

impl<'q> LoanPool<'q> {
    /// Pool slot `i`'s header.
    pub(super) fn header(self, i: u32) -> Result<&'q PoolHeader> {
        let l = &self.q.layout;
        if u64::from(i) >= l.max_msg {
            return Err(corrupted(format!(
                "message queue {:?}: loan-pool slot {i} out of range",
                self.q.name
            )));
        }
        let off = l.pool + u64::from(i) * l.slot_size;
        // SAFETY: the pool lies inside the mapping (its size was checked against the layout
        // when the queue was opened), each slot 128-byte aligned; a header is atomics and a
        // robust lock, valid for any bit pattern.
        Ok(unsafe {
            &*self
                .q
                .region
                .as_ptr()
                .add(off as usize)
                .cast::<PoolHeader>()
        })
    }

    /// Where pool slot `p`'s message bytes are (`max_msg_size` of them, 64-byte aligned).
    pub(super) fn payload(self, p: &PoolHeader) -> *mut u8 {
        std::ptr::from_ref(p)
            .cast::<u8>()
            .cast_mut()
            .wrapping_add(POOL_HEADER as usize)
    }

    /// Lends the calling thread a free slot: its index and generation, or `None` if none
    /// came free as `wait` allows.
    pub(super) fn lend(self, wait: Wait) -> Result<Option<(u32, u32)>> {
        let h = self.q.queue_header();
        let n = self.q.layout.max_msg as u32;
        loop {
            // Relaxed: a hint of this process's own (any value is a slot to start from).
            // No `%` on this path: a division costs more than the rest of the step.
            let start = wrap(self.q.lend_next.load(Ordering::Relaxed), n);
            let mut saw_dead = false;
            for k in 0..n {
                let i = wrap(start + k, n);
                // The first look goes straight for the lock (see `try_lend`).
                if let Some(generation) = self.try_lend(i, k == 0, &mut saw_dead)? {
                    // Relaxed: as above.
                    self.q.lend_next.store(wrap(i + 1, n), Ordering::Relaxed);
                    return Ok(Some((i, generation)));
                }
            }
            // Only when the look saw a dead holder: another pass over every slot's line,
            // while receivers are writing them, is not free.
            if saw_dead && self.reclaim()? {
                continue;
            }
            if wait.ran_out() {
                return Ok(None);
            }
            // Freed slots wake the senders' futex word; a holder that dies wakes no one, so
            // look again now and then.
            let recheck = Deadline::after(POOL_RECHECK);
            let nap = match wait {
                Wait::Until(d) => Wait::Until(earlier(d, recheck)),
                _ => Wait::Until(recheck),
            };
            // Receivers free pool slots in the order they were sent, so the one this process
            // lends next is usually the first to come free: the spin watches its line alone
            // (a look at every slot would pull in the lines the receivers are writing).
            let next = self.header(wrap(self.q.lend_next.load(Ordering::Relaxed), n))?;
            // Relaxed: a hint; `try_lend` decides under the lock.
            let likely = || next.state.load(Ordering::Relaxed) == POOL_FREE;
            self.q.wait_change_watching(
                &h.not_full,
                &h.senders_waiting,
                likely,
                || self.any_free(),
                nap,
            )?;
        }
    }

    /// Lends slot `i` if it is free (or its holder died with it lent or held): its new
    /// generation. `eager`: take the lock without a look at the state first. The slot this
    /// process lends next is usually free, and its header line was last written by the
    /// receiver that freed it: a look would fetch the line shared and the lock's
    /// compare-and-swap fetch it again, exclusive; the compare-and-swap alone fetches it once.
    /// `saw_dead` is set if a look found a slot whose holder died (its line is read anyway).
    fn try_lend(self, i: u32, eager: bool, saw_dead: &mut bool) -> Result<Option<u32>> {
        let p = self.header(i)?;
        // Relaxed: a hint; the state is read again under `owner`.
        if !eager && p.state.load(Ordering::Relaxed) != POOL_FREE {
            *saw_dead |= p.owner.owner_died();
            return Ok(None);
        }
        let died = if p.owner.lock_fast() {
            false
        } else {
            match p
                .owner
                .try_lock()
                .map_err(|e| e.into_error("taking a loan-pool slot"))?
            {
                Some(how) => how == robust::Acquired::OwnerDied,
                None => return Ok(None),
            }
        };
        // Relaxed, the three: under `owner`, whose taking acquired the last holder's
        // changes, and whose release publishes these.
        let state = p.state.load(Ordering::Relaxed);
        // A slot lent or held by a thread that died is taken back here, as `reclaim`
        // would; a queued one is left to the receiver its descriptor reaches.
        let reclaimed = died && (state == POOL_LOANED || state == POOL_HELD);
        if state != POOL_FREE && !reclaimed {
            let _ = p.owner.unlock();
            return Ok(None);
        }
        let generation = p.generation.load(Ordering::Relaxed).wrapping_add(1);
        p.generation.store(generation, Ordering::Relaxed);
        p.state.store(POOL_LOANED, Ordering::Relaxed);
        Ok(Some(generation))
    }

    /// Whether a slot is free, or its holder died (for a waiting loan).
    fn any_free(self) -> bool {
        (0..self.q.layout.max_msg as u32).any(|i| {
            self.header(i).is_ok_and(|p| {
                // SeqCst: the sleeper's side of the store-load pair with `free` (see
                // `MessageQueue::wait_change`).
                p.state.load(Ordering::SeqCst) == POOL_FREE || p.owner.owner_died()
            })
        })
    }

    /// Takes back the slots whose holder died; whether there were any. Their messages (a
    /// loan unsent, a view unread, a message a receiver was taking) are lost.
    #[cold]
    pub(super) fn reclaim(self) -> Result<bool> {
        let mut any = false;
        for i in 0..self.q.layout.max_msg as u32 {
            let p = self.header(i)?;
            // Relaxed: a hint, checked again under `owner`.
            if p.state.load(Ordering::Relaxed) == POOL_FREE || !p.owner.owner_died() {
                continue;
            }
            if let Ok(Some(_)) = p.owner.try_lock() {
                if p.state.load(Ordering::Relaxed) != POOL_FREE {
                    // SeqCst: as in `free`.
                    p.state.store(POOL_FREE, Ordering::SeqCst);
                    any = true;
                }
                let _ = p.owner.unlock();
            }
        }
        if any {
            let h = self.q.queue_header();
            MessageQueue::wake_if_waiting(&h.not_full, &h.senders_waiting);
        }
        Ok(any)
    }

    /// Whether the calling thread holds slot `i`.
    pub(super) fn held_here(self, i: u32) -> bool {
        self.header(i).is_ok_and(|p| p.owner.held_by_me())
    }

    /// The descriptor of this thread's loaned slot `i` was sent: the slot is queued, and
    /// the thread lets it go. Only a [`Loan`](super::Loan)'s own send calls this, on the
    /// thread that holds the slot (see `Loan::send_impl`); a lock this thread does not hold
    /// would still be reported by the unlock.
    pub(super) fn queued(self, i: u32) -> Result<()> {
        let p = self.header(i)?;
        debug_assert!(p.owner.held_by_me(), "a loan is sent by its own thread");
        // Relaxed: published by the unlock to the receiver that takes `owner` next.
        p.state.store(POOL_QUEUED, Ordering::Relaxed);
        p.owner
            .unlock()
            .map_err(|e| e.into_error("letting a loan-pool slot go"))
    }

    /// Frees this thread's slot `i` (a loan not sent, a message read). Every caller holds
    /// the slot: a [`Loan`](super::Loan) or a [`Received`](super::Received) on its own thread
    /// (neither is `Send`, and the C ABI checks `held_here` first), or a receiver that has
    /// just taken it. A lock this thread does not hold would still be reported by the unlock.
    pub(super) fn free(self, i: u32) -> Result<()> {
        let p = self.header(i)?;
        debug_assert!(p.owner.held_by_me(), "a pool slot is freed by its holder");
        // SeqCst: the store of the store-load pair with a waiting loan (`any_free` after it
        // registered), against the load of `senders_waiting` in `wake_if_waiting`.
        p.state.store(POOL_FREE, Ordering::SeqCst);
        p.owner
            .unlock()
            .map_err(|e| e.into_error("freeing a loan-pool slot"))?;
        let h = self.q.queue_header();
        MessageQueue::wake_if_waiting(&h.not_full, &h.senders_waiting);
        Ok(())
    }

    /// Whether descriptor `d` may still name its message: its slot was not lent again
    /// since (read without the lock: a hint that spares waiting on a later lending).
    pub(super) fn current(self, d: Descriptor) -> Result<bool> {
        // Relaxed: a hint; `holds` checks again under `owner`.
        Ok(self.header(d.pool)?.generation.load(Ordering::Relaxed) == d.generation)
    }

    /// Tries to take the slot descriptor `d` names, for a receiver (before it claims the
    /// descriptor's position in ring mode; no entry may be held).
    pub(super) fn try_take(self, d: Descriptor) -> Result<Taken> {
        let p = self.header(d.pool)?;
        // Straight for the lock: a look first would fetch the line twice (see `try_lend`).
        if p.owner.lock_fast() {
            return Ok(Taken::Mine { died: false });
        }
        if p.owner.held_by_me() {
            // This thread's own loan or view cannot be named by a queued descriptor.
            return Err(corrupted(format!(
                "message queue {:?}: a queued message names a loan-pool slot this thread holds",
                self.q.name
            )));
        }
        Ok(
            match p
                .owner
                .try_lock()
                .map_err(|e| e.into_error("taking a loan-pool slot"))?
            {
                Some(how) => Taken::Mine {
                    died: how == robust::Acquired::OwnerDied,
                },
                None => Taken::Busy,
            },
        )
    }

    /// Watches the lock of the slot descriptor `d` names for a moment while another thread
    /// holds it (usually its sender, between queuing the descriptor and letting the slot
    /// go): whether it looks free now. `try_` operations do not watch.
    pub(super) fn outwait_holder(self, d: Descriptor, wait: Wait) -> Result<bool> {
        if matches!(wait, Wait::Never) {
            return Ok(false);
        }
        let p = self.header(d.pool)?;
        Ok(Spin::new(GLANCE, GLANCE).until(None, || p.owner.owner_tid().is_none()))
    }

    /// Takes the slot descriptor `d` names, waiting for its holder (locked mode, under the
    /// queue lock: the holder is its sender finishing a send, or a ring-mode receiver that
    /// will find the ring frozen, neither of which needs the queue lock).
    pub(super) fn take_waiting(self, d: Descriptor) -> Result<bool> {
        let mut naps = copy_naps();
        loop {
            match self.try_take(d)? {
                Taken::Mine { died } => return Ok(died),
                Taken::Busy => {
                    // A word naming no possible thread would be waited for forever.
                    if let crate::LockHolder::Garbage(tid) = self.header(d.pool)?.owner.holder() {
                        return Err(corrupted(format!(
                            "message queue {:?}: loan-pool slot {}'s lock names thread id {tid}, \
                             which no kernel hands out",
                            self.q.name, d.pool
                        )));
                    }
                    naps.take()
                }
            }
        }
    }

    /// After taking the slot `d` names: whether it holds `d`'s message (queued, or lent to
    /// a sender that died after sending it, and not lent again since).
    pub(super) fn holds(self, d: Descriptor) -> Result<bool> {
        let p = self.header(d.pool)?;
        // Relaxed: under `owner`.
        let state = p.state.load(Ordering::Relaxed);
        Ok((state == POOL_QUEUED || state == POOL_LOANED)
            && p.generation.load(Ordering::Relaxed) == d.generation)
    }

    /// Keeps the taken slot `i` for a view of its message.
    pub(super) fn hold(self, i: u32) -> Result<()> {
        // Relaxed: under `owner`.
        self.header(i)?.state.store(POOL_HELD, Ordering::Relaxed);
        Ok(())
    }

    /// Lets go of a taken slot whose message this receiver does not take (its claim
    /// failed, or the slot holds another message): as it was, unless its last holder died
    /// with it lent or held, when it is freed.
    pub(super) fn give_up(self, i: u32, died: bool) -> Result<()> {
        let p = self.header(i)?;
        // Relaxed: under `owner`.
        let state = p.state.load(Ordering::Relaxed);
        if died && (state == POOL_LOANED || state == POOL_HELD) {
            return self.free(i);
        }
        p.owner
            .unlock()
            .map_err(|e| e.into_error("letting a loan-pool slot go"))
    }
}

/// `i` as a slot index below `n`, for an `i` below `2 * n` (any other value, which only a
/// hint could hold, gives some index below `n`).
#[inline(always)]
fn wrap(i: u32, n: u32) -> u32 {
    if i < n {
        i
    } else if i - n < n {
        i - n
    } else {
        i % n
    }
}

/// The earlier of two deadlines (`a` if their clocks differ).
fn earlier(a: Deadline, b: Deadline) -> Deadline {
    if a.clock() == b.clock() && (b.seconds(), b.nanoseconds()) < (a.seconds(), a.nanoseconds()) {
        b
    } else {
        a
    }
}
