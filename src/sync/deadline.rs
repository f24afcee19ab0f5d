//! Absolute deadlines on a chosen clock.

use crate::os::robust::{self, Clock as OsClock};
use crate::{Error, ErrorKind, Result};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NANOS: i64 = 1_000_000_000;
/// Far enough to mean "never" and small enough for every kernel interface (about 35 000
/// years).
const FAR_SECONDS: i64 = 1 << 40;

/// The clock a [`Deadline`] is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Clock {
    /// `CLOCK_REALTIME`: wall time (C++ `system_clock`, Boost's `ptime`). A wall-clock
    /// deadline follows changes of the system time.
    Realtime,
    /// `CLOCK_MONOTONIC`: time since boot (C++ `steady_clock`); never jumps.
    Monotonic,
}

impl Clock {
    /// The C ABI's number: `INTERPROC_CLOCK_REALTIME` = 0, `INTERPROC_CLOCK_MONOTONIC` = 1.
    pub fn code(self) -> u32 {
        match self {
            Clock::Realtime => 0,
            Clock::Monotonic => 1,
        }
    }

    /// The clock with the C ABI's number `code`, if there is one.
    pub fn from_code(code: u32) -> Option<Clock> {
        match code {
            0 => Some(Clock::Realtime),
            1 => Some(Clock::Monotonic),
            _ => None,
        }
    }

    pub(crate) fn os(self) -> OsClock {
        match self {
            Clock::Realtime => OsClock::Realtime,
            Clock::Monotonic => OsClock::Monotonic,
        }
    }
}

/// An absolute point in time on a [`Clock`], as every timed operation takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Deadline {
    clock: Clock,
    sec: i64,
    nsec: i64,
}

impl Deadline {
    /// The instant `sec` seconds and `nsec` nanoseconds after the epoch of `clock`.
    /// `nsec` must be in `0..1_000_000_000`.
    pub fn new(clock: Clock, sec: i64, nsec: i64) -> Result<Deadline> {
        if !(0..NANOS).contains(&nsec) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("deadline: {nsec} nanoseconds is outside 0..1000000000"),
            ));
        }
        Ok(Deadline {
            clock,
            sec: sec.min(FAR_SECONDS),
            nsec,
        })
    }

    /// The current time of `clock`.
    pub fn now(clock: Clock) -> Deadline {
        let ts = robust::now(clock.os());
        // time_t and c_long are i64 only on 64-bit targets.
        #[allow(clippy::unnecessary_cast)]
        Deadline {
            clock,
            sec: ts.tv_sec as i64,
            nsec: ts.tv_nsec as i64,
        }
    }

    /// `timeout` from now, on the monotonic clock (a relative wait never moves when the wall
    /// clock is changed).
    pub fn after(timeout: Duration) -> Deadline {
        Deadline::now(Clock::Monotonic).plus(timeout)
    }

    /// The wall-clock instant `t`.
    pub fn at(t: SystemTime) -> Deadline {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Deadline {
                clock: Clock::Realtime,
                sec: i64::try_from(d.as_secs())
                    .unwrap_or(FAR_SECONDS)
                    .min(FAR_SECONDS),
                nsec: i64::from(d.subsec_nanos()),
            },
            // Before 1970: long past.
            Err(_) => Deadline {
                clock: Clock::Realtime,
                sec: 0,
                nsec: 0,
            },
        }
    }

    /// This deadline moved `d` later (saturating far in the future).
    pub fn plus(self, d: Duration) -> Deadline {
        let add = i64::try_from(d.as_secs()).unwrap_or(FAR_SECONDS);
        let mut sec = self.sec.saturating_add(add);
        let mut nsec = self.nsec + i64::from(d.subsec_nanos());
        if nsec >= NANOS {
            nsec -= NANOS;
            sec = sec.saturating_add(1);
        }
        Deadline {
            clock: self.clock,
            sec: sec.min(FAR_SECONDS),
            nsec,
        }
    }

    /// The clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Whole seconds since the clock's epoch.
    pub fn seconds(&self) -> i64 {
        self.sec
    }

    /// Nanoseconds past [`Deadline::seconds`].
    pub fn nanoseconds(&self) -> i64 {
        self.nsec
    }

    /// Whether the deadline has passed.
    pub fn has_passed(&self) -> bool {
        let now = Deadline::now(self.clock);
        (now.sec, now.nsec) >= (self.sec, self.nsec)
    }

    /// The form the OS layer takes.
    pub(crate) fn os(&self) -> (OsClock, i64, i64) {
        (self.clock.os(), self.sec, self.nsec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_and_validation() {
        let d = Deadline::new(Clock::Monotonic, 5, 999_999_999).unwrap();
        let e = d.plus(Duration::from_nanos(2));
        assert_eq!((e.seconds(), e.nanoseconds()), (6, 1));
        assert!(Deadline::new(Clock::Realtime, 0, NANOS).is_err());
        assert!(Deadline::new(Clock::Realtime, 0, -1).is_err());
        assert!(d.has_passed());
        assert!(!Deadline::after(Duration::from_secs(60)).has_passed());
        let far = Deadline::after(Duration::MAX);
        assert_eq!(far.seconds(), FAR_SECONDS);
        let wall = Deadline::at(SystemTime::now() + Duration::from_secs(10));
        assert_eq!(wall.clock(), Clock::Realtime);
        assert!(!wall.has_passed());
        assert_eq!(
            Clock::from_code(Clock::Monotonic.code()),
            Some(Clock::Monotonic)
        );
        assert_eq!(Clock::from_code(7), None);
    }
}
