//! `file_lock` in C: an advisory whole-file lock (exclusive or sharable) on an existing file.

use super::error::interproc_status_t;
use super::sync::{deadline_arg, interproc_deadline_t};
use super::{boundary, free_handle, handle_arg, out_arg, put, str_arg};
use crate::sync::FileLock;
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
        out_arg(out, "out")?;
        let inner = FileLock::new(path)?;
        let handle = Box::into_raw(Box::new(interproc_file_lock_t { inner }));
        // SAFETY: checked non-NULL; writable by the caller's contract.
        unsafe { put(out, handle) };
        Ok(())
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

fn busy(got: bool) -> Result<()> {
    if got {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Busy,
            "the file is locked by another handle",
        ))
    }
}

fn timed(got: bool) -> Result<()> {
    if got {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::TimeoutWhenLocking,
            "the deadline passed before the file could be locked",
        ))
    }
}

/// Takes an exclusive lock, waiting as long as it takes.
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_lock(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let l = &unsafe { handle_arg(l, "l") }?.inner;
        l.lock()
    })
}

/// Takes an exclusive lock if possible at once; `INTERPROC_BUSY_ERROR` otherwise.
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_try_lock(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let l = &unsafe { handle_arg(l, "l") }?.inner;
        busy(l.try_lock()?)
    })
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
    boundary(|| {
        // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let l = &unsafe { handle_arg(l, "l") }?.inner;
        let d = deadline_arg(deadline)?;
        timed(l.lock_until(d)?)
    })
}

/// Takes a sharable lock, waiting as long as it takes.
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_lock_sharable(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let l = &unsafe { handle_arg(l, "l") }?.inner;
        l.lock_sharable()
    })
}

/// Takes a sharable lock if possible at once; `INTERPROC_BUSY_ERROR` otherwise.
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_try_lock_sharable(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let l = &unsafe { handle_arg(l, "l") }?.inner;
        busy(l.try_lock_sharable()?)
    })
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
    boundary(|| {
        // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let l = &unsafe { handle_arg(l, "l") }?.inner;
        let d = deadline_arg(deadline)?;
        timed(l.lock_sharable_until(d)?)
    })
}

/// Releases the lock (exclusive or sharable).
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_unlock(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let l = &unsafe { handle_arg(l, "l") }?.inner;
        l.unlock()
    })
}

/// Releases a sharable lock (the same as `interproc_file_lock_unlock`).
///
/// # Safety
/// `l` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_lock_unlock_sharable(
    l: *mut interproc_file_lock_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `l` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let l = &unsafe { handle_arg(l, "l") }?.inner;
        l.unlock()
    })
}
