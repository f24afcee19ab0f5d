//! Participant entries: the robust locks that ring operations hold and name their claims
//! in, so that a claim no live entry names is known to be a dead process's.

use super::handle::RingMode;
use super::handle::{Wait, corrupted};
use super::layout::{ENTRIES, Entry, GLANCE, INTENT_NONE, SlotHeader, TRY_SLOT_WAIT, copy_naps};
use super::wait::watch_pace;
use crate::Result;
use crate::os::robust;
use crate::os::spin::{Naps, Spin};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A participant entry this thread holds for one ring operation; dropping it clears the
/// intent and frees the entry.
pub(super) struct Held<'a> {
    pub(super) e: &'a Entry,
    /// The thread that took the entry's lock, as it took it (looked up once per operation).
    me: robust::ThreadIdentity,
}

impl Held<'_> {
    /// Names the position this operation is about to claim.
    pub(super) fn intend(&self, intent: u64) {
        // Relaxed: published by the claim that follows, a SeqCst (so Release)
        // compare-and-swap on an end; whoever reads that end with Acquire, or freezes it,
        // sees the intent too (see `QueueHeader::tail`). A claim that fails publishes
        // nothing, and an intent naming an unclaimed position is harmless.
        self.e.intent.store(intent, Ordering::Relaxed);
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // Release: the copy is published (the Release store of `pos`) before the intent
        // goes; pairs with the Acquire load in `RingMode::orphaned`, so a peer that sees
        // the intent gone and looks at the slot again sees it moved on.
        self.e.intent.store(INTENT_NONE, Ordering::Release);
        // SAFETY: `me` took the hold and is this thread: a `Held` does not leave the
        // thread (the identity in it is not `Send`) and lives for one operation.
        unsafe { self.e.lock.release_hold_as(self.me) };
    }
}

impl<'q> RingMode<'q> {
    // ----- participant entries -----

    /// Takes a free participant entry for one ring operation, trying first the one its
    /// thread id points at (ids are spread over the table): inline, as that one is almost
    /// always free. The rest is [`Self::take_any_entry`].
    #[inline(always)]
    pub(super) fn take_entry(self, wait: Wait) -> Result<Option<Held<'q>>> {
        if let Ok(me) = robust::identity() {
            let e = self.q.entry(me.tid());
            // SAFETY: `me` was just looked up for this thread.
            if unsafe { e.lock.try_hold_as(me) } {
                return Ok(Some(Held { e, me }));
            }
        }
        self.take_any_entry(wait)
    }

    /// Takes any free entry, starting from this thread's own. When all are taken, entries
    /// left by dead threads are freed; if none comes free, waits as `wait` allows (`None`
    /// if it ran out).
    #[cold]
    #[inline(never)]
    pub(super) fn take_any_entry(self, wait: Wait) -> Result<Option<Held<'q>>> {
        let me = robust::identity().map_err(|e| e.into_error("finding the thread id"))?;
        let first = me.tid();
        let mut naps = copy_naps();
        let mut until = None;
        loop {
            for k in 0..ENTRIES {
                let e = self.q.entry(first.wrapping_add(k));
                // SAFETY: `me` was looked up for this thread in this call.
                if unsafe { e.lock.try_hold_as(me) } {
                    return Ok(Some(Held { e, me }));
                }
            }
            self.free_dead_entries(wait)?;
            if self.entries_are_garbage() {
                return Err(corrupted(format!(
                    "message queue {:?}: every participant entry names a thread id no kernel hands out",
                    self.q.name
                )));
            }
            if !self.nap(&mut naps, &mut until, wait) {
                return Ok(None);
            }
        }
    }

    /// Frees the entries of threads that died holding them (under the queue lock, so that
    /// no claim they named is being mended at the same time).
    #[cold]
    pub(super) fn free_dead_entries(self, wait: Wait) -> Result<()> {
        let dead = |i| self.q.entry(i).lock.owner_died();
        if !(0..ENTRIES).any(dead) {
            return Ok(());
        }
        let Some(_guard) = self.q.locked().lock(wait)? else {
            return Ok(());
        };
        for i in (0..ENTRIES).filter(|&i| dead(i)) {
            let e = self.q.entry(i);
            if let Ok(Some(_)) = e.lock.try_lock() {
                // Release: as in `Held::drop`; here the dead claim is already mended or
                // was never made, under the queue lock.
                e.intent.store(INTENT_NONE, Ordering::Release);
                let _ = e.lock.unlock();
            }
        }
        Ok(())
    }

    /// Whether every entry is held by a thread id no kernel hands out: garbage (the kernel
    /// frees the entries of threads that die, and a live holder in another PID namespace
    /// is still a holder).
    #[cold]
    pub(super) fn entries_are_garbage(self) -> bool {
        (0..ENTRIES).all(|i| {
            let h = self.q.entry(i).lock.holder();
            matches!(h, crate::LockHolder::Garbage(_))
        })
    }

    /// Whether no live participant is claiming `intent`: its claimer died (or the slot is
    /// garbage). A live claimer names its position from before its claim until after its
    /// copy is published.
    pub(super) fn orphaned(self, intent: u64) -> bool {
        !(0..ENTRIES).any(|i| {
            let e = self.q.entry(i);
            // Acquire: pairs with the Release store of INTENT_NONE in `Held::drop`, made
            // after the claimer published its copy (see `settle`, which looks again).
            e.intent.load(Ordering::Acquire) == intent && e.lock.owner_tid().is_some()
        })
    }

    /// One pause of a wait for another process ([`copy_naps`]). False, without napping,
    /// once `wait` has run out (a `try_` operation waits [`TRY_SLOT_WAIT`] at most).
    #[cold]
    pub(super) fn nap(self, naps: &mut Naps, until: &mut Option<Instant>, wait: Wait) -> bool {
        let passed = match wait {
            Wait::Never => {
                let now = Instant::now();
                now >= *until.get_or_insert(now + TRY_SLOT_WAIT)
            }
            Wait::Until(d) => d.has_passed(),
            Wait::Forever => false,
        };
        if passed {
            return false;
        }
        naps.take();
        true
    }

    /// A short [`Self::watch`] of a slot that is not ready yet, before looking at the ends
    /// of the ring (their owners are writing them): it is usually published or freed
    /// within the time of a message. `try_` operations do not wait.
    pub(super) fn glance(self, s: &SlotHeader, c: u32, wait: Wait) -> bool {
        !matches!(wait, Wait::Never) && self.watch(s, c, GLANCE)
    }

    /// Watches slot `s` for up to about `budget` while its `pos` is `c`: a spin of looks
    /// only, paced by the message size ([`watch_pace`]; each look takes the cache line from
    /// the process writing it), adaptive per handle (a peer on this CPU cannot move the
    /// slot until this thread stops); whether it moved on.
    pub(super) fn watch(self, s: &SlotHeader, c: u32, budget: Duration) -> bool {
        let (first, most) = watch_pace(self.q.layout.max_msg_size);
        Spin::new(budget, budget)
            .paced(first, most)
            .until(Some(&self.q.busy_misses), || {
                // Acquire: pairs with the Release store of `pos` that publishes or frees the
                // slot, so what the caller reads next (the message, the free slot) is whole.
                s.pos.load(Ordering::Acquire) != c
            })
    }
}
