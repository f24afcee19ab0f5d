//! How every waiter in the library waits before it sleeps in the kernel: the one wait
//! policy that the robust lock, conditions, semaphores, the upgradable mutex and the
//! message queue share, each with its own tuning.
//!
//! The vocabulary, in the order a wait goes through it:
//! - **look**: read the shared word, busy, with pause instructions between looks. Catches
//!   a peer on another CPU that answers within microseconds. Each look pulls the cache line
//!   away from the peer about to write it, so looks are paced: a few pauses before the
//!   second look, doubling up to a ceiling.
//! - **yield**: give the CPU away and look again. Lets a peer that shares this CPU finish
//!   its step; keeps both parties awake when a kernel wake-up would cost more.
//! - **nap**: where there is no word to sleep on (a peer copying a message), sleep a short,
//!   growing time: [`Naps`].
//! - **sleep**: the caller's futex wait, once the [`Spin`] has come to nothing.
//!
//! A spin is adaptive where the caller keeps a miss counter: after a few busy phases in a
//! row that saw nothing (the peer runs on this CPU, so looking only delays it), the busy
//! phase is skipped, and tried again now and then in case the peer moved.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The longest gap between two looks by default, in pause instructions (about a
/// microsecond).
const PAUSES_MAX: u32 = 64;
/// Looks read the clock (to end the busy phase in time) once this many pauses have passed
/// since the last reading: a few hundred nanoseconds.
const CLOCK_PAUSES: u32 = 16;
/// After this many busy phases in a row that saw nothing, the busy phase is mostly skipped.
const MISSES_MAX: u32 = 4;
/// With the busy phase skipped, it is still tried on one wait in this many.
const RETRY_EVERY: u32 = 16;

/// A spin's tuning: how long to look, how to pace the looks, and how long in all before
/// the caller sleeps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spin {
    /// Time spent looking (only with two or more CPUs online).
    busy: Duration,
    /// Time from the start after which the spin gives up (looks and yields together).
    total: Duration,
    /// Pauses before the second look, and the ceiling they double up to.
    pace: (u32, u32),
    /// Yield once before the first look.
    step_aside: bool,
}

impl Spin {
    /// Looks for `busy`, then yields until `total` has passed since the start.
    pub(crate) const fn new(busy: Duration, total: Duration) -> Spin {
        Spin {
            busy,
            total,
            pace: (1, PAUSES_MAX),
            step_aside: false,
        }
    }

    /// The same spin, its looks paced by `(first, most)` pauses.
    pub(crate) const fn paced(self, first: u32, most: u32) -> Spin {
        Spin {
            pace: (first, most),
            ..self
        }
    }

    /// The same spin, yielding once before the first look: a lock holder that was
    /// preempted gets to run and let go, and one on another CPU that relocks at once (a
    /// loop of short critical sections) keeps the lock for a run instead of having its
    /// cache line pulled away every time.
    pub(crate) const fn stepping_aside(self) -> Spin {
        Spin {
            step_aside: true,
            ..self
        }
    }

    /// The same spin with `extra` more time for yields after the looks.
    pub(crate) fn yielding_for(self, extra: Duration) -> Spin {
        Spin {
            total: self.busy.saturating_add(extra),
            ..self
        }
    }

    /// Looks, then yields, until `done()` or the spin runs out; whether `done()` held.
    /// `misses` (the caller's, per thread or per handle) makes the busy phase adaptive;
    /// `None` always looks.
    pub(crate) fn until(&self, misses: Option<&AtomicU32>, mut done: impl FnMut() -> bool) -> bool {
        let start = Instant::now();
        let many_cpus = super::cpu_count() >= 2;
        if self.step_aside && many_cpus {
            std::thread::yield_now();
        }
        // Relaxed: a per-caller hint read and written by the caller only; it orders nothing.
        let missed = misses.map_or(0, |m| m.load(Ordering::Relaxed));
        let look = missed < MISSES_MAX || missed % RETRY_EVERY == 0;
        if many_cpus && !look {
            // Skipped: the count still moves on, so the busy phase comes back on one wait
            // in RETRY_EVERY (kept clear of 0, which means "no misses"). Relaxed: as the
            // load above.
            if let Some(m) = misses {
                let next = missed.wrapping_add(1);
                m.store(
                    if next < MISSES_MAX { RETRY_EVERY } else { next },
                    Ordering::Relaxed,
                );
            }
        }
        if many_cpus && look {
            let (first, most) = self.pace;
            let mut pauses = first.max(1);
            // Pauses since the clock was last read: reading it costs as much as a few
            // pauses (more on a virtual machine), so closely paced looks read it only now
            // and then, which keeps them close.
            let mut unclocked = 0;
            loop {
                if done() {
                    if let Some(m) = misses {
                        m.store(0, Ordering::Relaxed);
                    }
                    return true;
                }
                for _ in 0..pauses {
                    std::hint::spin_loop();
                }
                unclocked += pauses;
                pauses = (pauses * 2).min(most.max(1));
                if unclocked >= CLOCK_PAUSES {
                    unclocked = 0;
                    if start.elapsed() >= self.busy {
                        break;
                    }
                }
            }
            if let Some(m) = misses {
                m.store(missed.wrapping_add(1), Ordering::Relaxed);
            }
        }
        while start.elapsed() < self.total {
            if done() {
                return true;
            }
            std::thread::yield_now();
        }
        done()
    }
}

/// Naps: the waiting for a peer where there is no word to sleep on. The first naps are
/// yields (the peer may be waiting for this CPU); then sleeps that start short and double
/// up to a ceiling.
#[derive(Debug)]
pub(crate) struct Naps {
    taken: u32,
    yields: u32,
    first: Duration,
    longest: Duration,
}

/// The doubling of naps stops after this many steps (the ceiling stops it sooner).
const DOUBLINGS_MAX: u32 = 20;

impl Naps {
    /// `yields` naps that only yield, then sleeps of 2, 4, 8 ... microseconds up to
    /// `longest`: a peer on another CPU that finishes within microseconds.
    pub(crate) const fn new(yields: u32, longest: Duration) -> Naps {
        Naps {
            taken: 0,
            yields,
            first: Duration::from_micros(2),
            longest,
        }
    }

    /// Sleeps only: `first`, then doubling up to `longest`. For a peer that the OS gives
    /// no way to wait for (a `flock` with a deadline, a creator not yet at its lock).
    pub(crate) const fn sleeping(first: Duration, longest: Duration) -> Naps {
        Naps {
            taken: 0,
            yields: 0,
            first,
            longest,
        }
    }

    /// Sleeps only, `every` time the same.
    pub(crate) const fn every(every: Duration) -> Naps {
        Naps::sleeping(every, every)
    }

    /// Takes the next nap.
    pub(crate) fn take(&mut self) {
        self.taken = self.taken.saturating_add(1);
        if self.taken <= self.yields {
            std::thread::yield_now();
        } else {
            let doublings = (self.taken - self.yields - 1).min(DOUBLINGS_MAX);
            let nap = self.first.saturating_mul(1 << doublings);
            std::thread::sleep(nap.min(self.longest));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spin_stops_when_done_and_gives_up_in_time() {
        let spin = Spin::new(Duration::from_micros(5), Duration::from_micros(200));
        let mut looks = 0;
        assert!(spin.until(None, || {
            looks += 1;
            looks == 3
        }));
        assert_eq!(looks, 3);
        let start = Instant::now();
        assert!(!spin.until(None, || false));
        let took = start.elapsed();
        assert!(took >= Duration::from_micros(200), "{took:?}");
    }

    #[test]
    fn misses_skip_the_busy_phase_and_a_hit_resets_them() {
        let spin = Spin::new(Duration::from_micros(20), Duration::from_micros(20));
        let misses = AtomicU32::new(0);
        for _ in 0..MISSES_MAX {
            assert!(!spin.until(Some(&misses), || false));
        }
        if crate::os::cpu_count() >= 2 {
            assert_eq!(misses.load(Ordering::Relaxed), MISSES_MAX);
            // Skipped now: only the yields run, and the count moves on towards a retry.
            assert!(!spin.until(Some(&misses), || false));
            assert_eq!(misses.load(Ordering::Relaxed), MISSES_MAX + 1);
            // The busy phase comes back within RETRY_EVERY waits, and a hit resets the count.
            let mut waits = 0;
            while misses.load(Ordering::Relaxed) % RETRY_EVERY != 0 {
                assert!(!spin.until(Some(&misses), || false));
                waits += 1;
                assert!(waits < RETRY_EVERY, "the busy phase never came back");
            }
            assert!(spin.until(Some(&misses), || true));
            assert_eq!(misses.load(Ordering::Relaxed), 0);
        }
    }

    #[test]
    fn yielding_for_extends_the_total_past_the_looks() {
        let spin = Spin::new(Duration::from_micros(3), Duration::from_micros(3))
            .yielding_for(Duration::from_micros(300));
        let start = Instant::now();
        assert!(!spin.until(None, || false));
        assert!(start.elapsed() >= Duration::from_micros(303));
    }

    #[test]
    fn naps_yield_first_then_sleep_at_most_the_ceiling() {
        let mut naps = Naps::new(2, Duration::from_micros(50));
        let start = Instant::now();
        for _ in 0..12 {
            naps.take();
        }
        // Ten sleeps of 2, 4, 8, 16, 32, then 50 µs: at least 262 µs.
        assert!(start.elapsed() >= Duration::from_micros(262));
    }

    #[test]
    fn sleeping_naps_double_from_the_first_up_to_the_ceiling() {
        let mut naps = Naps::sleeping(Duration::from_micros(100), Duration::from_micros(300));
        let start = Instant::now();
        for _ in 0..4 {
            naps.take();
        }
        // 100, 200, 300, 300 µs.
        assert!(start.elapsed() >= Duration::from_micros(900));
        let mut naps = Naps::every(Duration::from_micros(200));
        let start = Instant::now();
        for _ in 0..3 {
            naps.take();
        }
        assert!(start.elapsed() >= Duration::from_micros(600));
    }
}
