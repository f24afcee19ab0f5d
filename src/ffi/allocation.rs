//! Boost's allocation commands in C: the in-place moves of a block's ends that
//! `allocation_command` is made of (forward expansion is `interproc_segment_expand_in_place`),
//! an allocation's usable size, and the smallest managed segment.

use super::error::interproc_status_t;
use super::segment::{interproc_segment_manager_t, manager};
use super::{boundary, out_arg, put};
use crate::{Error, ErrorKind, MIN_SEGMENT_SIZE, Result};
use std::ffi::c_void;

fn non_null(ptr: *mut c_void) -> Result<*mut u8> {
    if ptr.is_null() {
        Err(Error::new(ErrorKind::InvalidArgument, "ptr is NULL"))
    } else {
        Ok(ptr.cast())
    }
}

/// Shrinks the allocation at `ptr` in place (its address and contents stay) to hold at
/// least `min_size` bytes, and writes its usable size afterwards to `*out_size`: unchanged
/// when the cut would be too small to give back. With `apply` false nothing changes and
/// `*out_size` is the size it would have (Boost's `try_shrink_in_place`). A pointer that is
/// not an allocation of the segment gives `INTERPROC_INVALID_ARGUMENT`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out_size` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_shrink_in_place(
    mgr: *mut interproc_segment_manager_t,
    ptr: *mut c_void,
    min_size: usize,
    apply: bool,
    out_size: *mut usize,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        out_arg(out_size, "out_size")?;
        let size = m.shrink_in_place(non_null(ptr)?, min_size, apply)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(out_size, size) };
        Ok(())
    })
}

/// Grows the allocation at `ptr` backwards, into the free memory right before it, to hold
/// at least `min_size` bytes (up to `preferred_size`), moving its start back by a multiple
/// of `multiple` bytes (the element size, non-zero). On success `*out_ptr` is the new start
/// and `*out_size` the usable size; the contents stay at their old address for the caller
/// to move (Boost's `expand_bwd`). When the memory before it is in use or too small,
/// `*out_ptr` is NULL, `*out_size` the current size, and nothing changed.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out_ptr` and
/// `out_size` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_expand_backwards(
    mgr: *mut interproc_segment_manager_t,
    ptr: *mut c_void,
    min_size: usize,
    preferred_size: usize,
    multiple: usize,
    out_ptr: *mut *mut c_void,
    out_size: *mut usize,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        out_arg(out_ptr, "out_ptr")?;
        out_arg(out_size, "out_size")?;
        let ptr = non_null(ptr)?;
        let (p, size) = match m.expand_backwards(ptr, min_size, preferred_size, multiple)? {
            Some((p, size)) => (p.as_ptr().cast::<c_void>(), size),
            None => (std::ptr::null_mut(), m.allocation_size(ptr)?),
        };
        // SAFETY: checked non-NULL; writable by contract.
        unsafe {
            put(out_ptr, p);
            put(out_size, size);
        }
        Ok(())
    })
}

/// Writes the usable size of the allocation at `ptr` (at least what was asked) to
/// `*out_size`. A pointer that is not an allocation of the segment gives
/// `INTERPROC_INVALID_ARGUMENT`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out_size` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_allocation_size(
    mgr: *mut interproc_segment_manager_t,
    ptr: *const c_void,
    out_size: *mut usize,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        out_arg(out_size, "out_size")?;
        let size = m.allocation_size(non_null(ptr.cast_mut())?)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(out_size, size) };
        Ok(())
    })
}

/// The smallest size a managed segment may be created with (Boost's `get_min_size`).
#[unsafe(no_mangle)]
pub extern "C" fn interproc_managed_min_size() -> usize {
    MIN_SEGMENT_SIZE as usize
}

/// Gives the free memory at the end of the segment back: the segment's size becomes what it
/// uses (the mapping stays; growing takes it back). Boost's `segment_manager::shrink_to_fit`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_shrink_to_fit(
    mgr: *mut interproc_segment_manager_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        m.shrink_tail().map(|_| ())
    })
}
