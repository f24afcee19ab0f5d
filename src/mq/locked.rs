//! Locked mode (Boost's design): the queue lock, repair after a death, the sorted index and
//! the free stack, and the steps that loans and in-place receives share with copies
//! (`lent.rs` has the rest of theirs).

use super::layout::{
    FROZEN, IndexEntry, LENT_RECHECK, MODE_LOCKED, MODE_RING, MODE_SWITCHING, MODE_UNLOCKING,
    QUEUE_LOCK_YIELDS, SLOT_FREE, SLOT_QUEUED, SlotHeader, TRY_SLOT_WAIT, is_lent,
};
use super::{MessageQueue, Payload, Wait, corrupted};
use crate::Result;
use crate::os::{futex, robust};
use crate::sync::Deadline;
use std::sync::atomic::{AtomicU32, Ordering};

/// The queue lock, held.
pub(super) type Guard<'a> = robust::RobustGuard<'a>;

/// Locked mode's operations on a queue (its own type, so that a reader knows which mode a
/// step belongs to): Boost's design, every operation under the queue lock. The switches
/// between the modes (`switch.rs`) are locked mode's too: they run under the lock.
#[derive(Clone, Copy)]
pub(super) struct LockedMode<'q> {
    pub(super) q: &'q MessageQueue,
}

impl<'q> LockedMode<'q> {
    /// Takes the queue lock and finishes whatever a dead process left half-done; `None` if
    /// the lock, or a slot that finishing needs, is held by another process for longer than
    /// `wait` allows (a `try_` operation: [`TRY_SLOT_WAIT`]).
    pub(super) fn lock(self, wait: Wait) -> Result<Option<Guard<'q>>> {
        let lock = &self.q.queue_header().lock;
        let until = |d: Deadline| {
            let (clock, sec, nsec) = d.os();
            lock.lock_spinning_until(
                QUEUE_LOCK_YIELDS,
                clock,
                &robust::timespec(sec.max(0), nsec),
            )
        };
        // A try_ operation waits for the lock as long as for a slot being copied: a peer
        // holds it for a few instructions, unless it is stopped or gone.
        let how = match wait {
            Wait::Forever => lock.lock_spinning(QUEUE_LOCK_YIELDS).map(Some),
            Wait::Never => until(Deadline::after(TRY_SLOT_WAIT)),
            Wait::Until(d) => until(d),
        }
        .map_err(|e| e.into_error("locking the queue"))?;
        let Some(how) = how else {
            return Ok(None);
        };
        let g = Guard::adopt(lock);
        let h = self.q.queue_header();
        // Acquire: pairs with the Release stores of the mode in the switches (which the lock
        // already orders; see `QueueHeader::mode`).
        match h.mode.load(Ordering::Acquire) {
            MODE_RING => {
                // Ring mode with a frozen end cannot come from this library (a switch back
                // unfreezes them before it says ring mode): garbage. Locked mode rebuilds
                // from what the slots say. Nor can ring mode on a queue of one slot (which
                // an older release made): it goes to locked mode, where it belongs.
                // SeqCst, as every access of the ends (see `QueueHeader::tail`).
                let frozen =
                    (h.head.load(Ordering::SeqCst) | h.tail.load(Ordering::SeqCst)) & FROZEN != 0;
                if (frozen || !self.q.ring_fits()) && !self.switch_to_locked(wait)? {
                    return Ok(None);
                }
            }
            MODE_SWITCHING => {
                if !self.switch_to_locked(wait)? {
                    return Ok(None);
                }
            }
            MODE_UNLOCKING => {
                // A switch back that died after thawing the ends: only the mode is left.
                // Release, as the mode's other stores (see `QueueHeader::mode`).
                if h.tail.load(Ordering::SeqCst) & FROZEN == 0 {
                    h.mode.store(MODE_RING, Ordering::Release);
                } else {
                    self.switch_to_ring()?;
                }
            }
            MODE_LOCKED => {
                // Every slot is either queued or free: counts that disagree with that come
                // from a dead process or from garbage, and the slots themselves say what
                // is true.
                // Acquire: pairs with the Release stores of `count` (all under this lock).
                let (count, free_top, lent, ring_head) = (
                    h.count.load(Ordering::Acquire),
                    h.free_top,
                    h.lent,
                    h.ring_head,
                );
                if how == robust::Acquired::OwnerDied
                    || count
                        .checked_add(free_top)
                        .and_then(|n| n.checked_add(u64::from(lent)))
                        != Some(self.q.layout.max_msg)
                    || u64::from(ring_head) >= self.q.layout.max_msg
                {
                    self.repair()?;
                }
            }
            other => {
                return Err(corrupted(format!(
                    "message queue {:?}: unknown mode {other}",
                    self.q.name
                )));
            }
        }
        Ok(Some(g))
    }

    /// Rebuilds the locked-mode index from the slots' states after a process died holding
    /// the lock (see the module documentation for what can be lost).
    #[cold]
    pub(super) fn repair(self) -> Result<()> {
        let mut queued = Vec::new();
        let mut lent = 0u32;
        for i in 0..self.q.layout.max_msg as u32 {
            let s = self.q.slot(i)?;
            // Relaxed: every writer of these fields in locked mode held the queue lock, and
            // taking it (even from a dead holder) acquires what they wrote.
            let (state, prio, seq, len) = (
                s.state.load(Ordering::Relaxed),
                s.priority.load(Ordering::Relaxed),
                s.seq.load(Ordering::Relaxed),
                s.len.load(Ordering::Relaxed),
            );
            if state == SLOT_QUEUED && u64::from(len) <= self.q.layout.max_msg_size {
                queued.push((std::cmp::Reverse(prio), seq, i, prio));
            } else if is_lent(state) && s.owner.owner_tid().is_some() {
                // Lent to a live thread, which gives it back.
                lent += 1;
            } else {
                s.state.store(SLOT_FREE, Ordering::Relaxed);
            }
        }
        queued.sort();
        let max_seq = queued.iter().map(|q| q.1).max().unwrap_or(0);
        let h = self.q.queue_header_ptr();
        // SAFETY: the index holds `max_msg` entries; we hold the lock.
        unsafe {
            for (k, &(_, seq, slot, priority)) in queued.iter().enumerate() {
                *self.q.index_ptr().add(k) = IndexEntry {
                    seq,
                    priority,
                    slot,
                };
            }
            (*h).next_seq = max_seq.wrapping_add(1);
            (*h).ring_head = 0;
            (*h).lent = lent;
        }
        self.rebuild_free()?;
        // Release: pairs with the Acquire loads of `count` (see `QueueHeader::count`).
        self.q
            .queue_header()
            .count
            .store(queued.len() as u64, Ordering::Release);
        // Wake everyone: waiters may have been waiting on the dead process.
        self.q.wake_all();
        Ok(())
    }

    /// The index entry at logical position `i` (0 is the next to receive).
    pub(super) fn entry_at(self, head: u64, i: u64) -> *mut IndexEntry {
        let max = self.q.layout.max_msg;
        let mut k = head + i;
        if k >= max {
            k -= max;
        }
        // `head < max` and `i <= max` (checked when the lock was taken), so `k < max`.
        self.q.index_ptr().wrapping_add(k as usize)
    }

    /// Inserts `entry` after every entry that comes out before it.
    pub(super) fn index_insert(self, count: u64, entry: IndexEntry) {
        let hp = self.q.queue_header_ptr();
        // SAFETY: we hold the lock; `count < max_msg` (not full) and `ring_head < max_msg`
        // (checked at lock), so every logical position up to `count` maps into the array.
        unsafe {
            let head = u64::from((*hp).ring_head);
            // Usually the new message goes last: nothing of a lower priority is waiting.
            let pos = if count == 0 || !entry.before(*self.entry_at(head, count - 1)) {
                count
            } else {
                let (mut lo, mut hi) = (0, count - 1);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if entry.before(*self.entry_at(head, mid)) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                lo
            };
            if pos >= count / 2 {
                // Move the tail side up by one.
                let mut k = count;
                while k > pos {
                    *self.entry_at(head, k) = *self.entry_at(head, k - 1);
                    k -= 1;
                }
                *self.entry_at(head, pos) = entry;
            } else {
                // Move the head side down by one: the index starts one place earlier.
                let max = self.q.layout.max_msg;
                let new_head = if head == 0 { max - 1 } else { head - 1 };
                for k in 0..pos {
                    *self.entry_at(new_head, k) = *self.entry_at(head, k);
                }
                *self.entry_at(new_head, pos) = entry;
                (*hp).ring_head = new_head as u32;
            }
        }
    }

    /// Takes the first entry of a non-empty index.
    pub(super) fn index_pop(self) -> IndexEntry {
        let hp = self.q.queue_header_ptr();
        // SAFETY: we hold the lock; the index is not empty and `ring_head < max_msg`.
        unsafe {
            let head = u64::from((*hp).ring_head);
            let top = *self.entry_at(head, 0);
            let next = head + 1;
            (*hp).ring_head = if next == self.q.layout.max_msg {
                0
            } else {
                next as u32
            };
            top
        }
    }

    /// Sleeps on `word` (registered in `waiting`) with the lock released, until woken or
    /// `wait`'s deadline, or `nap` if that comes first; relocks as `wait` allows (`None`:
    /// the relock gave up, see [`Self::lock`]).
    pub(super) fn sleep(
        self,
        guard: Guard<'q>,
        word: &AtomicU32,
        waiting: &AtomicU32,
        wait: Wait,
        nap: Option<Deadline>,
    ) -> Result<Option<Guard<'q>>> {
        // Both under the lock, as every locked-mode waker's look at `waiting`, so the lock
        // orders them; SeqCst because the counts and words are shared with ring mode, where
        // they form a store-load pair (see `QueueHeader::tail`). `seen` is read before the
        // unlock, so a wake-up after it changes the word and the futex wait returns.
        waiting.fetch_add(1, Ordering::SeqCst);
        let seen = word.load(Ordering::SeqCst);
        drop(guard);
        let until = match wait {
            Wait::Until(d) => Some(nap.map_or(d, |n| earlier(d, n))),
            _ => nap,
        };
        let r = futex::wait(word, seen, until.map(|d| d.os()));
        let guard = self.lock(wait);
        // SeqCst as every access of the counts; a stale count costs a spare wake call only.
        waiting.fetch_sub(1, Ordering::SeqCst);
        let Some(guard) = guard? else {
            return Ok(None);
        };
        r.map_err(|e| e.into_error("waiting on the queue"))?;
        Ok(Some(guard))
    }

    /// Whether locked mode has seen enough in-order sends to go back to the ring once empty
    /// (and no slot is lent: the ring has no room for a lent slot).
    pub(super) fn may_return_to_ring(self) -> bool {
        let hp = self.q.queue_header_ptr();
        // SAFETY: read under the queue lock, which guards them.
        self.q.ring_fits()
            && unsafe { (*hp).in_order_run >= self.q.layout.max_msg && (*hp).lent == 0 }
    }

    /// Waits, holding the lock but for its sleeps, until a slot is free.
    pub(super) fn wait_for_room(self, mut guard: Guard<'q>, wait: Wait) -> Result<Turn<'q>> {
        let h = self.q.queue_header();
        let hp = self.q.queue_header_ptr();
        loop {
            // Acquire, both: pair with the Release stores of the mode and the count (all
            // under this lock, which orders them anyway).
            if h.mode.load(Ordering::Acquire) != MODE_LOCKED {
                return Ok(Turn::Left);
            }
            if h.count.load(Ordering::Acquire) == 0 && self.may_return_to_ring() {
                self.switch_to_ring()?;
                return Ok(Turn::Left);
            }
            // SAFETY: under the queue lock, which guards them.
            let (free, lent) = unsafe { ((*hp).free_top, (*hp).lent) };
            if free > 0 {
                return Ok(Turn::Go(guard));
            }
            if lent > 0 && self.reclaim_dead()? {
                continue;
            }
            if ran_out(wait) {
                return Ok(Turn::GaveUp);
            }
            // A borrower that dies gives its slot back without waking anyone: look again
            // now and then while slots are lent.
            let nap = (lent > 0).then(|| Deadline::after(LENT_RECHECK));
            match self.sleep(guard, &h.not_full, &h.senders_waiting, wait, nap)? {
                Some(g) => guard = g,
                None => return Ok(Turn::GaveUp),
            }
        }
    }

    /// Waits, holding the lock but for its sleeps, until a message is queued.
    pub(super) fn wait_for_message(self, mut guard: Guard<'q>, wait: Wait) -> Result<Turn<'q>> {
        let h = self.q.queue_header();
        loop {
            // Acquire: as in `wait_for_room`.
            if h.mode.load(Ordering::Acquire) != MODE_LOCKED {
                return Ok(Turn::Left);
            }
            if h.count.load(Ordering::Acquire) > 0 {
                return Ok(Turn::Go(guard));
            }
            if self.may_return_to_ring() {
                self.switch_to_ring()?;
                return Ok(Turn::Left);
            }
            if ran_out(wait) {
                return Ok(Turn::GaveUp);
            }
            match self.sleep(guard, &h.not_empty, &h.receivers_waiting, wait, None)? {
                Some(g) => guard = g,
                None => return Ok(Turn::GaveUp),
            }
        }
    }

    /// Takes the slot on top of the free stack (not empty: see `wait_for_room`).
    pub(super) fn pop_free(self) -> Result<(u32, &'q SlotHeader)> {
        let hp = self.q.queue_header_ptr();
        // SAFETY: we hold the lock; `free_top` is checked before use.
        unsafe {
            let top = (*hp).free_top;
            if top == 0 || top > self.q.layout.max_msg {
                return Err(corrupted("message queue free list is inconsistent"));
            }
            let idx = *self.q.free_ptr().add((top - 1) as usize);
            let s = self.q.slot(idx)?;
            (*hp).free_top = top - 1;
            Ok((idx, s))
        }
    }

    /// Frees slot `idx` (its message is out, or it was never sent): onto the free stack.
    /// Whether the stack was empty (senders may be asleep).
    pub(super) fn push_free(self, idx: u32, s: &SlotHeader) -> Result<bool> {
        let hp = self.q.queue_header_ptr();
        // Freed only after the bytes are out (see `repair`).
        s.state.store(SLOT_FREE, Ordering::Release);
        // SAFETY: we hold the lock; `free_top` is checked before use.
        unsafe {
            let top = (*hp).free_top;
            if top >= self.q.layout.max_msg {
                return Err(corrupted("message queue free list is inconsistent"));
            }
            *self.q.free_ptr().add(top as usize) = idx;
            (*hp).free_top = top + 1;
            Ok(top == 0)
        }
    }

    /// Queues the message now in slot `idx` (`len` bytes, taken off the free stack or
    /// lent) with `priority`, then unlocks and wakes receivers if it was empty.
    pub(super) fn enqueue(
        self,
        guard: Guard<'q>,
        idx: u32,
        s: &SlotHeader,
        len: usize,
        priority: u32,
    ) -> Result<()> {
        let h = self.q.queue_header();
        let hp = self.q.queue_header_ptr();
        let count = h.count.load(Ordering::Acquire);
        if count >= self.q.layout.max_msg {
            return Err(corrupted("message queue count is inconsistent"));
        }
        // SAFETY: we hold the lock; `count < max_msg` (checked) and `ring_head < max_msg`
        // (checked at lock), so the index has room.
        unsafe {
            let in_order = count == 0
                || priority <= (*self.entry_at(u64::from((*hp).ring_head), count - 1)).priority;
            (*hp).in_order_run = if in_order {
                (*hp).in_order_run.saturating_add(1)
            } else {
                0
            };
            let seq = (*hp).next_seq;
            // Relaxed: read under the lock only; `state` below orders them for `repair`.
            s.len.store(len as u32, Ordering::Relaxed);
            s.priority.store(priority, Ordering::Relaxed);
            s.seq.store(seq, Ordering::Relaxed);
            (*hp).next_seq = seq.wrapping_add(1);
            // The bytes are complete before the slot says it is queued (see `repair`).
            s.state.store(SLOT_QUEUED, Ordering::Release);
            self.index_insert(
                count,
                IndexEntry {
                    seq,
                    priority,
                    slot: idx,
                },
            );
        }
        // Release: pairs with the Acquire loads of `count` (`num_msg` reads it unlocked).
        h.count.store(count + 1, Ordering::Release);
        // Receivers only ever sleep on an empty queue (registered under the lock), so only
        // the step from empty needs a wake-up; waking them all there means none is left
        // asleep beside a message, and no atomic or system call is spent per message.
        // SeqCst: see `sleep` (under the lock, the sleeper registered before unlocking).
        let wake = count == 0 && h.receivers_waiting.load(Ordering::SeqCst) > 0;
        if wake {
            h.not_empty.fetch_add(1, Ordering::SeqCst);
        }
        drop(guard);
        if wake {
            let _ = futex::wake(&h.not_empty, i32::MAX);
        }
        Ok(())
    }

    /// Takes the first queued message off the index (not empty: see `wait_for_message`):
    /// its slot, length and priority.
    pub(super) fn dequeue(self) -> Result<(u32, &'q SlotHeader, usize, u32)> {
        let h = self.q.queue_header();
        let count = h.count.load(Ordering::Acquire);
        let idx = self.index_pop().slot;
        let s = self.q.slot(idx)?;
        // Relaxed: written under this lock (`enqueue`, a switch, `repair`).
        let len = s.len.load(Ordering::Relaxed);
        if u64::from(len) > self.q.layout.max_msg_size {
            return Err(corrupted(
                "a queued message is longer than the queue allows",
            ));
        }
        // Release: as in `enqueue`.
        h.count.store(count - 1, Ordering::Release);
        Ok((idx, s, len as usize, s.priority.load(Ordering::Relaxed)))
    }

    /// Ends an operation that freed a slot (`was_empty`: the free stack was empty): back to
    /// ring mode if the queue is empty and may go, or else unlocks and wakes senders.
    pub(super) fn after_free(self, guard: Guard<'q>, was_empty: bool) -> Result<()> {
        let h = self.q.queue_header();
        if h.count.load(Ordering::Acquire) == 0 && self.may_return_to_ring() {
            return self.switch_to_ring();
        }
        // Senders only sleep with no free slot: wake them all on the step from none.
        // SeqCst: see `sleep`.
        let wake = was_empty && h.senders_waiting.load(Ordering::SeqCst) > 0;
        if wake {
            h.not_full.fetch_add(1, Ordering::SeqCst);
        }
        drop(guard);
        if wake {
            let _ = futex::wake(&h.not_full, i32::MAX);
        }
        Ok(())
    }

    /// Sends in locked mode; `None` if the queue went back to ring mode meanwhile.
    pub(super) fn send(
        self,
        guard: Guard<'q>,
        data: Payload<'_>,
        priority: u32,
        wait: Wait,
    ) -> Result<Option<bool>> {
        let guard = match self.wait_for_room(guard, wait)? {
            Turn::Go(g) => g,
            Turn::Left => return Ok(None),
            Turn::GaveUp => return Ok(Some(false)),
        };
        let (idx, s) = self.pop_free()?;
        // SAFETY: the slot holds `max_msg_size` bytes after its header (checked by the
        // caller against `data`); off the free stack, it is this thread's under the lock.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.q.payload(s), data.len());
        }
        self.enqueue(guard, idx, s, data.len(), priority)?;
        Ok(Some(true))
    }

    /// Receives in locked mode; `None` (outer) if the queue went back to ring mode.
    pub(super) fn receive(
        self,
        guard: Guard<'q>,
        buf: &mut [u8],
        wait: Wait,
    ) -> Result<Option<Option<(usize, u32)>>> {
        let guard = match self.wait_for_message(guard, wait)? {
            Turn::Go(g) => g,
            Turn::Left => return Ok(None),
            Turn::GaveUp => return Ok(Some(None)),
        };
        let (idx, s, len, priority) = self.dequeue()?;
        // SAFETY: `len` fits the slot (checked by `dequeue`) and `buf` (at least
        // `max_msg_size` bytes, checked by the caller); the slot is this thread's under the
        // lock until it is freed.
        unsafe {
            std::ptr::copy_nonoverlapping(self.q.payload(s), buf.as_mut_ptr(), len);
        }
        let was_empty = self.push_free(idx, s)?;
        self.after_free(guard, was_empty)?;
        Ok(Some(Some((len, priority))))
    }
}

/// How a wait under the queue lock for a free slot or a message ended.
pub(super) enum Turn<'q> {
    /// It is there, and the lock is held.
    Go(Guard<'q>),
    /// The queue went back to ring mode: start over.
    Left,
    /// The wait ran out, or the relock gave up.
    GaveUp,
}

/// Whether `wait` allows no more waiting.
fn ran_out(wait: Wait) -> bool {
    match wait {
        Wait::Never => true,
        Wait::Until(d) => d.has_passed(),
        Wait::Forever => false,
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
