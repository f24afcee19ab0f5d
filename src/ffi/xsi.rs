//! `xsi_key` and `xsi_shared_memory` in C.

use super::error::interproc_status_t;
use super::types::interproc_creation_t;
use super::{
    boundary, boundary_value, creation_arg, free_handle, handle_arg, new_handle, out_arg, put,
    str_arg,
};
use crate::{Permissions, XsiKey, XsiSharedMemory};
use std::ffi::c_char;

/// The private System V key (`IPC_PRIVATE`).
pub const INTERPROC_XSI_KEY_PRIVATE: i32 = 0;

/// A System V shared memory segment (Boost's `xsi_shared_memory`).
pub struct interproc_xsi_shm_t {
    pub(crate) segment: XsiSharedMemory,
}

/// Computes the System V key of the existing `path` and `id` (as `ftok`) into `*key`.
///
/// # Safety
/// `path` must be NULL or a NUL-terminated string; `key` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_xsi_key_from_path(
    path: *const c_char,
    id: u8,
    key: *mut i32,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `path` is NULL or a NUL-terminated string readable for the whole call (this
        // fn's `# Safety` contract).
        let path = unsafe { str_arg(path, "path") }?;
        out_arg(key, "key")?;
        let k = XsiKey::from_path(path, id)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(key, k.raw()) };
        Ok(())
    })
}

/// Opens or creates the segment of `key`. `size` (above 0) and `perm` are used when
/// creating. Stores a new handle in `*out`.
///
/// # Safety
/// `out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_xsi_shm_open(
    creation: interproc_creation_t,
    key: i32,
    size: usize,
    perm: u32,
    out: *mut *mut interproc_xsi_shm_t,
) -> interproc_status_t {
    boundary(|| {
        let open = || {
            let segment = XsiSharedMemory::new(
                creation_arg(creation)?,
                XsiKey::from_raw(key),
                size,
                Permissions::from_mode(perm),
            )?;
            Ok(interproc_xsi_shm_t { segment })
        };
        // SAFETY: `out` is NULL or writable (this fn's `# Safety` contract).
        unsafe { new_handle(out, open) }
    })
}

/// Opens the existing segment `shmid`. Stores a new handle in `*out`.
///
/// # Safety
/// `out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_xsi_shm_open_id(
    shmid: i32,
    out: *mut *mut interproc_xsi_shm_t,
) -> interproc_status_t {
    boundary(|| {
        let open = || {
            Ok(interproc_xsi_shm_t {
                segment: XsiSharedMemory::open_id(shmid)?,
            })
        };
        // SAFETY: `out` is NULL or writable (this fn's `# Safety` contract).
        unsafe { new_handle(out, open) }
    })
}

/// Closes the handle (the segment stays until removed). NULL is ignored.
///
/// # Safety
/// `shm` must be NULL or a handle from `interproc_xsi_shm_open`, unused afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_xsi_shm_free(shm: *mut interproc_xsi_shm_t) {
    // SAFETY: `shm` is NULL or a handle from this API that the caller gives up here (this fn's
    // `# Safety` contract).
    unsafe { free_handle(shm) }
}

/// Stores the segment id in `*shmid`.
///
/// # Safety
/// `shm` must be NULL or a live handle; `shmid` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_xsi_shm_get_shmid(
    shm: *const interproc_xsi_shm_t,
    shmid: *mut i32,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `shm` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let shm = unsafe { handle_arg(shm, "shm") }?;
        out_arg(shmid, "shmid")?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(shmid, shm.segment.shmid()) };
        Ok(())
    })
}

/// Marks the segment `shmid` for removal. Returns false if that was not possible.
#[unsafe(no_mangle)]
pub extern "C" fn interproc_xsi_shm_remove(shmid: i32) -> bool {
    boundary_value(false, || XsiSharedMemory::remove(shmid))
}
