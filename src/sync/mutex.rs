//! `interprocess_mutex` and `interprocess_recursive_mutex`: robust process-shared mutexes
//! that live inside shared memory.

use super::Deadline;
use crate::os::robust::{self, Acquired, RobustLock};
use crate::os::spin::Spin;
use crate::{Error, ErrorKind, Result};
use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// `magic` of an initialised plain mutex ("MUTX").
const MAGIC_PLAIN: u32 = 0x4d55_5458;
/// `magic` of an initialised recursive mutex ("RMTX").
const MAGIC_RECURSIVE: u32 = 0x524d_5458;

/// How long a contended `lock` yields, after the robust lock's few microseconds of looks,
/// before it sleeps in the kernel.
const LOCK_YIELD_TIME: Duration = Duration::from_micros(10);

/// How long a condition's waiter, woken, looks at the mutex before it tries it: the
/// notifier usually holds it for a few hundred nanoseconds more (the rest of its critical
/// section, or its own wait's unlock). Looks only read the word, so the holder keeps its
/// cache line until it lets go; a try at once would pull the line away from it, fail, and
/// go on to the contended lock's step aside (a yield, which on a busy machine gives the CPU
/// to another process for a time slice). The word is written once (the unlock) while the
/// waiter looks, so the looks are close ([`super::HANDOFF_PACE`]).
const RELOCK_LOOK: Spin =
    Spin::new(Duration::from_micros(4), Duration::from_micros(4)).paced(1, super::HANDOFF_PACE);

thread_local! {
    /// Set when this thread's condition wait has just ended: its next contended lock is
    /// most likely the relock of that wait's mutex (the C and C++ waits relock through the
    /// public lock), which looks before it tries (see [`RELOCK_LOOK`]).
    static WOKEN: Cell<bool> = const { Cell::new(false) };
}

/// Notes that the calling thread's condition wait has just ended (see [`WOKEN`]).
pub(crate) fn note_woken() {
    let _ = WOKEN.try_with(|w| w.set(true));
}

/// How a lock was obtained.
#[must_use = "a lock whose previous owner died protects data that may be half-updated"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockOutcome {
    /// The previous owner released the lock normally.
    Acquired,
    /// The previous owner died holding the lock. The caller holds it now and the mutex keeps
    /// working, but the data it protects may be inconsistent.
    OwnerDied,
}

impl LockOutcome {
    /// Whether the previous owner died holding the lock.
    pub fn owner_died(self) -> bool {
        self == LockOutcome::OwnerDied
    }

    fn from_os(a: Acquired) -> LockOutcome {
        match a {
            Acquired::Clean => LockOutcome::Acquired,
            Acquired::OwnerDied => LockOutcome::OwnerDied,
        }
    }
}

/// The shared layout of both mutex kinds (64 bytes, pinned by a test).
#[repr(C, align(8))]
pub(crate) struct RobustMutex {
    /// The robust lock (40 bytes).
    lock: RobustLock,
    /// `MAGIC_PLAIN` or `MAGIC_RECURSIVE` once initialised; 0 after destroy.
    magic: AtomicU32,
    /// 1 while the current holder got the lock from a dead owner. Written only by the
    /// holder, right after acquiring.
    owner_died: AtomicU32,
    _reserved: [u32; 4],
}

// SAFETY: all shared state is a robust lock (made for concurrent use by many threads and
// processes) and atomics.
unsafe impl Sync for RobustMutex {}
// SAFETY: a robust lock and atomics, none tied to the thread that made them: the lock word
// names its holder by thread id, not by anything this thread owns.
unsafe impl Send for RobustMutex {}

fn lock_error(errno: crate::os::Errno, what: &str) -> Error {
    let mut e = errno.into_error(what);
    // EPERM (kind Security) from a robust mutex: the caller does not hold it.
    if e.kind() == ErrorKind::Security {
        e = Error::new(
            ErrorKind::Lock,
            format!("{what}: the calling thread does not hold the mutex"),
        );
    } else if matches!(e.kind(), ErrorKind::System | ErrorKind::InvalidArgument) {
        e = Error::new(ErrorKind::Lock, e.message().to_owned());
    }
    e
}

impl RobustMutex {
    fn magic(recursive: bool) -> u32 {
        if recursive {
            MAGIC_RECURSIVE
        } else {
            MAGIC_PLAIN
        }
    }

    /// # Safety
    /// `this` must point to writable memory for a `RobustMutex` that no one is using.
    unsafe fn init(this: *mut RobustMutex, recursive: bool) -> Result<()> {
        // SAFETY: the caller gives us exclusive, writable memory for the whole struct.
        unsafe {
            std::ptr::write_bytes(this, 0, 1);
            (*this).lock.init(recursive);
            // Relaxed: the magic is a tag against misuse, not a publication. The mutex
            // reaches other threads and processes through the memory that holds it (a named
            // object's ready state, a segment's construct under its lock), whose own Release
            // and Acquire order these stores.
            (*this)
                .magic
                .store(Self::magic(recursive), Ordering::Relaxed);
        }
        Ok(())
    }

    fn check(&self, recursive: bool) -> Result<()> {
        // Relaxed: a tag check (see `init`).
        let m = self.magic.load(Ordering::Relaxed);
        if m == Self::magic(recursive) {
            return Ok(());
        }
        let what = if recursive {
            "interprocess_recursive_mutex"
        } else {
            "interprocess_mutex"
        };
        Err(Error::new(
            ErrorKind::InvalidArgument,
            if m == Self::magic(!recursive) {
                format!("{what}: this is the other kind of mutex (plain/recursive)")
            } else {
                format!("{what}: not initialised, destroyed, or overwritten")
            },
        ))
    }

    fn note(&self, a: Acquired) -> LockOutcome {
        let died = u32::from(a == Acquired::OwnerDied);
        if self.owner_died.load(Ordering::Relaxed) != died {
            self.owner_died.store(died, Ordering::Relaxed);
        }
        LockOutcome::from_os(a)
    }

    #[inline]
    fn try_lock(&self, recursive: bool) -> Result<Option<LockOutcome>> {
        self.check(recursive)?;
        // A recursive re-lock by the holder keeps the news of how the holder got it.
        if recursive && self.lock.held_by_me() {
            // The lock only counts one more level.
            return match self.lock.try_lock() {
                Ok(_) => Ok(Some(LockOutcome::Acquired)),
                Err(e) => Err(lock_error(e, "locking a recursive mutex again")),
            };
        }
        match self.lock.try_lock() {
            Ok(Some(a)) => Ok(Some(self.note(a))),
            Ok(None) => Ok(None),
            Err(e) => Err(lock_error(e, "trying to lock a mutex")),
        }
    }

    /// Locks; `relock` after a condition wait (which never backs off: see
    /// [`RobustLock::lock_backing_off`]).
    #[inline]
    fn lock(&self, recursive: bool, relock: bool) -> Result<LockOutcome> {
        // The look of a relock (see `RELOCK_LOOK`), also for the first contended lock after
        // a condition wait. A hint only: the lock's compare-and-swap decides, and an owner
        // that died shows no owner (the kernel clears its id), so the look ends and the
        // lock reports the death.
        let relock = WOKEN.try_with(|w| w.replace(false)).unwrap_or(false) || relock;
        // A recursive lock this thread holds already is taken again at once: no look.
        if relock && !(recursive && self.lock.held_by_me()) {
            RELOCK_LOOK.until(None, || self.lock.owner_tid().is_none());
        }
        if let Some(o) = self.try_lock(recursive)? {
            return Ok(o);
        }
        // A short spin first (inside `lock_spinning`): a lock held for a few instructions
        // by another CPU is usually free again before a sleep in the kernel would begin.
        // A thread relocking in a loop against another backs off instead.
        let got = if relock {
            self.lock.lock_spinning(LOCK_YIELD_TIME)
        } else {
            self.lock.lock_backing_off(LOCK_YIELD_TIME)
        };
        match got {
            Ok(a) => Ok(self.note(a)),
            Err(e) => Err(lock_error(e, "locking a mutex")),
        }
    }

    fn lock_until(&self, recursive: bool, deadline: Deadline) -> Result<Option<LockOutcome>> {
        if let Some(o) = self.try_lock(recursive)? {
            return Ok(Some(o));
        }
        let (clock, sec, nsec) = deadline.os();
        if sec < 0 {
            return Ok(None);
        }
        let ts = robust::timespec(sec, nsec);
        match self.lock.lock_until(clock, &ts) {
            Ok(a) => Ok(a.map(|a| self.note(a))),
            Err(e) => Err(lock_error(e, "locking a mutex with a deadline")),
        }
    }

    /// Takes a free lock at once (the uncontended case), clean; false for anything else.
    #[inline(always)]
    fn lock_fast(&self, recursive: bool) -> bool {
        if self.magic.load(Ordering::Relaxed) != Self::magic(recursive) {
            return false;
        }
        if !self.lock.lock_fast() {
            return false;
        }
        if self.owner_died.load(Ordering::Relaxed) != 0 {
            self.owner_died.store(0, Ordering::Relaxed);
        }
        true
    }

    /// Unlocks when that is plainly allowed; false leaves the error to `unlock`.
    #[inline(always)]
    fn unlock_fast(&self, recursive: bool) -> bool {
        self.magic.load(Ordering::Relaxed) == Self::magic(recursive) && self.lock.unlock_fast()
    }

    #[inline]
    fn unlock(&self, recursive: bool) -> Result<()> {
        self.check(recursive)?;
        // The lock refuses (EPERM) an unlock by a thread that does not hold it, so this
        // cannot break another holder's lock.
        self.lock.unlock().map_err(|e| {
            if e.0 == libc::ENOTRECOVERABLE {
                Error::new(
                    ErrorKind::Corrupted,
                    "unlocking a mutex: released, but another process had overwritten its \
                     robust-list links (nothing was written through them)",
                )
            } else {
                lock_error(e, "unlocking a mutex")
            }
        })
    }

    /// # Safety
    /// No one may use the mutex during or after this call.
    unsafe fn destroy(&self, recursive: bool) -> Result<()> {
        self.check(recursive)?;
        self.lock
            .destroy()
            .map_err(|e| lock_error(e, "destroying a mutex"))?;
        // Relaxed: a tag (see `init_at`); destroying needs everyone to have stopped using it.
        self.magic.store(0, Ordering::Relaxed);
        Ok(())
    }
}

macro_rules! robust_mutex_type {
    ($(#[$doc:meta])* $name:ident, $recursive:expr) => {
        $(#[$doc])*
        #[repr(transparent)]
        pub struct $name {
            inner: RobustMutex,
        }

        impl $name {
            /// Initialises a mutex in place (typically inside shared memory) and returns a
            /// reference to it.
            ///
            /// # Safety
            /// `ptr` must be valid, 8-byte aligned and writable for `size_of::<Self>()`
            /// bytes, no one may be using a mutex there, and the memory must outlive `'a`.
            pub unsafe fn init_at<'a>(ptr: *mut Self) -> Result<&'a Self> {
                // SAFETY: `ptr` is valid, aligned, writable, unused and outlives `'a` (this
                // fn's contract, which is `RobustMutex::init`'s), and `Self` is a
                // transparent RobustMutex.
                unsafe {
                    RobustMutex::init(ptr.cast::<RobustMutex>(), $recursive)?;
                    Ok(&*ptr)
                }
            }

            /// Destroys the mutex; it must be unlocked. Using it afterwards gives an
            /// `InvalidArgument` error (as long as the memory is not reused).
            ///
            /// # Safety
            /// No thread or process may use the mutex during or after this call.
            pub unsafe fn destroy(&self) -> Result<()> {
                // SAFETY: no one uses the mutex during or after this call (this fn's
                // contract, which is `RobustMutex::destroy`'s).
                unsafe { self.inner.destroy($recursive) }
            }

            /// Locks, waiting as long as it takes. `Ok(LockOutcome::OwnerDied)` means the
            /// previous owner died holding it: the caller holds it now.
            #[inline]
            pub fn lock(&self) -> Result<LockOutcome> {
                if self.inner.lock_fast($recursive) {
                    return Ok(LockOutcome::Acquired);
                }
                self.inner.lock($recursive, false)
            }

            /// Takes the lock if it is free and was not left by a dead owner; whether it
            /// did. The C entry points use it to skip their error plumbing.
            #[inline(always)]
            pub(crate) fn lock_fast(&self) -> bool {
                self.inner.lock_fast($recursive)
            }

            /// Unlocks if the calling thread holds it; whether it did. The C entry points
            /// use it to skip their error plumbing.
            #[inline(always)]
            pub(crate) fn unlock_fast(&self) -> bool {
                self.inner.unlock_fast($recursive)
            }

            /// Locks if that is possible at once; `Ok(None)` if another thread holds it.
            pub fn try_lock(&self) -> Result<Option<LockOutcome>> {
                self.inner.try_lock($recursive)
            }

            /// Locks, waiting at most until `deadline`; `Ok(None)` on timeout. A deadline
            /// in the past still takes a free lock.
            pub fn lock_until(&self, deadline: Deadline) -> Result<Option<LockOutcome>> {
                self.inner.lock_until($recursive, deadline)
            }

            /// Locks, waiting at most `timeout` (measured on the monotonic clock).
            pub fn lock_for(&self, timeout: Duration) -> Result<Option<LockOutcome>> {
                self.inner.lock_until($recursive, Deadline::after(timeout))
            }

            /// Unlocks. Fails with `Lock` if the calling thread does not hold it.
            #[inline]
            pub fn unlock(&self) -> Result<()> {
                self.inner.unlock($recursive)
            }

            /// What the lock word says of its holder right now (for reports: the answer
            /// may be stale as soon as it is read).
            pub fn holder(&self) -> super::LockHolder {
                self.inner.lock.holder()
            }

            /// Whether the current holder got the lock from an owner that died. Meaningful
            /// only to the thread holding the lock.
            pub fn previous_owner_died(&self) -> bool {
                self.inner.owner_died.load(Ordering::Relaxed) != 0
            }

            /// Locks and returns a guard that unlocks when dropped.
            pub fn guard(&self) -> Result<MutexGuard<'_>> {
                let outcome = self.lock()?;
                Ok(MutexGuard {
                    mutex: &self.inner,
                    recursive: $recursive,
                    outcome,
                })
            }
        }
    };
}

robust_mutex_type!(
    /// Boost's `interprocess_mutex`: a process-shared mutex placed inside shared memory
    /// (64 bytes, 8-byte aligned). Robust: if its owner dies, the next locker gets it with
    /// [`LockOutcome::OwnerDied`], and it keeps working.
    InterprocessMutex,
    false
);

robust_mutex_type!(
    /// Boost's `interprocess_recursive_mutex`: as [`InterprocessMutex`], but the holder may
    /// lock it again; it is released after as many unlocks as locks. If the owner dies, the
    /// whole recursion is released.
    InterprocessRecursiveMutex,
    true
);

impl InterprocessMutex {
    pub(crate) fn robust(&self) -> &RobustMutex {
        &self.inner
    }
}

impl RobustMutex {
    /// Relocks a plain mutex after a condition wait: looks at it until it seems free (at
    /// most [`RELOCK_LOOK`]), then locks.
    pub(crate) fn relock(&self) -> Result<LockOutcome> {
        self.lock(false, true)
    }

    /// Unlocks a plain mutex before a condition wait.
    pub(crate) fn release(&self) -> Result<()> {
        self.unlock(false)
    }

    /// Checks that this is an initialised plain mutex.
    pub(crate) fn check_plain(&self) -> Result<()> {
        self.check(false)
    }
}

/// A held lock; dropping it unlocks.
pub struct MutexGuard<'a> {
    mutex: &'a RobustMutex,
    recursive: bool,
    outcome: LockOutcome,
}

impl MutexGuard<'_> {
    /// Whether the previous owner died holding the lock.
    pub fn owner_died(&self) -> bool {
        self.outcome.owner_died()
    }
}

impl Drop for MutexGuard<'_> {
    fn drop(&mut self) {
        // The guard holds the lock, so unlocking cannot fail with EPERM; nothing useful can
        // be done with another failure in drop.
        let _ = self.mutex.unlock(self.recursive);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::MaybeUninit;

    #[test]
    fn layout_is_pinned() {
        assert_eq!(size_of::<RobustLock>(), 40);
        assert_eq!(size_of::<InterprocessMutex>(), 64);
        assert_eq!(align_of::<InterprocessMutex>(), 8);
        assert_eq!(size_of::<InterprocessRecursiveMutex>(), 64);
        assert_eq!(std::mem::offset_of!(RobustMutex, magic), 40);
        assert_eq!(std::mem::offset_of!(RobustMutex, owner_died), 44);
    }

    #[test]
    fn plain_and_recursive_basics() {
        let mut mem = Box::new(MaybeUninit::<InterprocessMutex>::uninit());
        // SAFETY: fresh, aligned, exclusive memory that outlives the reference.
        let m = unsafe { InterprocessMutex::init_at(mem.as_mut_ptr()) }.unwrap();
        assert_eq!(m.lock().unwrap(), LockOutcome::Acquired);
        assert!(!m.previous_owner_died());
        let addr = m as *const InterprocessMutex as usize;
        let busy = std::thread::spawn(move || {
            // SAFETY: the mutex outlives the thread (joined below).
            let m = unsafe { &*(addr as *const InterprocessMutex) };
            (
                m.try_lock().unwrap(),
                m.lock_for(Duration::from_millis(20)).unwrap(),
                m.unlock().is_err(),
            )
        })
        .join()
        .unwrap();
        assert_eq!(busy, (None, None, true));
        m.unlock().unwrap();
        {
            let g = m.guard().unwrap();
            assert!(!g.owner_died());
        }
        assert!(m.try_lock().unwrap().is_some());
        m.unlock().unwrap();
        // SAFETY: no one else uses it.
        unsafe { m.destroy() }.unwrap();
        assert_eq!(m.lock().unwrap_err().kind(), ErrorKind::InvalidArgument);

        let mut mem = Box::new(MaybeUninit::<InterprocessRecursiveMutex>::uninit());
        // SAFETY: `mem` is fresh, aligned, exclusive memory that outlives `r`.
        let r = unsafe { InterprocessRecursiveMutex::init_at(mem.as_mut_ptr()) }.unwrap();
        let _ = r.lock().unwrap();
        let _ = r.lock().unwrap();
        r.unlock().unwrap();
        r.unlock().unwrap();
        assert!(r.unlock().is_err());
    }

    #[test]
    fn the_first_lock_after_a_condition_wait_looks_once() {
        let mut mem = Box::new(MaybeUninit::<InterprocessRecursiveMutex>::uninit());
        // SAFETY: `mem` is fresh, aligned, exclusive memory that outlives `r`.
        let r = unsafe { InterprocessRecursiveMutex::init_at(mem.as_mut_ptr()) }.unwrap();
        let _ = r.lock().unwrap();
        // A relock of a recursive mutex this thread holds takes no look; the note is used.
        note_woken();
        let _ = r.lock().unwrap();
        assert!(!WOKEN.with(|w| w.get()));
        r.unlock().unwrap();
        r.unlock().unwrap();
        // Held by another thread for longer than the look: the look ends, and the lock
        // waits as any contended lock does until the holder lets go.
        let addr = r as *const InterprocessRecursiveMutex as usize;
        let _ = r.lock().unwrap();
        let waiter = std::thread::spawn(move || {
            // SAFETY: the mutex outlives the thread (joined below).
            let r = unsafe { &*(addr as *const InterprocessRecursiveMutex) };
            note_woken();
            let got = r.lock().unwrap();
            let used = !WOKEN.with(|w| w.get());
            r.unlock().unwrap();
            (got, used)
        });
        std::thread::sleep(Duration::from_millis(20));
        r.unlock().unwrap();
        assert_eq!(waiter.join().unwrap(), (LockOutcome::Acquired, true));
    }

    #[test]
    fn zeroed_memory_is_refused() {
        let mem = Box::new(MaybeUninit::<InterprocessMutex>::zeroed());
        // SAFETY: all-zero bytes are a valid (uninitialised-looking) value of the type.
        let m = unsafe { mem.assume_init_ref() };
        assert_eq!(m.lock().unwrap_err().kind(), ErrorKind::InvalidArgument);
    }
}
