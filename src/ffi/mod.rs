//! The C ABI (`include/interproc.h`).
//!
//! One file per area, no logic of its own: argument checks, a panic boundary, and the
//! conversion of results to `interproc_status_t`. Conventions, the same everywhere:
//! - every function that can fail returns an `interproc_status_t` (0 is success);
//! - out-parameters are written only on success;
//! - on failure the thread's last error (message, code, errno) describes what happened;
//! - objects come from `interproc_*_open`/`_new` calls and go back with `interproc_*_free`,
//!   and `_free(NULL)` does nothing;
//! - no Rust panic crosses into C: it becomes `INTERPROC_OTHER_ERROR`.

#![allow(non_camel_case_types)]

pub mod allocation;
pub mod error;
pub mod file_mapping;
pub mod managed;
pub mod mq;
pub mod pool;
pub mod region;
pub mod segment;
pub mod shm;
pub mod sync;
pub mod sync_file_lock;
pub mod sync_named;
pub mod sync_obj;
pub mod sync_upgradable;
pub mod types;
pub mod wide;
pub mod xsi;

use crate::{Error, ErrorKind, Mode, Result};
pub(crate) use error::{boundary, boundary_value};
use std::ffi::{CStr, c_char};

/// Reads a C string argument.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that stays valid for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, what: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} is NULL"),
        ));
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str()
        .map_err(|_| Error::new(ErrorKind::Path, format!("{what} is not valid UTF-8")))
}

/// Reads an access-mode argument.
pub(crate) fn mode_arg(mode: u32) -> Result<Mode> {
    Mode::from_code(mode).ok_or_else(|| {
        Error::new(
            ErrorKind::Mode,
            format!("{mode} is not a valid access mode"),
        )
    })
}

/// Borrows the object behind a handle argument.
///
/// # Safety
/// `ptr` must be NULL or a live handle of type `T` returned by this library.
pub(crate) unsafe fn handle_arg<'a, T>(ptr: *const T, what: &str) -> Result<&'a T> {
    // SAFETY: a non-NULL handle is live by the caller's contract.
    unsafe { ptr.as_ref() }
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, format!("{what} is NULL")))
}

/// Mutably borrows the object behind a handle argument.
///
/// # Safety
/// As [`handle_arg`], and no other reference to the object may be in use.
pub(crate) unsafe fn handle_arg_mut<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T> {
    // SAFETY: a non-NULL handle is live and unaliased by the caller's contract.
    unsafe { ptr.as_mut() }
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, format!("{what} is NULL")))
}

/// Writes `value` to the out-parameter `out` (checked non-NULL first by [`out_arg`]).
///
/// # Safety
/// `out` must be a valid, writable pointer.
pub(crate) unsafe fn put<T>(out: *mut T, value: T) {
    // SAFETY: guaranteed by the caller.
    unsafe { out.write(value) }
}

/// Checks that an out-parameter is not NULL.
pub(crate) fn out_arg<T>(out: *mut T, what: &str) -> Result<()> {
    if out.is_null() {
        Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} is NULL"),
        ))
    } else {
        Ok(())
    }
}

/// Checks the out-parameter `out`, then builds a handle with `make` and stores it in `*out`
/// (as a `Box` for the matching `_free`); `out` is written only if `make` succeeds.
///
/// # Safety
/// `out` must be NULL or writable.
pub(crate) unsafe fn new_handle<T>(
    out: *mut *mut T,
    make: impl FnOnce() -> Result<T>,
) -> Result<()> {
    out_arg(out, "out")?;
    let handle = Box::into_raw(Box::new(make()?));
    // SAFETY: checked non-NULL above; writable by this fn's contract.
    unsafe { put(out, handle) };
    Ok(())
}

/// Frees a handle created with `Box::into_raw`.
///
/// # Safety
/// `ptr` must be NULL or a handle of type `T` from this library, not used afterwards.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        boundary_value((), || {
            // SAFETY: the caller hands back ownership of a handle made by Box::into_raw.
            drop(unsafe { Box::from_raw(ptr) })
        });
    }
}

/// Reads a creation argument for objects that accept `create_only`, `open_only` and
/// `open_or_create`.
pub(crate) fn creation_arg(creation: u32) -> Result<crate::Creation> {
    use crate::Creation;
    match creation {
        types::INTERPROC_CREATE_ONLY => Ok(Creation::CreateOnly),
        types::INTERPROC_OPEN_ONLY => Ok(Creation::OpenOnly),
        types::INTERPROC_OPEN_OR_CREATE => Ok(Creation::OpenOrCreate),
        other => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{other} is not a valid creation tag here (use create_only, open_only or open_or_create)"
            ),
        )),
    }
}
