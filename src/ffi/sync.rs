//! Process-shared mutexes, conditions and semaphores in C (Boost's `interprocess_mutex`,
//! `interprocess_recursive_mutex`, `interprocess_condition(_any)`,
//! `interprocess_semaphore`).
//!
//! The objects are fixed-size structs that the program places where it likes, typically
//! inside a struct in shared memory, and initialises once with `_init`.

use super::error::interproc_status_t;
use super::sync_obj::{
    destroy_obj, fast_or_slow, init_obj, locked, obj, owner_dead, owner_died_at, timed_locked,
    try_lock_at, with_obj,
};
use super::{boundary, boundary_value, out_arg, put};
use crate::sync::{
    Clock, Deadline, InterprocessCondition, InterprocessMutex, InterprocessRecursiveMutex,
    InterprocessSemaphore, LockOutcome, WaitTicket,
};
use crate::{Error, ErrorKind, Result};

/// A clock for deadlines.
pub type interproc_clock_t = u32;
/// `CLOCK_REALTIME`: wall time (C++ `system_clock`, Boost's `ptime`); follows changes of the
/// system time.
pub const INTERPROC_CLOCK_REALTIME: interproc_clock_t = 0;
/// `CLOCK_MONOTONIC`: time since boot (C++ `steady_clock`); never jumps.
pub const INTERPROC_CLOCK_MONOTONIC: interproc_clock_t = 1;

/// An absolute deadline: `sec` seconds and `nsec` nanoseconds (0 to 999999999) after the
/// epoch of `clock`. Make one with `interproc_deadline_now` / `interproc_deadline_in`, or
/// fill it from `clock_gettime` on the same clock.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct interproc_deadline_t {
    /// `INTERPROC_CLOCK_REALTIME` or `INTERPROC_CLOCK_MONOTONIC`.
    pub clock: interproc_clock_t,
    /// Whole seconds since the clock's epoch.
    pub sec: i64,
    /// Nanoseconds, 0 to 999999999.
    pub nsec: i64,
}

/// A process-shared, robust mutex (Boost's `interprocess_mutex`): 64 bytes, 8-byte aligned,
/// placed anywhere (typically inside a struct in shared memory) and set up with
/// `interproc_mutex_init`. Its contents are private.
#[repr(C)]
pub struct interproc_mutex_t {
    _opaque: [u64; 8],
}

/// A process-shared, robust recursive mutex (Boost's `interprocess_recursive_mutex`): 64
/// bytes, 8-byte aligned; set up with `interproc_recursive_mutex_init`.
#[repr(C)]
pub struct interproc_recursive_mutex_t {
    _opaque: [u64; 8],
}

/// A process-shared condition variable (Boost's `interprocess_condition` and
/// `interprocess_condition_any`): 32 bytes, 8-byte aligned; set up with
/// `interproc_condition_init`.
#[repr(C)]
pub struct interproc_condition_t {
    _opaque: [u64; 4],
}

/// A process-shared counting semaphore (Boost's `interprocess_semaphore`): 32 bytes, 8-byte
/// aligned; set up with `interproc_semaphore_init`.
#[repr(C)]
pub struct interproc_semaphore_t {
    _opaque: [u64; 4],
}

const _: () = {
    assert!(size_of::<interproc_mutex_t>() == size_of::<InterprocessMutex>());
    assert!(align_of::<interproc_mutex_t>() == align_of::<InterprocessMutex>());
    assert!(size_of::<interproc_recursive_mutex_t>() == size_of::<InterprocessRecursiveMutex>());
    assert!(align_of::<interproc_recursive_mutex_t>() == align_of::<InterprocessRecursiveMutex>());
    assert!(size_of::<interproc_condition_t>() == size_of::<InterprocessCondition>());
    assert!(align_of::<interproc_condition_t>() == align_of::<InterprocessCondition>());
    assert!(size_of::<interproc_semaphore_t>() == size_of::<InterprocessSemaphore>());
    assert!(align_of::<interproc_semaphore_t>() == align_of::<InterprocessSemaphore>());
};

pub(crate) fn deadline_arg(d: *const interproc_deadline_t) -> Result<Deadline> {
    // SAFETY: a non-NULL deadline points to a readable struct by the caller's contract.
    let d = unsafe { d.as_ref() }
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "deadline is NULL"))?;
    let clock = Clock::from_code(d.clock).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{} is not a clock (use INTERPROC_CLOCK_REALTIME or _MONOTONIC)",
                d.clock
            ),
        )
    })?;
    Deadline::new(clock, d.sec, d.nsec)
}

/// Takes the lock at `p` with `lock_until`, waiting at most until `deadline` (see
/// [`timed_locked`]). NULL `p` is reported before the deadline is read.
///
/// # Safety
/// As [`obj`], for the whole call; `deadline` must be NULL or readable.
#[inline(always)]
pub(crate) unsafe fn timed_lock_at<C, T>(
    p: *const C,
    deadline: *const interproc_deadline_t,
    lock_until: impl FnOnce(&T, Deadline) -> Result<Option<LockOutcome>>,
) -> interproc_status_t {
    // SAFETY: as this fn's contract, which is `with_obj`'s (`deadline_arg` reads `deadline`,
    // NULL or readable by the same contract).
    unsafe {
        with_obj(p, "m", |m| {
            timed_locked(lock_until(m, deadline_arg(deadline)?)?)
        })
    }
}

fn to_c(d: Deadline) -> interproc_deadline_t {
    interproc_deadline_t {
        clock: d.clock().code(),
        sec: d.seconds(),
        nsec: d.nanoseconds(),
    }
}

/// Stores the current time of `clock` in `*out`.
///
/// # Safety
/// `out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_deadline_now(
    clock: interproc_clock_t,
    out: *mut interproc_deadline_t,
) -> interproc_status_t {
    boundary(|| {
        out_arg(out, "out")?;
        let clock = Clock::from_code(clock).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{clock} is not a clock"),
            )
        })?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(out, to_c(Deadline::now(clock))) };
        Ok(())
    })
}

/// The monotonic deadline `nanoseconds` from now (a negative value means now). A relative
/// timeout never moves when the wall clock is changed.
#[unsafe(no_mangle)]
pub extern "C" fn interproc_deadline_in(nanoseconds: i64) -> interproc_deadline_t {
    let fallback = interproc_deadline_t {
        clock: INTERPROC_CLOCK_MONOTONIC,
        sec: 0,
        nsec: 0,
    };
    boundary_value(fallback, || {
        let ns = u64::try_from(nanoseconds).unwrap_or(0);
        to_c(Deadline::after(std::time::Duration::from_nanos(ns)))
    })
}

/// Initialises the mutex at `m` (process-shared and robust). Call it once, before any
/// other process uses it; initialising a mutex that is in use breaks it.
///
/// # Safety
/// `m` must be NULL or point to writable memory for the struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mutex_init(m: *mut interproc_mutex_t) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to writable memory for the struct, unused (this fn's
    // `# Safety` contract), as `init_obj` requires; the two types have the same layout.
    unsafe { init_obj(m, "m", InterprocessMutex::init_at) }
}

/// Destroys the mutex; it must be unlocked and unused. Using it afterwards gives
/// `INTERPROC_INVALID_ARGUMENT`.
///
/// # Safety
/// `m` must be NULL or point to the struct; no one may use it afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mutex_destroy(m: *mut interproc_mutex_t) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to the struct for the whole call, and no one uses it
    // afterwards (this fn's `# Safety` contract), as `destroy_obj` requires.
    unsafe { destroy_obj(m, InterprocessMutex::destroy) }
}

/// Locks the mutex, waiting as long as it takes.
///
/// Returns `INTERPROC_OK`, or `INTERPROC_OWNER_DEAD_ERROR` **with the lock held** when the
/// previous owner died holding it: the mutex stays usable (it is made consistent again at
/// once) but the data it protects may be half-updated. Any other status means the lock is
/// not held.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mutex_lock(m: *mut interproc_mutex_t) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct of its type (this fn's `# Safety`
    // contract), which is what `fast_or_slow` requires.
    unsafe { fast_or_slow(m, InterprocessMutex::lock_fast, |m| locked(m.lock()?)) }
}

/// Locks the mutex if that is possible at once. Returns `INTERPROC_OK`,
/// `INTERPROC_BUSY_ERROR` if another thread holds it, or `INTERPROC_OWNER_DEAD_ERROR` with
/// the lock held (see `interproc_mutex_lock`).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mutex_try_lock(m: *mut interproc_mutex_t) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `try_lock_at` requires.
    unsafe { try_lock_at(m, InterprocessMutex::try_lock) }
}

/// Locks the mutex, waiting at most until the absolute `deadline` on its clock (a
/// monotonic deadline does not move when the wall clock is changed). A deadline in the
/// past still takes a free lock. Returns `INTERPROC_OK`,
/// `INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR` (not locked), or `INTERPROC_OWNER_DEAD_ERROR` with
/// the lock held (see `interproc_mutex_lock`).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mutex_timed_lock(
    m: *mut interproc_mutex_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call, `deadline`
    // NULL or readable (this fn's `# Safety` contract), as `timed_lock_at` requires.
    unsafe { timed_lock_at(m, deadline, InterprocessMutex::lock_until) }
}

/// Unlocks the mutex; `INTERPROC_LOCK_ERROR` if the calling thread does not hold it.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mutex_unlock(m: *mut interproc_mutex_t) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct of its type (this fn's `# Safety`
    // contract), which is what `fast_or_slow` requires.
    unsafe { fast_or_slow(m, InterprocessMutex::unlock_fast, |m| m.unlock()) }
}

/// Whether the current holder of the mutex got it from an owner that died (its lock call
/// returned `INTERPROC_OWNER_DEAD_ERROR`). Meaningful only to the holder; false for NULL.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mutex_previous_owner_died(m: *const interproc_mutex_t) -> bool {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `owner_died_at` requires.
    unsafe { owner_died_at(m, InterprocessMutex::previous_owner_died) }
}

/// Initialises the recursive mutex at `m` (process-shared and robust). Call it once, before any
/// other process uses it; initialising a mutex that is in use breaks it.
///
/// # Safety
/// `m` must be NULL or point to writable memory for the struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_recursive_mutex_init(
    m: *mut interproc_recursive_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to writable memory for the struct, unused (this fn's
    // `# Safety` contract), as `init_obj` requires; the two types have the same layout.
    unsafe { init_obj(m, "m", InterprocessRecursiveMutex::init_at) }
}

/// Destroys the recursive mutex; it must be unlocked and unused. Using it afterwards gives
/// `INTERPROC_INVALID_ARGUMENT`.
///
/// # Safety
/// `m` must be NULL or point to the struct; no one may use it afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_recursive_mutex_destroy(
    m: *mut interproc_recursive_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to the struct for the whole call, and no one uses it
    // afterwards (this fn's `# Safety` contract), as `destroy_obj` requires.
    unsafe { destroy_obj(m, InterprocessRecursiveMutex::destroy) }
}

/// Locks the recursive mutex, waiting as long as it takes. The holder may lock it
/// again; it is free after as many unlocks as locks.
///
/// Returns `INTERPROC_OK`, or `INTERPROC_OWNER_DEAD_ERROR` **with the lock held** when the
/// previous owner died holding it: the mutex stays usable (it is made consistent again at
/// once) but the data it protects may be half-updated. Any other status means the lock is
/// not held.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_recursive_mutex_lock(
    m: *mut interproc_recursive_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct of its type (this fn's `# Safety`
    // contract), which is what `fast_or_slow` requires.
    unsafe {
        fast_or_slow(m, InterprocessRecursiveMutex::lock_fast, |m| {
            locked(m.lock()?)
        })
    }
}

/// Locks the recursive mutex if that is possible at once. Returns `INTERPROC_OK`,
/// `INTERPROC_BUSY_ERROR` if another thread holds it, or `INTERPROC_OWNER_DEAD_ERROR` with
/// the lock held (see `interproc_recursive_mutex_lock`).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_recursive_mutex_try_lock(
    m: *mut interproc_recursive_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `try_lock_at` requires.
    unsafe { try_lock_at(m, InterprocessRecursiveMutex::try_lock) }
}

/// Locks the recursive mutex, waiting at most until the absolute `deadline` on its clock (a
/// monotonic deadline does not move when the wall clock is changed). A deadline in the
/// past still takes a free lock. Returns `INTERPROC_OK`,
/// `INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR` (not locked), or `INTERPROC_OWNER_DEAD_ERROR` with
/// the lock held (see `interproc_recursive_mutex_lock`).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_recursive_mutex_timed_lock(
    m: *mut interproc_recursive_mutex_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call, `deadline`
    // NULL or readable (this fn's `# Safety` contract), as `timed_lock_at` requires.
    unsafe { timed_lock_at(m, deadline, InterprocessRecursiveMutex::lock_until) }
}

/// Unlocks the recursive mutex; `INTERPROC_LOCK_ERROR` if the calling thread does not hold it.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_recursive_mutex_unlock(
    m: *mut interproc_recursive_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct of its type (this fn's `# Safety`
    // contract), which is what `fast_or_slow` requires.
    unsafe { fast_or_slow(m, InterprocessRecursiveMutex::unlock_fast, |m| m.unlock()) }
}

/// Whether the current holder of the recursive mutex got it from an owner that died (its lock call
/// returned `INTERPROC_OWNER_DEAD_ERROR`). Meaningful only to the holder; false for NULL.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_recursive_mutex_previous_owner_died(
    m: *const interproc_recursive_mutex_t,
) -> bool {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `owner_died_at` requires.
    unsafe { owner_died_at(m, InterprocessRecursiveMutex::previous_owner_died) }
}

/// Initialises the condition at `c`. Call it once, before any other process uses it.
///
/// # Safety
/// `c` must be NULL or point to writable memory for the struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_condition_init(
    c: *mut interproc_condition_t,
) -> interproc_status_t {
    // SAFETY: `c` is NULL or points to writable memory for the struct, unused (this fn's
    // `# Safety` contract), as `init_obj` requires; the two types have the same layout.
    unsafe { init_obj(c, "c", InterprocessCondition::init_at) }
}

/// Destroys the condition; no one may be waiting on it.
///
/// # Safety
/// `c` must be NULL or point to the struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_condition_destroy(
    c: *mut interproc_condition_t,
) -> interproc_status_t {
    // SAFETY: `c` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `with_obj` requires.
    unsafe { with_obj(c, "c", |c: &InterprocessCondition| c.destroy()) }
}

/// Wakes one waiter (possibly more, as with every condition variable).
///
/// # Safety
/// `c` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_condition_notify_one(
    c: *mut interproc_condition_t,
) -> interproc_status_t {
    // SAFETY: `c` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `with_obj` requires.
    unsafe { with_obj(c, "c", |c: &InterprocessCondition| c.notify_one()) }
}

/// Wakes every waiter.
///
/// # Safety
/// `c` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_condition_notify_all(
    c: *mut interproc_condition_t,
) -> interproc_status_t {
    // SAFETY: `c` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `with_obj` requires.
    unsafe { with_obj(c, "c", |c: &InterprocessCondition| c.notify_all()) }
}

/// Unlocks `m` (held by the caller), waits for a notification, and locks `m` again.
/// Spurious wake-ups happen: wait in a loop that checks the predicate.
///
/// Returns `INTERPROC_OK`, or `INTERPROC_OWNER_DEAD_ERROR` when relocking found that the
/// mutex's owner died (the mutex is held in both cases).
///
/// # Safety
/// `c` and `m` must be NULL or point to initialised structs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_condition_wait(
    c: *mut interproc_condition_t,
    m: *mut interproc_mutex_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `c` is NULL or points to an initialised struct of its type for the whole call
        // (this fn's `# Safety` contract); `obj` turns NULL into an error.
        let c: &InterprocessCondition = unsafe { obj(c, "c") }?;
        // SAFETY: `m` is NULL or points to an initialised struct of its type for the whole call
        // (this fn's `# Safety` contract); `obj` turns NULL into an error.
        let m: &InterprocessMutex = unsafe { obj(m, "m") }?;
        locked(c.wait(m)?)
    })
}

/// As `interproc_condition_wait`, giving up at the absolute `deadline`.
///
/// Returns `INTERPROC_OK` (notified, or woken spuriously), `INTERPROC_TIMEOUT_WHEN_WAITING_ERROR`
/// (the deadline passed), or `INTERPROC_OWNER_DEAD_ERROR` (relocking found a dead owner).
/// The mutex is held again in all three cases.
///
/// # Safety
/// `c` and `m` must be NULL or point to initialised structs; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_condition_timed_wait(
    c: *mut interproc_condition_t,
    m: *mut interproc_mutex_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `c` is NULL or points to an initialised struct of its type for the whole call
        // (this fn's `# Safety` contract); `obj` turns NULL into an error.
        let c: &InterprocessCondition = unsafe { obj(c, "c") }?;
        // SAFETY: `m` is NULL or points to an initialised struct of its type for the whole call
        // (this fn's `# Safety` contract); `obj` turns NULL into an error.
        let m: &InterprocessMutex = unsafe { obj(m, "m") }?;
        let d = deadline_arg(deadline)?;
        let w = c.wait_until(m, d)?;
        if w.owner_died() {
            Err(owner_dead())
        } else if w.timed_out() {
            Err(Error::new(
                ErrorKind::TimeoutWhenWaiting,
                "the deadline passed before a notification",
            ))
        } else {
            Ok(())
        }
    })
}

/// Waiting with any kind of lock (Boost's `condition_any`), in two steps: holding the lock
/// that protects the predicate, take a ticket with this function; release the lock; call
/// `interproc_condition_wait_ticket`; take the lock again. A notification sent after the
/// ticket was taken always ends the wait. Every ticket must be waited on exactly once.
///
/// # Safety
/// `c` must be NULL or point to an initialised struct; `ticket` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_condition_prepare_wait(
    c: *mut interproc_condition_t,
    ticket: *mut u32,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `c` is NULL or points to an initialised struct of its type for the whole call
        // (this fn's `# Safety` contract); `obj` turns NULL into an error.
        let c: &InterprocessCondition = unsafe { obj(c, "c") }?;
        out_arg(ticket, "ticket")?;
        let t = c.prepare_wait()?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(ticket, t.0) };
        Ok(())
    })
}

/// Sleeps until a notification sent after `ticket` was taken, or until `deadline` (NULL:
/// no limit). Returns `INTERPROC_OK` or `INTERPROC_TIMEOUT_WHEN_WAITING_ERROR`.
///
/// # Safety
/// `c` must be NULL or point to an initialised struct; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_condition_wait_ticket(
    c: *mut interproc_condition_t,
    ticket: u32,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `c` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `with_obj` requires.
    unsafe {
        with_obj(c, "c", |c: &InterprocessCondition| {
            let d = if deadline.is_null() {
                None
            } else {
                Some(deadline_arg(deadline)?)
            };
            if c.wait_ticket(WaitTicket(ticket), d)? {
                Err(Error::new(
                    ErrorKind::TimeoutWhenWaiting,
                    "the deadline passed before a notification",
                ))
            } else {
                Ok(())
            }
        })
    }
}

/// Initialises the semaphore at `s` with count `initial` (at most 2147483647).
///
/// # Safety
/// `s` must be NULL or point to writable memory for the struct, not in use.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_semaphore_init(
    s: *mut interproc_semaphore_t,
    initial: u32,
) -> interproc_status_t {
    boundary(|| {
        if s.is_null() {
            return Err(Error::new(ErrorKind::InvalidArgument, "s is NULL"));
        }
        // SAFETY: non-NULL, writable and unused by contract; same layout.
        unsafe { InterprocessSemaphore::init_at(s.cast(), initial) }.map(|_| ())
    })
}

/// Destroys the semaphore; no one may be waiting on it.
///
/// # Safety
/// `s` must be NULL or point to the struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_semaphore_destroy(
    s: *mut interproc_semaphore_t,
) -> interproc_status_t {
    // SAFETY: `s` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `with_obj` requires.
    unsafe { with_obj(s, "s", |s: &InterprocessSemaphore| s.destroy()) }
}

/// Increments the count, waking one waiter. `INTERPROC_SEM_ERROR` at the limit.
///
/// # Safety
/// `s` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_semaphore_post(
    s: *mut interproc_semaphore_t,
) -> interproc_status_t {
    // SAFETY: `s` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `with_obj` requires.
    unsafe { with_obj(s, "s", |s: &InterprocessSemaphore| s.post()) }
}

/// Decrements the count, waiting while it is 0.
///
/// # Safety
/// `s` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_semaphore_wait(
    s: *mut interproc_semaphore_t,
) -> interproc_status_t {
    // SAFETY: `s` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `with_obj` requires.
    unsafe { with_obj(s, "s", |s: &InterprocessSemaphore| s.wait()) }
}

/// Decrements the count if it is positive; `INTERPROC_BUSY_ERROR` if it is 0.
///
/// # Safety
/// `s` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_semaphore_try_wait(
    s: *mut interproc_semaphore_t,
) -> interproc_status_t {
    // SAFETY: `s` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `with_obj` requires.
    unsafe {
        with_obj(s, "s", |s: &InterprocessSemaphore| {
            if s.try_wait()? {
                Ok(())
            } else {
                Err(Error::new(ErrorKind::Busy, "the semaphore count is 0"))
            }
        })
    }
}

/// Decrements the count, waiting at most until the absolute `deadline`;
/// `INTERPROC_TIMEOUT_WHEN_WAITING_ERROR` if it passed first.
///
/// # Safety
/// `s` must be NULL or point to an initialised struct; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_semaphore_timed_wait(
    s: *mut interproc_semaphore_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `s` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `with_obj` requires.
    unsafe {
        with_obj(s, "s", |s: &InterprocessSemaphore| {
            let d = deadline_arg(deadline)?;
            if s.wait_until(d)? {
                Ok(())
            } else {
                Err(Error::new(
                    ErrorKind::TimeoutWhenWaiting,
                    "the deadline passed before the semaphore was posted",
                ))
            }
        })
    }
}

/// Stores the current count (a snapshot) in `*value`.
///
/// # Safety
/// `s` must be NULL or point to an initialised struct; `value` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_semaphore_get_value(
    s: *const interproc_semaphore_t,
    value: *mut u32,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `s` is NULL or points to an initialised struct of its type for the whole call
        // (this fn's `# Safety` contract); `obj` turns NULL into an error.
        let s: &InterprocessSemaphore = unsafe { obj(s, "s") }?;
        out_arg(value, "value")?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(value, s.value()) };
        Ok(())
    })
}
