//! The segment manager: the header at the start of every managed segment, and every
//! operation on the segment, driven by nothing but the header's address.
//!
//! Because an operation needs only that address, an allocator stored inside the segment
//! (holding the manager's offset) works from every process that maps the segment,
//! wherever it maps it, which is how Boost's `allocator<T, segment_manager>` works.

mod backing;
mod commands;
mod growth;
mod header;
mod locking;
mod objects;
pub(crate) use objects::tags_agree;
mod registry;
mod view;

use super::classes;
use super::classes::{Classes, Pop};
use super::heap::{self, Heap};
use super::index::{Index, InstanceKind, OBJECT_HEADER, ObjectHeader, decode};
use crate::os::robust;
use crate::publish;
use crate::{Error, ErrorKind, Result};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) use backing::GrowthBacking;
use growth::Growth;
pub use header::MIN_SEGMENT_SIZE;
use header::heap_of;
pub(crate) use header::{HEADER_SIZE, MAGIC, STATE_WORD, SegmentHeader, Shape, is_segment_header};
pub(crate) use registry::MAPPINGS;
pub use view::SegmentManager;
use view::corrupted;

/// Information about a constructed object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Address of the first element.
    pub ptr: NonNull<u8>,
    /// Bytes per element.
    pub elem_size: usize,
    /// Number of elements.
    pub count: usize,
    /// Named, unique or anonymous.
    pub kind: InstanceKind,
    /// The type tag it was built with ([`crate::Shareable::TYPE_TAG`]); 0 if none.
    pub type_tag: u64,
}

impl SegmentManager {
    /// A view of the segment manager at `ptr` as handed out to C and C++ (the in-segment
    /// address), checked to look like a ready segment.
    ///
    /// # Safety
    /// `ptr` must be the address of a segment manager of a segment mapped in this process.
    #[inline(always)]
    pub unsafe fn from_raw(ptr: *mut u8) -> Result<SegmentManager> {
        let base = NonNull::new(ptr)
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "segment manager is NULL"))?;
        let (len, read_only, growth) = MAPPINGS.lookup(ptr).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{ptr:p} is not the segment manager of a segment mapped in this process"),
            )
        })?;
        // SAFETY: a segment this process mapped at `base` with `len` bytes, and its hold.
        let m = unsafe { SegmentManager::from_base(base, len, read_only, growth) };
        m.check_live()?;
        Ok(m)
    }

    /// The segment manager of the segment holding the constructed object at `object`,
    /// found from the object's address alone.
    ///
    /// Only memory inside the segment this process mapped that holds `object` is read (the
    /// header right before it): an address outside every such
    /// segment, or one whose header is not inside the same segment, is `InvalidArgument`.
    ///
    /// # Safety
    /// `object` must be the address of an object constructed in a managed segment mapped in
    /// this process, and that segment must stay mapped during the call.
    pub unsafe fn of_object(object: *const u8) -> Result<SegmentManager> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{object:p} is not an object constructed in a segment"),
            )
        };
        if object.is_null() || object as usize % 8 != 0 {
            return Err(bad());
        }
        // Everything read below must lie inside the segment that holds the object: a stale
        // pointer, or a segment overwritten with garbage, gives distances that lead anywhere.
        let (seg, len, read_only, growth) = MAPPINGS.containing(object).ok_or_else(bad)?;
        // SAFETY: a segment this process mapped at `seg` with `len` bytes, and its hold.
        let view = unsafe {
            SegmentManager::from_base(
                NonNull::new(seg as *mut u8).ok_or_else(bad)?,
                len,
                read_only,
                growth,
            )
        };
        // Only the bytes the object holds may be read: past them the mapping faults.
        let len = view.bound() as usize;
        let o = object as usize;
        if o - seg >= len {
            return Err(bad());
        }
        if o - seg < OBJECT_HEADER as usize {
            return Err(bad());
        }
        // The header lies right before the object, 16-aligned in the segment.
        let h = (o - seg - OBJECT_HEADER as usize) as u64;
        if h % 16 != 0 {
            return Err(bad());
        }
        // SAFETY: `[h, h + OBJECT_HEADER)` lies inside the segment, between its base and
        // the object (checked above), and is 16-aligned.
        let head = unsafe { *((seg + h as usize) as *const ObjectHeader) };
        // SAFETY: `decode` asks only for 8-aligned words inside the segment's `len` bytes.
        let word = |off: u64| unsafe { *((seg + off as usize) as *const u64) };
        if decode(h, head, len as u64, word).is_none() {
            return Err(bad());
        }
        // SAFETY: a header validates right before the object, in the segment this process
        // mapped at `seg`; `from_raw` checks its magic and state before any use.
        unsafe { SegmentManager::from_raw(seg as *mut u8) }
    }

    /// The segment's online growth, as this process sees it.
    fn growth(&self) -> Growth<'_> {
        Growth::of(self)
    }

    /// The bound for every offset in this process: the bytes the object is known to hold.
    #[inline]
    fn bound(&self) -> u64 {
        self.growth().bound()
    }

    /// The size the segment may grow to while mapped; its size when it grows only offline.
    pub fn max_size(&self) -> usize {
        self.growth().max_size()
    }

    /// How many times the segment has grown while mapped.
    pub fn generation(&self) -> u32 {
        self.growth().generation()
    }

    /// Grows the segment by `extra` bytes while it is mapped here and elsewhere. Only a
    /// segment created with a maximum size grows so, up to that maximum (`Size` error
    /// beyond it). The memory is reserved first: a full `/dev/shm` or disk is an
    /// `OutOfSpace` error and the segment stays as it was.
    pub fn grow(&self, extra: u64) -> Result<()> {
        self.growth().grow(extra)
    }

    /// The addresses `[lo, hi)` of the segment's heap as this process may use them: from the
    /// first block to what the object holds (for checks of positions read from the
    /// segment, such as a node pool's).
    pub(crate) fn heap_span(&self) -> (usize, usize) {
        let base = self.base.as_ptr() as usize;
        let bound = self.bound();
        // A header that states no shape of ours gives an empty span: nothing is in bounds.
        let start = self.shape().map_or(bound, |s| s.heap_start().min(bound));
        (base + start as usize, base + bound as usize)
    }

    /// The in-segment address of the manager (the segment base).
    pub fn as_ptr(&self) -> *mut u8 {
        self.base.as_ptr()
    }

    fn segment_header(&self) -> &SegmentHeader {
        // SAFETY: the segment is mapped (see `from_base`); fields mutated by other
        // processes are atomics or are only touched under the lock.
        unsafe { &*self.base.as_ptr().cast::<SegmentHeader>() }
    }

    fn segment_lock(&self) -> &robust::RobustLock {
        &self.segment_header().lock
    }

    #[inline]
    fn check_live(&self) -> Result<()> {
        let h = self.segment_header();
        // `is_published` acquires the builder's stores (`format`).
        if h.magic != MAGIC || !publish::is_published(&h.init_state) {
            return Err(corrupted(
                "the address is not a ready interproc segment manager",
            ));
        }
        // Acquire: pairs with the Release store of `corrupted` (`recover`).
        if h.corrupted.load(Ordering::Acquire) != 0 {
            return Err(corrupted(
                "the segment was found inconsistent after a process died while changing it",
            ));
        }
        Ok(())
    }

    /// Whether this process maps the segment read-only (stores through it would fault).
    #[inline]
    pub(crate) fn is_read_only(&self) -> bool {
        self.read_only
    }

    #[inline]
    fn check_writable(&self) -> Result<()> {
        if self.read_only {
            return Err(Error::new(
                ErrorKind::Mode,
                "the segment is mapped read-only in this process: only find and queries are possible",
            ));
        }
        Ok(())
    }

    /// The process that created the segment.
    pub fn creator_pid(&self) -> u32 {
        // Relaxed: written once before READY, which every opener acquired.
        self.segment_header().creator_pid.load(Ordering::Relaxed)
    }

    /// The segment size in bytes (never more than this process has mapped).
    #[inline]
    pub fn size(&self) -> usize {
        let bound = self.bound();
        // Acquire: pairs with the Release stores of `size` (`extend`, `shrink_tail`, growth).
        self.segment_header()
            .size
            .load(Ordering::Acquire)
            .min(bound) as usize
    }

    /// The shape of the segment's header, checked to be one this library makes and to
    /// fit what this process maps.
    fn shape(&self) -> Result<Shape> {
        self.shape_if_sound().ok_or_else(|| self.bad_shape())
    }

    /// [`Self::shape`] without the error, for the paths that run without the lock.
    #[inline(always)]
    fn shape_if_sound(&self) -> Option<Shape> {
        self.shape_within(self.bound())
    }

    /// The header's shape if its heap starts within `bound` bytes.
    #[inline(always)]
    fn shape_within(&self, bound: u64) -> Option<Shape> {
        Shape::of(self.segment_header()).filter(|s| s.heap_start() <= bound)
    }

    #[cold]
    fn bad_shape(&self) -> Error {
        let h = self.segment_header();
        corrupted(format!(
            "the header's tables ({} lists, {} classes) are not a shape this library makes, or do not fit the {} bytes mapped",
            h.lists,
            h.classes,
            self.bound()
        ))
    }

    fn heap(&self) -> Result<Heap> {
        let shape = self.shape()?;
        // SAFETY: the segment is mapped at `base` past its header, whose shape was just
        // checked to fit; callers hold the lock before changing anything through it.
        Ok(unsafe { heap_of(self.base.as_ptr(), shape) })
    }

    fn index<'h>(&self, heap: &'h Heap) -> Index<'h> {
        let base = self.base.as_ptr();
        // SAFETY: as `heap`.
        unsafe {
            Index::new(
                base,
                std::ptr::addr_of_mut!((*base.cast::<SegmentHeader>()).index),
                heap,
                self.bound(),
            )
        }
    }

    #[inline]
    fn offset_of(&self, ptr: *const u8) -> Option<u64> {
        let b = self.base.as_ptr() as usize;
        let p = ptr as usize;
        (p >= b && p < b + self.size()).then(|| (p - b) as u64)
    }

    fn at(&self, off: u64) -> NonNull<u8> {
        // SAFETY: offsets handed to this function come from the heap or index, which keep
        // them inside the segment; the base is non-null.
        unsafe { NonNull::new_unchecked(self.base.as_ptr().add(off as usize)) }
    }

    /// Allocates `n` bytes (16-byte aligned). `None` when the segment is full.
    pub fn allocate(&self, n: usize) -> Result<Option<NonNull<u8>>> {
        self.allocate_aligned(n, heap::ALIGN as usize)
    }

    /// Allocates `n` bytes aligned to `align` (a power of two). `None` when full.
    pub fn allocate_aligned(&self, n: usize, align: usize) -> Result<Option<NonNull<u8>>> {
        self.check_writable()?;
        let mut n = n as u64;
        let small = (align as u64 <= heap::ALIGN)
            .then(|| heap::block_size_for(n).and_then(classes::class_of))
            .flatten();
        if let Some((class, size)) = small {
            // A parked block of the class, without the lock; else a block of the class's
            // size from the heap, so that it can be parked when given back.
            // A small segment has no lists (and a damaged one is left to the locked path,
            // which says what is wrong): then the size is not rounded to the class.
            let popped = match self.with_classes(|c| c.try_pop(class, size))? {
                // The bounds are read before the list head: a process that grew the
                // segment and parked a block in the new memory meanwhile makes that block
                // look out of bounds. Once more with fresh bounds (a refused head changed
                // nothing); garbage fails again.
                Some(Pop::OutOfBounds) => {
                    Some(self.with_classes(|c| c.pop(class, size))?.flatten())
                }
                Some(Pop::Got(user)) => Some(Some(user)),
                Some(Pop::Empty) => Some(None),
                None => None,
            };
            match popped {
                Some(Some(user)) => return Ok(Some(self.at(user))),
                Some(None) => n = size - heap::HEADER,
                None => {}
            }
        }
        let _g = self.lock()?;
        let heap = self.heap()?;
        let align = align as u64;
        // `growing` tries the heap first, and makes room only if it has none.
        let need = n.saturating_add(align);
        Ok(self
            .growth()
            .growing(&heap, need, || heap.allocate(n, align))?
            .map(|off| self.at(off)))
    }

    /// Runs `f` on the size-class lists, if the segment has them and may be used without
    /// the lock: `None` when it is too small for them, marked corrupted, or its header does
    /// not fit the mapping (the locked path then says why).
    fn with_classes<R>(&self, f: impl FnOnce(&Classes<'_>) -> Result<R>) -> Result<Option<R>> {
        self.with_classes_in(self.bound(), f)
    }

    /// [`Self::with_classes`] with the bound this process may trust already read.
    #[inline]
    fn with_classes_in<R>(
        &self,
        bound: u64,
        f: impl FnOnce(&Classes<'_>) -> Result<R>,
    ) -> Result<Option<R>> {
        let h = self.segment_header();
        // Acquire: pairs with the Release store of the recovery that marks the segment
        // corrupted, so a process that sees it clear also sees the state it checked.
        if h.corrupted.load(Ordering::Acquire) != 0 {
            return Ok(None);
        }
        let Some(shape) = self.shape_within(bound) else {
            return Ok(None);
        };
        let Some(at) = shape.classes_at() else {
            return Ok(None);
        };
        // SAFETY: as `heap`.
        let heap = unsafe { heap_of(self.base.as_ptr(), shape) };
        // The heap's bounds change only under the lock (grow, shrink); a stale pair is
        // still a range of blocks of this mapping, checked here before use.
        let (start, end) = (shape.heap_start(), h.heap.end);
        if end > bound || end < start + heap::HEADER {
            return Ok(None);
        }
        // SAFETY: the table lies inside the header, which `shape` checked to fit the
        // mapping; its offset is 8-aligned in the 16-aligned segment, and its words are
        // atomics, so every process may change them at once.
        let table = unsafe {
            &*self
                .base
                .as_ptr()
                .add(at as usize)
                .cast::<[AtomicU64; classes::CLASSES]>()
        };
        let classes = Classes::new(table, &heap, start, end - heap::HEADER);
        f(&classes).map(Some)
    }

    /// Takes a block for `n` bytes while holding the lock: a parked block of its size class
    /// if one waits (only when the class is exactly the size, so nothing is rounded up),
    /// else one from the heap, growing the segment if it can. The user offset.
    pub(super) fn take_block(&self, heap: &Heap, n: u64) -> Result<Option<u64>> {
        let block = heap::block_size_for(n);
        if let Some((class, size)) = block.and_then(classes::class_of) {
            if block == Some(size) {
                if let Some(Some(user)) = self.with_classes(|c| c.pop(class, size))? {
                    return Ok(Some(user));
                }
            }
        }
        self.growth()
            .growing(heap, n, || heap.allocate(n, heap::ALIGN))
    }

    /// Gives back the block at user offset `user` while holding the lock: parked in its
    /// size class if its size is one, else merged into the heap.
    pub(super) fn give_block_back(&self, heap: &Heap, user: u64) -> Result<()> {
        if self.with_classes(|c| c.give_back(user))? == Some(true) {
            return Ok(());
        }
        heap.deallocate(user)
    }

    /// Runs `op` (a heap operation, under the lock) and, if `missed` says it found no room
    /// and some small blocks were parked in the size-class lists, gives them back to the
    /// heap and runs it once more: parked blocks are free memory the heap cannot merge or
    /// hand out until then.
    pub(super) fn with_parked_back<T>(
        &self,
        mut op: impl FnMut() -> Result<T>,
        missed: impl Fn(&T) -> bool,
    ) -> Result<T> {
        let got = op()?;
        if missed(&got) && self.drain_classes()? {
            return op();
        }
        Ok(got)
    }

    /// Returns every parked block to the heap (the caller holds the lock); whether any was
    /// parked.
    pub(super) fn drain_classes(&self) -> Result<bool> {
        Ok(self.with_classes(|c| c.drain())?.unwrap_or(false))
    }

    /// The offset of `ptr` in this segment, or `InvalidArgument` when it points elsewhere.
    fn offset_in_segment(&self, ptr: *const u8) -> Result<u64> {
        self.offset_of(ptr).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{ptr:p} does not point into this segment"),
            )
        })
    }

    /// Frees memory from [`SegmentManager::allocate`]. A pointer that is not an allocation
    /// of this segment gives `InvalidArgument` and changes nothing.
    pub fn deallocate(&self, ptr: *mut u8) -> Result<()> {
        self.check_writable()?;
        // A small block waits in its class's list, without the lock. The bound is read
        // once for both checks; the lists check the block against the heap's end, which
        // lies within the segment's size.
        let bound = self.bound();
        let off = (ptr as u64).wrapping_sub(self.base.as_ptr() as u64);
        if off < bound && self.with_classes_in(bound, |c| c.give_back(off))? == Some(true) {
            return Ok(());
        }
        let off = self.offset_in_segment(ptr)?;
        let _g = self.lock()?;
        self.heap()?.deallocate(off)
    }

    /// Grows the allocation at `ptr` in place to hold at least `min` bytes (and up to
    /// `preferred` when that much is free right after it). Returns its usable size
    /// afterwards: below `min` when it could not grow, and then nothing changed. Memory
    /// that is not an allocation of this segment gives `InvalidArgument`. In a growable
    /// segment, an allocation that reaches the heap's end grows the segment to make room,
    /// as an allocation would, so a container that grows at the end is never copied.
    pub fn expand_in_place(&self, ptr: *mut u8, min: usize, preferred: usize) -> Result<usize> {
        self.check_writable()?;
        let off = self.offset_in_segment(ptr)?;
        let _g = self.lock()?;
        let heap = self.heap()?;
        let (min, preferred) = (min as u64, preferred as u64);
        // A parked block right after it is free memory only once the lists give it back.
        let got = self.with_parked_back(|| heap.expand(off, min, preferred), |&got| got < min)?;
        if got >= min || self.backing.is_none() || !heap.reaches_end(off)? {
            return Ok(got as usize);
        }
        let grown = self.growth().growing(&heap, min - got, || {
            let got = heap.expand(off, min, preferred)?;
            Ok((got >= min).then_some(got))
        })?;
        Ok(grown.unwrap_or(got) as usize)
    }

    /// The number of usable bytes of the allocation at `ptr`.
    pub fn allocation_size(&self, ptr: *const u8) -> Result<usize> {
        let off = self.offset_in_segment(ptr)?;
        let _g = self.lock()?;
        Ok(self.heap()?.usable_size(off)? as usize)
    }

    /// Bytes available for allocation. Small blocks given back and waiting in the
    /// size-class lists are free memory: they go back to the heap first (in a process that
    /// maps the segment read-only, they are counted where they wait).
    pub fn free_memory(&self) -> Result<usize> {
        let g = self.lock_for_read()?;
        let parked = if g.is_some() {
            self.drain_classes()?;
            0
        } else {
            self.with_classes(|c| Ok(c.parked_bytes()))?.unwrap_or(0)
        };
        Ok(self.heap()?.free_bytes().saturating_add(parked) as usize)
    }

    /// Whether every allocation and object has been given back.
    pub fn all_memory_deallocated(&self) -> Result<bool> {
        let g = self.lock_for_read()?;
        if g.is_some() {
            self.drain_classes()?;
        }
        Ok(self.heap()?.all_deallocated())
    }

    /// Checks every block, free list and index entry; the error says what is wrong.
    pub fn check_sanity(&self) -> Result<()> {
        {
            let _g = self.lock_for_read()?;
            let heap = self.heap()?;
            heap.check()?;
            self.index(&heap).check()?;
        }
        // A size-class list found to be garbage was quarantined: the segment works, but
        // what that list held is lost.
        if let Some(&(class, size)) = self
            .with_classes(|c| Ok(c.quarantined()))?
            .unwrap_or_default()
            .first()
        {
            return Err(corrupted(format!(
                "the size-class list of {size}-byte blocks (class {class}) was found to be garbage \
                 and is quarantined: the blocks it held are lost, and the class no longer parks"
            )));
        }
        // The node pools too: every free node inside one of its pool's blocks.
        for (_, report) in self.node_pools()? {
            report?;
        }
        Ok(())
    }

    /// Zeroes the free memory (for example before writing a snapshot of the segment).
    pub fn zero_free_memory(&self) -> Result<()> {
        self.check_writable()?;
        let _g = self.lock()?;
        self.drain_classes()?;
        self.heap()?.zero_free()
    }

    /// Whether `ptr` points into the segment.
    pub fn belongs_to_segment(&self, ptr: *const u8) -> bool {
        self.offset_of(ptr).is_some()
    }

    /// The handle of an address inside the segment: its offset from the segment start,
    /// valid in every process.
    pub fn handle_from_address(&self, ptr: *const u8) -> Result<u64> {
        self.offset_in_segment(ptr)
    }

    /// The address of a handle in this process.
    pub fn address_from_handle(&self, handle: u64) -> Result<NonNull<u8>> {
        if handle >= self.size() as u64 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "handle {handle} is outside the segment of {} bytes",
                    self.size()
                ),
            ));
        }
        Ok(self.at(handle))
    }
}

#[cfg(test)]
mod tests;
