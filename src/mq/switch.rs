//! Switching between ring mode and locked mode, under the queue lock.

use super::handle::{Settled, Wait, corrupted};
use super::layout::{
    FROZEN, INTENT_RECV, INTENT_SEND, IndexEntry, MODE_LOCKED, MODE_RING, MODE_SWITCHING,
    MODE_UNLOCKING, SKIP, SLOT_FREE, SLOT_QUEUED, Stored, tail_word,
};
use super::locked::LockedMode;
use crate::Result;
use std::sync::atomic::Ordering;

impl LockedMode<'_> {
    // ----- switching modes (under the queue lock) -----

    /// Ring mode to locked mode: freezes both ends, waits out every operation in flight,
    /// and moves the ring's messages into the sorted index. Also finishes a switch that a
    /// dead process began.
    #[cold]
    pub(super) fn switch_to_locked(self, wait: Wait) -> Result<bool> {
        let ring = self.q.ring();
        let h = self.q.queue_header();
        // Release: the mode pairs with Acquire loads of it and nothing reads another word
        // after it that needs more (it was SeqCst; no store-load pair involves it). The
        // lock orders it for the next holder, also after a death.
        h.mode.store(MODE_SWITCHING, Ordering::Release);
        // SeqCst, as every access of the ends; as read-modify-writes they read every
        // claim made before them, with its intent (see `QueueHeader::tail`).
        h.tail.fetch_or(FROZEN, Ordering::SeqCst);
        h.head.fetch_or(FROZEN, Ordering::SeqCst);
        let n = self.q.layout.max_msg as u32;
        // Frozen ends take no more claims; wait out the copies of those made before.
        let head = ring.ring_pos(h.head.load(Ordering::SeqCst))?;
        let tail = ring.ring_pos(h.tail.load(Ordering::SeqCst))?;
        let queued = ring.distance(head, tail);
        if queued > n {
            return Err(corrupted(format!(
                "message queue {:?}: its ring holds {queued} of {n} positions",
                self.q.name
            )));
        }
        for k in 0..n {
            let p = ring.advance(head, k);
            let s = ring.slot_at(p)?;
            // Relaxed: `state` is read only under the queue lock, which this thread holds.
            s.state.store(SLOT_FREE, Ordering::Relaxed);
            // A position with a message may still be being filled; a free one may still be
            // being emptied of the previous lap's message. Anything else is left as it is
            // (garbage is skipped below, and the slot is reset on the way back).
            let (c, intent) = if k < queued {
                (p, INTENT_SEND | u64::from(p))
            } else {
                let prev = ring.back(p, n);
                (ring.advance(prev, 1), INTENT_RECV | u64::from(prev))
            };
            // Acquire: pairs with the claimer's Release store of `pos` (its copy is done).
            if s.pos.load(Ordering::Acquire) != c {
                continue;
            }
            match ring.settle(s, c, intent, wait, true)? {
                Settled::Moved => {}
                // Release, as a sender's publish or a receiver's free: the next reader of
                // `pos` (here below, or a ring operation after a switch back) loads it
                // with Acquire.
                Settled::Orphaned(_) if k < queued => {
                    s.len.store(SKIP, Ordering::Relaxed);
                    s.pos.store(ring.advance(p, 1), Ordering::Release);
                }
                Settled::Orphaned(_) => s.pos.store(p, Ordering::Release),
                Settled::GaveUp => return Ok(false),
            }
        }
        let mut count = 0u32;
        for k in 0..queued {
            let p = ring.advance(head, k);
            let s = ring.slot_at(p)?;
            // `len` and `priority` Relaxed: the settle above saw every copy finished (the
            // Acquire loads of `pos`); `seq` and `state` are read under the lock only.
            let len = s.len.load(Ordering::Relaxed);
            let message = matches!(
                Stored::of(len, self.q.layout.max_msg_size),
                Some(Stored::Direct(_) | Stored::Indirect(_))
            );
            if s.pos.load(Ordering::Acquire) != ring.advance(p, 1) || !message {
                // A hole left by a dead sender, or garbage.
                continue;
            }
            let priority = s.priority.load(Ordering::Relaxed);
            s.seq.store(u64::from(count), Ordering::Relaxed);
            s.state.store(SLOT_QUEUED, Ordering::Relaxed);
            // SAFETY: the index holds `max_msg` entries and `count < queued <= max_msg`;
            // this thread holds the queue lock.
            unsafe {
                *self.q.index_ptr().add(count as usize) = IndexEntry {
                    seq: u64::from(count),
                    priority,
                    slot: (u64::from(p) % self.q.layout.max_msg) as u32,
                };
            }
            count += 1;
        }
        self.rebuild_free()?;
        let hp = self.q.queue_header_ptr();
        // SAFETY: this thread holds the queue lock, which guards these fields.
        unsafe {
            (*hp).ring_head = 0;
            (*hp).next_seq = u64::from(count);
            (*hp).in_order_run = 0;
        }
        // Release, both (SeqCst before; no store-load pair needs them): pair with the
        // Acquire loads of `count` and `mode`, so a reader that sees locked mode sees the
        // index and the count it was built with.
        h.count.store(u64::from(count), Ordering::Release);
        h.mode.store(MODE_LOCKED, Ordering::Release);
        self.q.wake_all();
        Ok(true)
    }

    /// Refills the free stack with every slot not queued (locked mode, under the lock).
    pub(super) fn rebuild_free(self) -> Result<()> {
        let mut top = 0usize;
        for i in 0..self.q.layout.max_msg as u32 {
            // Relaxed: under the queue lock, which every writer of `state` holds.
            if self.q.slot(i)?.state.load(Ordering::Relaxed) != SLOT_QUEUED {
                // SAFETY: the free stack holds `max_msg` entries; we hold the lock.
                unsafe { *self.q.free_ptr().add(top) = i };
                top += 1;
            }
        }
        // SAFETY: `free_top` is guarded by the queue lock, which the caller holds.
        unsafe { (*self.q.queue_header_ptr()).free_top = top as u64 };
        Ok(())
    }

    /// Locked mode, empty, to ring mode (also finishes a switch a dead process began).
    #[cold]
    pub(super) fn switch_to_ring(self) -> Result<()> {
        let ring = self.q.ring();
        let h = self.q.queue_header();
        // Release, as in `switch_to_locked`.
        h.mode.store(MODE_UNLOCKING, Ordering::Release);
        // Positions go on from a lap past the frozen tail, so that a ring operation that
        // read an end before the switch cannot claim anything with it afterwards.
        let n = self.q.layout.max_msg as u32;
        let base = ring
            // SeqCst, as every access of the ends (frozen: no one else writes it now).
            .ring_pos(h.tail.load(Ordering::SeqCst))
            .map_or(0, |t| ring.advance(t, n));
        for k in 0..n {
            let p = ring.advance(base, k);
            let s = ring.slot_at(p)?;
            // Release: the slot is free for position `p`; a sender after the thaw reads
            // `pos` with Acquire. `state` is read under the lock only.
            s.pos.store(p, Ordering::Release);
            s.state.store(SLOT_FREE, Ordering::Relaxed);
        }
        // Release, as in `switch_to_locked`.
        h.count.store(0, Ordering::Release);
        // SeqCst, as every access of the ends; being also Release, the thawed ends publish
        // the slots reset above to the operations that load them with Acquire.
        h.head.store(u64::from(base), Ordering::SeqCst);
        h.tail.store(tail_word(base, 0), Ordering::SeqCst);
        // Release, as in `switch_to_locked`.
        h.mode.store(MODE_RING, Ordering::Release);
        self.q.wake_all();
        Ok(())
    }
}
