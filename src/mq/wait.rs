//! How senders and receivers wait, in the words of [`crate::os::spin`]: a spin on a slot
//! or an end of the ring, naps while a peer copies, and sleeping on the queue's futex words.

use super::handle::{MessageQueue, Wait};
use super::layout::{PACE_BYTES, QUEUE_SPIN};
use crate::Result;
use crate::os::futex;
use crate::sync::HANDOFF_PACE;
use std::sync::atomic::{AtomicU32, Ordering};

/// How to pace the looks at a slot being copied (see [`Spin::paced`]), from the largest
/// message: a pause (tens of
/// nanoseconds) for every two cache lines a copy may move before the second look, doubling
/// up to twice that. A reader that looked more often at a slot a sender was filling with
/// 4 KiB slowed the sender's copy by a third. Small messages (a copy of a line or two) are
/// looked at [`HANDOFF_PACE`] pauses apart at most: a longer gap only delays seeing the
/// message, by up to the gap, on every hand-off.
pub(super) fn watch_pace(max_msg_size: u64) -> (u32, u32) {
    let first = (max_msg_size / PACE_BYTES).clamp(1, 64) as u32;
    (first, (2 * first).max(HANDOFF_PACE))
}

impl MessageQueue {
    // ----- waiting -----

    /// Spins ([`QUEUE_SPIN`], adaptive per queue handle) while `ready` is false, when
    /// another CPU could make it true soon. The looks are at most [`HANDOFF_PACE`] pauses
    /// apart: what they read (the ends of the ring, a slot's `pos`) is written once per
    /// operation, so a look costs no cache-line transfer until that write, and a longer gap
    /// would only delay seeing it.
    pub(super) fn spin(&self, ready: impl Fn() -> bool) {
        QUEUE_SPIN
            .paced(1, HANDOFF_PACE)
            .until(Some(&self.busy_misses), ready);
    }

    /// Waits until `changed` (ring mode): spins, then sleeps on `word` registered in
    /// `waiting`. False if the deadline passed with nothing changed.
    pub(super) fn wait_change(
        &self,
        word: &AtomicU32,
        waiting: &AtomicU32,
        changed: impl Fn() -> bool,
        wait: Wait,
    ) -> Result<bool> {
        self.wait_change_watching(word, waiting, &changed, &changed, wait)
    }

    /// [`Self::wait_change`] whose spin looks only at `likely` (a cheap look at where the
    /// change usually comes first); `changed` decides, and is what the sleeper checks after
    /// registering.
    pub(super) fn wait_change_watching(
        &self,
        word: &AtomicU32,
        waiting: &AtomicU32,
        likely: impl Fn() -> bool,
        changed: impl Fn() -> bool,
        wait: Wait,
    ) -> Result<bool> {
        self.spin(likely);
        if changed() {
            return Ok(true);
        }
        // `seen` before registering: a wake-up that bumps `word` after this load makes the
        // futex wait return at once.
        let seen = word.load(Ordering::SeqCst);
        // SeqCst: the store of the store-load pair with `wake_if_waiting`. Whoever makes
        // the change looks at `waiting` after it (both sequentially consistent), so either
        // it sees this sleeper or this check sees the change.
        waiting.fetch_add(1, Ordering::SeqCst);
        let r = if changed() {
            Ok(futex::Woken::Maybe)
        } else {
            let deadline = match wait {
                Wait::Until(d) => Some(d.os()),
                _ => None,
            };
            futex::wait(word, seen, deadline)
        };
        // SeqCst like every access of the counts; a waker that still sees this sleeper
        // only spends a spare wake call.
        waiting.fetch_sub(1, Ordering::SeqCst);
        match r.map_err(|e| e.into_error("waiting on the queue"))? {
            futex::Woken::Maybe => Ok(true),
            futex::Woken::TimedOut => Ok(changed()),
        }
    }

    /// Wakes every sleeper on `word` if `waiting` says there is one. The caller's change
    /// was its sequentially consistent compare-and-swap on the tail or head word, which a
    /// sleeper reads after registering in `waiting` (see `wait_change`): one of the two
    /// sees the other, with no fence needed.
    pub(super) fn wake_if_waiting(word: &AtomicU32, waiting: &AtomicU32) {
        // SeqCst: the load of the store-load pair (see above).
        if waiting.load(Ordering::SeqCst) > 0 {
            // Bumped after the change, so a sleeper whose `seen` predates it does not
            // sleep on it.
            word.fetch_add(1, Ordering::SeqCst);
            let _ = futex::wake(word, i32::MAX);
        }
    }

    /// Wakes everyone: the mode changed.
    pub(super) fn wake_all(&self) {
        let h = self.queue_header();
        for word in [&h.not_empty, &h.not_full] {
            // Unconditional, so no store-load pair: the bump is Release after the mode
            // change, and a sleeper that read `word` before it returns from its futex wait.
            // SeqCst as every access of the futex words.
            word.fetch_add(1, Ordering::SeqCst);
            let _ = futex::wake(word, i32::MAX);
        }
    }
}
