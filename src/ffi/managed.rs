//! Managed segments in C: `managed_shared_memory`, `managed_mapped_file`,
//! `managed_heap_memory`, `managed_external_buffer`, `managed_xsi_shared_memory`.
//!
//! A managed segment handle owns the mapping; the operations on the segment's contents take
//! the segment manager's in-segment address (`interproc_segment_*`, see segment.rs).

use super::error::interproc_status_t;
use super::segment::interproc_segment_manager_t;
use super::types::{self, interproc_creation_t};
use super::{
    boundary, boundary_value, free_handle, handle_arg, handle_arg_mut, out_arg, put, str_arg,
};
use crate::{
    Error, ErrorKind, ManagedExternalBuffer, ManagedHeapMemory, ManagedMappedFile,
    ManagedSharedMemory, ManagedXsiSharedMemory, OpenMode, Permissions, Result, SegmentManager,
    XsiKey,
};
use std::ffi::{c_char, c_void};
use std::ops::Deref;
use std::ptr::{NonNull, null_mut};

enum Segment {
    Shm(ManagedSharedMemory),
    File(ManagedMappedFile),
    Heap(ManagedHeapMemory),
    External(ManagedExternalBuffer<'static>),
    Xsi(ManagedXsiSharedMemory),
}

/// A mapped managed segment of any kind.
pub struct interproc_managed_t {
    segment: Segment,
}

impl interproc_managed_t {
    fn manager(&self) -> &SegmentManager {
        match &self.segment {
            Segment::Shm(s) => s.deref(),
            Segment::File(s) => s.deref(),
            Segment::Heap(s) => s.deref(),
            Segment::External(s) => s.deref(),
            Segment::Xsi(s) => s.deref(),
        }
    }

    fn created(&self) -> bool {
        match &self.segment {
            Segment::Shm(s) => s.created(),
            Segment::File(s) => s.created(),
            Segment::Heap(_) => true,
            Segment::External(s) => s.created(),
            Segment::Xsi(s) => s.created(),
        }
    }
}

fn open_mode(creation: interproc_creation_t) -> Result<OpenMode> {
    Ok(match creation {
        types::INTERPROC_CREATE_ONLY => OpenMode::CreateOnly,
        types::INTERPROC_OPEN_ONLY => OpenMode::OpenOnly,
        types::INTERPROC_OPEN_OR_CREATE => OpenMode::OpenOrCreate,
        types::INTERPROC_OPEN_READ_ONLY => OpenMode::OpenReadOnly,
        types::INTERPROC_OPEN_COPY_ON_WRITE => OpenMode::OpenCopyOnWrite,
        other => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{other} is not a valid creation tag"),
            ));
        }
    })
}

fn finish(segment: Segment, out: *mut *mut interproc_managed_t) -> Result<()> {
    // SAFETY: callers checked `out` non-NULL; writable by the C caller's contract.
    unsafe {
        put(
            out,
            Box::into_raw(Box::new(interproc_managed_t { segment })),
        )
    };
    Ok(())
}

/// The signature of the placed openers of the named managed segments
/// ([`ManagedSharedMemory::at_address`], [`ManagedMappedFile::at_address`]).
type OpenAt<S> = fn(OpenMode, &str, (u64, u64), Permissions, Option<NonNull<u8>>) -> Result<S>;

/// A kind of named managed segment: its placed opener, the handle's variant for it, and
/// what its name argument is called in errors.
struct NamedKind<S> {
    arg: &'static str,
    open: OpenAt<S>,
    wrap: fn(S) -> Segment,
}

const SHM: NamedKind<ManagedSharedMemory> = NamedKind {
    arg: "name",
    open: ManagedSharedMemory::at_address,
    wrap: Segment::Shm,
};

const FILE: NamedKind<ManagedMappedFile> = NamedKind {
    arg: "path",
    open: ManagedMappedFile::at_address,
    wrap: Segment::File,
};

impl<S> NamedKind<S> {
    /// Opens the segment `name` of this kind as the `_open_at` entry points describe and
    /// stores a new handle in `*out`. `name` is checked first, then `out`, then `creation`.
    ///
    /// # Safety
    /// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
    unsafe fn open(
        &self,
        creation: interproc_creation_t,
        name: *const c_char,
        sizes: (u64, u64),
        perm: u32,
        addr: *mut c_void,
        out: *mut *mut interproc_managed_t,
    ) -> interproc_status_t {
        boundary(|| {
            // SAFETY: `name` is NULL or a NUL-terminated string readable for the whole call
            // (this fn's `# Safety` contract).
            let name = unsafe { str_arg(name, self.arg) }?;
            out_arg(out, "out")?;
            let seg = (self.open)(
                open_mode(creation)?,
                name,
                sizes,
                Permissions::from_mode(perm),
                NonNull::new(addr.cast()),
            )?;
            finish((self.wrap)(seg), out)
        })
    }
}

/// Opens or creates the managed shared memory segment `name` (`/dev/shm/<name>`).
/// `creation` is one of `INTERPROC_CREATE_ONLY`, `INTERPROC_OPEN_ONLY`,
/// `INTERPROC_OPEN_OR_CREATE`, `INTERPROC_OPEN_READ_ONLY`, `INTERPROC_OPEN_COPY_ON_WRITE`;
/// `size` and `perm` are used when the segment is created. Among processes racing with
/// `INTERPROC_OPEN_OR_CREATE` exactly one creates (see `interproc_managed_created`); the
/// others wait for it as long as it lives. If the creator died half-way, the next
/// `INTERPROC_OPEN_OR_CREATE` builds the segment anew and `INTERPROC_OPEN_ONLY` gets
/// `INTERPROC_CORRUPTED_ERROR` at once.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_shm_open(
    creation: interproc_creation_t,
    name: *const c_char,
    size: u64,
    perm: u32,
    out: *mut *mut interproc_managed_t,
) -> interproc_status_t {
    // SAFETY: the caller's contract for this fn (`name` NULL or a NUL-terminated string,
    // `out` NULL or writable) is the growable opener's; no maximum asks for none.
    unsafe { interproc_managed_shm_open_growable(creation, name, size, 0, perm, out) }
}

/// As `interproc_managed_shm_open`; a segment this creates grows while mapped up to
/// `max_size` bytes (0: only offline). Every process maps the maximum at once, so the base
/// never moves: an allocation that does not fit grows the segment (doubling, at most to
/// the maximum, the memory reserved at once), and other processes reach the new memory
/// through their pointers with no call. An existing segment keeps its own maximum.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_shm_open_growable(
    creation: interproc_creation_t,
    name: *const c_char,
    size: u64,
    max_size: u64,
    perm: u32,
    out: *mut *mut interproc_managed_t,
) -> interproc_status_t {
    // SAFETY: the caller's contract for this fn (`name` NULL or a NUL-terminated string,
    // `out` NULL or writable) is the placed opener's; no address asks for none.
    unsafe { interproc_managed_shm_open_at(creation, name, size, max_size, perm, null_mut(), out) }
}

/// As `interproc_managed_shm_open_growable`, mapping the segment at `addr` when it is not
/// NULL (Boost's `addr` argument): the range must be free, never replaced
/// (`INTERPROC_INVALID_ARGUMENT`, or the OS's error, if it is in use or misaligned).
/// Processes that map a segment at one address may keep raw pointers into it.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_shm_open_at(
    creation: interproc_creation_t,
    name: *const c_char,
    size: u64,
    max_size: u64,
    perm: u32,
    addr: *mut c_void,
    out: *mut *mut interproc_managed_t,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string, `out` NULL or writable (this fn's
    // `# Safety` contract), as `NamedKind::open` requires.
    unsafe { SHM.open(creation, name, (size, max_size), perm, addr, out) }
}

/// As `interproc_managed_file_open`, growing while mapped up to `max_size` bytes, as
/// `interproc_managed_shm_open_growable`.
///
/// # Safety
/// `path` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_file_open_growable(
    creation: interproc_creation_t,
    path: *const c_char,
    size: u64,
    max_size: u64,
    perm: u32,
    out: *mut *mut interproc_managed_t,
) -> interproc_status_t {
    // SAFETY: the caller's contract for this fn (`path` NULL or a NUL-terminated string,
    // `out` NULL or writable) is the placed opener's; no address asks for none.
    unsafe { interproc_managed_file_open_at(creation, path, size, max_size, perm, null_mut(), out) }
}

/// As `interproc_managed_file_open_growable`, mapping the file at `addr` when it is not
/// NULL, as `interproc_managed_shm_open_at`.
///
/// # Safety
/// `path` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_file_open_at(
    creation: interproc_creation_t,
    path: *const c_char,
    size: u64,
    max_size: u64,
    perm: u32,
    addr: *mut c_void,
    out: *mut *mut interproc_managed_t,
) -> interproc_status_t {
    // SAFETY: `path` is NULL or a NUL-terminated string, `out` NULL or writable (this fn's
    // `# Safety` contract), as `NamedKind::open` requires.
    unsafe { FILE.open(creation, path, (size, max_size), perm, addr, out) }
}

/// Opens or creates a managed segment in the file `path`, as `interproc_managed_shm_open`.
///
/// # Safety
/// `path` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_file_open(
    creation: interproc_creation_t,
    path: *const c_char,
    size: u64,
    perm: u32,
    out: *mut *mut interproc_managed_t,
) -> interproc_status_t {
    // SAFETY: the caller's contract for this fn (`path` NULL or a NUL-terminated string,
    // `out` NULL or writable) is the growable opener's; no maximum asks for none.
    unsafe { interproc_managed_file_open_growable(creation, path, size, 0, perm, out) }
}

/// Creates a managed segment of `size` bytes in this process's heap.
///
/// # Safety
/// `out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_heap_new(
    size: u64,
    out: *mut *mut interproc_managed_t,
) -> interproc_status_t {
    boundary(|| {
        out_arg(out, "out")?;
        finish(Segment::Heap(ManagedHeapMemory::new(size)?), out)
    })
}

/// Formats (`INTERPROC_CREATE_ONLY`) or opens (`INTERPROC_OPEN_ONLY`) a managed segment in
/// the caller's buffer `[addr, addr + size)`, which must be 16-byte aligned.
///
/// # Safety
/// The buffer must be writable, outlive the handle, and be used by nothing else except
/// through segment managers; `out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_external_open(
    creation: interproc_creation_t,
    addr: *mut c_void,
    size: usize,
    out: *mut *mut interproc_managed_t,
) -> interproc_status_t {
    boundary(|| {
        out_arg(out, "out")?;
        let create = match creation {
            types::INTERPROC_CREATE_ONLY => true,
            types::INTERPROC_OPEN_ONLY => false,
            other => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "{other}: an external buffer takes INTERPROC_CREATE_ONLY or INTERPROC_OPEN_ONLY"
                    ),
                ));
            }
        };
        // SAFETY: `addr` is NULL or memory readable and writable for `size` bytes, used by
        // nothing else while the segment lives (this fn's `# Safety` contract), which is
        // `from_raw`'s.
        let seg = unsafe { ManagedExternalBuffer::from_raw(create, addr.cast(), size) }?;
        finish(Segment::External(seg), out)
    })
}

/// Opens or creates a managed segment in System V shared memory of `key`
/// (`INTERPROC_CREATE_ONLY`, `INTERPROC_OPEN_ONLY`, `INTERPROC_OPEN_OR_CREATE`, or
/// `INTERPROC_OPEN_READ_ONLY`, which attaches an existing segment read-only).
///
/// # Safety
/// `out` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_xsi_open(
    creation: interproc_creation_t,
    key: i32,
    size: u64,
    perm: u32,
    out: *mut *mut interproc_managed_t,
) -> interproc_status_t {
    boundary(|| {
        out_arg(out, "out")?;
        let seg = ManagedXsiSharedMemory::new(
            open_mode(creation)?,
            XsiKey::from_raw(key),
            size,
            Permissions::from_mode(perm),
        )?;
        finish(Segment::Xsi(seg), out)
    })
}

/// Unmaps the segment (it stays in the system until removed). NULL is ignored.
///
/// # Safety
/// `m` must be NULL or a handle from this library; neither it, its segment manager nor any
/// address inside the segment may be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_free(m: *mut interproc_managed_t) {
    // SAFETY: `m` is NULL or a handle from this API that the caller gives up here (this fn's `#
    // Safety` contract).
    unsafe { free_handle(m) }
}

/// The segment manager of the segment (its in-segment address); NULL for NULL.
///
/// # Safety
/// `m` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_segment_manager(
    m: *const interproc_managed_t,
) -> *mut interproc_segment_manager_t {
    // SAFETY: `m` is NULL or a live handle for the whole call (this fn's `# Safety` contract);
    // `as_ref` turns NULL into `None`.
    boundary_value(std::ptr::null_mut(), || {
        unsafe { m.as_ref() }.map_or(std::ptr::null_mut(), |m| m.manager().as_ptr().cast())
    })
}

/// Whether opening created the segment (false when it opened an existing one).
///
/// # Safety
/// `m` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_created(m: *const interproc_managed_t) -> bool {
    // SAFETY: `m` is NULL or a live handle for the whole call (this fn's `# Safety` contract);
    // `as_ref` turns NULL into `None`.
    boundary_value(false, || unsafe { m.as_ref() }.is_some_and(|m| m.created()))
}

/// The segment's base address in this process; NULL for NULL.
///
/// # Safety
/// `m` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_address(m: *const interproc_managed_t) -> *mut c_void {
    // SAFETY: `m` is NULL or a live handle for the whole call (this fn's `# Safety` contract);
    // `as_ref` turns NULL into `None`.
    boundary_value(std::ptr::null_mut(), || {
        unsafe { m.as_ref() }.map_or(std::ptr::null_mut(), |m| m.manager().as_ptr().cast())
    })
}

/// Writes a mapped file's modified pages to disk and waits (other kinds: nothing to do).
///
/// # Safety
/// `m` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_flush(
    m: *const interproc_managed_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `m` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        match &unsafe { handle_arg(m, "segment") }?.segment {
            Segment::File(f) => f.flush(),
            _ => Ok(()),
        }
    })
}

/// Grows a heap segment (the memory moves: only handles stay valid) or an external buffer
/// segment (the caller promises the buffer is `extra` bytes longer) by `extra` bytes.
/// Shared memory and files created with a maximum size grow while mapped, as
/// `interproc_segment_grow`; others grow offline with `interproc_managed_shm_grow` /
/// `interproc_managed_file_grow`, and for them this gives `INTERPROC_INVALID_ARGUMENT`.
///
/// # Safety
/// `m` must be NULL or a live handle; for an external buffer, the buffer must really be
/// `extra` bytes longer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_grow(
    m: *mut interproc_managed_t,
    extra: u64,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `m` is NULL or a live handle that nothing else uses during the call (this
        // fn's `# Safety` contract).
        match &mut unsafe { handle_arg_mut(m, "segment") }?.segment {
            Segment::Heap(h) => h.grow(extra),
            // SAFETY: the external buffer really is `extra` bytes longer now (this fn's
            // `# Safety` contract), which is what `grow` requires.
            Segment::External(e) => unsafe { e.grow(extra) },
            Segment::Shm(s) => s.deref().grow(extra),
            Segment::File(f) => f.deref().grow(extra),
            Segment::Xsi(_) => Err(Error::new(
                ErrorKind::InvalidArgument,
                "a System V segment cannot grow",
            )),
        }
    })
}

/// Grows the managed shared memory segment `name` by `extra` bytes. Offline, as in Boost:
/// no process may have the segment mapped.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_shm_grow(
    name: *const c_char,
    extra: u64,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string readable for the whole call (this fn's
    // `# Safety` contract).
    boundary(|| ManagedSharedMemory::grow(unsafe { str_arg(name, "name") }?, extra))
}

/// Shrinks the managed shared memory segment `name` to what it uses (offline).
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_shm_shrink_to_fit(
    name: *const c_char,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string readable for the whole call (this fn's
    // `# Safety` contract).
    boundary(|| ManagedSharedMemory::shrink_to_fit(unsafe { str_arg(name, "name") }?))
}

/// Grows the managed mapped file `path` by `extra` bytes (offline).
///
/// # Safety
/// `path` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_file_grow(
    path: *const c_char,
    extra: u64,
) -> interproc_status_t {
    // SAFETY: `path` is NULL or a NUL-terminated string readable for the whole call (this fn's
    // `# Safety` contract).
    boundary(|| ManagedMappedFile::grow(unsafe { str_arg(path, "path") }?, extra))
}

/// Shrinks the managed mapped file `path` to what it uses (offline).
///
/// # Safety
/// `path` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_file_shrink_to_fit(
    path: *const c_char,
) -> interproc_status_t {
    // SAFETY: `path` is NULL or a NUL-terminated string readable for the whole call (this fn's
    // `# Safety` contract).
    boundary(|| ManagedMappedFile::shrink_to_fit(unsafe { str_arg(path, "path") }?))
}

/// Stores the System V id of a `interproc_managed_xsi_open` segment in `*shmid`.
///
/// # Safety
/// `m` must be NULL or a live handle; `shmid` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_managed_xsi_shmid(
    m: *const interproc_managed_t,
    shmid: *mut i32,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `m` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let m = unsafe { handle_arg(m, "segment") }?;
        out_arg(shmid, "shmid")?;
        match &m.segment {
            Segment::Xsi(x) => {
                // SAFETY: checked non-NULL; writable by contract.
                unsafe { put(shmid, x.shmid()) };
                Ok(())
            }
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                "not a System V segment",
            )),
        }
    })
}
