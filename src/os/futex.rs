//! Shared (inter-process) futexes: the kernel wait queue behind the condition variable and
//! the semaphore.
//!
//! The futex word lives in shared memory. No `FUTEX_PRIVATE_FLAG` is used, so the kernel
//! keys the wait queue on the physical page and waiters in different processes (mapping the
//! page at different addresses) meet in the same queue.

use super::clock::Clock;
use super::{Errno, OsResult};
use std::sync::atomic::AtomicU32;

/// `FUTEX_BITSET_MATCH_ANY`: the bitset that makes `FUTEX_WAIT_BITSET` a plain wait.
const MATCH_ANY: u32 = u32::MAX;

/// Why [`wait`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Woken {
    /// A wake-up, a changed word or a signal: the caller re-checks its condition.
    Maybe,
    /// The deadline passed.
    TimedOut,
}

/// Sleeps while `*word == expected`, until woken or until the absolute `deadline` (clock,
/// seconds, nanoseconds) passes. `None` waits without limit.
pub(crate) fn wait(
    word: &AtomicU32,
    expected: u32,
    deadline: Option<(Clock, i64, i64)>,
) -> OsResult<Woken> {
    let mut op = libc::FUTEX_WAIT_BITSET;
    let ts;
    let ts_ptr = match deadline {
        None => std::ptr::null(),
        Some((clock, sec, nsec)) => {
            if clock == Clock::Realtime {
                op |= libc::FUTEX_CLOCK_REALTIME;
            }
            // A deadline before the epoch of its clock has passed already.
            if sec < 0 {
                return Ok(Woken::TimedOut);
            }
            ts = libc::timespec {
                tv_sec: sec as libc::time_t,
                tv_nsec: nsec as libc::c_long,
            };
            &ts as *const libc::timespec
        }
    };
    // SAFETY: `word` is a valid, aligned u32 for the duration of the call; `ts_ptr` is NULL
    // or points to `ts`, which outlives the call. FUTEX_WAIT_BITSET takes an absolute time.
    let r = unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            op,
            expected,
            ts_ptr,
            std::ptr::null::<u32>(),
            MATCH_ANY,
        )
    };
    if r == 0 {
        return Ok(Woken::Maybe);
    }
    match Errno::last() {
        Errno(libc::EAGAIN) | Errno(libc::EINTR) => Ok(Woken::Maybe),
        Errno(libc::ETIMEDOUT) => Ok(Woken::TimedOut),
        e => Err(e),
    }
}

/// Wakes at most `count` waiters sleeping on `word`; returns how many were woken.
pub(crate) fn wake(word: &AtomicU32, count: i32) -> OsResult<usize> {
    // SAFETY: `word` is a valid, aligned u32; FUTEX_WAKE does not dereference anything else.
    let r = unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, count) };
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(r as usize)
    }
}
