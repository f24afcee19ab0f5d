//! How a contended robust lock waits: awake first, then asleep in the kernel.
//!
//! Two ways of being awake, chosen per attempt:
//! - **spin** ([`LOCK_SPIN`]): look at the word for a few microseconds and take the lock
//!   the moment it comes free. Right for a holder that lets go soon and does not come back
//!   at once (a condition's waiter relocking, a worker's occasional contention).
//! - **back off** ([`LOCK_NAPS`]): for a thread that is relocking this lock in a loop
//!   against another one (it won it contended less than [`HAMMER_GAP`] ago, and it is
//!   taken again). A looking waiter pulls the holder's cache line away on every look, and
//!   the moment it wins, the holder (relocking at once) becomes the waiter: the lock
//!   changes hands on every turn and each turn pays two cache-line transfers. Napping
//!   instead, without asking to be woken, leaves the holder a run of thousands of turns
//!   with no system call and no transfer; the napper looks again after each nap. glibc's
//!   mutex gets its runs by sleeping at once, which makes the holder pay a wake-up call each
//!   time the sleeper comes back.
//!
//! Then the kernel: announce a sleeper (`WAITERS`) and sleep on the word until an unlock or
//! the owner's death wakes it. Only the public mutex's `lock` backs off
//! ([`lock_backing_off`]); the other users of the lock spin as they always did.

use super::claim::attempt;
use super::handoff;
use super::thread::{ThreadIdentity, thread_identity};
use super::word::{Acquired, RobustLock, TID_MASK, WAITERS, impossible_owner};
use crate::os::clock::{Clock, later, now, sleep_until};
use crate::os::futex::{self, Woken};
use crate::os::spin::{Naps, Spin};
use crate::os::{Errno, OsResult};
use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How a contended lock waits awake before it sleeps: it steps aside once (a preempted
/// holder gets to run; a holder on another CPU relocking in a loop keeps its run), then
/// looks at the word for a few microseconds, one pause apart: a holder on another CPU
/// usually lets go within a few hundred nanoseconds. Callers may add yields after the
/// looks ([`RobustLock::lock_spinning`]).
const LOCK_SPIN: Spin = Spin::new(Duration::from_micros(4), Duration::from_micros(4))
    .paced(1, 1)
    .stepping_aside();
/// How long a sleeper sleeps before it tries the lock again of its own accord (a safety
/// net only: every unlock and every owner death wakes a sleeper).
const CHECK_EVERY: Duration = Duration::from_millis(500);
/// How a thread that is relocking in a loop backs off: naps (a few tens of microseconds
/// each with the kernel's timer slack) before it looks again, this many before it sleeps
/// until woken.
const LOCK_NAPS: u32 = 4;
/// The longest nap asked for (the kernel's timer slack, 50 µs by default, comes on top).
const LOCK_NAP: Duration = Duration::from_micros(16);
/// A thread that won this lock contended less than this long ago, and finds it taken
/// again, is relocking in a loop against another thread: a hundred nanoseconds or so
/// pass between the two in such a loop. A thread that did a few microseconds of other
/// work in between spins as before, and a condition wait forgets the win outright (see
/// [`forget_contention`]), so a condition's ping-pong keeps its spin.
const HAMMER_GAP: Duration = Duration::from_micros(2);

thread_local! {
    /// The lock (its address) this thread last won contended through
    /// [`lock_backing_off`], and when.
    static LAST_WON: Cell<Option<(usize, Instant)>> = const { Cell::new(None) };
}

/// How long ago the calling thread last won `m` contended, if that was its last
/// contended win.
pub(super) fn since_won(m: *mut RobustLock) -> Option<Duration> {
    let (at, when) = LAST_WON.try_with(|w| w.get()).ok().flatten()?;
    (at == m as usize).then(|| when.elapsed())
}

/// Whether the calling thread won `m` contended less than [`HAMMER_GAP`] ago.
fn won_lately(m: *mut RobustLock) -> bool {
    since_won(m).is_some_and(|d| d < HAMMER_GAP)
}

/// Forgets the calling thread's last contended win: it is about to wait for something
/// else, so its next contention on that lock is no loop.
pub(crate) fn forget_contention() {
    let _ = LAST_WON.try_with(|w| w.set(None));
}

/// Locks, waiting until the absolute `deadline` on `clock`; `None` on timeout.
///
/// # Safety
/// As [`super::lock`].
pub(super) unsafe fn lock_until(
    m: *mut RobustLock,
    clock: Clock,
    deadline: &libc::timespec,
) -> OsResult<Option<Acquired>> {
    let d = (clock, deadline.tv_sec, deadline.tv_nsec);
    // SAFETY: `m` points to a live lock (this fn's contract, the same as `acquire`'s).
    unsafe { acquire(m, Duration::ZERO, Some(d), false) }
}

/// Locks, first spinning (on another CPU) and yielding for up to `spin` before sleeping in
/// the kernel: a lock held for a few hundred nanoseconds is cheaper to wait for awake.
///
/// # Safety
/// As [`super::lock`].
pub(super) unsafe fn lock_spinning(m: *mut RobustLock, spin: Duration) -> OsResult<Acquired> {
    // SAFETY: `m` points to a live lock (this fn's contract, the same as `acquire`'s).
    unsafe { acquire(m, spin, None, false) }.map(|a| a.expect("no deadline, no timeout"))
}

/// [`lock_spinning`] that gives up at the absolute `deadline` on `clock` (`None`); the spin
/// ends early at the deadline too.
///
/// # Safety
/// As [`super::lock`].
pub(super) unsafe fn lock_spinning_until(
    m: *mut RobustLock,
    spin: Duration,
    clock: Clock,
    deadline: &libc::timespec,
) -> OsResult<Option<Acquired>> {
    let d = (clock, deadline.tv_sec, deadline.tv_nsec);
    // SAFETY: `m` points to a live lock (this fn's contract, the same as `acquire`'s).
    unsafe { acquire(m, spin, Some(d), false) }
}

/// [`lock_spinning`], except that a thread relocking this lock in a loop against another
/// one backs off instead of spinning (see the module's documentation).
///
/// # Safety
/// As [`super::lock`].
pub(super) unsafe fn lock_backing_off(m: *mut RobustLock, spin: Duration) -> OsResult<Acquired> {
    // SAFETY: `m` points to a live lock (this fn's contract, the same as `acquire`'s).
    let got = unsafe { acquire(m, spin, None, true) }.map(|a| a.expect("no deadline, no timeout"));
    if got.is_ok() {
        let _ = LAST_WON.try_with(|w| w.set(Some((m as usize, Instant::now()))));
    }
    got
}

/// The lock with every wait: try, spin and yield for `spin` (or back off, if `backoff` and
/// the thread is relocking in a loop), then sleep until `deadline` (`None`: no limit),
/// trying again every [`CHECK_EVERY`]. A word naming an impossible owner is
/// `ENOTRECOVERABLE` at once.
///
/// # Safety
/// As [`super::lock`].
unsafe fn acquire(
    m: *mut RobustLock,
    spin: Duration,
    deadline: Option<(Clock, i64, i64)>,
    backoff: bool,
) -> OsResult<Option<Acquired>> {
    let me = thread_identity()?;
    // One attempt to take the lock (`keep_waiters` as in [`attempt`]).
    let attempt_now = |keep_waiters| {
        // SAFETY: `m` points to a live lock for the whole call (this fn's contract), and `me`
        // was read for the calling thread above.
        unsafe { attempt(m, me, keep_waiters) }
    };
    // SAFETY: `m` points to a live lock for the whole call (this fn's contract).
    let word = unsafe { &(*m).word };
    match attempt_now(false) {
        Ok(Some(a)) => return Ok(Some(a)),
        Ok(None) => {}
        Err(Errno(libc::EDEADLK)) if deadline.is_some() => {
            // The caller holds this plain lock already. It cannot come free before the
            // deadline, and a timed lock reports that by timing out (as pthreads do); an
            // untimed one fails instead of hanging forever.
            let (clock, sec, nsec) = deadline.expect("checked");
            sleep_until(clock, sec, nsec);
            return Ok(None);
        }
        Err(e) => return Err(e),
    }
    if backoff && won_lately(m) {
        // Relocking in a loop: let the holder run (see the module's documentation).
        let mut naps = Naps::new(0, LOCK_NAP);
        for _ in 0..LOCK_NAPS {
            naps.take();
            // Relaxed: only a hint of when to try; the attempt's compare-and-swap decides.
            if word.load(Ordering::Relaxed) & TID_MASK == 0 {
                match attempt_now(false) {
                    Ok(None) => {}
                    got => return got,
                }
            }
        }
        // SAFETY: `m` points to a live lock (this fn's contract); `me` is this thread's.
        return unsafe { sleep_until_taken(m, me, deadline) };
    }
    // Awake first (see [`LOCK_SPIN`]): look at the word (reads only, so the holder's cache
    // line is not stolen) and try the moment it looks free; stop at the deadline. A failed
    // attempt's error ends the spin and is returned.
    let mut spun: Option<OsResult<Option<Acquired>>> = None;
    let before_deadline = || {
        deadline.is_none_or(|(clock, sec, nsec)| {
            let t = now(clock);
            (t.tv_sec, t.tv_nsec) < (sec, nsec)
        })
    };
    LOCK_SPIN.yielding_for(spin).until(None, || {
        // Relaxed: only a hint of when to try; the attempt's compare-and-swap decides.
        if word.load(Ordering::Relaxed) & TID_MASK == 0 {
            match attempt_now(false) {
                Ok(None) => {}
                got => {
                    spun = Some(got);
                    return true;
                }
            }
        }
        !spin.is_zero() && !before_deadline()
    });
    if let Some(got) = spun {
        return got;
    }
    // SAFETY: as above.
    unsafe { sleep_until_taken(m, me, deadline) }
}

/// The end of [`acquire`]: sleeps in the kernel until the lock is taken or `deadline`
/// passes (`None` on timeout), trying again every [`CHECK_EVERY`].
///
/// # Safety
/// As [`super::lock`]; `me` is the calling thread's.
unsafe fn sleep_until_taken(
    m: *mut RobustLock,
    me: ThreadIdentity,
    deadline: Option<(Clock, i64, i64)>,
) -> OsResult<Option<Acquired>> {
    let attempt_now = |keep_waiters| {
        // SAFETY: `m` points to a live lock for the whole call and `me` is the calling
        // thread's (this fn's contract).
        unsafe { attempt(m, me, keep_waiters) }
    };
    // SAFETY: `m` points to a live lock for the whole call (this fn's contract).
    let word = unsafe { &(*m).word };
    let clock = deadline.map_or(Clock::Monotonic, |d| d.0);
    loop {
        // Announce a sleeper, then sleep while the word is unchanged. Relaxed: what it says
        // is checked again by the attempt's compare-and-swap or by the futex wait, which
        // compares the word in the kernel.
        let v = word.load(Ordering::Relaxed);
        if impossible_owner(v) {
            return Err(Errno(libc::ENOTRECOVERABLE));
        }
        if v & TID_MASK == 0 {
            if let Some(a) = attempt_now(true)? {
                return Ok(Some(a));
            }
            continue;
        }
        // Relaxed (see `handoff::announce_sleeper`): the futex wait below sleeps only while
        // the word still has the bit.
        if v & WAITERS == 0 && !handoff::announce_sleeper(word, v) {
            continue;
        }
        let now = now(clock);
        let tick = later(&now, CHECK_EVERY);
        let (until, is_deadline) = match deadline {
            Some((_, s, n)) if (s, n) <= tick => ((s, n), true),
            _ => (tick, false),
        };
        match futex::wait(word, v | WAITERS, Some((clock, until.0, until.1)))? {
            Woken::Maybe => {}
            Woken::TimedOut if is_deadline => {
                // One last look: the lock may have come free just now.
                return attempt_now(true);
            }
            Woken::TimedOut => {}
        }
        if let Some(a) = attempt_now(true)? {
            return Ok(Some(a));
        }
    }
}
