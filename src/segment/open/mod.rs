//! Opening and creating managed segments over each kind of memory.
//!
//! Segments come into being by the publish protocol of [`crate::publish`]: among many
//! processes calling `open_or_create` at once exactly one builds the segment, the others
//! sleep until it is published, and a creator that died half-way is replaced by the next
//! `open_or_create` (an `open_only` says so at once). System V memory, which has no
//! descriptor to lock, is the exception: its openers wait for the state word, for a bounded
//! time.

use super::manager::{self, GrowthBacking, HEADER_SIZE, STATE_WORD, SegmentHeader, SegmentManager};
use crate::name::c_path;
use crate::os::spin::Naps;
use crate::os::{self, file};
use crate::publish::{self, Turn};
use crate::region::MappingSource;
use crate::{
    Error, ErrorKind, FileMapping, Mappable, MappedRegion, Mode, Permissions, Result,
    SharedMemoryObject, XsiSharedMemory,
};
use std::ops::Deref;
use std::os::fd::{AsFd, BorrowedFd};
use std::ptr::NonNull;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

mod local;
mod xsi;

pub use local::{ManagedExternalBuffer, ManagedHeapMemory};
pub use xsi::ManagedXsiSharedMemory;

/// How long an opener waits for another process to finish creating a segment.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How to open a managed segment (Boost's creation tags for managed segments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Create a new segment; fail if it exists.
    CreateOnly,
    /// Open an existing segment read-write.
    OpenOnly,
    /// Open the segment, creating it if it is missing.
    OpenOrCreate,
    /// Open an existing segment read-only: only `find` and queries work.
    OpenReadOnly,
    /// Open an existing segment privately: changes stay in this process.
    OpenCopyOnWrite,
}

impl OpenMode {
    fn map_mode(self) -> Mode {
        match self {
            OpenMode::OpenReadOnly => Mode::ReadOnly,
            OpenMode::OpenCopyOnWrite => Mode::CopyOnWrite,
            _ => Mode::ReadWrite,
        }
    }

    fn object_mode(self) -> Mode {
        match self {
            OpenMode::OpenReadOnly | OpenMode::OpenCopyOnWrite => Mode::ReadOnly,
            _ => Mode::ReadWrite,
        }
    }
}

/// A mapped, validated segment and its manager.
#[derive(Debug)]
struct Mapped {
    region: MappedRegion,
    manager: SegmentManager,
    created: bool,
    /// This process's hold on a segment that grows while mapped; `manager` points to it.
    growth: Option<Box<GrowthBacking>>,
}

impl Drop for Mapped {
    fn drop(&mut self) {
        manager::MAPPINGS.unregister(self.region.as_ptr());
    }
}

fn base_of(region: &MappedRegion) -> NonNull<u8> {
    NonNull::new(region.as_ptr()).expect("a mapped region is never at address 0")
}

/// Formats a freshly created segment mapped read-write: all of the region, or `size`
/// bytes of it when it grows while mapped (`growth`, whose maximum the region maps).
fn format_new(
    region: MappedRegion,
    size: u64,
    growth: Option<Box<GrowthBacking>>,
) -> Result<Mapped> {
    let base = base_of(&region);
    let max = if growth.is_some() {
        region.len() as u64
    } else {
        0
    };
    let size = if growth.is_some() {
        size
    } else {
        region.len() as u64
    };
    // SAFETY: the region was just mapped read-write over an object this process created
    // exclusively, and the object holds `size` bytes of it; openers only read the
    // atomics while it is being formatted.
    unsafe { SegmentManager::format(base, size, max)? };
    Ok(mapped(region, false, true, growth))
}

/// Registers a validated or formatted segment and makes its manager.
fn mapped(
    region: MappedRegion,
    read_only: bool,
    created: bool,
    growth: Option<Box<GrowthBacking>>,
) -> Mapped {
    let base = base_of(&region);
    manager::MAPPINGS.register(base.as_ptr(), region.len(), read_only, growth.as_deref());
    let hold = growth.as_deref().map(NonNull::from);
    // SAFETY: validated or formatted by the caller; stays mapped as long as `region`, and
    // the hold as long as `growth`, both owned by the `Mapped` made here.
    let manager = unsafe { SegmentManager::from_base(base, region.len(), read_only, hold) };
    Mapped {
        region,
        manager,
        created,
        growth,
    }
}

/// Where a segment is mapped: anywhere (`None`), or at a fixed address that must be free
/// (`MAP_FIXED_NOREPLACE`; a range in use is an error, never replaced).
type At = Option<NonNull<u8>>;

/// Checks `max`, a segment's maximum size read from its header, and reserves that much
/// address space over the object at `fd`, read-write unless `mode` says otherwise.
fn map_maximum(
    fd: BorrowedFd<'_>,
    mode: Mode,
    max: u64,
    at: At,
    what: &str,
) -> Result<MappedRegion> {
    let len = usize::try_from(max).map_err(|_| {
        Error::new(
            ErrorKind::Corrupted,
            format!("{what} grows to {max} bytes, more than this process can map"),
        )
    })?;
    MappedRegion::map_growable(fd, mode, len, at)
}

/// The hold on a growable segment whose object is open at `fd`: a descriptor of its own.
fn hold(fd: BorrowedFd<'_>, max: u64, size: u64, writable: bool) -> Result<Box<GrowthBacking>> {
    let own = fd.try_clone_to_owned().map_err(|e| {
        Error::new(
            ErrorKind::OutOfResource,
            format!("duplicating a descriptor: {e}"),
        )
    })?;
    Ok(GrowthBacking::new(own, max, size, writable))
}

/// Decides by the publish protocol whether the caller builds the segment behind `fd` or
/// opens it.
fn turn<'a>(fd: BorrowedFd<'a>, may_build: bool, what: &str) -> Result<Turn<'a>> {
    publish::take_turn(fd, STATE_WORD, may_build, what)
}

/// Maps an existing segment and validates it; its creator has published it (see
/// [`turn`]), except for System V memory, which [`wait_published`] waits for.
fn attach<M: Mappable>(object: &M, what: &str, mode: OpenMode, at: At) -> Result<Mapped> {
    let region = MappedRegion::with_address(object, mode.map_mode(), 0, 0, at)?;
    if (region.len() as u64) < HEADER_SIZE {
        return Err(Error::new(
            ErrorKind::Corrupted,
            format!("{what} is too small to hold a segment header"),
        ));
    }
    let base = base_of(&region);
    // SAFETY: the mapping holds at least HEADER_SIZE bytes, and the state word is an
    // aligned u32 inside the header.
    let state = unsafe { &(*base.as_ptr().cast::<SegmentHeader>()).init_state };
    publish::check_published(state, what)?;
    let context = |e: Error| Error::new(e.kind(), format!("{what}: {}", e.message()));
    // SAFETY: the region is mapped and readable for its whole length.
    unsafe { SegmentManager::validate(base, region.len() as u64) }.map_err(context)?;
    let read_only = mode == OpenMode::OpenReadOnly;
    if mode == OpenMode::OpenCopyOnWrite {
        // SAFETY: validated above, in the private mapping just made, not yet shared with
        // any thread.
        unsafe { SegmentManager::own_private_lock(base) };
    }
    // SAFETY: validated above.
    let max = unsafe { SegmentManager::size_at(base) }.1;
    let fd = match object.mapping_source() {
        MappingSource::Fd { fd, .. } => Some(fd),
        MappingSource::Xsi { .. } => None,
    };
    // A private copy does not follow the object's growth: it keeps what it mapped.
    let Some(fd) = fd.filter(|_| max != 0 && mode != OpenMode::OpenCopyOnWrite) else {
        return Ok(mapped(region, read_only, false, None));
    };
    if region.len() as u64 > max {
        return Err(context(Error::new(
            ErrorKind::Corrupted,
            format!(
                "the object holds {} bytes, more than the maximum {max}",
                region.len()
            ),
        )));
    }
    drop(region);
    let region = map_maximum(fd, mode.map_mode(), max, at, what)?;
    let base = base_of(&region);
    // Everything again over the new mapping: the header may have changed meanwhile. The
    // size is read before the object's size, and a grower reserves before it publishes,
    // so a size that a live grower wrote is always held.
    // SAFETY: `max` bytes are mapped, and at least the header is held (checked above).
    unsafe { SegmentManager::validate(base, max) }.map_err(context)?;
    // SAFETY: `max` bytes are mapped at `base` and the header validated just above.
    let (size, max_now) = unsafe { SegmentManager::size_at(base) };
    let held = file::size(fd).map_err(|e| e.into_error(format_args!("sizing {what}")))?;
    if max_now != max || size > held {
        return Err(context(Error::new(
            ErrorKind::Corrupted,
            format!(
                "the header says {size} bytes growing to {max_now}, but the object holds {held} and {max} are mapped"
            ),
        )));
    }
    let growth = hold(fd, max, size, !read_only)?;
    Ok(mapped(region, read_only, false, Some(growth)))
}

/// System V memory has no descriptor to hold a build lock on, so an opener of a segment
/// that another process is still building waits for its state word, for a bounded time.
/// This is the one place where a dead creator is found by a timeout (see `publish`).
fn wait_published(xsi: &XsiSharedMemory, what: &str) -> Result<()> {
    let start = Instant::now();
    let mut naps = Naps::every(Duration::from_millis(1));
    loop {
        if xsi.size()? as u64 >= HEADER_SIZE {
            let region = MappedRegion::new(xsi, Mode::ReadOnly, 0, 0)?;
            // SAFETY: at least HEADER_SIZE bytes are mapped; the state word is an aligned
            // u32 inside the header.
            let state = unsafe { &(*region.as_ptr().cast::<SegmentHeader>()).init_state };
            if publish::is_published(state) {
                return Ok(());
            }
            // Relaxed: only compared, to tell a segment being built from anything else.
            match state.load(Ordering::Relaxed) {
                0 | publish::BUILDING => {}
                other => {
                    return Err(Error::new(
                        ErrorKind::Corrupted,
                        format!(
                            "{what} is not an interproc managed segment (state word {other:#x})"
                        ),
                    ));
                }
            }
        }
        if start.elapsed() > INIT_TIMEOUT {
            return Err(Error::new(
                ErrorKind::Corrupted,
                format!("{what} is still not initialised after {INIT_TIMEOUT:?}"),
            ));
        }
        naps.take();
    }
}

/// Maps and formats a segment whose object `fd` was just sized to `size` bytes: all of it,
/// or, when it grows while mapped up to `max` bytes (not 0), the maximum.
fn build<M: Mappable>(
    object: &M,
    fd: BorrowedFd<'_>,
    (size, max): (u64, u64),
    at: At,
    what: &str,
) -> Result<Mapped> {
    if max == 0 {
        let region = MappedRegion::with_address(object, Mode::ReadWrite, 0, 0, at)?;
        return format_new(region, size, None);
    }
    let region = map_maximum(fd, Mode::ReadWrite, max, at, what)?;
    format_new(region, size, Some(hold(fd, max, size, true)?))
}

/// What building a segment over a freshly created (or abandoned) object takes: its size and
/// maximum, how to size the object, and how to remove it if the build fails.
struct ToBuild<'a> {
    sizes: (u64, u64),
    size_object: &'a dyn Fn() -> Result<()>,
    remove: &'a dyn Fn(),
}

/// The publish protocol's outcome for the object open at `fd`: this process builds the
/// segment (`to_build`), removing the object if that fails, or attaches to the one another
/// process published. `at` places the mapping (see [`At`]).
fn build_or_attach<M: Mappable>(
    object: &M,
    fd: BorrowedFd<'_>,
    may_build: bool,
    mode: OpenMode,
    at: At,
    to_build: &ToBuild<'_>,
    what: &str,
) -> Result<Mapped> {
    match turn(fd, may_build, what)? {
        Turn::Build(_building) => {
            let made =
                (to_build.size_object)().and_then(|_| build(object, fd, to_build.sizes, at, what));
            if made.is_err() {
                (to_build.remove)();
            }
            made
        }
        Turn::Open => attach(object, what, mode, at),
    }
}

/// A maximum size must be 0 (the segment grows only offline) or at least the size.
fn needs_max(mode: OpenMode, size: u64, max: u64) -> Result<()> {
    if max != 0 && max < size && matches!(mode, OpenMode::CreateOnly | OpenMode::OpenOrCreate) {
        return Err(Error::new(
            ErrorKind::Size,
            format!("a maximum size of {max} bytes is below the size, {size}"),
        ));
    }
    Ok(())
}

fn needs_size(mode: OpenMode, size: u64) -> Result<()> {
    if matches!(mode, OpenMode::CreateOnly | OpenMode::OpenOrCreate)
        && size < manager::MIN_SEGMENT_SIZE
    {
        return Err(Error::new(
            ErrorKind::Size,
            format!(
                "a managed segment needs at least {} bytes, {size} asked",
                manager::MIN_SEGMENT_SIZE
            ),
        ));
    }
    Ok(())
}

/// The parts every named managed segment type shares, around its own `at_address`: the
/// constructors `new` (fixed size) and `with_max_size` (growing while mapped), each with
/// the doc comment given, and `Deref` to its segment manager. `$arg` names the name or
/// path argument.
macro_rules! named_segment {
    (
        $ty:ident, $arg:ident,
        $(#[$new_doc:meta])* new;
        $(#[$max_doc:meta])* with_max_size;
    ) => {
        impl $ty {
            $(#[$new_doc])*
            pub fn new(mode: OpenMode, $arg: &str, size: u64, perm: Permissions) -> Result<Self> {
                Self::with_max_size(mode, $arg, size, 0, perm)
            }

            $(#[$max_doc])*
            pub fn with_max_size(
                mode: OpenMode,
                $arg: &str,
                size: u64,
                max_size: u64,
                perm: Permissions,
            ) -> Result<Self> {
                Self::at_address(mode, $arg, (size, max_size), perm, None)
            }
        }

        impl Deref for $ty {
            type Target = SegmentManager;
            fn deref(&self) -> &SegmentManager {
                &self.seg.manager
            }
        }
    };
}

/// A managed segment in POSIX shared memory (`/dev/shm/<name>`): Boost's
/// `managed_shared_memory`.
#[derive(Debug)]
pub struct ManagedSharedMemory {
    seg: Mapped,
    name: String,
}

named_segment! {
    ManagedSharedMemory, name,
    /// Opens or creates the segment `name` as `mode` says; `size` and `perm` are used when
    /// it is created.
    new;
    /// As [`ManagedSharedMemory::new`]; a segment this creates grows while mapped, up to
    /// `max_size` bytes (0: it grows only offline, as Boost's). Every process maps the
    /// maximum at once, so its base never moves; an allocation that does not fit grows the
    /// segment (doubling, at most to the maximum), and [`SegmentManager::grow`] grows it
    /// on request. An existing segment keeps the maximum it was created with.
    with_max_size;
}

impl ManagedSharedMemory {
    /// As [`ManagedSharedMemory::with_max_size`] (`sizes` is the size and the maximum),
    /// mapped at `address` when one is given, as Boost's `addr` argument does: the range
    /// must be free (it is never replaced), and every process that maps the segment at the
    /// same address can use raw pointers into it (`fixed_managed_shared_memory`).
    pub fn at_address(
        mode: OpenMode,
        name: &str,
        (size, max_size): (u64, u64),
        perm: Permissions,
        address: Option<NonNull<u8>>,
    ) -> Result<Self> {
        needs_size(mode, size)?;
        needs_max(mode, size, max_size)?;
        let what = format!("managed shared memory {name:?}");
        let (shm, created) = match mode {
            OpenMode::CreateOnly => (
                SharedMemoryObject::create(name, Mode::ReadWrite, perm)?,
                true,
            ),
            OpenMode::OpenOrCreate => {
                let shm = SharedMemoryObject::open_or_create(name, Mode::ReadWrite, perm)?;
                let created = shm.created();
                (shm, created)
            }
            _ => (SharedMemoryObject::open(name, mode.object_mode())?, false),
        };
        let may_build = created || mode == OpenMode::OpenOrCreate;
        let to_build = ToBuild {
            sizes: (size, max_size),
            // Emptied first: a builder that died may have left part of its work.
            size_object: &|| shm.truncate(0).and_then(|_| shm.truncate(size)),
            remove: &|| {
                SharedMemoryObject::remove(name);
            },
        };
        let seg = build_or_attach(
            &shm,
            shm.as_fd(),
            may_build,
            mode,
            address,
            &to_build,
            &what,
        )?;
        Ok(ManagedSharedMemory {
            seg,
            name: name.to_owned(),
        })
    }

    /// `create_only`.
    pub fn create(name: &str, size: u64, perm: Permissions) -> Result<Self> {
        Self::new(OpenMode::CreateOnly, name, size, perm)
    }

    /// `open_only`.
    pub fn open(name: &str) -> Result<Self> {
        Self::new(OpenMode::OpenOnly, name, 0, Permissions::DEFAULT)
    }

    /// `open_or_create`.
    pub fn open_or_create(name: &str, size: u64, perm: Permissions) -> Result<Self> {
        Self::new(OpenMode::OpenOrCreate, name, size, perm)
    }

    /// The name of the segment.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this call created the segment (rather than opening an existing one).
    pub fn created(&self) -> bool {
        self.seg.created
    }

    /// The segment's base address in this process.
    pub fn address(&self) -> *mut u8 {
        self.seg.region.as_ptr()
    }

    /// Grows the segment `name` by `extra` bytes. As in Boost, this is offline: no process
    /// may have the segment mapped while it runs; a segment created with a maximum size
    /// grows online instead (see [`SegmentManager::grow`]).
    pub fn grow(name: &str, extra: u64) -> Result<()> {
        let shm = SharedMemoryObject::open(name, Mode::ReadWrite)?;
        let what = format!("managed shared memory {name:?}");
        let old = {
            let _ = turn(shm.as_fd(), false, &what)?;
            let seg = attach(&shm, &what, OpenMode::OpenOnly, None)?;
            if seg.growth.is_some() {
                return seg.manager.grow(extra);
            }
            seg.manager.size() as u64
        };
        let new = old
            .checked_add(extra)
            .ok_or_else(|| Error::new(ErrorKind::Size, "size overflows"))?;
        shm.truncate(new)?;
        let seg = attach(&shm, &what, OpenMode::OpenOnly, None)?;
        seg.manager.extend(new)
    }

    /// Shrinks the segment `name` to what it uses (offline, as [`Self::grow`]).
    pub fn shrink_to_fit(name: &str) -> Result<()> {
        let shm = SharedMemoryObject::open(name, Mode::ReadWrite)?;
        let what = format!("managed shared memory {name:?}");
        let _ = turn(shm.as_fd(), false, &what)?;
        let new = attach(&shm, &what, OpenMode::OpenOnly, None)?
            .manager
            .shrink_tail()?;
        shm.truncate(new)
    }
}

/// A managed segment in a file: Boost's `managed_mapped_file`.
#[derive(Debug)]
pub struct ManagedMappedFile {
    seg: Mapped,
    path: String,
}

named_segment! {
    ManagedMappedFile, path,
    /// Opens or creates the file `path` as `mode` says; `size` and `perm` are used when it
    /// is created.
    new;
    /// As [`ManagedMappedFile::new`]; a file this creates grows while mapped, up to
    /// `max_size` bytes (0: only offline), as [`ManagedSharedMemory::with_max_size`].
    with_max_size;
}

impl ManagedMappedFile {
    /// As [`ManagedMappedFile::with_max_size`], mapped at `address` when one is given (see
    /// [`ManagedSharedMemory::at_address`]).
    pub fn at_address(
        mode: OpenMode,
        path: &str,
        (size, max_size): (u64, u64),
        perm: Permissions,
        address: Option<NonNull<u8>>,
    ) -> Result<Self> {
        needs_size(mode, size)?;
        needs_max(mode, size, max_size)?;
        let what = format!("managed mapped file {path:?}");
        let c = c_path(path)?;
        let created = match mode {
            OpenMode::CreateOnly | OpenMode::OpenOrCreate => {
                match file::create_file(&c, perm.mode()) {
                    Ok(fd) => {
                        if let Err(e) = file::set_permissions(fd.as_fd(), perm.mode()) {
                            let _ = file::unlink(&c);
                            return Err(e.into_error(format_args!("creating {what}")));
                        }
                        true
                    }
                    Err(e) if e.0 == libc::EEXIST && mode == OpenMode::OpenOrCreate => false,
                    Err(e) => return Err(e.into_error(format_args!("creating {what}"))),
                }
            }
            _ => false,
        };
        let may_build = created || mode == OpenMode::OpenOrCreate;
        let fm = FileMapping::new(
            path,
            if may_build {
                Mode::ReadWrite
            } else {
                mode.object_mode()
            },
        )?;
        let to_build = ToBuild {
            sizes: (size, max_size),
            size_object: &|| {
                build_file(fm.as_fd(), size)
                    .map_err(|e| e.into_error(format_args!("creating {what} of {size} bytes")))
            },
            remove: &|| {
                FileMapping::remove(path);
            },
        };
        let seg = build_or_attach(&fm, fm.as_fd(), may_build, mode, address, &to_build, &what)?;
        Ok(ManagedMappedFile {
            seg,
            path: path.to_owned(),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether this call created the file.
    pub fn created(&self) -> bool {
        self.seg.created
    }

    /// The segment's base address in this process.
    pub fn address(&self) -> *mut u8 {
        self.seg.region.as_ptr()
    }

    /// Writes the segment's modified pages to the file and waits for it.
    pub fn flush(&self) -> Result<()> {
        self.seg.region.flush(0, 0, false)
    }

    /// Grows the file `path` by `extra` bytes (offline: nobody may have it mapped; a file
    /// created with a maximum size grows online instead).
    pub fn grow(path: &str, extra: u64) -> Result<()> {
        let what = format!("managed mapped file {path:?}");
        let old = {
            let fm = FileMapping::new(path, Mode::ReadWrite)?;
            let _ = turn(fm.as_fd(), false, &what)?;
            let seg = attach(&fm, &what, OpenMode::OpenOnly, None)?;
            if seg.growth.is_some() {
                return seg.manager.grow(extra);
            }
            seg.manager.size() as u64
        };
        let new = old
            .checked_add(extra)
            .ok_or_else(|| Error::new(ErrorKind::Size, "size overflows"))?;
        resize_file(path, new)?;
        let fm = FileMapping::new(path, Mode::ReadWrite)?;
        attach(&fm, &what, OpenMode::OpenOnly, None)?
            .manager
            .extend(new)
    }

    /// Shrinks the file `path` to what the segment uses (offline, as [`Self::grow`]).
    pub fn shrink_to_fit(path: &str) -> Result<()> {
        let what = format!("managed mapped file {path:?}");
        let new = {
            let fm = FileMapping::new(path, Mode::ReadWrite)?;
            let _ = turn(fm.as_fd(), false, &what)?;
            attach(&fm, &what, OpenMode::OpenOnly, None)?
                .manager
                .shrink_tail()?
        };
        resize_file(path, new)
    }
}

/// Empties the file behind `fd` and gives it `size` reserved bytes (reserving is skipped
/// where the file system cannot).
fn build_file(fd: BorrowedFd<'_>, size: u64) -> std::result::Result<(), os::Errno> {
    file::set_len(fd, 0)?;
    match file::reserve(fd, 0, size) {
        Err(e) if e.0 != libc::EOPNOTSUPP => return Err(e),
        _ => {}
    }
    file::set_len(fd, size)
}

fn resize_file(path: &str, size: u64) -> Result<()> {
    let c = c_path(path)?;
    let fd =
        file::open_file(&c, true).map_err(|e| e.into_error(format_args!("opening {path:?}")))?;
    let fd = std::os::fd::AsFd::as_fd(&fd);
    let old = file::size(fd).map_err(|e| e.into_error(format_args!("resizing {path:?}")))?;
    if size > old {
        match file::reserve(fd, old, size - old) {
            Ok(()) => {}
            Err(e) if e.0 == libc::EOPNOTSUPP => {}
            Err(e) => return Err(e.into_error(format_args!("growing {path:?} to {size} bytes"))),
        }
    }
    file::set_len(fd, size)
        .map_err(|e| e.into_error(format_args!("resizing {path:?} to {size} bytes")))
}
