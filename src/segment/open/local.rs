//! Managed segments in this process's own memory: a heap block it owns
//! (`managed_heap_memory`) and a buffer the caller lends (`managed_external_buffer`).

use super::{HEADER_SIZE, OpenMode, SegmentHeader, SegmentManager, manager, needs_size};
use crate::publish;
use crate::{Error, ErrorKind, Result};
use std::ops::Deref;
use std::ptr::NonNull;

/// Owned, 16-byte aligned heap memory.
struct HeapBlock {
    ptr: NonNull<u8>,
    layout: std::alloc::Layout,
}

impl HeapBlock {
    fn new(size: u64) -> Result<HeapBlock> {
        let size =
            usize::try_from(size).map_err(|_| Error::new(ErrorKind::Size, "size too large"))?;
        let layout = std::alloc::Layout::from_size_align(size, 16).map_err(|_| {
            Error::new(ErrorKind::Size, format!("{size} bytes cannot be allocated"))
        })?;
        // SAFETY: the layout has a non-zero size (callers ask for at least MIN_SEGMENT_SIZE).
        let p = unsafe { std::alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(p).ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfMemory,
                format!("cannot allocate {size} bytes of heap memory"),
            )
        })?;
        Ok(HeapBlock { ptr, layout })
    }
}

impl Drop for HeapBlock {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

// SAFETY: the block is plain memory owned by this value.
unsafe impl Send for HeapBlock {}
// SAFETY: shared access goes through the segment manager's lock.
unsafe impl Sync for HeapBlock {}

/// A managed segment in this process's heap: Boost's `managed_heap_memory`. Useful to
/// build a segment's contents before copying them, and for tests.
pub struct ManagedHeapMemory {
    block: HeapBlock,
    manager: SegmentManager,
}

impl std::fmt::Debug for ManagedHeapMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagedHeapMemory")
            .field("size", &self.manager.size())
            .finish()
    }
}

impl ManagedHeapMemory {
    /// A new segment of `size` bytes.
    pub fn new(size: u64) -> Result<Self> {
        needs_size(OpenMode::CreateOnly, size)?;
        let block = HeapBlock::new(size)?;
        // SAFETY: fresh, zeroed, exclusively owned memory of `size` bytes.
        unsafe { SegmentManager::format(block.ptr, size, 0)? };
        manager::MAPPINGS.register(block.ptr.as_ptr(), size as usize, false, None);
        // SAFETY: formatted above; lives as long as `block`.
        let manager = unsafe { SegmentManager::from_base(block.ptr, size as usize, false, None) };
        Ok(ManagedHeapMemory { block, manager })
    }

    /// Grows the segment by `extra` bytes. The memory moves: addresses obtained before
    /// are invalid afterwards (handles stay valid), as with Boost.
    pub fn grow(&mut self, extra: u64) -> Result<()> {
        let old = self.manager.size() as u64;
        let new = old
            .checked_add(extra)
            .ok_or_else(|| Error::new(ErrorKind::Size, "size overflows"))?;
        let block = HeapBlock::new(new)?;
        // SAFETY: both blocks are live and at least `old` bytes long; they do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(self.block.ptr.as_ptr(), block.ptr.as_ptr(), old as usize)
        };
        manager::MAPPINGS.register(block.ptr.as_ptr(), new as usize, false, None);
        // SAFETY: a byte copy of a valid segment, owned by `block`.
        let manager = unsafe { SegmentManager::from_base(block.ptr, new as usize, false, None) };
        if let Err(e) = manager.extend(new) {
            manager::MAPPINGS.unregister(block.ptr.as_ptr());
            return Err(e);
        }
        manager::MAPPINGS.unregister(self.block.ptr.as_ptr());
        self.block = block;
        self.manager = manager;
        Ok(())
    }

    /// The segment's base address.
    pub fn address(&self) -> *mut u8 {
        self.block.ptr.as_ptr()
    }
}

impl Drop for ManagedHeapMemory {
    fn drop(&mut self) {
        manager::MAPPINGS.unregister(self.block.ptr.as_ptr());
    }
}

impl Deref for ManagedHeapMemory {
    type Target = SegmentManager;
    fn deref(&self) -> &SegmentManager {
        &self.manager
    }
}

/// A managed segment in memory the caller provides: Boost's `managed_external_buffer`.
#[derive(Debug)]
pub struct ManagedExternalBuffer<'a> {
    manager: SegmentManager,
    created: bool,
    _buf: std::marker::PhantomData<&'a mut [u8]>,
}

impl<'a> ManagedExternalBuffer<'a> {
    /// Formats `buf` as a new segment (`create_only`). It must be 16-byte aligned.
    pub fn create(buf: &'a mut [u8]) -> Result<Self> {
        // SAFETY: `buf` is exclusively borrowed for 'a.
        unsafe { Self::from_raw(true, buf.as_mut_ptr(), buf.len()) }
    }

    /// Opens the segment already formatted in `buf` (`open_only`).
    pub fn open(buf: &'a mut [u8]) -> Result<Self> {
        // SAFETY: `buf` is exclusively borrowed for 'a.
        unsafe { Self::from_raw(false, buf.as_mut_ptr(), buf.len()) }
    }

    /// As [`Self::create`] / [`Self::open`] over raw memory.
    ///
    /// # Safety
    /// `[ptr, ptr + len)` must be writable memory that outlives the segment and that
    /// nothing else uses except through segment managers.
    pub unsafe fn from_raw(create: bool, ptr: *mut u8, len: usize) -> Result<Self> {
        let base = NonNull::new(ptr)
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "the buffer is NULL"))?;
        if ptr as usize % 16 != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the buffer must be 16-byte aligned",
            ));
        }
        if create {
            needs_size(OpenMode::CreateOnly, len as u64)?;
            // SAFETY: exclusive writable memory per the contract.
            unsafe { SegmentManager::format(base, len as u64, 0)? };
        } else {
            if (len as u64) < HEADER_SIZE {
                return Err(Error::new(
                    ErrorKind::Corrupted,
                    "the buffer is too small to hold a segment",
                ));
            }
            // SAFETY: readable memory per the contract, at least a header's worth (checked
            // above); the state word is an aligned u32 inside the header.
            let state = unsafe { &(*ptr.cast::<SegmentHeader>()).init_state };
            publish::check_published(state, "the buffer")?;
            // SAFETY: `base` is readable for `len` bytes (this fn's contract) and holds a
            // ready segment header, checked just above.
            unsafe { SegmentManager::validate(base, len as u64)? };
        }
        manager::MAPPINGS.register(ptr, len, false, None);
        Ok(ManagedExternalBuffer {
            // SAFETY: formatted or validated above; the memory outlives 'a.
            manager: unsafe { SegmentManager::from_base(base, len, false, None) },
            created: create,
            _buf: std::marker::PhantomData,
        })
    }

    /// Whether the buffer was formatted by this call.
    pub fn created(&self) -> bool {
        self.created
    }

    /// Takes `extra` more bytes of the buffer into the segment.
    ///
    /// # Safety
    /// The buffer must really extend `extra` bytes beyond the segment's current size.
    pub unsafe fn grow(&mut self, extra: u64) -> Result<()> {
        let new = (self.manager.size() as u64)
            .checked_add(extra)
            .ok_or_else(|| Error::new(ErrorKind::Size, "size overflows"))?;
        let base = self.manager.as_ptr();
        let len =
            usize::try_from(new).map_err(|_| Error::new(ErrorKind::Size, "size too large"))?;
        // SAFETY: the caller promises the buffer now holds `new` bytes.
        let grown =
            unsafe { SegmentManager::from_base(NonNull::new_unchecked(base), len, false, None) };
        grown.extend(new)?;
        manager::MAPPINGS.register(base, len, false, None);
        self.manager = grown;
        Ok(())
    }
}

impl Drop for ManagedExternalBuffer<'_> {
    fn drop(&mut self) {
        manager::MAPPINGS.unregister(self.manager.as_ptr());
    }
}

impl Deref for ManagedExternalBuffer<'_> {
    type Target = SegmentManager;
    fn deref(&self) -> &SegmentManager {
        &self.manager
    }
}
