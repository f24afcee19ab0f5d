//! `mapped_region` and `anonymous_shared_memory` in C.

use super::error::interproc_status_t;
use super::file_mapping::interproc_file_mapping_t;
use super::shm::interproc_shm_t;
use super::types::{self, INTERPROC_INVALID_MODE, interproc_advice_t, interproc_mode_t};
use super::xsi::interproc_xsi_shm_t;
use super::{
    boundary, boundary_value, free_handle, handle_arg, handle_arg_mut, mode_arg, out_arg, put,
};
use crate::{Advice, Error, ErrorKind, Mappable, MappedRegion, Result};
use std::ffi::c_void;
use std::ptr::NonNull;

/// A mapping of an object into this process (Boost's `mapped_region`).
pub struct interproc_region_t {
    region: MappedRegion,
}

fn finish(region: MappedRegion, out: *mut *mut interproc_region_t) {
    // SAFETY: every caller checked `out` non-NULL first; writable by the C caller's contract.
    unsafe { put(out, Box::into_raw(Box::new(interproc_region_t { region }))) }
}

/// Maps the object that `object` reads from its handle argument (first, inside the panic
/// boundary) as the `interproc_region_map_*` entry points describe, and stores a new region
/// handle in `*out`.
fn map<'a, M: Mappable + 'a>(
    object: impl FnOnce() -> Result<&'a M>,
    mode: interproc_mode_t,
    offset: i64,
    size: usize,
    address: *const c_void,
    out: *mut *mut interproc_region_t,
) -> interproc_status_t {
    boundary(|| {
        let object = object()?;
        out_arg(out, "out")?;
        let offset = u64::try_from(offset).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("negative offset {offset}"),
            )
        })?;
        let region = MappedRegion::with_address(
            object,
            mode_arg(mode)?,
            offset,
            size,
            NonNull::new(address as *mut u8),
        )?;
        finish(region, out);
        Ok(())
    })
}

/// Maps `size` bytes (0: to the end) of a shared memory object from `offset` (any value;
/// page alignment is handled inside) with `mode`, at `address` if not NULL (never replacing
/// an existing mapping). A range past the object's end, or an empty object, gives
/// `INTERPROC_SIZE_ERROR`; `INTERPROC_READ_WRITE` on a read-only object gives
/// `INTERPROC_SECURITY_ERROR`.
///
/// # Safety
/// `shm` must be NULL or a live handle; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_map_shm(
    shm: *const interproc_shm_t,
    mode: interproc_mode_t,
    offset: i64,
    size: usize,
    address: *const c_void,
    out: *mut *mut interproc_region_t,
) -> interproc_status_t {
    // SAFETY: `shm` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); NULL is an error.
    let object = || Ok(&unsafe { handle_arg(shm, "shm") }?.object);
    map(object, mode, offset, size, address, out)
}

/// As `interproc_region_map_shm`, for a file opened with `interproc_file_mapping_open`.
///
/// # Safety
/// `fm` must be NULL or a live handle; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_map_file(
    fm: *const interproc_file_mapping_t,
    mode: interproc_mode_t,
    offset: i64,
    size: usize,
    address: *const c_void,
    out: *mut *mut interproc_region_t,
) -> interproc_status_t {
    // SAFETY: `fm` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); NULL is an error.
    let object = || Ok(&unsafe { handle_arg(fm, "file mapping") }?.file);
    map(object, mode, offset, size, address, out)
}

/// Attaches a System V segment: `offset` must be 0, `size` 0 or at most the segment's,
/// `mode` `INTERPROC_READ_ONLY` or `INTERPROC_READ_WRITE`.
///
/// # Safety
/// `shm` must be NULL or a live handle; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_map_xsi(
    shm: *const interproc_xsi_shm_t,
    mode: interproc_mode_t,
    offset: i64,
    size: usize,
    address: *const c_void,
    out: *mut *mut interproc_region_t,
) -> interproc_status_t {
    // SAFETY: `shm` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); NULL is an error.
    let object = || Ok(&unsafe { handle_arg(shm, "xsi shm") }?.segment);
    map(object, mode, offset, size, address, out)
}

/// Maps `size` bytes of anonymous memory shared with children forked after this call
/// (Boost's `anonymous_shared_memory`), at `address` if not NULL.
///
/// # Safety
/// `out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_anonymous(
    size: usize,
    address: *const c_void,
    out: *mut *mut interproc_region_t,
) -> interproc_status_t {
    boundary(|| {
        out_arg(out, "out")?;
        let region = MappedRegion::anonymous_at(size, NonNull::new(address as *mut u8))?;
        finish(region, out);
        Ok(())
    })
}

/// Unmaps the region. NULL is ignored.
///
/// # Safety
/// `region` must be NULL or a handle from this library; neither it nor the memory it
/// mapped may be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_free(region: *mut interproc_region_t) {
    // SAFETY: `region` is NULL or a handle from this API that the caller gives up here (this
    // fn's `# Safety` contract).
    unsafe { free_handle(region) }
}

/// The address of the first mapped byte; NULL for a NULL handle.
///
/// # Safety
/// `region` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_get_address(
    region: *const interproc_region_t,
) -> *mut c_void {
    // SAFETY: `region` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); `as_ref` turns NULL into `None`.
    boundary_value(std::ptr::null_mut(), || {
        unsafe { region.as_ref() }.map_or(std::ptr::null_mut(), |r| r.region.as_ptr().cast())
    })
}

/// The number of mapped bytes; 0 for a NULL handle.
///
/// # Safety
/// `region` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_get_size(region: *const interproc_region_t) -> usize {
    // SAFETY: `region` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); `as_ref` turns NULL into `None`.
    boundary_value(0, || {
        unsafe { region.as_ref() }.map_or(0, |r| r.region.len())
    })
}

/// The mode the region was mapped with; `INTERPROC_INVALID_MODE` for NULL.
///
/// # Safety
/// `region` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_get_mode(
    region: *const interproc_region_t,
) -> interproc_mode_t {
    // SAFETY: `region` is NULL or a live handle for the whole call (this fn's `# Safety`
    // contract); `as_ref` turns NULL into `None`.
    boundary_value(INTERPROC_INVALID_MODE, || {
        unsafe { region.as_ref() }.map_or(INTERPROC_INVALID_MODE, |r| r.region.mode().code())
    })
}

/// Writes modified pages of `[offset, offset + size)` (`size` 0: to the end) back to the
/// object, asynchronously if `async_` is true.
///
/// # Safety
/// `region` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_flush(
    region: *const interproc_region_t,
    offset: usize,
    size: usize,
    async_: bool,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `region` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let r = unsafe { handle_arg(region, "region") }?;
        r.region.flush(offset, size, async_)
    })
}

/// Gives back `bytes` from the end (`from_back`) or the start of the region, unmapping the
/// pages no longer used. From the start, the address moves forward.
///
/// # Safety
/// `region` must be NULL or a live handle, and the memory given back must not be used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_shrink_by(
    region: *mut interproc_region_t,
    bytes: usize,
    from_back: bool,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `region` is NULL or a live handle that nothing else uses during the call
        // (this fn's `# Safety` contract).
        let r = unsafe { handle_arg_mut(region, "region") }?;
        r.region.shrink_by(bytes, from_back)
    })
}

/// Grows the region by `bytes` at its end, in place (`mremap`): its address never changes.
/// `shm` is the object it maps, which must already hold the new range (else
/// `INTERPROC_SIZE_ERROR`); addresses taken after the region give
/// `INTERPROC_OUT_OF_MEMORY_ERROR`. Either way the region stays as it was.
///
/// # Safety
/// `region` and `shm` must be NULL or live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_grow_by_shm(
    region: *mut interproc_region_t,
    shm: *const interproc_shm_t,
    bytes: usize,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `region` and `shm` are NULL or live handles from their `_open` calls,
        // not used elsewhere during the call (this fn's `# Safety` contract).
        let (r, shm) = unsafe { (handle_arg_mut(region, "region")?, handle_arg(shm, "shm")?) };
        r.region.grow_by(&shm.object, bytes)
    })
}

/// As `interproc_region_grow_by_shm`, for a region of a file.
///
/// # Safety
/// `region` and `fm` must be NULL or live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_grow_by_file(
    region: *mut interproc_region_t,
    fm: *const interproc_file_mapping_t,
    bytes: usize,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `region` and `fm` are NULL or live handles from their `_open` calls,
        // not used elsewhere during the call (this fn's `# Safety` contract).
        let (r, fm) = unsafe {
            (
                handle_arg_mut(region, "region")?,
                handle_arg(fm, "file mapping")?,
            )
        };
        r.region.grow_by(&fm.file, bytes)
    })
}

/// Tells the OS how the region will be used (`INTERPROC_ADVICE_*`).
///
/// # Safety
/// `region` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_region_advise(
    region: *const interproc_region_t,
    advice: interproc_advice_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `region` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let r = unsafe { handle_arg(region, "region") }?;
        let advice = match advice {
            types::INTERPROC_ADVICE_NORMAL => Advice::Normal,
            types::INTERPROC_ADVICE_SEQUENTIAL => Advice::Sequential,
            types::INTERPROC_ADVICE_RANDOM => Advice::Random,
            types::INTERPROC_ADVICE_WILLNEED => Advice::WillNeed,
            types::INTERPROC_ADVICE_DONTNEED => Advice::DontNeed,
            other => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("{other} is not a valid advice"),
                ));
            }
        };
        r.region.advise(advice)
    })
}

/// The system page size in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn interproc_page_size() -> usize {
    MappedRegion::page_size()
}
