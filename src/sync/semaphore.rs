//! `interprocess_semaphore`: an atomic count that is also the futex word.

use super::tag;
use super::{Deadline, spin_until};
use crate::os::futex::{self, Woken};
use crate::{Error, ErrorKind, Result};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// `magic` of an initialised semaphore ("SEMA").
const MAGIC: u32 = 0x5345_4d41;
/// The largest count (Boost's counts are `unsigned int`; keep clear of the sign bit so the
/// value means the same to every language).
const MAX_COUNT: u32 = i32::MAX as u32;

/// Boost's `interprocess_semaphore`, placed inside shared memory (32 bytes, 8-byte
/// aligned). `post` and an uncontended `wait` take no system call.
#[repr(C, align(8))]
pub struct InterprocessSemaphore {
    /// The count; the futex word sleepers wait on while it is 0.
    count: AtomicU32,
    /// Threads inside a sleeping wait (a killed waiter leaves it one too high: harmless).
    waiters: AtomicU32,
    magic: AtomicU32,
    _reserved: [u32; 5],
}

impl InterprocessSemaphore {
    /// Initialises a semaphore with count `initial` in place and returns a reference to it.
    ///
    /// # Safety
    /// `ptr` must be valid, 8-byte aligned and writable for `size_of::<Self>()` bytes, no
    /// one may be using a semaphore there, and the memory must outlive `'a`.
    pub unsafe fn init_at<'a>(ptr: *mut Self, initial: u32) -> Result<&'a Self> {
        if initial > MAX_COUNT {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("semaphore: initial count {initial} is above the limit {MAX_COUNT}"),
            ));
        }
        // SAFETY: `ptr` is valid, aligned and writable for one `Self`, used by no one, and
        // outlives `'a` (this fn's contract); all zeroes is a valid `Self` (atomics only).
        unsafe {
            std::ptr::write_bytes(ptr, 0, 1);
            (*ptr).count.store(initial, Ordering::Relaxed);
            tag::mark(&(*ptr).magic, MAGIC);
            Ok(&*ptr)
        }
    }

    /// Destroys the semaphore; no one may be waiting. Later use fails with
    /// `InvalidArgument`.
    pub fn destroy(&self) -> Result<()> {
        tag::retire(&self.magic, MAGIC, "interprocess_semaphore")
    }

    #[inline]
    fn check(&self) -> Result<()> {
        tag::check(&self.magic, MAGIC, "interprocess_semaphore")
    }

    /// Increments the count, waking a waiter if there is one. Fails with `Semaphore` at the
    /// limit (2^31 - 1).
    pub fn post(&self) -> Result<()> {
        self.check()?;
        // Relaxed: a first guess for the compare-and-swap, which reloads on failure.
        let mut c = self.count.load(Ordering::Relaxed);
        loop {
            if c >= MAX_COUNT {
                return Err(Error::new(
                    ErrorKind::Semaphore,
                    "semaphore post: the count is at its limit",
                ));
            }
            // SeqCst pairs with the waiter's registration (Dekker): either this post sees
            // the waiter, or the waiter's futex call sees the new count and does not sleep.
            match self
                .count
                .compare_exchange_weak(c, c + 1, Ordering::SeqCst, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(now) => c = now,
            }
        }
        // SeqCst: the load of the store-load pair (see the compare-and-swap above).
        if self.waiters.load(Ordering::SeqCst) > 0 {
            futex::wake(&self.count, 1).map_err(|e| e.into_error("waking a semaphore waiter"))?;
        }
        Ok(())
    }

    /// Takes one unit if the count is positive; whether it did.
    pub fn try_wait(&self) -> Result<bool> {
        self.check()?;
        Ok(self.take())
    }

    fn take(&self) -> bool {
        // Relaxed: a first guess for the compare-and-swap. A stale 0 costs nothing: the
        // caller then sleeps in a futex wait, whose compare in the kernel (after a full
        // barrier) reads the count again.
        let mut c = self.count.load(Ordering::Relaxed);
        while c > 0 {
            // Acquire: what the poster wrote before posting is visible after the wait.
            match self
                .count
                .compare_exchange_weak(c, c - 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(now) => c = now,
            }
        }
        false
    }

    /// Takes one unit, waiting while the count is 0.
    pub fn wait(&self) -> Result<()> {
        self.wait_inner(None).map(|_| ())
    }

    /// Takes one unit, waiting at most until `deadline`; whether it got one.
    pub fn wait_until(&self, deadline: Deadline) -> Result<bool> {
        self.wait_inner(Some(deadline))
    }

    /// Takes one unit, waiting at most `timeout` (monotonic clock); whether it got one.
    pub fn wait_for(&self, timeout: Duration) -> Result<bool> {
        self.wait_inner(Some(Deadline::after(timeout)))
    }

    fn wait_inner(&self, deadline: Option<Deadline>) -> Result<bool> {
        self.check()?;
        // The count is read before each attempt, so the spin does not hammer the line with
        // failing read-modify-writes.
        // Relaxed: only when to try; `take`'s Acquire compare-and-swap decides.
        if spin_until(|| self.count.load(Ordering::Relaxed) > 0 && self.take()) {
            return Ok(true);
        }
        // SeqCst: the waiter's store of the pair with `post`; its load is the futex wait's
        // compare of the count.
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let r = loop {
            if self.take() {
                break Ok(true);
            }
            match futex::wait(&self.count, 0, deadline.map(|d| d.os())) {
                Ok(Woken::Maybe) => continue,
                Ok(Woken::TimedOut) => break Ok(self.take()),
                Err(e) => break Err(e.into_error("waiting on a semaphore")),
            }
        };
        // SeqCst like every access of `waiters`; a stale count costs a spare wake call only.
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        r
    }

    /// The current count (a snapshot).
    pub fn value(&self) -> u32 {
        // Relaxed: a snapshot that orders nothing.
        self.count.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::MaybeUninit;

    #[test]
    fn layout_is_pinned() {
        assert_eq!(size_of::<InterprocessSemaphore>(), 32);
        assert_eq!(align_of::<InterprocessSemaphore>(), 8);
        assert_eq!(std::mem::offset_of!(InterprocessSemaphore, count), 0);
        assert_eq!(std::mem::offset_of!(InterprocessSemaphore, magic), 8);
    }

    #[test]
    fn counts_and_times_out() {
        let mut mem = Box::new(MaybeUninit::<InterprocessSemaphore>::uninit());
        // SAFETY: fresh, aligned, exclusive memory that outlives the reference.
        let s = unsafe { InterprocessSemaphore::init_at(mem.as_mut_ptr(), 1) }.unwrap();
        assert!(s.try_wait().unwrap());
        assert!(!s.try_wait().unwrap());
        assert!(!s.wait_for(Duration::from_millis(20)).unwrap());
        std::thread::scope(|sc| {
            sc.spawn(|| {
                for _ in 0..1000 {
                    s.wait().unwrap();
                }
            });
            for _ in 0..1000 {
                s.post().unwrap();
            }
        });
        assert_eq!(s.value(), 0);
    }
}
