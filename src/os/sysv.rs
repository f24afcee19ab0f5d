//! System V shared memory: `ftok`, `shmget`, `shmat`, `shmdt`, `shmctl`.

use super::{Errno, OsResult};
use std::ffi::CStr;
use std::ptr::NonNull;

/// `ftok(path, id)`.
pub(crate) fn key_from_path(path: &CStr, id: u8) -> OsResult<i32> {
    // SAFETY: `path` is a valid NUL-terminated string.
    let k = unsafe { libc::ftok(path.as_ptr(), libc::c_int::from(id)) };
    if k == -1 { Err(Errno::last()) } else { Ok(k) }
}

/// `shmget(key, size, flags | perm)`; returns the segment id.
pub(crate) fn get(key: i32, size: usize, create_exclusive: bool, perm: u32) -> OsResult<i32> {
    let mut flags = (perm & 0o777) as libc::c_int;
    if create_exclusive {
        flags |= libc::IPC_CREAT | libc::IPC_EXCL;
    }
    // SAFETY: plain system call.
    let id = unsafe { libc::shmget(key, size, flags) };
    if id == -1 { Err(Errno::last()) } else { Ok(id) }
}

fn stat(shmid: i32) -> OsResult<libc::shmid_ds> {
    let mut ds = std::mem::MaybeUninit::<libc::shmid_ds>::uninit();
    // SAFETY: `ds` is writable storage for one `shmid_ds`.
    if unsafe { libc::shmctl(shmid, libc::IPC_STAT, ds.as_mut_ptr()) } == -1 {
        return Err(Errno::last());
    }
    // SAFETY: IPC_STAT succeeded and filled `ds`.
    Ok(unsafe { ds.assume_init() })
}

/// The size in bytes of segment `shmid`.
pub(crate) fn size(shmid: i32) -> OsResult<usize> {
    Ok(stat(shmid)?.shm_segsz)
}

/// The key segment `shmid` was created with (`IPC_PRIVATE` for a private one).
pub(crate) fn key_of(shmid: i32) -> OsResult<i32> {
    Ok(stat(shmid)?.shm_perm.__key)
}

/// Sets the permission bits of segment `shmid` exactly.
pub(crate) fn set_permissions(shmid: i32, perm: u32) -> OsResult<()> {
    let mut ds = stat(shmid)?;
    ds.shm_perm.mode = (perm & 0o777) as _;
    // SAFETY: `ds` is a valid `shmid_ds` read by IPC_STAT.
    if unsafe { libc::shmctl(shmid, libc::IPC_SET, &mut ds) } == -1 {
        return Err(Errno::last());
    }
    Ok(())
}

/// Marks segment `shmid` for removal once no process has it attached.
pub(crate) fn remove(shmid: i32) -> OsResult<()> {
    // SAFETY: IPC_RMID takes no buffer.
    if unsafe { libc::shmctl(shmid, libc::IPC_RMID, std::ptr::null_mut()) } == -1 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// `shmat(shmid)`: attaches the whole segment, read-only or read-write.
pub(crate) fn attach(shmid: i32, writable: bool, at: Option<NonNull<u8>>) -> OsResult<NonNull<u8>> {
    let flags = if writable { 0 } else { libc::SHM_RDONLY };
    let addr = at.map_or(std::ptr::null(), |p| p.as_ptr().cast_const().cast());
    // SAFETY: without SHM_REMAP the kernel refuses to attach over an existing mapping.
    let p = unsafe { libc::shmat(shmid, addr, flags) };
    if p as isize == -1 {
        return Err(Errno::last());
    }
    NonNull::new(p.cast::<u8>()).ok_or(Errno(libc::ENOMEM))
}

/// `shmdt(addr)`.
///
/// # Safety
/// `addr` must be an attachment returned by [`attach`], unused after this call.
pub(crate) unsafe fn detach(addr: *mut u8) -> OsResult<()> {
    // SAFETY: guaranteed by the caller.
    if unsafe { libc::shmdt(addr.cast_const().cast()) } == -1 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}
