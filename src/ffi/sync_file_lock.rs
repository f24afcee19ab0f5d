//! `file_lock` in C: an advisory whole-file lock (exclusive or sharable) on an existing file.

use super::error::interproc_status_t;
use super::sync::{deadline_arg, interproc_deadline_t};
use super::{boundary, free_handle, handle_arg, new_handle, str_arg};
use crate::sync::{Deadline, FileLock};
use crate::{Error, ErrorKind, Result};
use std::ffi::c_char;

/// A lock on a file (Boost's `file_lock`). The kernel releases it when the holder dies, so a
/// crashed owner never blocks anyone.
pub struct interproc_file_lock_t {
    inner: FileLock,
}

/// Opens the existing file `path` for locking and stores a new handle in `*out`
/// (`INTERPROC_NOT_FOUND_ERROR` if the file is missing).
///
/// # Safety
/// `path` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_open(
    path: *const c_char,
    out: *mut *mut interproc_file_lock_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: the caller passes a C string or NULL.
        let path = unsafe { str_arg(path, "path") }?;
        let open = || {
            Ok(interproc_file_lock_t {
                inner: FileLock::new(path)?,
            })
        };
        // SAFETY: `out` is NULL or writable (this fn's `# Safety` contract).
        unsafe { new_handle(out, open) }
    })
}

/// Closes the handle, releasing its lock if held. NULL is ignored.
///
/// # Safety
/// `l` must be NULL or a handle from `interproc_file_lock_open`, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_free(l: *mut interproc_file_lock_t) {
    // SAFETY: `l` is NULL or a handle from this API that the caller gives up here (this fn's `#
    // Safety` contract).
    unsafe { free_handle(l) }
}

/// Runs `op` on the file lock behind the handle `l` inside the panic boundary; NULL is an
/// `INTERPROC_INVALID_ARGUMENT_ERROR`.
///
/// # Safety
/// `l` must be NULL or a live handle for the whole call.
#[inline(always)]
unsafe fn on_lock(
    l: *const interproc_file_lock_t,
    op: impl FnOnce(&FileLock) -> Result<()>,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `l` is NULL or a live handle for the whole call (this fn's contract); NULL
        // is an error.
        op(&unsafe { handle_arg(l, "l") }?.inner)
    })
}

/// Takes the lock with `try_lock` if possible at once; `INTERPROC_BUSY_ERROR` otherwise.
///
/// # Safety
/// As [`on_lock`].
#[inline(always)]
unsafe fn try_lock_file(
    l: *const interproc_file_lock_t,
    try_lock: impl FnOnce(&FileLock) -> Result<bool>,
) -> interproc_status_t {
    let busy = |l: &FileLock| {
        if try_lock(l)? {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Busy,
                "the file is locked by another handle",
            ))
        }
    };
    // SAFETY: as this fn's contract.
    unsafe { on_lock(l, busy) }
}

/// Takes the lock with `lock_until`, waiting at most until `deadline`;
/// `INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR` if it passed. A NULL `l` is reported before the
/// deadline is read.
///
/// # Safety
/// As [`on_lock`]; `deadline` must be NULL or readable.
#[inline(always)]
unsafe fn timed_lock_file(
    l: *const interproc_file_lock_t,
    deadline: *const interproc_deadline_t,
    lock_until: impl FnOnce(&FileLock, Deadline) -> Result<bool>,
) -> interproc_status_t {
    let timed = |l: &FileLock| {
        if lock_until(l, deadline_arg(deadline)?)? {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::TimeoutWhenLocking,
                "the deadline passed before the file could be locked",
            ))
        }
    };
    // SAFETY: as this fn's contract (`deadline_arg` reads `deadline`, NULL or readable by
    // it too).
    unsafe { on_lock(l, timed) }
}

/// Takes an exclusive lock, waiting as long as it takes.
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_lock(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract), as `on_lock` requires.
    unsafe { on_lock(l, FileLock::lock) }
}

/// Takes an exclusive lock if possible at once; `INTERPROC_BUSY_ERROR` otherwise.
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_try_lock(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract), as `try_lock_file` requires.
    unsafe { try_lock_file(l, FileLock::try_lock) }
}

/// Takes an exclusive lock, waiting at most until the absolute `deadline`;
/// `INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR` if it passed.
///
/// # Safety
/// `l` must be NULL or a live handle; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_timed_lock(
    l: *mut interproc_file_lock_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `l` is NULL or a live handle for the whole call, `deadline` NULL or readable
    // (this fn's `# Safety` contract), as `timed_lock_file` requires.
    unsafe { timed_lock_file(l, deadline, FileLock::lock_until) }
}

/// Takes a sharable lock, waiting as long as it takes.
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_lock_sharable(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract), as `on_lock` requires.
    unsafe { on_lock(l, FileLock::lock_sharable) }
}

/// Takes a sharable lock if possible at once; `INTERPROC_BUSY_ERROR` otherwise.
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_try_lock_sharable(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract), as `try_lock_file` requires.
    unsafe { try_lock_file(l, FileLock::try_lock_sharable) }
}

/// Takes a sharable lock, waiting at most until the absolute `deadline`;
/// `INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR` if it passed.
///
/// # Safety
/// `l` must be NULL or a live handle; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_timed_lock_sharable(
    l: *mut interproc_file_lock_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `l` is NULL or a live handle for the whole call, `deadline` NULL or readable
    // (this fn's `# Safety` contract), as `timed_lock_file` requires.
    unsafe { timed_lock_file(l, deadline, FileLock::lock_sharable_until) }
}

/// Releases the lock (exclusive or sharable).
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_unlock(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract), as `on_lock` requires.
    unsafe { on_lock(l, FileLock::unlock) }
}

/// Releases a sharable lock (the same as `interproc_file_lock_unlock`).
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_unlock_sharable(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract), as `on_lock` requires.
    unsafe { on_lock(l, FileLock::unlock) }
}
