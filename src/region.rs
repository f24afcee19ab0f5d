//! Mapped regions: Boost's `mapped_region` and `anonymous_shared_memory`.

use crate::access::Mode;
use crate::os::mmap::{self, MapKind};
use crate::os::{file, sysv};
use crate::{Error, ErrorKind, Result};
use std::os::fd::BorrowedFd;
use std::ptr::NonNull;

/// What a [`Mappable`] object offers to [`MappedRegion`].
#[doc(hidden)]
pub enum MappingSource<'a> {
    /// A file descriptor (POSIX shared memory or a file) opened with `mode`.
    Fd {
        fd: BorrowedFd<'a>,
        mode: Mode,
        what: &'a str,
    },
    /// A System V shared memory segment.
    Xsi { shmid: i32 },
}

/// An object that can be mapped: [`crate::SharedMemoryObject`], [`crate::FileMapping`],
/// [`crate::XsiSharedMemory`] (Boost's "MemoryMappable" concept).
pub trait Mappable {
    #[doc(hidden)]
    fn mapping_source(&self) -> MappingSource<'_>;
}

/// Access-pattern advice for [`MappedRegion::advise`] (Boost's `advice_types`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advice {
    /// No special treatment.
    Normal,
    /// Expect sequential access: read ahead aggressively.
    Sequential,
    /// Expect random access: read ahead little.
    Random,
    /// Expect access soon: start reading in.
    WillNeed,
    /// Do not expect access soon: the pages may be dropped (private changes are lost).
    DontNeed,
}

/// A range of an object mapped into this process's address space.
///
/// The mapping is released when the region is dropped. Other processes may map the same
/// object at other addresses, so what is stored inside must not contain raw pointers.
#[derive(Debug)]
pub struct MappedRegion {
    /// Start of the OS mapping (page-aligned); the user's bytes start `page_offset` later.
    base: *mut u8,
    /// Length of the OS mapping in bytes (0 once everything has been shrunk away).
    map_len: usize,
    page_offset: usize,
    size: usize,
    mode: Mode,
    xsi: bool,
    /// Offset in the object of the user's first byte.
    offset: u64,
}

// SAFETY: the region is plain memory owned by this value; it holds no thread-bound state.
unsafe impl Send for MappedRegion {}
// SAFETY: shared access only hands out raw pointers and copies; mutation needs `&mut self`
// or `unsafe` on the caller's side.
unsafe impl Sync for MappedRegion {}

fn size_error(msg: String) -> Error {
    Error::new(ErrorKind::Size, msg)
}

fn map_kind(mode: Mode) -> MapKind {
    MapKind {
        writable: matches!(mode, Mode::ReadWrite | Mode::CopyOnWrite),
        shared: matches!(mode, Mode::ReadOnly | Mode::ReadWrite),
    }
}

impl MappedRegion {
    /// Maps `len` bytes of the object open at `fd` from offset 0, whatever its size now:
    /// pages past its end fault until the object grows to hold them. Only for managed
    /// segments that grow while mapped, which never touch a byte the object does not
    /// hold yet (see `segment/manager/growth.rs`); every other mapping is checked
    /// against the object's size.
    /// At `address` if given: a range already in use there is an error, never replaced.
    pub(crate) fn map_growable(
        fd: BorrowedFd<'_>,
        mode: Mode,
        len: usize,
        address: Option<NonNull<u8>>,
    ) -> Result<Self> {
        let at = Self::placement(address, 0)?;
        let base = mmap::map_fd(fd, 0, len, map_kind(mode), at).map_err(|e| {
            e.into_error(format_args!(
                "reserving {len} bytes of address space for a growable segment"
            ))
        })?;
        Ok(MappedRegion {
            base: base.as_ptr(),
            map_len: len,
            page_offset: 0,
            size: len,
            mode,
            xsi: false,
            offset: 0,
        })
    }

    /// Maps `size` bytes of `object` starting at `offset` (any offset: page alignment is
    /// handled inside). A `size` of 0 maps to the end of the object. The range must lie
    /// inside the object: mapping past its end, or an empty object, is a `Size` error
    /// (Boost would map it and fault on access).
    pub fn new<M: Mappable + ?Sized>(
        object: &M,
        mode: Mode,
        offset: u64,
        size: usize,
    ) -> Result<Self> {
        Self::with_address(object, mode, offset, size, None)
    }

    /// As [`MappedRegion::new`], placing the user's first byte at `address`. The address
    /// must have the same offset within a page as `offset`, and the range must be free:
    /// an existing mapping is never replaced (Boost's `MAP_FIXED` would clobber it).
    pub fn with_address<M: Mappable + ?Sized>(
        object: &M,
        mode: Mode,
        offset: u64,
        size: usize,
        address: Option<NonNull<u8>>,
    ) -> Result<Self> {
        match object.mapping_source() {
            MappingSource::Fd {
                fd,
                mode: opened,
                what,
            } => Self::map_fd(fd, opened, what, mode, offset, size, address),
            MappingSource::Xsi { shmid } => Self::map_xsi(shmid, mode, offset, size, address),
        }
    }

    fn map_fd(
        fd: BorrowedFd<'_>,
        opened: Mode,
        what: &str,
        mode: Mode,
        offset: u64,
        size: usize,
        address: Option<NonNull<u8>>,
    ) -> Result<Self> {
        let kind = map_kind(mode);
        if mode == Mode::ReadWrite && opened != Mode::ReadWrite {
            return Err(Error::new(
                ErrorKind::Security,
                format!(
                    "cannot map {what:?} read_write: it was opened {}",
                    opened.boost_name()
                ),
            ));
        }
        let total = file::size(fd).map_err(|e| e.into_error(format_args!("mapping {what:?}")))?;
        if total == 0 {
            return Err(size_error(format!(
                "cannot map {what:?}: it is empty (size 0); truncate it first"
            )));
        }
        if offset >= total {
            return Err(size_error(format!(
                "cannot map {what:?} at offset {offset}: the object has only {total} bytes"
            )));
        }
        let size = if size == 0 {
            usize::try_from(total - offset).map_err(|_| {
                size_error(format!(
                    "cannot map {what:?}: too large for the address space"
                ))
            })?
        } else {
            if (size as u64) > total - offset {
                return Err(size_error(format!(
                    "cannot map {size} bytes of {what:?} at offset {offset}: the object has only {total} bytes"
                )));
            }
            size
        };
        let page = mmap::page_size() as u64;
        let page_offset = (offset % page) as usize;
        let at = Self::placement(address, page_offset)?;
        let map_len = size
            .checked_add(page_offset)
            .ok_or_else(|| size_error(format!("cannot map {size} bytes of {what:?}: too large")))?;
        let base =
            mmap::map_fd(fd, offset - page_offset as u64, map_len, kind, at).map_err(|e| {
                e.into_error(format_args!(
                    "mapping {size} bytes of {what:?} at offset {offset}"
                ))
            })?;
        Ok(MappedRegion {
            base: base.as_ptr(),
            map_len,
            page_offset,
            size,
            mode,
            xsi: false,
            offset,
        })
    }

    fn map_xsi(
        shmid: i32,
        mode: Mode,
        offset: u64,
        size: usize,
        address: Option<NonNull<u8>>,
    ) -> Result<Self> {
        let what = format!("System V segment {shmid}");
        let writable = mode.read_or_write(|m| {
            format!("cannot map {what} {m}: only read_only and read_write are possible")
        })?;
        if offset != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "cannot map {what} at offset {offset}: System V segments map whole, from offset 0"
                ),
            ));
        }
        let total = sysv::size(shmid).map_err(|e| e.into_error(format_args!("mapping {what}")))?;
        if size > total {
            return Err(size_error(format!(
                "cannot map {size} bytes of {what}: the segment has only {total} bytes"
            )));
        }
        let at = Self::placement(address, 0)?;
        let base = sysv::attach(shmid, writable, at)
            .map_err(|e| e.into_error(format_args!("attaching {what}")))?;
        Ok(MappedRegion {
            base: base.as_ptr(),
            map_len: total,
            page_offset: 0,
            size: if size == 0 { total } else { size },
            mode,
            xsi: true,
            offset: 0,
        })
    }

    fn placement(address: Option<NonNull<u8>>, page_offset: usize) -> Result<Option<NonNull<u8>>> {
        let Some(addr) = address else { return Ok(None) };
        let start = (addr.as_ptr() as usize).wrapping_sub(page_offset);
        if start % mmap::page_size() != 0 || start == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "address {addr:p} does not sit at offset {page_offset} of a page, as the mapping offset requires"
                ),
            ));
        }
        Ok(NonNull::new(start as *mut u8))
    }

    /// Maps `size` bytes of anonymous memory shared with the children this process forks:
    /// Boost's `anonymous_shared_memory`.
    pub fn anonymous(size: usize) -> Result<Self> {
        Self::anonymous_at(size, None)
    }

    /// As [`MappedRegion::anonymous`], at a chosen page-aligned address.
    pub fn anonymous_at(size: usize, address: Option<NonNull<u8>>) -> Result<Self> {
        if size == 0 {
            return Err(size_error("anonymous shared memory of size 0".into()));
        }
        let at = Self::placement(address, 0)?;
        let base = mmap::map_anonymous_shared(size, at).map_err(|e| {
            e.into_error(format_args!(
                "mapping {size} bytes of anonymous shared memory"
            ))
        })?;
        Ok(MappedRegion {
            base: base.as_ptr(),
            map_len: size,
            page_offset: 0,
            size,
            mode: Mode::ReadWrite,
            xsi: false,
            offset: 0,
        })
    }

    /// The address of the first mapped byte (Boost's `get_address`).
    pub fn as_ptr(&self) -> *mut u8 {
        self.base.wrapping_add(self.page_offset)
    }

    /// The number of mapped bytes (Boost's `get_size`): what was asked for, not rounded.
    pub fn len(&self) -> usize {
        self.size
    }

    /// Whether nothing is mapped (after shrinking everything away).
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// The mode the region was mapped with.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The mapped bytes as a slice.
    ///
    /// # Safety
    /// Other processes may write this memory at any time. The caller must make sure no one
    /// writes the bytes while the slice is alive (for example by holding a lock).
    pub unsafe fn as_slice(&self) -> &[u8] {
        // SAFETY: the range is mapped and readable for the region's lifetime; exclusivity
        // against writers is the caller's promise.
        unsafe { std::slice::from_raw_parts(self.as_ptr(), self.size) }
    }

    /// The mapped bytes as a mutable slice.
    ///
    /// # Safety
    /// As [`MappedRegion::as_slice`], and the region must be writable.
    pub unsafe fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as `as_slice`; writability is the caller's promise.
        unsafe { std::slice::from_raw_parts_mut(self.as_ptr(), self.size) }
    }

    fn check_range(&self, offset: usize, len: usize, verb: &str) -> Result<()> {
        match offset.checked_add(len) {
            Some(end) if end <= self.size => Ok(()),
            _ => Err(size_error(format!(
                "cannot {verb} {len} bytes at offset {offset}: the region has {} bytes",
                self.size
            ))),
        }
    }

    /// Copies bytes out of the region, starting at `offset`.
    pub fn read_at(&self, offset: usize, buf: &mut [u8]) -> Result<()> {
        self.check_range(offset, buf.len(), "read")?;
        // SAFETY: the range was checked to lie inside the live, readable mapping, and `buf`
        // is a distinct local buffer.
        unsafe {
            std::ptr::copy_nonoverlapping(self.as_ptr().add(offset), buf.as_mut_ptr(), buf.len())
        };
        Ok(())
    }

    /// Copies `data` into the region at `offset`. A read-only region gives a `Mode` error
    /// instead of a fault.
    pub fn write_at(&mut self, offset: usize, data: &[u8]) -> Result<()> {
        if matches!(self.mode, Mode::ReadOnly | Mode::ReadPrivate) {
            return Err(Error::new(
                ErrorKind::Mode,
                format!("cannot write to a region mapped {}", self.mode.boost_name()),
            ));
        }
        self.check_range(offset, data.len(), "write")?;
        // SAFETY: the range was checked to lie inside the live mapping, which is writable
        // in this mode; `data` cannot overlap the mapping through `&mut self`.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.as_ptr().add(offset), data.len())
        };
        Ok(())
    }

    /// Writes modified pages of `[offset, offset + len)` back to the object; `len` 0 means
    /// to the end. With `asynchronous` the write is scheduled rather than awaited.
    pub fn flush(&self, offset: usize, len: usize, asynchronous: bool) -> Result<()> {
        if offset > self.size {
            return Err(size_error(format!(
                "cannot flush from offset {offset}: the region has {} bytes",
                self.size
            )));
        }
        let len = if len == 0 { self.size - offset } else { len };
        self.check_range(offset, len, "flush")?;
        if self.xsi || len == 0 {
            return Ok(());
        }
        let start = self.page_offset + offset;
        let aligned = start - start % mmap::page_size();
        // SAFETY: `[aligned, start + len)` lies inside the live mapping `[base, base + map_len)`.
        unsafe { mmap::sync(self.base.add(aligned), start + len - aligned, asynchronous) }
            .map_err(|e| e.into_error("flushing a mapped region"))
    }

    /// Gives back `bytes` from the end (`from_back`) or the start of the region, unmapping
    /// the whole pages no longer used. From the front, the address moves forward.
    pub fn shrink_by(&mut self, bytes: usize, from_back: bool) -> Result<()> {
        if bytes > self.size {
            return Err(size_error(format!(
                "cannot shrink by {bytes} bytes: the region has {}",
                self.size
            )));
        }
        if self.xsi {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a System V attachment cannot be partially unmapped",
            ));
        }
        let page = mmap::page_size();
        if from_back {
            let new_size = self.size - bytes;
            let keep = (self.page_offset + new_size).div_ceil(page) * page;
            let keep = if new_size == 0 { 0 } else { keep };
            if keep < self.map_len {
                // SAFETY: `[base + keep, base + map_len)` is the unused tail of our mapping.
                unsafe { mmap::unmap(self.base.add(keep), self.map_len - keep) }
                    .map_err(|e| e.into_error("shrinking a mapped region"))?;
                self.map_len = keep;
            }
            self.size = new_size;
        } else if bytes == self.size {
            // Everything goes, including a partly used last page kept by an earlier
            // shrink from the back.
            if self.map_len > 0 {
                // SAFETY: `[base, base + map_len)` is our whole mapping, unused from now on.
                unsafe { mmap::unmap(self.base, self.map_len) }
                    .map_err(|e| e.into_error("shrinking a mapped region"))?;
            }
            self.map_len = 0;
            self.page_offset = 0;
            self.size = 0;
        } else {
            // `new_start < page_offset + size <= map_len`, so `drop < map_len`.
            let new_start = self.page_offset + bytes;
            let drop = new_start - new_start % page;
            if drop > 0 {
                // SAFETY: `[base, base + drop)` is the unused head of our mapping.
                unsafe { mmap::unmap(self.base, drop) }
                    .map_err(|e| e.into_error("shrinking a mapped region"))?;
                self.base = self.base.wrapping_add(drop);
                self.map_len -= drop;
            }
            self.page_offset = new_start - drop;
            self.size -= bytes;
            self.offset += bytes as u64;
        }
        Ok(())
    }

    /// Grows the region by `bytes` at its end, in place: its address never changes (Boost
    /// issue #253). `object` is the object it maps, which must already hold the new range
    /// (truncate it first; mapping past its end is a `Size` error, as for a new region).
    /// If the addresses after the region are taken, it is an `OutOfMemory` error and the
    /// region stays as it was. Anonymous and System V regions cannot grow.
    pub fn grow_by<M: Mappable + ?Sized>(&mut self, object: &M, bytes: usize) -> Result<()> {
        let MappingSource::Fd { fd, what, .. } = object.mapping_source() else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a System V region cannot grow in place",
            ));
        };
        if self.map_len == 0 {
            return Err(size_error("cannot grow a region shrunk to nothing".into()));
        }
        let total = file::size(fd).map_err(|e| e.into_error(format_args!("sizing {what:?}")))?;
        let new_size = self
            .size
            .checked_add(bytes)
            .ok_or_else(|| size_error(format!("cannot grow the region by {bytes} bytes")))?;
        if self.offset + new_size as u64 > total {
            return Err(size_error(format!(
                "cannot grow the region to {new_size} bytes from offset {} of {what:?}: the object has only {total} bytes",
                self.offset
            )));
        }
        let page = mmap::page_size();
        let new_map_len = (self.page_offset + new_size).next_multiple_of(page);
        if new_map_len > self.map_len {
            // SAFETY: `[base, base + map_len)` is this region's whole mapping, page-aligned.
            unsafe { mmap::grow_in_place(self.base, self.map_len, new_map_len) }
                .map_err(|e| e.into_error(format_args!("growing a region of {what:?} in place")))?;
            self.map_len = new_map_len;
        }
        self.size = new_size;
        Ok(())
    }

    /// Tells the OS how the region will be used.
    pub fn advise(&self, advice: Advice) -> Result<()> {
        if self.map_len == 0 {
            return Ok(());
        }
        let a = match advice {
            Advice::Normal => mmap::Advice::Normal,
            Advice::Sequential => mmap::Advice::Sequential,
            Advice::Random => mmap::Advice::Random,
            Advice::WillNeed => mmap::Advice::WillNeed,
            Advice::DontNeed => mmap::Advice::DontNeed,
        };
        // SAFETY: the whole live mapping; DontNeed is the caller's explicit request.
        unsafe { mmap::advise(self.base, self.map_len, a) }
            .map_err(|e| e.into_error("advising a mapped region"))
    }

    /// The system page size (Boost's static `get_page_size`).
    pub fn page_size() -> usize {
        mmap::page_size()
    }

    /// Exchanges two regions.
    pub fn swap(&mut self, other: &mut MappedRegion) {
        std::mem::swap(self, other);
    }
}

impl Drop for MappedRegion {
    fn drop(&mut self) {
        if self.xsi {
            // SAFETY: `base` is our attachment and nothing uses it after drop.
            let _ = unsafe { sysv::detach(self.base) };
        } else if self.map_len > 0 {
            // SAFETY: `[base, base + map_len)` is our mapping and nothing uses it after drop.
            let _ = unsafe { mmap::unmap(self.base, self.map_len) };
        }
    }
}
