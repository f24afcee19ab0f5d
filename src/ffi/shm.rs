//! `shared_memory_object` in C.

use super::error::interproc_status_t;
use super::types::{interproc_creation_t, interproc_mode_t};
use super::{
    boundary, boundary_value, creation_arg, free_handle, handle_arg, mode_arg, new_handle, out_arg,
    put, str_arg,
};
use crate::{Error, ErrorKind, Permissions, SharedMemoryObject};
use std::ffi::{CString, c_char};
use std::os::fd::{AsFd, AsRawFd};

/// A POSIX shared memory object at `/dev/shm/<name>` (Boost's `shared_memory_object`).
pub struct interproc_shm_t {
    pub(crate) object: SharedMemoryObject,
    name: CString,
}

/// Opens or creates the shared memory object `name` and stores a new handle in `*out`.
/// `creation` is `INTERPROC_CREATE_ONLY`, `INTERPROC_OPEN_ONLY` or
/// `INTERPROC_OPEN_OR_CREATE`; `mode` is `INTERPROC_READ_ONLY` or `INTERPROC_READ_WRITE`;
/// `perm` (for example `INTERPROC_PERM_DEFAULT`) applies only if the object is created.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_shm_open(
    creation: interproc_creation_t,
    name: *const c_char,
    mode: interproc_mode_t,
    perm: u32,
    out: *mut *mut interproc_shm_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: the caller passes a C string or NULL.
        let name = unsafe { str_arg(name, "name") }?;
        let open = || {
            let object = SharedMemoryObject::new(
                creation_arg(creation)?,
                name,
                mode_arg(mode)?,
                Permissions::from_mode(perm),
            )?;
            let name = CString::new(object.name())
                .map_err(|_| Error::new(ErrorKind::Path, "name contains NUL"))?;
            Ok(interproc_shm_t { object, name })
        };
        // SAFETY: `out` is NULL or writable (this fn's `# Safety` contract).
        unsafe { new_handle(out, open) }
    })
}

/// Closes the handle (the object itself stays until `interproc_shm_remove`). NULL is ignored.
///
/// # Safety
/// `shm` must be NULL or a handle from `interproc_shm_open`, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_shm_free(shm: *mut interproc_shm_t) {
    // SAFETY: `shm` is NULL or a handle from this API that the caller gives up here (this fn's
    // `# Safety` contract).
    unsafe { free_handle(shm) }
}

/// Sets the object's size in bytes. Growth reserves the memory now, so a size the system
/// cannot hold fails here (`INTERPROC_OUT_OF_SPACE_ERROR`) instead of faulting later. A
/// read-only object gives `INTERPROC_MODE_ERROR`; a negative size `INTERPROC_INVALID_ARGUMENT`.
///
/// # Safety
/// `shm` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_shm_truncate(
    shm: *mut interproc_shm_t,
    size: i64,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `shm` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let shm = unsafe { handle_arg(shm, "shm") }?;
        let size = u64::try_from(size)
            .map_err(|_| Error::new(ErrorKind::InvalidArgument, format!("negative size {size}")))?;
        shm.object.truncate(size)
    })
}

/// Stores the object's current size in bytes in `*size`.
///
/// # Safety
/// `shm` must be NULL or a live handle; `size` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_shm_get_size(
    shm: *const interproc_shm_t,
    size: *mut i64,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `shm` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let shm = unsafe { handle_arg(shm, "shm") }?;
        out_arg(size, "size")?;
        let s = shm.object.size()?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(size, s as i64) };
        Ok(())
    })
}

/// The name the object was opened with; valid while the handle lives. NULL for a NULL handle.
///
/// # Safety
/// `shm` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_shm_get_name(shm: *const interproc_shm_t) -> *const c_char {
    // SAFETY: `shm` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); `as_ref` turns NULL into `None`.
    boundary_value(std::ptr::null(), || {
        unsafe { shm.as_ref() }.map_or(std::ptr::null(), |s| s.name.as_ptr())
    })
}

/// The access mode the object was opened with; `INTERPROC_INVALID_MODE` for NULL.
///
/// # Safety
/// `shm` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_shm_get_mode(shm: *const interproc_shm_t) -> interproc_mode_t {
    // SAFETY: `shm` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); `as_ref` turns NULL into `None`.
    boundary_value(super::types::INTERPROC_INVALID_MODE, || {
        unsafe { shm.as_ref() }.map_or(super::types::INTERPROC_INVALID_MODE, |s| {
            s.object.mode().code()
        })
    })
}

/// The object's file descriptor (what Boost's `get_mapping_handle().handle` gives), owned
/// by the handle: valid while it lives, never to be closed by the caller. -1 for NULL.
///
/// # Safety
/// `shm` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_shm_native_handle(shm: *const interproc_shm_t) -> i32 {
    // SAFETY: `shm` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); `as_ref` turns NULL into `None`.
    boundary_value(-1, || {
        unsafe { shm.as_ref() }.map_or(-1, |s| s.object.as_fd().as_raw_fd())
    })
}

/// Whether opening created the object (tells which happened with `INTERPROC_OPEN_OR_CREATE`).
///
/// # Safety
/// `shm` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_shm_created(shm: *const interproc_shm_t) -> bool {
    // SAFETY: `shm` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); `as_ref` turns NULL into `None`.
    boundary_value(false, || {
        unsafe { shm.as_ref() }.is_some_and(|s| s.object.created())
    })
}

/// Removes the object `name`; processes that have it mapped keep their mappings. Returns
/// false if nothing was removed (missing, invalid name, no permission). Never fails otherwise.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_shm_remove(name: *const c_char) -> bool {
    boundary_value(false, || {
        // SAFETY: `name` is NULL or a NUL-terminated string readable for the whole call (this
        // fn's `# Safety` contract).
        unsafe { str_arg(name, "name") }.is_ok_and(SharedMemoryObject::remove)
    })
}
