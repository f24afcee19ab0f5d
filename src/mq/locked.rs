//! Locked mode (Boost's design): the queue lock, repair after a death, the sorted index and
//! the free stack.

use super::handle::{MessageQueue, Payload, Sink, Wait, corrupted};
use super::layout::{
    FROZEN, IndexEntry, MODE_LOCKED, MODE_RING, MODE_SWITCHING, MODE_UNLOCKING, QUEUE_LOCK_YIELDS,
    SLOT_FREE, SLOT_QUEUED, SlotHeader, Stored, TRY_SLOT_WAIT,
};
use super::received::{Got, deliver};
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
                let (count, free_top, ring_head) =
                    (h.count.load(Ordering::Acquire), h.free_top, h.ring_head);
                if how == robust::Acquired::OwnerDied
                    || count.checked_add(free_top) != Some(self.q.layout.max_msg)
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
            let message = matches!(
                Stored::of(len, self.q.layout.max_msg_size),
                Some(Stored::Direct(_) | Stored::Indirect(_))
            );
            if state == SLOT_QUEUED && message {
                queued.push((std::cmp::Reverse(prio), seq, i, prio));
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
    /// `wait`'s deadline; relocks (`None`: the relock gave up, see [`Self::lock`]).
    pub(super) fn sleep(
        self,
        guard: Guard<'q>,
        word: &AtomicU32,
        waiting: &AtomicU32,
        wait: Wait,
    ) -> Result<Option<Guard<'q>>> {
        // Both under the lock, as every locked-mode waker's look at `waiting`, so the lock
        // orders them; SeqCst because the counts and words are shared with ring mode, where
        // they form a store-load pair (see `QueueHeader::tail`). `seen` is read before the
        // unlock, so a wake-up after it changes the word and the futex wait returns.
        waiting.fetch_add(1, Ordering::SeqCst);
        let seen = word.load(Ordering::SeqCst);
        drop(guard);
        let deadline = match wait {
            Wait::Until(d) => Some(d.os()),
            _ => None,
        };
        let r = futex::wait(word, seen, deadline);
        let guard = self.lock(wait);
        // SeqCst as every access of the counts; a stale count costs a spare wake call only.
        waiting.fetch_sub(1, Ordering::SeqCst);
        let Some(guard) = guard? else {
            return Ok(None);
        };
        r.map_err(|e| e.into_error("waiting on the queue"))?;
        Ok(Some(guard))
    }

    /// Lets the lock go and looks, awake, for a while ([`MessageQueue::spin`]) until
    /// `ready()` (read without the lock: a hint) and the lock looks free, then takes the
    /// lock again (`None`: the relock gave up, see [`Self::lock`]). The caller checks again
    /// under the lock. A peer on another CPU that answers within microseconds is seen
    /// here, without a sleep in the kernel for this waiter or a wake call for the peer:
    /// this waiter is not counted in the `*_waiting` counts while it looks. Looking at the
    /// lock before taking it leaves the peer its line until it unlocks (a try while it
    /// holds the lock would pull the line away, fail, and step aside).
    pub(super) fn look_unlocked(
        self,
        guard: Guard<'q>,
        wait: Wait,
        ready: impl Fn() -> bool,
    ) -> Result<Option<Guard<'q>>> {
        drop(guard);
        let lock = &self.q.queue_header().lock;
        // A holder that died shows no owner (the kernel clears its id): the look ends, and
        // the lock reports the death.
        self.q.spin(|| ready() && lock.owner_tid().is_none());
        self.lock(wait)
    }

    /// Whether locked mode has seen enough in-order sends to go back to the ring once empty.
    pub(super) fn may_return_to_ring(self) -> bool {
        // SAFETY: read under the queue lock, which guards it.
        self.q.ring_fits()
            && unsafe { (*self.q.queue_header_ptr()).in_order_run >= self.q.layout.max_msg }
    }

    /// Waits, holding the lock but for its sleeps, until a slot is free.
    pub(super) fn wait_for_room(self, mut guard: Guard<'q>, wait: Wait) -> Result<Turn<'q>> {
        let h = self.q.queue_header();
        let max = self.q.layout.max_msg;
        let mut looked = false;
        loop {
            // Acquire, both: pair with the Release stores of the mode and the count (all
            // under this lock, which orders them anyway).
            if h.mode.load(Ordering::Acquire) != MODE_LOCKED {
                return Ok(Turn::Left);
            }
            let count = h.count.load(Ordering::Acquire);
            if count == 0 && self.may_return_to_ring() {
                self.switch_to_ring()?;
                return Ok(Turn::Left);
            }
            if count < max {
                return Ok(Turn::Go(guard));
            }
            if wait.ran_out() {
                return Ok(Turn::GaveUp);
            }
            let next = if looked {
                self.sleep(guard, &h.not_full, &h.senders_waiting, wait)?
            } else {
                // Once per wait, before the first sleep. Acquire, both: as above (the hint
                // is checked again under the lock).
                looked = true;
                self.look_unlocked(guard, wait, || {
                    h.mode.load(Ordering::Acquire) != MODE_LOCKED
                        || h.count.load(Ordering::Acquire) < max
                })?
            };
            match next {
                Some(g) => guard = g,
                None => return Ok(Turn::GaveUp),
            }
        }
    }

    /// Waits, holding the lock but for its sleeps, until a message is queued.
    pub(super) fn wait_for_message(self, mut guard: Guard<'q>, wait: Wait) -> Result<Turn<'q>> {
        let h = self.q.queue_header();
        let mut looked = false;
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
            if wait.ran_out() {
                return Ok(Turn::GaveUp);
            }
            let next = if looked {
                self.sleep(guard, &h.not_empty, &h.receivers_waiting, wait)?
            } else {
                // Once per wait, before the first sleep. Acquire, both: as above (the hint
                // is checked again under the lock).
                looked = true;
                self.look_unlocked(guard, wait, || {
                    h.mode.load(Ordering::Acquire) != MODE_LOCKED
                        || h.count.load(Ordering::Acquire) > 0
                })?
            };
            match next {
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

    /// Frees slot `idx` (its message is out): onto the free stack. Whether the queue was
    /// full (senders may be asleep).
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

    /// Queues the message now in slot `idx` (taken off the free stack; `word` is its `len`
    /// word) with `priority`, then unlocks and wakes receivers if it was empty.
    pub(super) fn enqueue(
        self,
        guard: Guard<'q>,
        idx: u32,
        s: &SlotHeader,
        word: u32,
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
            s.len.store(word, Ordering::Relaxed);
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
    /// its slot, what its `len` word says, and its priority.
    pub(super) fn dequeue(self) -> Result<(u32, &'q SlotHeader, Stored, u32)> {
        let h = self.q.queue_header();
        let count = h.count.load(Ordering::Acquire);
        let idx = self.index_pop().slot;
        let s = self.q.slot(idx)?;
        // Relaxed: written under this lock (`enqueue`, a switch, `repair`).
        let stored = Stored::of(s.len.load(Ordering::Relaxed), self.q.layout.max_msg_size)
            .ok_or_else(|| corrupted("a queued message is longer than the queue allows"))?;
        // Release: as in `enqueue`.
        h.count.store(count - 1, Ordering::Release);
        Ok((idx, s, stored, s.priority.load(Ordering::Relaxed)))
    }

    /// Ends an operation that freed a slot (`was_full`: the queue was full): back to ring
    /// mode if the queue is empty and may go, or else unlocks and wakes senders.
    pub(super) fn after_free(self, guard: Guard<'q>, was_full: bool) -> Result<()> {
        let h = self.q.queue_header();
        if h.count.load(Ordering::Acquire) == 0 && self.may_return_to_ring() {
            return self.switch_to_ring();
        }
        // Senders only sleep on a full queue: wake them all on the step from full.
        // SeqCst: see `sleep`.
        let wake = was_full && h.senders_waiting.load(Ordering::SeqCst) > 0;
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
        unsafe { self.q.write_message(s, data) };
        self.enqueue(guard, idx, s, data.word(), priority)?;
        Ok(Some(true))
    }

    /// Receives in locked mode into `sink`; `None` (outer) if the queue went back to ring
    /// mode.
    pub(super) fn receive(
        self,
        mut guard: Guard<'q>,
        sink: &mut Sink<'_>,
        wait: Wait,
    ) -> Result<Option<Option<Got>>> {
        let mut was_full = false;
        loop {
            guard = match self.wait_for_message(guard, wait)? {
                Turn::Go(g) => g,
                Turn::Left => return Ok(None),
                Turn::GaveUp => return Ok(Some(None)),
            };
            let (idx, s, stored, priority) = self.dequeue()?;
            let got = match stored {
                // SAFETY: `len` fits the slot (checked by `dequeue`) and the sink; the slot
                // is this thread's under the lock until it is freed.
                Stored::Direct(len) => Some(unsafe {
                    deliver(
                        self.q.payload(s, len as usize),
                        len as usize,
                        priority,
                        sink,
                    )
                }),
                Stored::Indirect(len) => self.take_from_pool(s, len, priority, sink)?,
                Stored::Hole => None,
            };
            was_full |= self.push_free(idx, s)?;
            if let Some(got) = got {
                self.after_free(guard, was_full)?;
                return Ok(Some(Some(got)));
            }
            // A message whose pool slot was taken back from a process that died: the next,
            // after waking the senders if this freed the first slot (this may sleep).
            if std::mem::take(&mut was_full) {
                self.q.wake_all();
            }
        }
    }

    /// The message of `len` bytes that the descriptor in slot `s` names, taken from the
    /// pool into `sink`; `None` if its pool slot was taken back or lent again since.
    fn take_from_pool(
        self,
        s: &SlotHeader,
        len: u32,
        priority: u32,
        sink: &mut Sink<'_>,
    ) -> Result<Option<Got>> {
        let pool = self.q.pool();
        let d = self.q.descriptor(s);
        if !pool.current(d)? {
            return Ok(None);
        }
        let died = pool.take_waiting(d)?;
        if !pool.holds(d)? {
            pool.give_up(d.pool, died)?;
            return Ok(None);
        }
        if let Sink::InPlace = sink {
            pool.hold(d.pool)?;
            return Ok(Some(Got::Pool {
                slot: d.pool,
                len: len as usize,
                priority,
            }));
        }
        // SAFETY: `len` fits the pool slot (checked by `dequeue`) and the sink; this thread
        // holds the pool slot.
        let got = unsafe {
            deliver(
                pool.payload(pool.header(d.pool)?),
                len as usize,
                priority,
                sink,
            )
        };
        pool.free(d.pool)?;
        Ok(Some(got))
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
