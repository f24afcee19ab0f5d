//! Process-shared synchronisation: Boost's mutexes, conditions and semaphores, anonymous
//! (placed inside shared memory by the user) and named (each in its own small shared memory
//! object under `/dev/shm`).
//!
//! Guarantees, the same in the three languages:
//! - **Crashed owners.** Every mutex is a robust process-shared pthread mutex. When a
//!   process dies holding one, the kernel marks it, and the next locker gets the lock
//!   together with the news that the owner died ([`LockOutcome::OwnerDied`]). The mutex is
//!   made consistent again at once, so it keeps working; the data it protects may be
//!   half-updated. The kernel decides this at the owner's exit, so a reused PID cannot hide
//!   a death.
//! - **Conditions and semaphores** are futex words (shared futexes, no private flag), not
//!   glibc's `pthread_cond_t`: a waiter killed inside a wait leaves at most a stale waiter
//!   count behind, which costs a spare wake-up call and never blocks anyone.
//! - **Clocks.** A [`Deadline`] is absolute on `CLOCK_MONOTONIC` (never jumps) or
//!   `CLOCK_REALTIME` (wall time, follows clock changes), and the kernel waits on that very
//!   clock. Relative waits become monotonic deadlines.

mod condition;
mod deadline;
mod file_lock;
mod mutex;
mod named;
mod semaphore;
mod upgradable;

pub use condition::{InterprocessCondition, WaitOutcome, WaitTicket};
pub use deadline::{Clock, Deadline};
pub use file_lock::FileLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub use crate::os::robust::LockHolder;
pub use mutex::{InterprocessMutex, InterprocessRecursiveMutex, LockOutcome, MutexGuard};
pub(crate) use named::kind_in as named_kind_in;
pub use named::{
    NamedCondition, NamedMutex, NamedRecursiveMutex, NamedSemaphore, NamedSharableMutex,
    NamedSyncReport, NamedUpgradableMutex, open_any_named,
};
pub use semaphore::InterprocessSemaphore;
pub use upgradable::{InterprocessSharableMutex, InterprocessUpgradableMutex};

/// How long a waiter busy-waits before it starts yielding: long enough to catch a
/// hand-off from a process running on another CPU.
const SPIN_BUSY_FOR: Duration = Duration::from_micros(1);
/// How long a waiter keeps yielding before it sleeps in the kernel. When the other party
/// runs on the same CPU, a yield lets it finish its step at once. When it runs on another
/// CPU but is itself asleep, waking it takes a few tens of microseconds on a virtual
/// machine: a waiter that slept sooner than that would make every later hand-off a pair of
/// kernel sleeps, while one that outlasts it brings both back to answering each other
/// awake.
const SPIN_YIELD_FOR: Duration = Duration::from_micros(50);
/// The longest gap between two looks in a busy wait, in pause instructions (about a
/// microsecond).
const BUSY_PAUSES_MAX: u32 = 64;
/// After this many busy phases in a row that saw nothing, the busy phase is mostly skipped.
const BUSY_MISSES_MAX: u32 = 4;

thread_local! {
    /// Busy phases of this thread's waits on conditions and semaphores that came to nothing.
    static SYNC_MISSES: AtomicU32 = const { AtomicU32::new(0) };
}

/// Spins, then yields, until `done()` or the short budget runs out; whether `done()` held.
/// Callers fall back to a kernel sleep when it returns false.
#[inline]
pub(crate) fn spin_until(done: impl FnMut() -> bool) -> bool {
    SYNC_MISSES.with(|misses| spin_adaptive(misses, SPIN_BUSY_FOR, SPIN_YIELD_FOR, done))
}

/// The waiting that conditions, semaphores and queues share: busy-waits for `busy`, then
/// yields the CPU until `done()` or `total` has passed; whether `done()` held.
///
/// A busy wait catches a peer on another CPU; a peer that shares this CPU can only answer
/// once this thread yields, so there the busy wait is time lost. `misses` counts busy
/// phases in a row that saw nothing: after a few, the busy phase is skipped, and tried
/// again now and then in case the peer moved.
pub(crate) fn spin_adaptive(
    misses: &AtomicU32,
    busy: Duration,
    total: Duration,
    done: impl FnMut() -> bool,
) -> bool {
    spin_adaptive_paced(misses, busy, total, (1, BUSY_PAUSES_MAX), done)
}

/// [`spin_adaptive`] with the busy looks paced by `(first, most)`: the pauses before the
/// second look, doubling up to `most`. A waiter that knows the change takes a while (a
/// long copy) looks late and seldom: every look takes the cache line from the writer.
pub(crate) fn spin_adaptive_paced(
    misses: &AtomicU32,
    busy: Duration,
    total: Duration,
    (first, most): (u32, u32),
    mut done: impl FnMut() -> bool,
) -> bool {
    let start = Instant::now();
    let missed = misses.load(Ordering::Relaxed);
    if crate::os::cpu_count() >= 2 && (missed < BUSY_MISSES_MAX || missed % 16 == 0) {
        // Looks at the shared word less and less often: each look pulls the cache line
        // away from the peer that is about to write it, which slows a producer that
        // streams messages.
        let mut pauses = first.max(1);
        while start.elapsed() < busy {
            if done() {
                misses.store(0, Ordering::Relaxed);
                return true;
            }
            for _ in 0..pauses {
                std::hint::spin_loop();
            }
            pauses = (pauses * 2).min(most.max(1));
        }
    }
    misses.store(missed.wrapping_add(1), Ordering::Relaxed);
    while start.elapsed() < total {
        if done() {
            return true;
        }
        std::thread::yield_now();
    }
    done()
}
