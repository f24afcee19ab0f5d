//! Clocks and absolute times for timed waits: the clock a deadline is measured on, the
//! current time, and sleeping until a time.

use std::time::Duration;

/// The clock a deadline is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clock {
    /// `CLOCK_MONOTONIC`: never jumps.
    Monotonic,
    /// `CLOCK_REALTIME`: wall time; follows clock changes.
    Realtime,
}

impl Clock {
    pub(crate) fn id(self) -> libc::clockid_t {
        match self {
            Clock::Monotonic => libc::CLOCK_MONOTONIC,
            Clock::Realtime => libc::CLOCK_REALTIME,
        }
    }
}

/// The current time of `clock`.
pub(crate) fn now(clock: Clock) -> libc::timespec {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-parameter; both clocks always exist on Linux.
    unsafe { libc::clock_gettime(clock.id(), &mut ts) };
    ts
}

/// Adds `d` to a `(clock, sec, nsec)` time.
pub(crate) fn later(now: &libc::timespec, d: Duration) -> (i64, i64) {
    let mut sec = now.tv_sec + d.as_secs() as i64;
    let mut nsec = now.tv_nsec + i64::from(d.subsec_nanos());
    if nsec >= 1_000_000_000 {
        sec += 1;
        nsec -= 1_000_000_000;
    }
    (sec, nsec)
}

/// Sleeps until the absolute time `sec.nsec` on `clock` has passed.
pub(crate) fn sleep_until(clock: Clock, sec: i64, nsec: i64) {
    if sec < 0 {
        return;
    }
    let ts = timespec(sec, nsec);
    // SAFETY: `ts` is a valid timespec; no remainder is asked for with TIMER_ABSTIME.
    while unsafe {
        libc::clock_nanosleep(clock.id(), libc::TIMER_ABSTIME, &ts, std::ptr::null_mut())
    } == libc::EINTR
    {}
}

/// A `timespec` from seconds and nanoseconds (nanoseconds already below one second).
pub(crate) fn timespec(sec: i64, nsec: i64) -> libc::timespec {
    libc::timespec {
        tv_sec: sec as libc::time_t,
        tv_nsec: nsec as libc::c_long,
    }
}
