//! Segment manager operations in C, driven by the manager's in-segment address.
//!
//! `interproc_segment_manager_t *` is the address of the segment manager inside a mapped
//! managed segment (`interproc_managed_segment_manager`). Every operation needs nothing
//! else, so a pointer stored inside the segment (as an offset) works from every process.

use super::error::interproc_status_t;
use super::types::interproc_instance_kind_t;
use super::{boundary, boundary_value, out_arg, put};
use crate::{Error, ErrorKind, InstanceKind, ObjectInfo, Result, SegmentManager};
use std::ffi::{c_char, c_void};
use std::ptr::NonNull;

/// The segment manager of a managed segment: the address of its header in this process.
pub struct interproc_segment_manager_t {
    _private: [u8; 0],
}

/// Initialises `count` elements at `object` under the segment lock; returns 0 on success.
/// It may allocate from the same segment. It must not unwind (catch C++ exceptions).
pub type interproc_construct_fn =
    Option<unsafe extern "C" fn(ctx: *mut c_void, object: *mut c_void, count: usize) -> i32>;
/// Finalises `count` elements at `object` under the segment lock before they are freed.
pub type interproc_destroy_fn =
    Option<unsafe extern "C" fn(ctx: *mut c_void, object: *mut c_void, count: usize)>;
/// A function run while the segment lock is held.
pub type interproc_atomic_fn = Option<unsafe extern "C" fn(ctx: *mut c_void)>;

/// What is known about a constructed object.
#[repr(C)]
pub struct interproc_object_info_t {
    /// Address of the first element.
    pub object: *mut c_void,
    /// Bytes per element.
    pub elem_size: usize,
    /// Number of elements.
    pub count: usize,
    /// `INTERPROC_NAMED_INSTANCE`, `INTERPROC_UNIQUE_INSTANCE` or `INTERPROC_ANONYMOUS_INSTANCE`.
    pub kind: interproc_instance_kind_t,
    /// The name, NUL-terminated, inside the segment ("" for anonymous objects).
    pub name: *const c_char,
    /// Length of the name in bytes.
    pub name_len: usize,
}

fn info(o: ObjectInfo, name: *const u8, name_len: usize) -> interproc_object_info_t {
    let (kind, name, name_len) = super::wide::reported(o.kind, name, name_len);
    interproc_object_info_t {
        object: o.ptr.as_ptr().cast(),
        elem_size: o.elem_size,
        count: o.count,
        kind,
        name: name.cast(),
        name_len,
    }
}

/// # Safety
/// `mgr` must be NULL or the segment manager of a segment mapped in this process.
#[inline]
pub(crate) unsafe fn manager(mgr: *mut interproc_segment_manager_t) -> Result<SegmentManager> {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's `#
    // Safety` contract); `from_raw` checks it against the mappings registry.
    unsafe { SegmentManager::from_raw(mgr.cast()) }
}

/// Allocates `size` bytes (16-byte aligned) from the segment into `*out`. A full segment
/// gives `INTERPROC_OUT_OF_MEMORY_ERROR` and changes nothing.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_allocate(
    mgr: *mut interproc_segment_manager_t,
    size: usize,
    out: *mut *mut c_void,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or a mapped segment manager and `out` NULL or writable (this fn's
    // `# Safety` contract), the same contract as the callee's.
    unsafe { interproc_segment_allocate_aligned(mgr, size, 16, out) }
}

/// Allocates `size` bytes aligned to `align` (a power of two) into `*out`.
///
/// # Safety
/// As `interproc_segment_allocate`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_allocate_aligned(
    mgr: *mut interproc_segment_manager_t,
    size: usize,
    align: usize,
    out: *mut *mut c_void,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        out_arg(out, "out")?;
        let p = m.allocate_aligned(size, align)?.ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfMemory,
                format!("the segment cannot satisfy an allocation of {size} bytes"),
            )
        })?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(out, p.as_ptr().cast()) };
        Ok(())
    })
}

/// Frees memory allocated from the segment. A pointer that is not such an allocation gives
/// `INTERPROC_INVALID_ARGUMENT` and changes nothing; NULL is ignored.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_deallocate(
    mgr: *mut interproc_segment_manager_t,
    ptr: *mut c_void,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        if ptr.is_null() {
            return Ok(());
        }
        m.deallocate(ptr.cast())
    })
}

/// Grows the allocation at `ptr` in place, keeping its address and contents, to at least
/// `min_size` bytes (and up to `preferred_size` if the memory right after it is free), and
/// writes its usable size afterwards to `*out_size`. That size is below `min_size` when the
/// allocation could not grow; then nothing changed and the call still succeeds. A pointer
/// that is not an allocation of the segment gives `INTERPROC_INVALID_ARGUMENT`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out_size` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_expand_in_place(
    mgr: *mut interproc_segment_manager_t,
    ptr: *mut c_void,
    min_size: usize,
    preferred_size: usize,
    out_size: *mut usize,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        out_arg(out_size, "out_size")?;
        if ptr.is_null() {
            return Err(Error::new(ErrorKind::InvalidArgument, "ptr is NULL"));
        }
        let size = m.expand_in_place(ptr.cast(), min_size, preferred_size)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(out_size, size) };
        Ok(())
    })
}

/// Constructs `count` elements of `elem_size` bytes aligned to `elem_align` under `name`
/// (ignored for `INTERPROC_ANONYMOUS_INSTANCE`). `init` runs under the segment lock to
/// initialise them (NULL: the memory is zeroed); if it returns non-zero, nothing is left
/// behind and the call fails with `INTERPROC_OTHER_ERROR`. With `find_existing` an existing
/// object of that name is returned and `*created` is false; otherwise an existing name
/// gives `INTERPROC_ALREADY_EXISTS_ERROR`. A full segment gives
/// `INTERPROC_OUT_OF_MEMORY_ERROR`. Many processes calling this on one name at once
/// construct it exactly once.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `name` NULL or a
/// NUL-terminated string; `out`/`created` NULL or writable; `init` callable with `ctx`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_construct(
    mgr: *mut interproc_segment_manager_t,
    kind: interproc_instance_kind_t,
    name: *const c_char,
    elem_size: usize,
    elem_align: usize,
    count: usize,
    find_existing: bool,
    init: interproc_construct_fn,
    ctx: *mut c_void,
    out: *mut *mut c_void,
    created: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        // SAFETY: `name` is NULL or a NUL-terminated string (UTF-8 for wide names) readable
        // for the whole call (this fn's `# Safety` contract).
        let (kind, name) = unsafe { super::wide::object_name(kind, name) }?;
        let name = &*name;
        out_arg(out, "out")?;
        let mut run = |p: NonNull<u8>, n: usize| -> Result<()> {
            match init {
                // SAFETY: the callback's contract is the C caller's.
                Some(f) => match unsafe { f(ctx, p.as_ptr().cast(), n) } {
                    0 => Ok(()),
                    code => Err(Error::new(
                        ErrorKind::Other,
                        format!(
                            "the object's initialiser failed (code {code}); nothing was constructed"
                        ),
                    )),
                },
                None => {
                    // SAFETY: `p` holds `n * elem_size` freshly allocated bytes.
                    unsafe { std::ptr::write_bytes(p.as_ptr(), 0, n * elem_size) };
                    Ok(())
                }
            }
        };
        let (o, made) = m.construct(
            kind,
            name,
            elem_size,
            elem_align,
            count,
            find_existing,
            &mut run,
        )?;
        // SAFETY: checked non-NULL / optional out-params, writable by contract.
        unsafe {
            put(out, o.ptr.as_ptr().cast());
            if !created.is_null() {
                put(created, made);
            }
        }
        Ok(())
    })
}

/// Finds the named or unique object `name`: `*out` and `*count` get its address and
/// element count, or NULL and 0 when there is none. A non-zero `elem_size` must equal the
/// object's element size (`INTERPROC_INVALID_ARGUMENT` otherwise). No alignment is
/// checked: `interproc_segment_find_aligned` does.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `name` NULL or a
/// NUL-terminated string; `out`/`count` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_find(
    mgr: *mut interproc_segment_manager_t,
    kind: interproc_instance_kind_t,
    name: *const c_char,
    elem_size: usize,
    out: *mut *mut c_void,
    count: *mut usize,
) -> interproc_status_t {
    // SAFETY: the same arguments under the same contract; alignment 1 checks nothing.
    unsafe { interproc_segment_find_aligned(mgr, kind, name, elem_size, 1, out, count) }
}

/// As `interproc_segment_find`, for elements that need `elem_align`-byte alignment (a
/// power of two; 0 or 1: any): an object whose address is not a multiple of it gives
/// `INTERPROC_INVALID_ARGUMENT` and no pointer. `interproc_segment_find` checks no
/// alignment.
///
/// # Safety
/// As `interproc_segment_find`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_find_aligned(
    mgr: *mut interproc_segment_manager_t,
    kind: interproc_instance_kind_t,
    name: *const c_char,
    elem_size: usize,
    elem_align: usize,
    out: *mut *mut c_void,
    count: *mut usize,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        // SAFETY: `name` is NULL or a NUL-terminated string (UTF-8 for wide names) readable
        // for the whole call (this fn's `# Safety` contract).
        let (kind, name) = unsafe { super::wide::object_name(kind, name) }?;
        out_arg(out, "out")?;
        out_arg(count, "count")?;
        let size = (elem_size != 0).then_some(elem_size);
        let found = m.find_aligned(kind, &name, size, elem_align.max(1))?;
        let (p, n) = found.map_or((std::ptr::null_mut(), 0), |o| {
            (o.ptr.as_ptr().cast(), o.count)
        });
        // SAFETY: checked non-NULL; writable by contract.
        unsafe {
            put(out, p);
            put(count, n);
        }
        Ok(())
    })
}

fn run_destroy(f: interproc_destroy_fn, ctx: *mut c_void) -> impl FnMut(NonNull<u8>, usize) {
    move |p, n| {
        if let Some(f) = f {
            // SAFETY: the callback's contract is the C caller's.
            unsafe { f(ctx, p.as_ptr().cast(), n) }
        }
    }
}

/// Destroys the named or unique object `name`: `destroy` (if not NULL) runs on it under
/// the segment lock, then it is unregistered and freed. `*destroyed` tells whether it
/// existed.
///
/// # Safety
/// As `interproc_segment_find`; `destroy` callable with `ctx`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_destroy(
    mgr: *mut interproc_segment_manager_t,
    kind: interproc_instance_kind_t,
    name: *const c_char,
    elem_size: usize,
    destroy: interproc_destroy_fn,
    ctx: *mut c_void,
    destroyed: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        // SAFETY: `name` is NULL or a NUL-terminated string readable for the whole call (this
        // fn's `# Safety` contract), which is what `object_name` requires.
        let (kind, name) = unsafe { super::wide::object_name(kind, name) }?;
        let name = &*name;
        if kind == InstanceKind::Anonymous {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "anonymous objects are destroyed by address",
            ));
        }
        out_arg(destroyed, "destroyed")?;
        let d = m.destroy(
            kind,
            name,
            (elem_size != 0).then_some(elem_size),
            &mut run_destroy(destroy, ctx),
        )?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(destroyed, d) };
        Ok(())
    })
}

/// Destroys the object constructed at `ptr` (named, unique or anonymous). A pointer that is
/// not a constructed object gives `INTERPROC_INVALID_ARGUMENT` and changes nothing.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `destroy` callable with
/// `ctx`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_destroy_ptr(
    mgr: *mut interproc_segment_manager_t,
    ptr: *mut c_void,
    destroy: interproc_destroy_fn,
    ctx: *mut c_void,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        m.destroy_ptr(ptr.cast(), &mut run_destroy(destroy, ctx))
    })
}

/// Describes the object constructed at `ptr` (name, count, kind) into `*info`. With a
/// NULL `mgr` the segment is found from `ptr` alone (as Boost's static
/// `get_instance_name`), which requires `ptr` to be an object constructed in a mapped
/// segment.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process (if NULL, `ptr` must be
/// an object constructed in a segment mapped in this process); `info` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_instance(
    mgr: *mut interproc_segment_manager_t,
    ptr: *const c_void,
    info_out: *mut interproc_object_info_t,
) -> interproc_status_t {
    boundary(|| {
        let m = if mgr.is_null() {
            // SAFETY: `ptr` is NULL or points into a segment mapped in this process (this fn's
            // `# Safety` contract), as `of_object` requires.
            unsafe { SegmentManager::of_object(ptr.cast()) }?
        } else {
            // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this
            // fn's `# Safety` contract).
            unsafe { manager(mgr) }?
        };
        out_arg(info_out, "info")?;
        let (o, name, len) = m.instance(ptr.cast())?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(info_out, info(o, name, len)) };
        Ok(())
    })
}

/// Iterates the objects of `kind`: start with `*cursor == 0`; each call stores the next
/// object in `*info`, advances `*cursor` and sets `*found`; `*found == false` ends it.
/// Changing the segment's objects while iterating may skip or repeat entries.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; the out-params NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_next_object(
    mgr: *mut interproc_segment_manager_t,
    kind: interproc_instance_kind_t,
    cursor: *mut u64,
    info_out: *mut interproc_object_info_t,
    found: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        let (kind, wide) = super::wide::iteration_kind(kind)?;
        out_arg(cursor, "cursor")?;
        out_arg(info_out, "info")?;
        out_arg(found, "found")?;
        // SAFETY: checked non-NULL.
        let mut from = unsafe { *cursor };
        // Named objects come as narrow or as wide names, never both.
        let next = loop {
            let next = m.next_object(kind, from)?;
            match next {
                Some((c, o, name, len))
                    if kind == InstanceKind::Named
                        && (super::wide::reported(o.kind, name, len).0
                            == super::wide::INTERPROC_WIDE_NAMED_INSTANCE)
                            != wide =>
                {
                    from = c;
                }
                _ => break next,
            }
        };
        // SAFETY: checked non-NULL; writable by contract.
        unsafe {
            match next {
                Some((c, o, name, len)) => {
                    put(cursor, c);
                    put(info_out, info(o, name, len));
                    put(found, true);
                }
                None => put(found, false),
            }
        }
        Ok(())
    })
}

/// Runs a query on the manager and writes its answer to `out`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
unsafe fn query<T>(
    mgr: *mut interproc_segment_manager_t,
    out: *mut T,
    f: impl FnOnce(&SegmentManager) -> Result<T>,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        out_arg(out, "out")?;
        let v = f(&m)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(out, v) };
        Ok(())
    })
}

/// Stores the number of named objects in `*out`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_num_named_objects(
    mgr: *mut interproc_segment_manager_t,
    out: *mut usize,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process and `out` NULL
    // or writable (this fn's `# Safety` contract), as `query` requires.
    unsafe { query(mgr, out, |m| m.num_named_objects()) }
}

/// Stores the number of unique objects in `*out`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_num_unique_objects(
    mgr: *mut interproc_segment_manager_t,
    out: *mut usize,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process and `out` NULL
    // or writable (this fn's `# Safety` contract), as `query` requires.
    unsafe { query(mgr, out, |m| m.num_unique_objects()) }
}

/// Stores the bytes available for allocation in `*out`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_get_free_memory(
    mgr: *mut interproc_segment_manager_t,
    out: *mut usize,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process and `out` NULL
    // or writable (this fn's `# Safety` contract), as `query` requires.
    unsafe { query(mgr, out, |m| m.free_memory()) }
}

/// Stores the segment size in bytes in `*out`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_get_size(
    mgr: *mut interproc_segment_manager_t,
    out: *mut usize,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process and `out` NULL
    // or writable (this fn's `# Safety` contract), as `query` requires.
    unsafe { query(mgr, out, |m| Ok(m.size())) }
}

/// Stores in `*out` the size the segment may grow to while mapped (its size if it was
/// created without a maximum).
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_get_max_size(
    mgr: *mut interproc_segment_manager_t,
    out: *mut usize,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or a manager mapped in this process and `out` NULL or writable
    // (this fn's `# Safety` contract), as `query` requires.
    unsafe { query(mgr, out, |m| Ok(m.max_size())) }
}

/// Stores in `*out` how many times the segment has grown while mapped.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_get_generation(
    mgr: *mut interproc_segment_manager_t,
    out: *mut u32,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or a manager mapped in this process and `out` NULL or writable
    // (this fn's `# Safety` contract), as `query` requires.
    unsafe { query(mgr, out, |m| Ok(m.generation())) }
}

/// Grows the segment by `extra` bytes while it is mapped, here and in other processes,
/// which reach the new memory with no call. Only a segment created with a maximum size
/// (`interproc_managed_shm_open_growable`) grows so, up to it: beyond,
/// `INTERPROC_SIZE_ERROR`; a segment without one, `INTERPROC_INVALID_ARGUMENT`; a full
/// `/dev/shm` or disk, `INTERPROC_OUT_OF_SPACE_ERROR`. On error nothing changed.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_grow(
    mgr: *mut interproc_segment_manager_t,
    extra: u64,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
    // `# Safety` contract).
    boundary(|| unsafe { manager(mgr) }?.grow(extra))
}

/// Stores in `*out` whether every allocation and object has been given back.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_all_memory_deallocated(
    mgr: *mut interproc_segment_manager_t,
    out: *mut bool,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process and `out` NULL
    // or writable (this fn's `# Safety` contract), as `query` requires.
    unsafe { query(mgr, out, |m| m.all_memory_deallocated()) }
}

/// Makes room in the name index for `n` more named objects.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_reserve_named_objects(
    mgr: *mut interproc_segment_manager_t,
    n: usize,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's `#
    // Safety` contract).
    boundary(|| unsafe { manager(mgr) }?.reserve_named_objects(n))
}

/// Checks every block, free list and name entry: `INTERPROC_OK` when sane, otherwise
/// `INTERPROC_CORRUPTED_ERROR` with a message saying what is wrong.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_check_sanity(
    mgr: *mut interproc_segment_manager_t,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's `#
    // Safety` contract).
    boundary(|| unsafe { manager(mgr) }?.check_sanity())
}

/// Zeroes the segment's free memory.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_zero_free_memory(
    mgr: *mut interproc_segment_manager_t,
) -> interproc_status_t {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's `#
    // Safety` contract).
    boundary(|| unsafe { manager(mgr) }?.zero_free_memory())
}

/// Whether `ptr` points into the segment.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_belongs_to_segment(
    mgr: *mut interproc_segment_manager_t,
    ptr: *const c_void,
) -> bool {
    // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's `#
    // Safety` contract).
    boundary_value(false, || {
        unsafe { manager(mgr) }.is_ok_and(|m| m.belongs_to_segment(ptr.cast()))
    })
}

/// Stores in `*handle` the handle of `ptr`: its offset in the segment, valid in every
/// process that maps it.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `handle` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_handle_from_address(
    mgr: *mut interproc_segment_manager_t,
    ptr: *const c_void,
    handle: *mut u64,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        out_arg(handle, "handle")?;
        let h = m.handle_from_address(ptr.cast())?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(handle, h) };
        Ok(())
    })
}

/// Stores in `*out` the address in this process of `handle`; a handle outside the segment
/// gives `INTERPROC_INVALID_ARGUMENT`.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_address_from_handle(
    mgr: *mut interproc_segment_manager_t,
    handle: u64,
    out: *mut *mut c_void,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        out_arg(out, "out")?;
        let p = m.address_from_handle(handle)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(out, p.as_ptr().cast()) };
        Ok(())
    })
}

/// Runs `f(ctx)` while holding the segment lock (Boost's `atomic_func`). `f` must not
/// unwind.
///
/// # Safety
/// `mgr` must be NULL or a segment manager mapped in this process; `f` callable with `ctx`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_atomic_func(
    mgr: *mut interproc_segment_manager_t,
    f: interproc_atomic_fn,
    ctx: *mut c_void,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        let f = f.ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "function is NULL"))?;
        // SAFETY: the callback's contract is the C caller's.
        m.atomic_func(|| unsafe { f(ctx) })
    })
}

/// Runs `f(ctx)` only if the segment lock is free right now; `*ran` tells whether it ran.
///
/// # Safety
/// As `interproc_segment_atomic_func`; `ran` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_segment_try_atomic_func(
    mgr: *mut interproc_segment_manager_t,
    f: interproc_atomic_fn,
    ctx: *mut c_void,
    ran: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mgr` is NULL or the manager of a segment mapped in this process (this fn's
        // `# Safety` contract).
        let m = unsafe { manager(mgr) }?;
        let f = f.ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "function is NULL"))?;
        out_arg(ran, "ran")?;
        // SAFETY: the callback's contract is the C caller's.
        let r = m.try_atomic_func(|| unsafe { f(ctx) })?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(ran, r.is_some()) };
        Ok(())
    })
}
