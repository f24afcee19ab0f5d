//! Process-shared robust pthread mutexes, placed in shared memory.
//!
//! glibc's robust mutexes are the base of every interproc lock that can be left held by a
//! dead process: the kernel walks a dying thread's robust list and marks each mutex it held
//! `FUTEX_OWNER_DIED`, so the next locker gets `EOWNERDEAD` and the lock. This is decided
//! by the kernel at the owner's exit, so a reused PID cannot fool it.
//!
//! Every function takes a raw pointer because the mutex lives in memory other processes
//! write too; callers promise the pointer addresses a mutex initialised with [`init`].

use super::{Errno, OsResult};
use std::mem::MaybeUninit;

/// glibc's `PTHREAD_MUTEX_ROBUST`.
const PTHREAD_MUTEX_ROBUST: libc::c_int = 1;

unsafe extern "C" {
    // glibc 2.30+: a timed lock against a chosen clock.
    fn pthread_mutex_clocklock(
        mutex: *mut libc::pthread_mutex_t,
        clock: libc::clockid_t,
        abstime: *const libc::timespec,
    ) -> libc::c_int;
}

/// How a lock was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Acquired {
    /// The previous owner released it normally.
    Clean,
    /// The previous owner died holding it. The mutex has been marked consistent again, so
    /// it stays usable; the data it protects may be half-updated.
    OwnerDied,
}

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

fn check(ret: libc::c_int) -> OsResult<()> {
    if ret == 0 { Ok(()) } else { Err(Errno(ret)) }
}

/// Initialises a process-shared robust mutex at `m`, recursive if asked.
///
/// # Safety
/// `m` must point to writable memory for a `pthread_mutex_t` that no one is using.
pub(crate) unsafe fn init(m: *mut libc::pthread_mutex_t, recursive: bool) -> OsResult<()> {
    let mut attr = MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
    // SAFETY: `attr` is local storage; it is destroyed below on every path after init.
    unsafe {
        check(libc::pthread_mutexattr_init(attr.as_mut_ptr()))?;
        let a = attr.as_mut_ptr();
        let kind = if recursive {
            libc::PTHREAD_MUTEX_RECURSIVE
        } else {
            libc::PTHREAD_MUTEX_NORMAL
        };
        let r = check(libc::pthread_mutexattr_setpshared(
            a,
            libc::PTHREAD_PROCESS_SHARED,
        ))
        .and_then(|_| check(libc::pthread_mutexattr_setrobust(a, PTHREAD_MUTEX_ROBUST)))
        .and_then(|_| check(libc::pthread_mutexattr_settype(a, kind)))
        .and_then(|_| check(libc::pthread_mutex_init(m, a)));
        libc::pthread_mutexattr_destroy(a);
        r
    }
}

fn acquired(ret: libc::c_int, m: *mut libc::pthread_mutex_t) -> OsResult<Acquired> {
    match ret {
        0 => Ok(Acquired::Clean),
        libc::EOWNERDEAD => {
            // We hold the lock now; mark it consistent so it does not become unrecoverable.
            // SAFETY: we own the mutex, which is what pthread_mutex_consistent requires.
            check(unsafe { libc::pthread_mutex_consistent(m) })?;
            Ok(Acquired::OwnerDied)
        }
        e => Err(Errno(e)),
    }
}

/// Locks, waiting as long as it takes.
///
/// # Safety
/// `m` must point to a mutex initialised by [`init`].
pub(crate) unsafe fn lock(m: *mut libc::pthread_mutex_t) -> OsResult<Acquired> {
    // SAFETY: guaranteed by the caller.
    acquired(unsafe { libc::pthread_mutex_lock(m) }, m)
}

/// Locks if free; `None` if another thread holds it.
///
/// # Safety
/// As [`lock`].
pub(crate) unsafe fn try_lock(m: *mut libc::pthread_mutex_t) -> OsResult<Option<Acquired>> {
    // SAFETY: guaranteed by the caller.
    match unsafe { libc::pthread_mutex_trylock(m) } {
        libc::EBUSY => Ok(None),
        r => acquired(r, m).map(Some),
    }
}

/// Locks, waiting until the absolute `deadline` on `clock`; `None` on timeout.
///
/// # Safety
/// As [`lock`].
pub(crate) unsafe fn lock_until(
    m: *mut libc::pthread_mutex_t,
    clock: Clock,
    deadline: &libc::timespec,
) -> OsResult<Option<Acquired>> {
    // SAFETY: guaranteed by the caller; `deadline` is a valid timespec.
    match unsafe { pthread_mutex_clocklock(m, clock.id(), deadline) } {
        libc::ETIMEDOUT => Ok(None),
        r => acquired(r, m).map(Some),
    }
}

/// The mutex type, for placing one inside a shared structure.
pub(crate) type MutexStorage = libc::pthread_mutex_t;

/// A `timespec` from seconds and nanoseconds (nanoseconds already below one second).
pub(crate) fn timespec(sec: i64, nsec: i64) -> libc::timespec {
    libc::timespec {
        tv_sec: sec as libc::time_t,
        tv_nsec: nsec as libc::c_long,
    }
}

/// Destroys a mutex initialised by [`init`]; it must not be locked or waited on.
///
/// # Safety
/// As [`lock`].
pub(crate) unsafe fn destroy(m: *mut libc::pthread_mutex_t) -> OsResult<()> {
    // SAFETY: guaranteed by the caller.
    check(unsafe { libc::pthread_mutex_destroy(m) })
}

/// Unlocks.
///
/// # Safety
/// As [`lock`], and the calling thread must hold the mutex.
pub(crate) unsafe fn unlock(m: *mut libc::pthread_mutex_t) -> OsResult<()> {
    // SAFETY: guaranteed by the caller.
    check(unsafe { libc::pthread_mutex_unlock(m) })
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

/// The thread id of the current owner of a robust mutex, if it is locked.
///
/// glibc keeps a robust mutex's owner TID in the low 30 bits of its lock word (the first
/// 32 bits of `pthread_mutex_t`); the top bits are the kernel's "waiters" and "owner died"
/// flags.
///
/// # Safety
/// `m` must point to a mutex initialised by [`init`].
pub(crate) unsafe fn owner_tid(m: *mut libc::pthread_mutex_t) -> Option<u32> {
    // SAFETY: the lock word is an aligned u32 at the start of the mutex; reading it
    // atomically races with nobody's invariants.
    let word = unsafe {
        (*m.cast::<std::sync::atomic::AtomicU32>()).load(std::sync::atomic::Ordering::Acquire)
    };
    let tid = word & 0x3fff_ffff;
    (tid != 0).then_some(tid)
}

/// Locks, first spinning on `try_lock` for up to `spin` (glibc's robust mutexes sleep in
/// the kernel at the first contention; a lock held for a few hundred nanoseconds is
/// cheaper to wait for on another CPU).
///
/// # Safety
/// As [`lock`].
pub(crate) unsafe fn lock_spinning(
    m: *mut libc::pthread_mutex_t,
    spin: std::time::Duration,
) -> OsResult<Acquired> {
    // SAFETY: guaranteed by the caller.
    if let Some(how) = unsafe { try_lock(m) }? {
        return Ok(how);
    }
    // A few busy tries catch a holder on another CPU; then yielding lets a holder that
    // shares this CPU finish (busy spinning would only keep it off the CPU).
    if crate::os::cpu_count() > 1 {
        for _ in 0..8 {
            for _ in 0..16 {
                std::hint::spin_loop();
            }
            // SAFETY: guaranteed by the caller.
            if let Some(how) = unsafe { try_lock(m) }? {
                return Ok(how);
            }
        }
    }
    let start = std::time::Instant::now();
    while start.elapsed() < spin {
        std::thread::yield_now();
        // SAFETY: guaranteed by the caller.
        if let Some(how) = unsafe { try_lock(m) }? {
            return Ok(how);
        }
    }
    // Sleep in bounded steps: a lock word that names a thread which does not exist can only
    // come from garbage written over the mutex (the kernel releases a dead owner's robust
    // locks itself), and waiting for it would be waiting forever.
    loop {
        let mut deadline = now(Clock::Monotonic);
        deadline.tv_nsec += 500_000_000;
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1;
            deadline.tv_nsec -= 1_000_000_000;
        }
        // SAFETY: guaranteed by the caller.
        if let Some(how) = unsafe { lock_until(m, Clock::Monotonic, &deadline) }? {
            return Ok(how);
        }
        // SAFETY: guaranteed by the caller.
        if let Some(tid) = unsafe { owner_tid(m) } {
            if !crate::os::process_alive(tid) {
                return Err(Errno(libc::ENOTRECOVERABLE));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursive_robust_mutex_locks_twice_and_times_out_elsewhere() {
        let m = Box::into_raw(Box::new(MaybeUninit::<libc::pthread_mutex_t>::zeroed()))
            .cast::<libc::pthread_mutex_t>();
        // SAFETY: `m` is fresh heap memory for one mutex, freed at the end of the test.
        unsafe {
            init(m, true).unwrap();
            assert_eq!(lock(m).unwrap(), Acquired::Clean);
            assert_eq!(try_lock(m).unwrap(), Some(Acquired::Clean));
            unlock(m).unwrap();
            let addr = m as usize;
            let other = std::thread::spawn(move || {
                let m = addr as *mut libc::pthread_mutex_t;
                let mut deadline = now(Clock::Monotonic);
                deadline.tv_nsec += 20_000_000;
                if deadline.tv_nsec >= 1_000_000_000 {
                    deadline.tv_sec += 1;
                    deadline.tv_nsec -= 1_000_000_000;
                }
                (
                    try_lock(m).unwrap(),
                    lock_until(m, Clock::Monotonic, &deadline).unwrap(),
                )
            })
            .join()
            .unwrap();
            assert_eq!(other, (None, None));
            unlock(m).unwrap();
            drop(Box::from_raw(
                m.cast::<MaybeUninit<libc::pthread_mutex_t>>(),
            ));
        }
    }
}
