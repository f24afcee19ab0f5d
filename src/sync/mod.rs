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
pub use mutex::{InterprocessMutex, InterprocessRecursiveMutex, LockOutcome, MutexGuard};
pub use named::{
    NamedCondition, NamedMutex, NamedRecursiveMutex, NamedSemaphore, NamedSharableMutex,
    NamedUpgradableMutex,
};
pub use semaphore::InterprocessSemaphore;
pub use upgradable::{InterprocessSharableMutex, InterprocessUpgradableMutex};

/// Busy-wait iterations before a waiter starts yielding: a few microseconds, long enough to
/// catch a hand-off from a process running on another CPU.
const SPIN_PAUSES: u32 = 40;
/// How long a waiter keeps yielding before it sleeps in the kernel. When the other party
/// runs on the same CPU, a yield lets it finish its step at once. When it runs on another
/// CPU but is itself asleep, waking it takes a few tens of microseconds on a virtual
/// machine: a waiter that slept sooner than that would make every later hand-off a pair of
/// kernel sleeps, while one that outlasts it brings both back to answering each other
/// awake.
const SPIN_YIELD_FOR: std::time::Duration = std::time::Duration::from_micros(50);

/// Spins, then yields, until `done()` or the short budget runs out; whether `done()` held.
/// Callers fall back to a kernel sleep when it returns false.
#[inline]
pub(crate) fn spin_until(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..SPIN_PAUSES {
        if done() {
            return true;
        }
        std::hint::spin_loop();
    }
    let start = std::time::Instant::now();
    while start.elapsed() < SPIN_YIELD_FOR {
        if done() {
            return true;
        }
        std::thread::yield_now();
    }
    done()
}
