//! Ring mode: positions on the ring, and sends and receives that claim a position with one
//! compare-and-swap and copy beside each other.

use super::entries::Held;
use super::handle::{MessageQueue, Next, Payload, Ring, RingMode, Settled, Sink, Wait, corrupted};
use super::layout::{
    COPY_WAIT, FROZEN, INTENT_RECV, INTENT_SEND, POS_MASK, ROUNDS_MAX, SKIP, SlotHeader, Stored,
    copy_naps, tail_word,
};
use super::pool::Taken;
use super::received::{Got, deliver};
use crate::Result;
use std::sync::atomic::{AtomicU32, Ordering};

/// `p + by` on a ring of `modulus` positions (`by` at most `modulus`).
#[inline(always)]
pub(super) fn advance(modulus: u32, p: u32, by: u32) -> u32 {
    let m = u64::from(modulus);
    let s = u64::from(p) + u64::from(by);
    (if s >= m { s - m } else { s }) as u32
}

/// `p - by` on a ring of `modulus` positions (`by` at most `modulus`).
#[inline(always)]
pub(super) fn back(modulus: u32, p: u32, by: u32) -> u32 {
    if p >= by { p - by } else { p + modulus - by }
}

impl<'q> RingMode<'q> {
    // ----- ring positions -----

    /// `p + by` on the ring (`by` at most `max_msg`).
    pub(super) fn advance(self, p: u32, by: u32) -> u32 {
        advance(self.q.layout.modulus, p, by)
    }

    /// `p - by` on the ring (`by` at most `max_msg`).
    pub(super) fn back(self, p: u32, by: u32) -> u32 {
        back(self.q.layout.modulus, p, by)
    }

    /// How far `to` is ahead of `from` on the ring.
    pub(super) fn distance(self, from: u32, to: u32) -> u32 {
        if to >= from {
            to - from
        } else {
            to + self.q.layout.modulus - from
        }
    }

    /// The position in a head or tail word.
    pub(super) fn ring_pos(self, word: u64) -> Result<u32> {
        let p = word & POS_MASK;
        if p >= u64::from(self.q.layout.modulus) {
            return Err(corrupted(format!(
                "message queue {:?}: ring position {p} out of range",
                self.q.name
            )));
        }
        Ok(p as u32)
    }

    pub(super) fn slot_at(self, pos: u32) -> Result<&'q SlotHeader> {
        let low = self.q.layout.fastmod.wrapping_mul(u64::from(pos));
        let idx = ((u128::from(low) * u128::from(self.q.layout.max_msg)) >> 64) as u32;
        debug_assert_eq!(u64::from(idx), u64::from(pos) % self.q.layout.max_msg);
        self.q.slot(idx)
    }

    // ----- ring mode -----

    /// Sends in ring mode.
    pub(super) fn send(&self, data: Payload<'_>, priority: u32, wait: Wait) -> Result<Ring<bool>> {
        if !self.q.ring_fits() {
            return Ok(Ring::Locked);
        }
        let h = self.q.queue_header();
        let mut held = None;
        for _ in 0..ROUNDS_MAX {
            // SeqCst, as every access of the ends (see `QueueHeader::tail`).
            let t = h.tail.load(Ordering::SeqCst);
            if t & FROZEN != 0 {
                return Ok(Ring::Locked);
            }
            let pos = self.ring_pos(t)?;
            if priority > (t >> 32) as u32 {
                // Appending would put it behind a lower priority, unless the ring is empty.
                let hd = h.head.load(Ordering::SeqCst);
                if hd & FROZEN != 0 {
                    return Ok(Ring::Locked);
                }
                if hd & POS_MASK != u64::from(pos) {
                    return Ok(Ring::Switch);
                }
            }
            let s = self.slot_at(pos)?;
            // Acquire: pairs with the Release store of `pos` by the receiver that freed the
            // slot, so its copy out is done before this sender writes over it.
            let c = s.pos.load(Ordering::Acquire);
            if c != pos {
                let room = || self.no_room(t, pos, s, wait);
                if let Some(r) = self.not_ready(s, c, &mut held, wait, room)? {
                    return Ok(r);
                }
                continue;
            }
            if !self.hold_for(&mut held, INTENT_SEND | u64::from(pos), wait)? {
                return Ok(Ring::Done(false));
            }
            let next = self.advance(pos, 1);
            if h.tail
                .compare_exchange(
                    t,
                    tail_word(next, priority),
                    // SeqCst: the claim (see `QueueHeader::tail`). Relaxed on failure: the
                    // loop reads the tail again.
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                )
                .is_err()
            {
                continue;
            }
            // Position `pos` is this thread's: its slot was free for it, and only the claimer
            // of a position writes the slot until it publishes.
            // SAFETY: the slot holds `max_msg_size` bytes after its header (checked by the
            // caller against `data`), and this thread owns it until it publishes.
            unsafe { self.q.write_message(s, data) };
            // Relaxed: published with the bytes by the Release store of `pos`, which pairs
            // with the receiver's Acquire load of it in `RingMode::receive`.
            s.priority.store(priority, Ordering::Relaxed);
            s.len.store(data.word(), Ordering::Relaxed);
            s.pos.store(next, Ordering::Release);
            drop(held);
            MessageQueue::wake_if_waiting(&h.not_empty, &h.receivers_waiting);
            return Ok(Ring::Done(true));
        }
        Err(self.q.no_progress())
    }

    /// The slot a ring operation wants (`pos` word `c`) is not ready: a short glance, then
    /// `stuck` (the sender's or receiver's look at why, which may wait) with no entry held.
    /// `Some` to stop with that result; `None` to look again.
    pub(super) fn not_ready<T>(
        &self,
        s: &SlotHeader,
        c: u32,
        held: &mut Option<Held<'_>>,
        wait: Wait,
        stuck: impl FnOnce() -> Result<Next<T>>,
    ) -> Result<Option<Ring<T>>> {
        if self.glance(s, c, wait) {
            return Ok(None);
        }
        // Not holding an entry while waiting.
        *held = None;
        Ok(match stuck()? {
            Next::Again => None,
            Next::Stop(r) => Some(r),
        })
    }

    /// Makes `held` (the entry an operation keeps across its retries) name `intent`, taking
    /// an entry first if it has none; false if none came free as `wait` allows. On every
    /// operation's path: inline, as the code it replaced was.
    #[inline(always)]
    pub(super) fn hold_for(
        &'q self,
        held: &mut Option<Held<'q>>,
        intent: u64,
        wait: Wait,
    ) -> Result<bool> {
        if held.is_none() {
            *held = self.take_entry(wait)?;
        }
        let Some(me) = held else {
            return Ok(false);
        };
        me.intend(intent);
        Ok(true)
    }

    /// A sender found the slot at its position `pos` (tail word `t`) not free.
    pub(super) fn no_room(
        &self,
        t: u64,
        pos: u32,
        s: &SlotHeader,
        wait: Wait,
    ) -> Result<Next<bool>> {
        let h = self.q.queue_header();
        let n = self.q.layout.max_msg as u32;
        // Head, then the slot, then the tail again: SeqCst ends (see `QueueHeader::tail`),
        // and the slot's Acquire keeps the second tail load after it, so an unchanged tail
        // means the three were read at one state of the ring.
        let hd = h.head.load(Ordering::SeqCst);
        let c = s.pos.load(Ordering::Acquire);
        if h.tail.load(Ordering::SeqCst) != t || c == pos {
            return Ok(Next::Again);
        }
        if hd & FROZEN != 0 {
            return Ok(Next::Stop(Ring::Locked));
        }
        let head = self.ring_pos(hd)?;
        // The slot's previous lap: its message is still there, or being taken out.
        let prev = self.back(pos, n);
        if c != prev && c != self.advance(prev, 1) {
            return Err(corrupted(format!(
                "message queue {:?}: a slot is at ring position {c}, expected {pos}",
                self.q.name
            )));
        }
        if head == prev {
            // Full.
            return self.wait_for_ends(&h.not_full, &h.senders_waiting, hd, t, wait, false);
        }
        if c == prev {
            return Err(corrupted(format!(
                "message queue {:?}: a message was taken before it was sent",
                self.q.name
            )));
        }
        // A receiver claimed the previous lap's message and is copying it out: wait for it.
        // If it died, the slot is freed for this lap (its message is lost).
        self.outwait_copy(s, c, INTENT_RECV | u64::from(prev), wait, false, || {
            // Release: frees the slot for this lap, like a receiver's own store; pairs with
            // the sender's Acquire load of `pos`.
            s.pos.store(pos, Ordering::Release);
        })
    }

    /// Receives in ring mode.
    pub(super) fn receive(self, sink: &mut Sink<'_>, wait: Wait) -> Result<Ring<Option<Got>>> {
        if !self.q.ring_fits() {
            return Ok(Ring::Locked);
        }
        let h = self.q.queue_header();
        let n = self.q.layout.max_msg as u32;
        let max = self.q.layout.max_msg_size;
        let pool = self.q.pool();
        let mut held = None;
        // Made at the first nap: most receives take none.
        let (mut naps, mut until) = (None, None);
        for _ in 0..ROUNDS_MAX {
            // SeqCst, as every access of the ends (see `QueueHeader::tail`).
            let hd = h.head.load(Ordering::SeqCst);
            if hd & FROZEN != 0 {
                return Ok(Ring::Locked);
            }
            let pos = self.ring_pos(hd)?;
            let next = self.advance(pos, 1);
            let s = self.slot_at(pos)?;
            // Acquire: pairs with the sender's Release store of `pos` that publishes the
            // message, so its bytes, `len` and `priority` are visible.
            let c = s.pos.load(Ordering::Acquire);
            if c != next {
                let message = || self.nothing_yet(hd, pos, s, wait);
                if let Some(r) = self.not_ready(s, c, &mut held, wait, message)? {
                    return Ok(r);
                }
                continue;
            }
            // Relaxed: ordered by the Acquire load of `pos` above.
            let stored = Stored::of(s.len.load(Ordering::Relaxed), max);
            // A message sent from a loan: its pool slot is taken before the claim, since no
            // robust lock may be taken while an entry is held. One whose slot was lent again
            // since is skipped without it.
            let mut taken = None;
            if let Some(Stored::Indirect(_)) = stored {
                held = None;
                let d = self.q.descriptor(s);
                match pool.try_take(d)? {
                    Taken::Mine { died } => taken = Some((d, died)),
                    // Lent again since (its message is gone): skipped without the slot.
                    Taken::Busy if !pool.current(d)? => {}
                    Taken::Busy => {
                        // Usually its sender, a few instructions from letting it go.
                        if !pool.outwait_holder(d, wait)?
                            && !self.nap(naps.get_or_insert_with(copy_naps), &mut until, wait)
                        {
                            return Ok(Ring::Done(None));
                        }
                        continue;
                    }
                }
            }
            let intent = INTENT_RECV | u64::from(pos);
            // Holding a pool slot, never wait for an entry: a process in locked mode may be
            // waiting for that slot under the queue lock, which waiting for an entry can need.
            let entry_wait = if taken.is_some() { Wait::Never } else { wait };
            if !self.hold_for(&mut held, intent, entry_wait)? {
                if let Some((d, died)) = taken {
                    // Let the pool slot go and look again after a pause.
                    pool.give_up(d.pool, died)?;
                    if self.nap(naps.get_or_insert_with(copy_naps), &mut until, wait) {
                        continue;
                    }
                }
                return Ok(Ring::Done(None));
            }
            if h.head
                // SeqCst: the claim (see `QueueHeader::tail`); Relaxed on failure, as in
                // `RingMode::send`.
                .compare_exchange(hd, u64::from(next), Ordering::SeqCst, Ordering::Relaxed)
                .is_err()
            {
                if let Some((d, died)) = taken {
                    held = None;
                    pool.give_up(d.pool, died)?;
                }
                continue;
            }
            // Relaxed: ordered by the Acquire load of `pos` that saw the message published.
            let priority = s.priority.load(Ordering::Relaxed);
            let got = match (stored, taken) {
                (None | Some(Stored::Hole), _) => None,
                // SAFETY: `len` fits the slot (checked by `Stored::of`) and the sink; this
                // thread owns the slot until it frees it.
                (Some(Stored::Direct(len)), _) => Some(unsafe {
                    deliver(
                        self.q.payload(s, len as usize),
                        len as usize,
                        priority,
                        sink,
                    )
                }),
                (Some(Stored::Indirect(len)), Some((d, _))) if pool.holds(d)? => {
                    Some(match sink {
                        Sink::InPlace => {
                            pool.hold(d.pool)?;
                            Got::Pool {
                                slot: d.pool,
                                len: len as usize,
                                priority,
                            }
                        }
                        // SAFETY: `len` fits the pool slot and the sink; this thread holds
                        // the pool slot.
                        Sink::Copy(_) => unsafe {
                            deliver(
                                pool.payload(pool.header(d.pool)?),
                                len as usize,
                                priority,
                                sink,
                            )
                        },
                    })
                }
                (Some(Stored::Indirect(_)), _) => None,
            };
            // Release: the copy out is done before the slot is free for the next lap's
            // sender (its Acquire load of `pos` in `RingMode::send`).
            s.pos.store(self.advance(pos, n), Ordering::Release);
            held = None;
            MessageQueue::wake_if_waiting(&h.not_full, &h.senders_waiting);
            // The pool slot, after the entry (no robust lock while one is held).
            if let Some((d, died)) = taken {
                match got {
                    Some(Got::Pool { .. }) => {}
                    Some(_) => pool.free(d.pool)?,
                    None => pool.give_up(d.pool, died)?,
                }
            }
            if stored.is_none() {
                return Err(corrupted(format!(
                    "message queue {:?}: a queued message is longer than the queue allows",
                    self.q.name
                )));
            }
            match got {
                Some(got) => return Ok(Ring::Done(Some(got))),
                // A hole left by a sender that died, or a message whose pool slot was taken
                // back from a process that died taking it.
                None => continue,
            }
        }
        Err(self.q.no_progress())
    }

    /// A receiver found no message at its position `pos` (head word `hd`).
    pub(super) fn nothing_yet(
        &self,
        hd: u64,
        pos: u32,
        s: &SlotHeader,
        wait: Wait,
    ) -> Result<Next<Option<Got>>> {
        let h = self.q.queue_header();
        // Tail, then the slot, then the head again: one state of the ring, as in `no_room`.
        let t = h.tail.load(Ordering::SeqCst);
        let c = s.pos.load(Ordering::Acquire);
        if h.head.load(Ordering::SeqCst) != hd || c == self.advance(pos, 1) {
            return Ok(Next::Again);
        }
        if t & FROZEN != 0 {
            return Ok(Next::Stop(Ring::Locked));
        }
        let tail = self.ring_pos(t)?;
        // The tail was read while the head was still `hd`, so it is at most a ring ahead.
        if u64::from(self.distance(pos, tail)) > self.q.layout.max_msg {
            return Err(corrupted(format!(
                "message queue {:?}: its tail is more than a ring ahead of its head",
                self.q.name
            )));
        }
        if tail == pos {
            // Empty.
            return self.wait_for_ends(&h.not_empty, &h.receivers_waiting, hd, t, wait, None);
        }
        if c != pos {
            return Err(corrupted(format!(
                "message queue {:?}: a slot is at ring position {c}, expected {pos}",
                self.q.name
            )));
        }
        // A sender claimed this position and is still copying its message in: wait for it.
        // If it died, the position becomes a hole that receivers skip.
        self.outwait_copy(s, c, INTENT_SEND | u64::from(pos), wait, None, || {
            // Under the queue lock. SKIP is Relaxed: published by the Release store of
            // `pos`, which receivers load with Acquire before reading `len`.
            if h.head.load(Ordering::SeqCst) == hd {
                s.len.store(SKIP, Ordering::Relaxed);
                s.pos.store(self.advance(pos, 1), Ordering::Release);
            }
        })
    }

    /// Waits, as `wait` allows, for the head or the tail to move from `hd` and `t` (the
    /// ring was full or empty), sleeping on `word` registered in `waiting`; `gave_up` if
    /// they did not.
    pub(super) fn wait_for_ends<T>(
        &self,
        word: &AtomicU32,
        waiting: &AtomicU32,
        hd: u64,
        t: u64,
        wait: Wait,
        gave_up: T,
    ) -> Result<Next<T>> {
        if matches!(wait, Wait::Never) {
            return Ok(Next::Stop(Ring::Done(gave_up)));
        }
        let h = self.q.queue_header();
        // SeqCst: the sleeper's side of the store-load pair (see `QueueHeader::tail`): read
        // after registering in `waiting`.
        let moved = || h.head.load(Ordering::SeqCst) != hd || h.tail.load(Ordering::SeqCst) != t;
        Ok(if self.q.wait_change(word, waiting, moved, wait)? {
            Next::Again
        } else {
            Next::Stop(Ring::Done(gave_up))
        })
    }

    /// Waits for the process that claimed `intent` and is copying into or out of slot `s`
    /// (whose `pos` was `c`) to finish, as `wait` allows (`gave_up` if it ran out). If no
    /// live process names that claim any more and the slot has not moved on, its claimer
    /// died half-way, and `mend` (run under the queue lock) repairs the slot.
    pub(super) fn outwait_copy<T>(
        &self,
        s: &SlotHeader,
        c: u32,
        intent: u64,
        wait: Wait,
        gave_up: T,
        mend: impl FnOnce(),
    ) -> Result<Next<T>> {
        if self.watch(s, c, COPY_WAIT) {
            return Ok(Next::Again);
        }
        match self.settle(s, c, intent, wait, false)? {
            Settled::Moved => {}
            Settled::Orphaned(_guard) => mend(),
            Settled::GaveUp => return Ok(Next::Stop(Ring::Done(gave_up))),
        }
        Ok(Next::Again)
    }

    /// The wait of [`Self::outwait_copy`], also used by a switch to locked mode (`locked`:
    /// the caller holds the queue lock; otherwise it is taken before saying `Orphaned`).
    pub(super) fn settle(
        &self,
        s: &SlotHeader,
        c: u32,
        intent: u64,
        wait: Wait,
        locked: bool,
    ) -> Result<Settled<'q>> {
        let (mut naps, mut until) = (copy_naps(), None);
        loop {
            // Acquire: pairs with the claimer's Release store of `pos` when its copy is done.
            if s.pos.load(Ordering::Acquire) != c {
                return Ok(Settled::Moved);
            }
            if self.orphaned(intent) {
                let guard = if locked {
                    None
                } else {
                    match self.q.locked().lock(wait)? {
                        Some(g) => Some(g),
                        None => return Ok(Settled::GaveUp),
                    }
                };
                // Under the lock no one else mends, and a live claimer would still be named.
                return Ok(
                    // Acquire: as above; under the lock, so no one mends it meanwhile.
                    if s.pos.load(Ordering::Acquire) == c && self.orphaned(intent) {
                        Settled::Orphaned(guard)
                    } else {
                        Settled::Moved
                    },
                );
            }
            if !self.nap(&mut naps, &mut until, wait) {
                return Ok(Settled::GaveUp);
            }
        }
    }
}
