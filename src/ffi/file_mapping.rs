//! `file_mapping` in C.

use super::error::interproc_status_t;
use super::types::{INTERPROC_INVALID_MODE, interproc_mode_t};
use super::{boundary, boundary_value, free_handle, mode_arg, new_handle, str_arg};
use crate::{Error, ErrorKind, FileMapping};
use std::ffi::{CString, c_char};
use std::os::fd::{AsFd, AsRawFd};

/// An open file that can be mapped (Boost's `file_mapping`).
pub struct interproc_file_mapping_t {
    pub(crate) file: FileMapping,
    name: CString,
}

/// Opens the existing file `path` for mapping with `mode` `INTERPROC_READ_ONLY` or
/// `INTERPROC_READ_WRITE`, and stores a new handle in `*out`.
///
/// # Safety
/// `path` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_mapping_open(
    path: *const c_char,
    mode: interproc_mode_t,
    out: *mut *mut interproc_file_mapping_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `path` is NULL or a NUL-terminated string readable for the whole call (this
        // fn's `# Safety` contract).
        let path = unsafe { str_arg(path, "path") }?;
        let open = || {
            let file = FileMapping::new(path, mode_arg(mode)?)?;
            let name =
                CString::new(path).map_err(|_| Error::new(ErrorKind::Path, "path contains NUL"))?;
            Ok(interproc_file_mapping_t { file, name })
        };
        // SAFETY: `out` is NULL or writable (this fn's `# Safety` contract).
        unsafe { new_handle(out, open) }
    })
}

/// Closes the handle; the file stays. NULL is ignored.
///
/// # Safety
/// `fm` must be NULL or a handle from `interproc_file_mapping_open`, unused afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_mapping_free(fm: *mut interproc_file_mapping_t) {
    // SAFETY: `fm` is NULL or a handle from this API that the caller gives up here (this fn's
    // `# Safety` contract).
    unsafe { free_handle(fm) }
}

/// The file name as given; valid while the handle lives. NULL for a NULL handle.
///
/// # Safety
/// `fm` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_mapping_get_name(
    fm: *const interproc_file_mapping_t,
) -> *const c_char {
    // SAFETY: `fm` is NULL or a live handle for the whole call (this fn's `# Safety` contract);
    // `as_ref` turns NULL into `None`.
    boundary_value(std::ptr::null(), || {
        unsafe { fm.as_ref() }.map_or(std::ptr::null(), |f| f.name.as_ptr())
    })
}

/// The file's descriptor (what Boost's `get_mapping_handle().handle` gives), owned by the
/// handle: valid while it lives, never to be closed by the caller. -1 for NULL.
///
/// # Safety
/// `fm` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_mapping_native_handle(
    fm: *const interproc_file_mapping_t,
) -> i32 {
    // SAFETY: `fm` is NULL or a live handle for the whole call (this fn's `# Safety` contract);
    // `as_ref` turns NULL into `None`.
    boundary_value(-1, || {
        unsafe { fm.as_ref() }.map_or(-1, |f| f.file.as_fd().as_raw_fd())
    })
}

/// The mode the file was opened with; `INTERPROC_INVALID_MODE` for NULL.
///
/// # Safety
/// `fm` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_mapping_get_mode(
    fm: *const interproc_file_mapping_t,
) -> interproc_mode_t {
    // SAFETY: `fm` is NULL or a live handle for the whole call (this fn's `# Safety` contract);
    // `as_ref` turns NULL into `None`.
    boundary_value(INTERPROC_INVALID_MODE, || {
        unsafe { fm.as_ref() }.map_or(INTERPROC_INVALID_MODE, |f| f.file.mode().code())
    })
}

/// Deletes the file `path`. Returns false if it could not be removed.
///
/// # Safety
/// `path` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_file_mapping_remove(path: *const c_char) -> bool {
    boundary_value(false, || {
        // SAFETY: `path` is NULL or a NUL-terminated string readable for the whole call (this
        // fn's `# Safety` contract).
        unsafe { str_arg(path, "path") }.is_ok_and(FileMapping::remove)
    })
}
