//! The header at the start of every managed segment: its layout, formatting a new segment,
//! validating one that is opened, and moving the end of the heap (grow, shrink).

use super::view::{SegmentManager, corrupted};
use crate::os::robust;
use crate::publish;
use crate::segment::heap::Heap;
use crate::segment::heap::HeapState;
use crate::segment::index::IndexState;
use crate::segment::{classes, heap};
use crate::{Error, ErrorKind, Result};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The first bytes of every managed segment.
pub(crate) const MAGIC: [u8; 8] = *b"IPROCSEG";

/// Whether `head` (an object's first bytes) begins with a segment's magic.
pub(crate) fn is_segment_header(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}
/// How long a process yields for the segment lock, after the robust lock's few
/// microseconds of looks, before sleeping: heap operations hold it for well under a
/// microsecond.
pub(super) const LOCK_YIELD_TIME: std::time::Duration = std::time::Duration::from_micros(10);
/// Bumped on any change to a shared structure (header, heap, index, object header).
/// 3: the size-class lists and the `PARKED` block flag; the index sequence word (in the
/// former padding); the maximum size, the growth generation and the growth journal
/// (online growth). 4: the heap's lists and the size-class lists in tables sized to the
/// segment's capacity after a fixed header of 176 bytes (see [`Shape`]). 5: an object's
/// header (48 bytes) right before the object, its name after it (see `segment::index`).
/// 6: `init_state` holds the publish protocol's `BUILDING` and `READY` values; a size-class
/// head is a 32-bit position and a 32-bit change count (see `segment::classes`).
/// 7: the name index's slots are 8 bytes, a fingerprint over a header offset in 16-byte
/// units, at most four fifths taken (see `segment::index`); an object's header is 16
/// bytes, with a type tag or wide sizes in words before it, and the name right after the
/// elements (see `segment::object_header`).
pub(crate) const LAYOUT_VERSION: u32 = 7;
/// Where the segment's magic and state word lie, for the publish protocol.
pub(crate) const STATE_WORD: publish::StateWord =
    publish::StateWord::new(MAGIC, std::mem::offset_of!(SegmentHeader, init_state));
pub(super) const ENDIAN_LITTLE: u8 = 1;
pub(super) const ENDIAN_BIG: u8 = 2;

pub(super) fn native_endian() -> u8 {
    if cfg!(target_endian = "little") {
        ENDIAN_LITTLE
    } else {
        ENDIAN_BIG
    }
}

/// The header of a managed segment, at offset 0. Its layout is pinned by a test.
#[repr(C)]
pub(crate) struct SegmentHeader {
    pub magic: [u8; 8],
    pub layout_version: u32,
    pub pointer_width: u8,
    pub endianness: u8,
    pub header_size: u16,
    pub init_state: AtomicU32,
    pub creator_pid: AtomicU32,
    /// Size of the segment in bytes.
    pub size: AtomicU64,
    /// Set when the segment was found inconsistent after a process died holding its lock.
    pub corrupted: AtomicU32,
    /// The name index's sequence word: odd while a change is under way (see
    /// `segment::lookup`).
    pub index_seq: AtomicU32,
    /// The segment lock: a process-shared, robust, recursive mutex.
    pub lock: robust::RobustLock,
    pub index: IndexState,
    /// The heap's counters; its lists are in the table after this header.
    pub heap: HeapState,
    /// The size up to which the segment grows while mapped; 0 for a segment that grows
    /// only offline. Every process maps this many bytes from the start (see growth.rs).
    pub max_size: AtomicU64,
    /// The heap's end before a growth that is under way (0: none): a process that dies
    /// while growing leaves it, and the next locker finishes the growth from it.
    pub growing_from: AtomicU64,
    /// How many times the segment grew while mapped (changed under the lock).
    pub generation: AtomicU32,
    /// The number of the heap's free lists (see [`Shape`]).
    pub lists: u16,
    /// The number of size-class lists: 0 or [`classes::CLASSES`].
    pub classes: u16,
}

/// Bytes of the fixed header; the tables of the [`Shape`] follow it.
pub(crate) const HEADER_SIZE: u64 = std::mem::size_of::<SegmentHeader>() as u64;
/// The smallest segment: the smallest header, one block and the heap's sentinel.
pub const MIN_SEGMENT_SIZE: u64 = Shape::SMALLEST.heap_start() + heap::MIN_BLOCK + heap::HEADER;

/// How a segment's header is laid out past its fixed part: the heap's list table (as many
/// lists as the capacity calls for, [`heap::lists_for`]), then, for a segment that may
/// reach [`classes::CLASSES_FROM`] bytes, the size-class lists. Chosen when the segment is
/// made from the most it may hold, and written in the header, so a 1 000-byte segment
/// spends 192 bytes on its header, less than Boost's does, and a large one about 3 KiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    lists: usize,
    classes: usize,
}

impl Shape {
    /// The shape of a segment of at most one list and no size classes.
    pub(crate) const SMALLEST: Shape = Shape {
        lists: 1,
        classes: 0,
    };

    /// The shape for a segment that may reach `capacity` bytes.
    pub(crate) fn for_capacity(capacity: u64) -> Shape {
        Shape {
            lists: heap::lists_for(capacity),
            classes: if capacity >= classes::CLASSES_FROM {
                classes::CLASSES
            } else {
                0
            },
        }
    }

    /// The shape a header states, if it is one this library makes. Only its two counts
    /// are read: whatever they are, the tables they give lie before the heap start they
    /// give, which the caller checks against the mapping. (The header size, which must
    /// agree, is checked once, when the segment is opened: [`SegmentManager::validate`].)
    #[inline(always)]
    pub(crate) fn of(h: &SegmentHeader) -> Option<Shape> {
        let shape = Shape {
            lists: usize::from(h.lists),
            classes: usize::from(h.classes),
        };
        ((1..=heap::MAX_LISTS).contains(&shape.lists)
            && (shape.classes == 0 || shape.classes == classes::CLASSES))
            .then_some(shape)
    }

    /// Offset of the heap's list table.
    pub(crate) const fn lists_at(self) -> u64 {
        HEADER_SIZE
    }

    /// The number of the heap's lists.
    pub(crate) const fn lists(self) -> usize {
        self.lists
    }

    /// Offset of the size-class table, if the segment has one.
    pub(crate) const fn classes_at(self) -> Option<u64> {
        if self.classes == 0 {
            None
        } else {
            Some(self.lists_at() + heap::table_bytes(self.lists))
        }
    }

    /// Bytes of the whole header.
    pub(crate) const fn header_size(self) -> u64 {
        let lists_end = self.lists_at() + heap::table_bytes(self.lists);
        if self.classes == 0 {
            lists_end
        } else {
            lists_end + classes::TABLE_BYTES
        }
    }

    /// Offset of the first heap block.
    pub(crate) const fn heap_start(self) -> u64 {
        self.header_size().next_multiple_of(heap::ALIGN)
    }
}

/// The heap of the segment at `base` whose header has the shape `shape`.
///
/// # Safety
/// `base` must be the start of a mapped segment whose header states `shape` and is mapped
/// up to `shape.heap_start()`; the view's callers hold the segment lock before changing
/// anything through it.
pub(super) unsafe fn heap_of(base: *mut u8, shape: Shape) -> Heap {
    // SAFETY: the counters are in the fixed header and the list table right after it, both
    // mapped (the caller's promise); `shape` comes from `Shape`, so it has 1 to MAX_LISTS
    // lists and its table is 8-aligned.
    unsafe {
        Heap::new(
            base,
            std::ptr::addr_of_mut!((*base.cast::<SegmentHeader>()).heap),
            base.add(shape.lists_at() as usize).cast(),
            shape.lists(),
            shape.heap_start(),
        )
    }
}

impl SegmentManager {
    /// Lays out a fresh segment of `size` bytes at `base` and marks it ready. `max_size` is
    /// the size it may grow to while mapped (0: it grows only offline).
    ///
    /// # Safety
    /// `[base, base + size)` must be mapped, writable, 16-aligned and used by nobody else
    /// until this returns except openers waiting for the ready state.
    pub(crate) unsafe fn format(base: NonNull<u8>, size: u64, max_size: u64) -> Result<()> {
        let shape = Shape::for_capacity(size.max(max_size));
        if size < MIN_SEGMENT_SIZE || size < shape.heap_start() + heap::MIN_BLOCK + heap::HEADER {
            return Err(Error::new(
                ErrorKind::Size,
                format!("a managed segment needs at least {MIN_SEGMENT_SIZE} bytes, {size} asked"),
            ));
        }
        if size > heap::MAX_HEAP {
            return Err(Error::new(
                ErrorKind::Size,
                format!("a managed segment is at most {} bytes", heap::MAX_HEAP),
            ));
        }
        if max_size != 0 && (max_size < size || max_size > heap::MAX_HEAP) {
            return Err(Error::new(
                ErrorKind::Size,
                format!(
                    "a maximum size of {max_size} bytes is not between the size ({size}) and {}",
                    heap::MAX_HEAP
                ),
            ));
        }
        let h = base.as_ptr().cast::<SegmentHeader>();
        // SAFETY: exclusive, writable memory per the contract; only atomics are shared
        // with waiting openers.
        unsafe {
            publish::mark_building(&(*h).init_state);
            // Relaxed: published by the Release store of READY below.
            (*h).creator_pid
                .store(std::process::id(), Ordering::Relaxed);
            (*h).layout_version = LAYOUT_VERSION;
            (*h).pointer_width = std::mem::size_of::<usize>() as u8;
            (*h).endianness = native_endian();
            (*h).header_size = shape.header_size() as u16;
            (*h).lists = shape.lists as u16;
            (*h).classes = shape.classes as u16;
            // Relaxed: published by the Release store of STATE_READY below.
            (*h).size.store(size, Ordering::Relaxed);
            (*h).corrupted.store(0, Ordering::Relaxed);
            (*h).index_seq.store(0, Ordering::Relaxed);
            (*h).generation.store(0, Ordering::Relaxed);
            (*h).max_size.store(max_size, Ordering::Relaxed);
            (*h).growing_from.store(0, Ordering::Relaxed);
            (*h).lock.init(true);
            std::ptr::addr_of_mut!((*h).index).write_bytes(0, 1);
            if let Some(at) = shape.classes_at() {
                base.as_ptr()
                    .add(at as usize)
                    .write_bytes(0, classes::TABLE_BYTES as usize);
            }
            let heap = heap_of(base.as_ptr(), shape);
            heap.format(size & !(heap::ALIGN - 1));
            (*h).magic = MAGIC;
            // Publishes the whole header and heap to openers (`segment::open`) and
            // `check_live`.
            publish::mark_ready(&(*h).init_state);
        }
        Ok(())
    }

    /// Validates the header of a mapped segment of `mapped` bytes that is ready.
    ///
    /// # Safety
    /// `[base, base + mapped)` must be mapped and readable.
    pub(crate) unsafe fn validate(base: NonNull<u8>, mapped: u64) -> Result<()> {
        if mapped < HEADER_SIZE {
            return Err(corrupted(format!(
                "{mapped} bytes is too small for a managed segment"
            )));
        }
        // SAFETY: at least the header is mapped (checked above).
        let h = unsafe { &*base.as_ptr().cast::<SegmentHeader>() };
        if h.magic != MAGIC {
            return Err(corrupted("not an interproc managed segment (bad magic)"));
        }
        if h.layout_version != LAYOUT_VERSION {
            return Err(corrupted(format!(
                "the segment has layout version {}, this library reads version {LAYOUT_VERSION}",
                h.layout_version
            )));
        }
        if h.pointer_width as usize != std::mem::size_of::<usize>()
            || h.endianness != native_endian()
        {
            return Err(corrupted(format!(
                "the segment was made for {}-byte pointers and endianness {}; this process differs",
                h.pointer_width, h.endianness
            )));
        }
        let Some(shape) = Shape::of(h).filter(|s| u64::from(h.header_size) == s.header_size())
        else {
            return Err(corrupted(format!(
                "the header's size ({}) and tables ({} lists, {} classes) are not a shape this library makes",
                h.header_size, h.lists, h.classes
            )));
        };
        // A segment shrunk to fit may be smaller than a new one may be.
        let smallest = shape.heap_start() + heap::HEADER;
        if mapped < smallest {
            return Err(corrupted(format!(
                "{mapped} bytes is too small for a managed segment"
            )));
        }
        // Acquire: pairs with the Release stores of `size` in `extend` and `shrink_tail`,
        // so the heap bounds read next are at least as new.
        let size = h.size.load(Ordering::Acquire);
        if size < smallest || size > mapped {
            return Err(corrupted(format!(
                "the header says {size} bytes but {mapped} are mapped (truncated segment?)"
            )));
        }
        if h.heap.end > size || h.heap.end < smallest {
            return Err(corrupted(format!(
                "heap bounds [{}, {}) do not fit the segment",
                shape.heap_start(),
                h.heap.end
            )));
        }
        // Acquire: pairs with the Release store of `recover` (see `with_classes`).
        if h.corrupted.load(Ordering::Acquire) != 0 {
            return Err(corrupted(
                "the segment is marked corrupted (a process died while changing it)",
            ));
        }
        let max = h.max_size.load(Ordering::Acquire);
        if max != 0 && (max < size || max > heap::MAX_HEAP) {
            return Err(corrupted(format!(
                "the header says the segment grows to {max} bytes, less than its size {size} or more than {}",
                heap::MAX_HEAP
            )));
        }
        Ok(())
    }

    /// The size and then the maximum size in the header of the segment at `base`, read in
    /// that order.
    ///
    /// # Safety
    /// At least the header must be mapped at `base`.
    pub(crate) unsafe fn size_at(base: NonNull<u8>) -> (u64, u64) {
        // SAFETY: the header is mapped (the caller's promise).
        let h = unsafe { &*base.as_ptr().cast::<SegmentHeader>() };
        // Acquire: pairs with a grower's Release store, made after it reserved the memory.
        let size = h.size.load(Ordering::Acquire);
        (size, h.max_size.load(Ordering::Acquire))
    }

    /// Grows the segment's heap to `new_size` bytes, offline (the memory must already be
    /// mapped, by this process alone).
    pub(crate) fn extend(&self, new_size: u64) -> Result<()> {
        self.check_writable()?;
        let _g = self.lock()?;
        self.heap()?.extend(new_size & !(heap::ALIGN - 1))?;
        let h = self.segment_header();
        // Offline, nobody else maps the segment: a growable one may grow past its maximum
        // here, which then moves with it.
        let max = h.max_size.load(Ordering::Relaxed);
        if max != 0 && new_size > max {
            h.max_size.store(new_size, Ordering::Relaxed);
        }
        // Release: the grown heap before the size that says so; pairs with the Acquire
        // loads of `size` made without the lock (`size()`, `check_bounds`).
        h.size.store(new_size, Ordering::Release);
        Ok(())
    }

    /// Cuts the free tail of the heap; returns the new segment size.
    pub(crate) fn shrink_tail(&self) -> Result<u64> {
        self.check_writable()?;
        let _g = self.lock()?;
        self.drain_classes()?;
        let end = self.heap()?.truncate_tail(0)?;
        // Release: as in `extend`.
        self.segment_header().size.store(end, Ordering::Release);
        Ok(end)
    }
}
