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
mod tag;
mod upgradable;

pub use condition::{InterprocessCondition, WaitOutcome, WaitTicket};
pub use deadline::{Clock, Deadline};
pub use file_lock::FileLock;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use crate::os::spin::Spin;

pub use crate::os::robust::LockHolder;
pub use mutex::{InterprocessMutex, InterprocessRecursiveMutex, LockOutcome, MutexGuard};
pub(crate) use named::kind_in as named_kind_in;
pub use named::{
    NamedCondition, NamedMutex, NamedRecursiveMutex, NamedSemaphore, NamedSharableMutex,
    NamedSyncReport, NamedUpgradableMutex, open_any_named,
};
pub use semaphore::InterprocessSemaphore;
pub use upgradable::{InterprocessSharableMutex, InterprocessUpgradableMutex};

/// How conditions, semaphores and the upgradable mutex wait awake before they sleep:
/// looks for 3 µs, long enough to catch a hand-off from a process on another CPU (a
/// condition's includes the notifier's unlock and the waiter's relock, several cache-line
/// transfers), then yields up to 50 µs in all. When the other party runs on the same CPU,
/// a yield lets it finish its step at once. When it runs on another CPU but is itself
/// asleep, waking it takes a few tens of microseconds on a virtual machine: a waiter that
/// slept sooner than that would make every later hand-off a pair of kernel sleeps, while
/// one that outlasts it brings both back to answering each other awake.
///
/// The looks are at most [`HANDOFF_PACE`] pauses apart: every word these waits look at
/// (a count, a sequence number) is written once per hand-off, so looking again costs no
/// cache-line transfer until that write, and a long gap would only delay seeing it.
const SYNC_SPIN: Spin =
    Spin::new(Duration::from_micros(3), Duration::from_micros(50)).paced(1, HANDOFF_PACE);

/// The most pauses between two looks at a word written once per hand-off (a pause takes
/// 10 to 40 ns, depending on the CPU): the hand-off is seen within about 100 ns.
pub(crate) const HANDOFF_PACE: u32 = 4;

thread_local! {
    /// Busy phases of this thread's waits on conditions and semaphores that came to nothing.
    static SYNC_MISSES: AtomicU32 = const { AtomicU32::new(0) };
}

/// Spins ([`SYNC_SPIN`], adaptive per thread) until `done()`; whether it held. Callers
/// sleep in the kernel when it returns false.
#[inline]
pub(crate) fn spin_until(done: impl FnMut() -> bool) -> bool {
    SYNC_MISSES.with(|misses| SYNC_SPIN.until(Some(misses), done))
}
