//! `interprocess_condition` (and `_any`): a futex sequence counter in shared memory.
//!
//! A waiter reads the sequence number while it still holds the mutex, unlocks, and sleeps
//! while the number is unchanged; a notifier bumps the number and wakes sleepers. Because
//! the waiter's read happens under the mutex, a notification sent after the waiter checked
//! its predicate always changes the number it sleeps on, so no wake-up is lost. A waiter
//! looks at the number awake for a moment first, and counts itself in `sleepers` only
//! before it sleeps in the kernel: a notifier whose waiter is still looking bumps the number
//! and makes no system call. Nothing in the structure belongs to a waiter: one killed
//! mid-wait leaves a sleeper count one too high, which only costs a spare wake call.

use super::mutex::{InterprocessMutex, LockOutcome};
use super::tag;
use super::{Deadline, spin_until};
use crate::Result;
use crate::os::futex::{self, Woken};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// `magic` of an initialised condition ("COND").
const MAGIC: u32 = 0x434f_4e44;

/// Boost's `interprocess_condition` and `interprocess_condition_any`, placed inside shared
/// memory (32 bytes, 8-byte aligned).
#[repr(C, align(8))]
pub struct InterprocessCondition {
    /// Bumped by every notification; the futex word.
    seq: AtomicU32,
    /// Threads sleeping (or about to sleep) in the kernel on `seq`. On `seq`'s cache line,
    /// which the notifier writes anyway, so looking at it costs the notifier nothing more.
    sleepers: AtomicU32,
    magic: AtomicU32,
    _reserved: [u32; 5],
}

/// The result of a timed condition wait. The mutex is held again in every case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitOutcome {
    timed_out: bool,
    owner_died: bool,
}

impl WaitOutcome {
    /// Whether the deadline passed before a notification arrived.
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// Whether relocking the mutex found that its previous owner had died.
    pub fn owner_died(&self) -> bool {
        self.owner_died
    }
}

/// A registration as a waiter, taken with the lock held (see
/// [`InterprocessCondition::prepare_wait`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTicket(pub u32);

impl InterprocessCondition {
    /// Initialises a condition in place and returns a reference to it.
    ///
    /// # Safety
    /// `ptr` must be valid, 8-byte aligned and writable for `size_of::<Self>()` bytes, no
    /// one may be using a condition there, and the memory must outlive `'a`.
    pub unsafe fn init_at<'a>(ptr: *mut Self) -> Result<&'a Self> {
        // SAFETY: `ptr` is valid, aligned and writable for one `Self`, used by no one, and
        // outlives `'a` (this fn's contract); all zeroes is a valid `Self` (atomics only).
        unsafe {
            std::ptr::write_bytes(ptr, 0, 1);
            tag::mark(&(*ptr).magic, MAGIC);
            Ok(&*ptr)
        }
    }

    /// Destroys the condition; no one may be waiting. Later use fails with
    /// `InvalidArgument`.
    pub fn destroy(&self) -> Result<()> {
        tag::retire(&self.magic, MAGIC, "interprocess_condition")
    }

    #[inline]
    fn check(&self) -> Result<()> {
        tag::check(&self.magic, MAGIC, "interprocess_condition")
    }

    /// Wakes one waiter (more may wake, as with every condition variable).
    pub fn notify_one(&self) -> Result<()> {
        self.notify(1)
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) -> Result<()> {
        self.notify(i32::MAX)
    }

    fn notify(&self, count: i32) -> Result<()> {
        self.check()?;
        // SeqCst, both: the store-load pair with `sleep` (a bump of `seq` then a load of
        // `sleepers`, against an increment of `sleepers` then a load of `seq`): either this
        // load sees the sleeper, or the sleeper's load (and the futex wait's compare after
        // it) sees the bumped number and does not sleep on the old one. A waiter still
        // looking awake needs no wake-up: its next look sees the bump.
        self.seq.fetch_add(1, Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            futex::wake(&self.seq, count).map_err(|e| e.into_error("waking condition waiters"))?;
        }
        Ok(())
    }

    /// Registers the caller as a waiter. Call it holding the lock that protects the
    /// predicate, then release that lock, then call [`InterprocessCondition::wait_ticket`].
    /// This is how a condition works with any kind of lock (`condition_any`).
    pub fn prepare_wait(&self) -> Result<WaitTicket> {
        self.check()?;
        // Acquire: as every load of `seq` (see `sleep`). Read under the caller's lock, so a
        // notification after the caller's look at its predicate changes the number.
        Ok(WaitTicket(self.seq.load(Ordering::Acquire)))
    }

    /// Sleeps until a notification after `ticket` was taken, or until `deadline`. Returns
    /// whether it timed out. Every ticket must be waited on exactly once.
    pub fn wait_ticket(&self, ticket: WaitTicket, deadline: Option<Deadline>) -> Result<bool> {
        // The mutex relocked after this wait is no loop of relocks against another thread,
        // whatever the thread's last contended lock was: it spins, not backs off.
        crate::os::robust::forget_contention();
        let r = self.sleep(ticket.0, deadline);
        // The caller's next lock is this wait's relock (in C and C++, through the public
        // lock): it looks at the mutex before it tries.
        super::mutex::note_woken();
        r
    }

    fn sleep(&self, ticket: u32, deadline: Option<Deadline>) -> Result<bool> {
        // Acquire, every load of `seq` here: pairs with the release side of the notifier's
        // SeqCst bump, so what it wrote before notifying is visible even before the mutex
        // is taken again (the mutex orders it anyway for a predicate it guards).
        if spin_until(|| self.seq.load(Ordering::Acquire) != ticket) {
            return Ok(false);
        }
        // SeqCst: the sleeper's store of the pair with `notify`; its load is the SeqCst
        // look at `seq` below (and the futex wait's compare in the kernel, after a full
        // barrier).
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        let r = loop {
            // SeqCst: the load of the pair (see above); it is Acquire too, as every load
            // of `seq` here.
            if self.seq.load(Ordering::SeqCst) != ticket {
                break Ok(false);
            }
            match futex::wait(&self.seq, ticket, deadline.map(|d| d.os())) {
                Ok(Woken::Maybe) => continue,
                Ok(Woken::TimedOut) => break Ok(self.seq.load(Ordering::Acquire) == ticket),
                Err(e) => break Err(e.into_error("waiting on a condition")),
            }
        };
        // SeqCst like every access of `sleepers`; a notifier that still counts this
        // sleeper only spends a spare wake call.
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
        r
    }

    /// Unlocks `mutex` (which the caller holds), waits for a notification and locks it
    /// again. The outcome is that of the relock. Spurious wake-ups happen: wait in a loop
    /// that checks the predicate (or use [`InterprocessCondition::wait_while`]).
    pub fn wait(&self, mutex: &InterprocessMutex) -> Result<LockOutcome> {
        self.wait_until_inner(mutex, None).map(|w| {
            if w.owner_died {
                LockOutcome::OwnerDied
            } else {
                LockOutcome::Acquired
            }
        })
    }

    /// As [`InterprocessCondition::wait`], giving up at `deadline`; the mutex is held again
    /// in every case.
    pub fn wait_until(&self, mutex: &InterprocessMutex, deadline: Deadline) -> Result<WaitOutcome> {
        self.wait_until_inner(mutex, Some(deadline))
    }

    /// As [`InterprocessCondition::wait_until`] with a relative timeout (monotonic clock).
    pub fn wait_for(&self, mutex: &InterprocessMutex, timeout: Duration) -> Result<WaitOutcome> {
        self.wait_until_inner(mutex, Some(Deadline::after(timeout)))
    }

    /// Waits while `condition()` is true (checked with the mutex held). Returns whether any
    /// relock found a dead previous owner.
    pub fn wait_while(
        &self,
        mutex: &InterprocessMutex,
        mut condition: impl FnMut() -> bool,
    ) -> Result<bool> {
        let mut died = false;
        while condition() {
            died |= self.wait(mutex)?.owner_died();
        }
        Ok(died)
    }

    fn wait_until_inner(
        &self,
        mutex: &InterprocessMutex,
        deadline: Option<Deadline>,
    ) -> Result<WaitOutcome> {
        let raw = mutex.robust();
        raw.check_plain()?;
        let ticket = self.prepare_wait()?;
        raw.release()?;
        let slept = self.wait_ticket(ticket, deadline);
        // Relock whatever happened: the caller expects to hold the mutex on return.
        let relocked = raw.relock()?;
        Ok(WaitOutcome {
            timed_out: slept?,
            owner_died: relocked.owner_died(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::MaybeUninit;
    use std::time::Instant;

    #[test]
    fn layout_is_pinned() {
        assert_eq!(size_of::<InterprocessCondition>(), 32);
        assert_eq!(align_of::<InterprocessCondition>(), 8);
        assert_eq!(std::mem::offset_of!(InterprocessCondition, seq), 0);
        assert_eq!(std::mem::offset_of!(InterprocessCondition, sleepers), 4);
        assert_eq!(std::mem::offset_of!(InterprocessCondition, magic), 8);
    }

    #[test]
    fn timed_wait_times_out_and_notify_wakes() {
        let mut mm = Box::new(MaybeUninit::<InterprocessMutex>::uninit());
        let mut cm = Box::new(MaybeUninit::<InterprocessCondition>::uninit());
        // SAFETY: fresh, aligned, exclusive memory that outlives the references.
        let (m, c) = unsafe {
            (
                InterprocessMutex::init_at(mm.as_mut_ptr()).unwrap(),
                InterprocessCondition::init_at(cm.as_mut_ptr()).unwrap(),
            )
        };
        let _ = m.lock().unwrap();
        let start = Instant::now();
        let w = c.wait_for(m, Duration::from_millis(30)).unwrap();
        assert!(w.timed_out() && !w.owner_died());
        assert!(start.elapsed() >= Duration::from_millis(29));
        m.unlock().unwrap();

        let flag = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                let _ = m.lock().unwrap();
                c.wait_while(m, || !flag.load(Ordering::Relaxed)).unwrap();
                m.unlock().unwrap();
            });
            std::thread::sleep(Duration::from_millis(20));
            let _ = m.lock().unwrap();
            flag.store(true, Ordering::Relaxed);
            m.unlock().unwrap();
            c.notify_all().unwrap();
        });
    }
}
