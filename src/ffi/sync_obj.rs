//! The C sync structs read as the Rust types of the same layout, and the calls every sync
//! area shares: initialise, destroy, ask whether the owner died, lock and try to lock, and
//! the statuses of the lock outcomes. The timed lock, which reads a C deadline, is
//! `sync::timed_lock_at`.

use super::error::{INTERPROC_OK, interproc_status_t};
use super::{boundary, boundary_value};
use crate::sync::LockOutcome;
use crate::{Error, ErrorKind, Result};

/// Reads a pointer to a C sync struct as the Rust type of the same layout.
///
/// # Safety
/// `p` must be NULL or point to memory valid for a `T` for `'a`.
pub(crate) unsafe fn obj<'a, C, T>(p: *const C, what: &str) -> Result<&'a T> {
    // SAFETY: the C struct and `T` have the same size and alignment (checked where each C struct is
    // declared), and the Rust type guards its own initialisation with a magic number.
    unsafe { p.cast::<T>().as_ref() }
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, format!("{what} is NULL")))
}

/// Runs `op` on the object at `p` inside the panic boundary; NULL is an
/// `INTERPROC_INVALID_ARGUMENT_ERROR` that names it `what`.
///
/// # Safety
/// As [`obj`], for the whole call.
#[inline(always)]
pub(crate) unsafe fn with_obj<C, T>(
    p: *const C,
    what: &str,
    op: impl FnOnce(&T) -> Result<()>,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `p` is NULL or points to an initialised struct of its type for the whole
        // call (this fn's contract); `obj` turns NULL into an error.
        let o: &T = unsafe { obj(p, what) }?;
        op(o)
    })
}

/// Runs the lock or unlock fast path `fast` on the object at `p` inline and, when it
/// declines (or `p` is NULL), the full operation `slow` out of line; the full path reports
/// errors, waits on contention and handles dead owners.
///
/// # Safety
/// As [`obj`].
#[inline(always)]
pub(crate) unsafe fn fast_or_slow<C, T>(
    p: *const C,
    fast: impl FnOnce(&T) -> bool,
    slow: fn(&T) -> Result<()>,
) -> interproc_status_t {
    // SAFETY: `p` is NULL or points to memory valid for a `T` for the whole call (this fn's
    // contract, which is `obj`'s); `C` and `T` have the same layout (checked
    // where each C struct is declared).
    if unsafe { p.cast::<T>().as_ref() }.is_some_and(fast) {
        return INTERPROC_OK;
    }
    // SAFETY: `p` is NULL or points to an initialised struct of its type (this fn's `# Safety`
    // contract), which is what `slow_path` requires.
    unsafe { slow_path(p, slow) }
}

/// The out-of-line half of [`fast_or_slow`], kept apart so the fast path stays small.
///
/// # Safety
/// As [`obj`].
#[cold]
#[inline(never)]
unsafe fn slow_path<C, T>(p: *const C, slow: fn(&T) -> Result<()>) -> interproc_status_t {
    // SAFETY: as this fn's contract.
    unsafe { with_obj(p, "m", slow) }
}

pub(crate) fn owner_dead() -> Error {
    Error::new(
        ErrorKind::OwnerDead,
        "the previous owner died holding the mutex; the caller now holds it (the protected data may be inconsistent)",
    )
}

pub(crate) fn locked(o: LockOutcome) -> Result<()> {
    match o {
        LockOutcome::Acquired => Ok(()),
        LockOutcome::OwnerDied => Err(owner_dead()),
    }
}

pub(crate) fn try_locked(o: Option<LockOutcome>) -> Result<()> {
    match o {
        Some(o) => locked(o),
        None => Err(Error::new(
            ErrorKind::Busy,
            "the mutex is held by another thread",
        )),
    }
}

pub(crate) fn timed_locked(o: Option<LockOutcome>) -> Result<()> {
    match o {
        Some(o) => locked(o),
        None => Err(Error::new(
            ErrorKind::TimeoutWhenLocking,
            "the deadline passed before the mutex could be locked",
        )),
    }
}

/// Initialises the sync struct at `p` with `init`, inside the panic boundary; NULL is an
/// `INTERPROC_INVALID_ARGUMENT_ERROR` that names it `what`.
///
/// # Safety
/// `p` must be NULL or point to writable memory for a `T` that no one uses, and `C` must
/// have `T`'s layout.
#[inline(always)]
pub(crate) unsafe fn init_obj<C, T: 'static>(
    p: *mut C,
    what: &str,
    init: unsafe fn(*mut T) -> Result<&'static T>,
) -> interproc_status_t {
    boundary(|| {
        if p.is_null() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{what} is NULL"),
            ));
        }
        // SAFETY: non-NULL here; writable and unused by this fn's contract, and the two
        // types have the same layout. The reference `init` returns is dropped at once.
        unsafe { init(p.cast::<T>()) }.map(|_| ())
    })
}

/// Destroys the sync struct at `p` with `destroy`, inside the panic boundary (see
/// [`with_obj`]).
///
/// # Safety
/// As [`obj`], for the whole call; no one may use the struct afterwards.
#[inline(always)]
pub(crate) unsafe fn destroy_obj<C, T>(
    p: *mut C,
    destroy: unsafe fn(&T) -> Result<()>,
) -> interproc_status_t {
    let destroy = |m: &T| {
        // SAFETY: the caller promises no one uses it any more (this fn's contract).
        unsafe { destroy(m) }
    };
    // SAFETY: `p` is NULL or points to an initialised struct for the whole call (this fn's
    // contract), as `with_obj` requires.
    unsafe { with_obj(p, "m", destroy) }
}

/// Whether the current holder of the lock at `p` got it from an owner that died; false for
/// NULL (and for a panic).
///
/// # Safety
/// As [`obj`], for the whole call.
#[inline(always)]
pub(crate) unsafe fn owner_died_at<C, T>(p: *const C, died: impl FnOnce(&T) -> bool) -> bool {
    boundary_value(false, || {
        // SAFETY: `p` is NULL or points to an initialised struct of its type for the whole
        // call (this fn's contract); `obj` turns NULL into an error.
        let m: Result<&T> = unsafe { obj(p, "m") };
        m.is_ok_and(died)
    })
}

/// Takes the lock at `p` with `lock`, waiting as long as it takes (see [`locked`]).
///
/// # Safety
/// As [`obj`], for the whole call.
#[inline(always)]
pub(crate) unsafe fn lock_at<C, T>(
    p: *const C,
    lock: impl FnOnce(&T) -> Result<LockOutcome>,
) -> interproc_status_t {
    // SAFETY: as this fn's contract, which is `with_obj`'s.
    unsafe { with_obj(p, "m", |m| locked(lock(m)?)) }
}

/// Takes the lock at `p` with `try_lock` if possible at once (see [`try_locked`]).
///
/// # Safety
/// As [`obj`], for the whole call.
#[inline(always)]
pub(crate) unsafe fn try_lock_at<C, T>(
    p: *const C,
    try_lock: impl FnOnce(&T) -> Result<Option<LockOutcome>>,
) -> interproc_status_t {
    // SAFETY: as this fn's contract, which is `with_obj`'s.
    unsafe { with_obj(p, "m", |m| try_locked(try_lock(m)?)) }
}
