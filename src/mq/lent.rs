//! Locked mode's lent slots: a slot lent to a sender that writes its message in place (a
//! loan) or to a receiver that reads one in place (a view), and how each comes back.
//!
//! A lent slot is off the free stack and out of the index, in state `SLOT_LOANED` or
//! `SLOT_VIEWED`, and its `owner` robust lock is held by the borrowing thread. All of it
//! changes under the queue lock only. So a lent slot whose `owner` has no owner any more
//! belongs to a thread that died (the kernel cleared it): a sender that finds no free slot
//! takes such slots back (`reclaim_dead`), and `repair` frees them too. The queue stays in
//! locked mode while any slot is lent.

use super::layout::{SLOT_LOANED, SLOT_VIEWED, SlotHeader, is_lent};
use super::locked::{Guard, LockedMode, Turn};
use super::{Wait, corrupted};
use crate::{Error, ErrorKind, Result};
use std::sync::atomic::Ordering;

impl<'q> LockedMode<'q> {
    /// Lends a free slot to this thread for a message it writes in place: its index, or
    /// `Some(None)` if none came free as `wait` allows; `None` if the queue went back to
    /// ring mode (start over).
    pub(super) fn lend(self, guard: Guard<'q>, wait: Wait) -> Result<Option<Option<u32>>> {
        let guard = match self.wait_for_room(guard, wait)? {
            Turn::Go(g) => g,
            Turn::Left => return Ok(None),
            Turn::GaveUp => return Ok(Some(None)),
        };
        let (idx, s) = self.pop_free()?;
        self.take_out(s, SLOT_LOANED)?;
        drop(guard);
        Ok(Some(Some(idx)))
    }

    /// Takes the next message for this thread to read in place: its slot, length and
    /// priority, or `Some(None)` if none came as `wait` allows; `None` if the queue went
    /// back to ring mode (start over).
    #[allow(clippy::type_complexity)]
    pub(super) fn view(
        self,
        guard: Guard<'q>,
        wait: Wait,
    ) -> Result<Option<Option<(u32, usize, u32)>>> {
        let guard = match self.wait_for_message(guard, wait)? {
            Turn::Go(g) => g,
            Turn::Left => return Ok(None),
            Turn::GaveUp => return Ok(Some(None)),
        };
        let (idx, s, len, priority) = self.dequeue()?;
        self.take_out(s, SLOT_VIEWED)?;
        drop(guard);
        Ok(Some(Some((idx, len, priority))))
    }

    /// Marks slot `s` (off the free stack or the index) lent as `state` to this thread.
    fn take_out(self, s: &SlotHeader, state: u32) -> Result<()> {
        // A slot that is not lent has no live owner: `give_back` releases it before the
        // slot is free again, and a dead owner's lock is taken over here.
        match s.owner.try_lock() {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(corrupted(
                    "message queue: a slot that is not lent is held by a live thread",
                ));
            }
            Err(e) => return Err(e.into_error("taking a queue slot's owner lock")),
        }
        // Relaxed: read under the queue lock only (`repair`, `reclaim_dead`, `rebuild_free`).
        s.state.store(state, Ordering::Relaxed);
        let hp = self.q.queue_header_ptr();
        // SAFETY: we hold the queue lock, which guards these fields.
        unsafe {
            (*hp).lent += 1;
            // A queue whose slots are lent stays in locked mode (see `may_return_to_ring`);
            // the run starts again, so that lending does not switch it back and forth.
            (*hp).in_order_run = 0;
        }
        Ok(())
    }

    /// Takes the queue lock to end this thread's loan or view of slot `idx` (in `state`),
    /// and checks that it still is one.
    fn lent_slot(self, idx: u32, state: u32) -> Result<(Guard<'q>, &'q SlotHeader)> {
        let guard = self
            .lock(Wait::Forever)?
            .ok_or_else(|| corrupted("message queue: its lock could not be taken"))?;
        let s = self.q.slot(idx)?;
        // Relaxed: under the queue lock, which every writer of `state` holds.
        if s.state.load(Ordering::Relaxed) != state || !s.owner.held_by_me() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "message queue {:?}: slot {idx} is not lent to this thread (a loan or a \
                     received message is given back by the thread that took it)",
                    self.q.name
                ),
            ));
        }
        Ok((guard, s))
    }

    /// Gives up the slot's owner lock and counts it as no longer lent (under the lock).
    fn give_back(self, s: &SlotHeader) -> Result<()> {
        s.owner
            .unlock()
            .map_err(|e| e.into_error("releasing a queue slot's owner lock"))?;
        let hp = self.q.queue_header_ptr();
        // SAFETY: we hold the queue lock, which guards it; this slot was counted lent.
        unsafe { (*hp).lent = (*hp).lent.saturating_sub(1) };
        Ok(())
    }

    /// Queues the message this thread wrote into its loaned slot `idx`.
    pub(super) fn publish(self, idx: u32, len: usize, priority: u32) -> Result<()> {
        let (guard, s) = self.lent_slot(idx, SLOT_LOANED)?;
        self.give_back(s)?;
        self.enqueue(guard, idx, s, len, priority)
    }

    /// Frees this thread's slot `idx`, loaned (`SLOT_LOANED`, its message never sent) or
    /// viewed (`SLOT_VIEWED`, its message read).
    pub(super) fn release(self, idx: u32, state: u32) -> Result<()> {
        let (guard, s) = self.lent_slot(idx, state)?;
        self.give_back(s)?;
        let was_empty = self.push_free(idx, s)?;
        self.after_free(guard, was_empty)
    }

    /// Frees the lent slots whose borrower died (under the lock); whether there were any.
    /// Its message, unsent or being read, is lost.
    #[cold]
    pub(super) fn reclaim_dead(self) -> Result<bool> {
        let mut any = false;
        for i in 0..self.q.layout.max_msg as u32 {
            let s = self.q.slot(i)?;
            // Relaxed: under the queue lock, which every writer of `state` holds. The owner's
            // word is cleared by the kernel at the borrower's death.
            if is_lent(s.state.load(Ordering::Relaxed)) && s.owner.owner_tid().is_none() {
                // Take the dead owner's lock over, so that the slot is plainly free again.
                if let Ok(Some(_)) = s.owner.try_lock() {
                    let _ = s.owner.unlock();
                }
                let hp = self.q.queue_header_ptr();
                // SAFETY: we hold the queue lock, which guards it.
                unsafe { (*hp).lent = (*hp).lent.saturating_sub(1) };
                self.push_free(i, s)?;
                any = true;
            }
        }
        if any {
            // Other senders may be asleep for a slot.
            self.q.wake_all();
        }
        Ok(any)
    }
}
