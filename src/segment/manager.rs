//! The segment manager: the header at the start of every managed segment, and every
//! operation on the segment, driven by nothing but the header's address.
//!
//! Because an operation needs only that address, an allocator stored inside the segment
//! (holding the manager's offset) works from every process that maps the segment,
//! wherever it maps it, which is how Boost's `allocator<T, segment_manager>` works.

use super::heap::{self, Heap, HeapState};
use super::index::{Index, IndexState, InstanceKind, OBJECT_HEADER, OBJECT_MAGIC, ObjectHeader};
use crate::os::robust::{self, Acquired};
use crate::sync::LockHolder;
use crate::{Error, ErrorKind, Result};
use std::ptr::NonNull;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The first bytes of every managed segment.
pub(crate) const MAGIC: [u8; 8] = *b"IPROCSEG";

/// Whether `head` (an object's first bytes) begins with a segment's magic.
pub(crate) fn is_segment_header(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}
/// How long a process spins for the segment lock before sleeping: heap operations hold it
/// for well under a microsecond.
const LOCK_SPIN: std::time::Duration = std::time::Duration::from_micros(10);
/// Bumped on any change to a shared structure (header, heap, index, object header).
pub(crate) const LAYOUT_VERSION: u32 = 2;
/// `init_state` values.
pub(crate) const STATE_FRESH: u32 = 0;
pub(crate) const STATE_INITIALIZING: u32 = 1;
pub(crate) const STATE_READY: u32 = 2;
const ENDIAN_LITTLE: u8 = 1;
const ENDIAN_BIG: u8 = 2;

fn native_endian() -> u8 {
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
    _pad: u32,
    /// The segment lock: a process-shared, robust, recursive mutex.
    pub lock: robust::RobustLock,
    pub index: IndexState,
    pub heap: HeapState,
}

/// Bytes of the header; the heap starts at the next multiple of 16.
pub(crate) const HEADER_SIZE: u64 = std::mem::size_of::<SegmentHeader>() as u64;
/// Offset of the first heap block.
pub(crate) const HEAP_START: u64 = HEADER_SIZE.next_multiple_of(heap::ALIGN);
/// The smallest segment: the header and room for a few small allocations.
pub const MIN_SEGMENT_SIZE: u64 = HEAP_START + 1024;

/// The segments this process has mapped: base address, mapped length, read-only. A
/// segment manager address handed in through the C ABI is only trusted if it is the base
/// of one of them, and its bounds come from here, not from the (shared, writable) header.
static MAPPINGS: RwLock<Vec<(usize, usize, bool)>> = RwLock::new(Vec::new());
/// Bumped on every change of `MAPPINGS`, so a thread's cached lookup knows it is stale.
static MAPPINGS_GEN: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The last lookup: (generation, base, length, read-only).
    static LAST_MAPPING: std::cell::Cell<(u64, usize, usize, bool)> = const { std::cell::Cell::new((0, 0, 0, false)) };
}

pub(crate) fn register_mapping(base: *const u8, len: usize, read_only: bool) {
    let mut v = MAPPINGS.write().unwrap_or_else(|e| e.into_inner());
    v.retain(|&(b, _, _)| b != base as usize);
    v.push((base as usize, len, read_only));
    MAPPINGS_GEN.fetch_add(1, Ordering::AcqRel);
}

pub(crate) fn unregister_mapping(base: *const u8) {
    let mut v = MAPPINGS.write().unwrap_or_else(|e| e.into_inner());
    v.retain(|&(b, _, _)| b != base as usize);
    MAPPINGS_GEN.fetch_add(1, Ordering::AcqRel);
}

/// The mapped length and read-only flag of the segment based at `base`, if this process
/// mapped one there.
fn lookup_mapping(base: *const u8) -> Option<(usize, bool)> {
    let generation = MAPPINGS_GEN.load(Ordering::Acquire);
    let (g, b, l, ro) = LAST_MAPPING.with(|c| c.get());
    if g == generation && b == base as usize {
        return Some((l, ro));
    }
    let v = MAPPINGS.read().unwrap_or_else(|e| e.into_inner());
    let &(b, l, ro) = v.iter().find(|&&(b, _, _)| b == base as usize)?;
    LAST_MAPPING.with(|c| c.set((generation, b, l, ro)));
    Some((l, ro))
}

/// The base and length of the segment this process mapped that holds `p`, if any.
fn mapping_containing(p: *const u8) -> Option<(usize, usize)> {
    let p = p as usize;
    let v = MAPPINGS.read().unwrap_or_else(|e| e.into_inner());
    v.iter()
        .find(|&&(b, l, _)| p >= b && p - b < l)
        .map(|&(b, l, _)| (b, l))
}

fn corrupted(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Corrupted, msg)
}

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
}

/// The segment manager of a mapped managed segment: allocation, named objects, checks.
///
/// It is a view through the segment's base address and is only valid while the segment
/// stays mapped; get it from a managed segment ([`crate::ManagedSharedMemory`] and the
/// other managed types dereference to it).
#[derive(Debug)]
pub struct SegmentManager {
    base: NonNull<u8>,
    /// Bytes mapped at `base` in this process: the bound every offset is checked against.
    len: usize,
    read_only: bool,
}

// SAFETY: every operation synchronises through the segment's process-shared lock (or
// reads only fields that are atomic or immutable after initialisation).
unsafe impl Send for SegmentManager {}
// SAFETY: as above.
unsafe impl Sync for SegmentManager {}

/// The segment lock, held; unlocks on drop.
type LockGuard<'a> = robust::RobustGuard<'a>;

impl SegmentManager {
    /// A view of the segment manager at `base`.
    ///
    /// # Safety
    /// `base` must be the start of a mapped segment that was validated by
    /// [`SegmentManager::attach`] or formatted by [`SegmentManager::format`] in this
    /// process, and must stay mapped while the view is used.
    pub(crate) unsafe fn from_base(
        base: NonNull<u8>,
        len: usize,
        read_only: bool,
    ) -> SegmentManager {
        SegmentManager {
            base,
            len,
            read_only,
        }
    }

    /// A view of the segment manager at `ptr` as handed out to C and C++ (the in-segment
    /// address), checked to look like a ready segment.
    ///
    /// # Safety
    /// `ptr` must be the address of a segment manager of a segment mapped in this process.
    pub unsafe fn from_raw(ptr: *mut u8) -> Result<SegmentManager> {
        let base = NonNull::new(ptr)
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "segment manager is NULL"))?;
        let (len, read_only) = lookup_mapping(ptr).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{ptr:p} is not the segment manager of a segment mapped in this process"),
            )
        })?;
        // SAFETY: a segment this process mapped at `base` with `len` bytes.
        let m = unsafe { SegmentManager::from_base(base, len, read_only) };
        m.check_live()?;
        Ok(m)
    }

    /// The segment manager of the segment holding the constructed object at `object`,
    /// found from the object's address alone.
    ///
    /// Only memory inside the segment this process mapped that holds `object` is read (the
    /// 8 bytes before it, then the header they lead to): an address outside every such
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
        let (seg, len) = mapping_containing(object).ok_or_else(bad)?;
        let o = object as usize;
        if o - seg < 8 {
            return Err(bad());
        }
        // SAFETY: `[object - 8, object)` lies inside the segment mapped at `seg` (checked
        // above); per the contract it holds the header distance.
        let dist = unsafe { object.sub(8).cast::<u64>().read() };
        let h = o.checked_sub(dist as usize).ok_or_else(bad)?;
        if dist < OBJECT_HEADER || h % 8 != 0 || h < seg || h + OBJECT_HEADER as usize > o {
            return Err(bad());
        }
        // SAFETY: `[h, h + OBJECT_HEADER)` lies inside the segment, between its base and
        // the object (checked above), and is 8-aligned.
        let oh = unsafe { &*(h as *const ObjectHeader) };
        if oh.magic != OBJECT_MAGIC {
            return Err(bad());
        }
        let base = o.checked_sub(oh.object as usize).ok_or_else(bad)?;
        if base != seg || oh.object as usize >= len {
            return Err(bad());
        }
        // SAFETY: the validated header says the segment starts at `base`; `from_raw`
        // checks its magic and state before any use.
        unsafe { SegmentManager::from_raw(base as *mut u8) }
    }

    /// The in-segment address of the manager (the segment base).
    pub fn as_ptr(&self) -> *mut u8 {
        self.base.as_ptr()
    }

    fn header(&self) -> &SegmentHeader {
        // SAFETY: the segment is mapped (see `from_base`); fields mutated by other
        // processes are atomics or are only touched under the lock.
        unsafe { &*self.base.as_ptr().cast::<SegmentHeader>() }
    }

    fn segment_lock(&self) -> &robust::RobustLock {
        &self.header().lock
    }

    fn check_live(&self) -> Result<()> {
        let h = self.header();
        if h.magic != MAGIC || h.init_state.load(Ordering::Acquire) != STATE_READY {
            return Err(corrupted(
                "the address is not a ready interproc segment manager",
            ));
        }
        if h.corrupted.load(Ordering::Acquire) != 0 {
            return Err(corrupted(
                "the segment was found inconsistent after a process died while changing it",
            ));
        }
        Ok(())
    }

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
        self.header().creator_pid.load(Ordering::Relaxed)
    }

    /// What the segment lock's word says right now: free, held by a thread id (of the
    /// holder's own PID namespace), marked by the kernel because its owner died (the next
    /// process to lock recovers it), or garbage.
    pub fn lock_holder(&self) -> LockHolder {
        crate::sync::lock_holder(self.segment_lock())
    }

    /// The segment size in bytes (never more than this process has mapped).
    pub fn size(&self) -> usize {
        (self.header().size.load(Ordering::Acquire) as usize).min(self.len)
    }

    fn heap(&self) -> Heap {
        let base = self.base.as_ptr();
        // SAFETY: the heap state lives in the header of this mapped segment; callers hold
        // the lock before changing anything through it.
        unsafe {
            Heap::new(
                base,
                std::ptr::addr_of_mut!((*base.cast::<SegmentHeader>()).heap),
            )
        }
    }

    fn index<'h>(&self, heap: &'h Heap) -> Index<'h> {
        let base = self.base.as_ptr();
        // SAFETY: as `heap`.
        unsafe {
            Index::new(
                base,
                std::ptr::addr_of_mut!((*base.cast::<SegmentHeader>()).index),
                heap,
                self.len as u64,
            )
        }
    }

    // Views are only made from validated segments (`from_base` after `attach`/`format`,
    // `from_raw` after `check_live`), so locking needs no new check of the header; only the
    // corrupted flag, which another process may have raised since, is read after locking.
    fn lock(&self) -> Result<LockGuard<'_>> {
        let lock = self.segment_lock();
        let how = lock
            .lock_spinning(LOCK_SPIN)
            .map_err(|e| e.into_error("locking the segment"))?;
        let guard = LockGuard::adopt(lock);
        self.check_bounds()?;
        self.after_lock(how)?;
        Ok(guard)
    }

    /// The heap's and the index's bounds must lie inside what this process mapped: a
    /// header overwritten with garbage is refused before any offset in it is followed.
    fn check_bounds(&self) -> Result<()> {
        let h = self.header();
        let len = self.len as u64;
        let (start, end) = (h.heap.start, h.heap.end);
        let table_end = h
            .index
            .capacity
            .checked_mul(16)
            .and_then(|b| b.checked_add(h.index.table));
        if start != HEAP_START
            || end > len
            || end < HEAP_START + heap::HEADER
            || end % heap::ALIGN != 0
            || table_end.is_none_or(|e| e > len)
        {
            return Err(corrupted(format!(
                "the segment header's heap [{start}, {end}) or name table does not fit the {len} mapped bytes"
            )));
        }
        Ok(())
    }

    fn try_lock(&self) -> Result<Option<LockGuard<'_>>> {
        let lock = self.segment_lock();
        let how = lock
            .try_lock()
            .map_err(|e| e.into_error("locking the segment"))?;
        let Some(how) = how else { return Ok(None) };
        let guard = LockGuard::adopt(lock);
        self.check_bounds()?;
        self.after_lock(how)?;
        Ok(Some(guard))
    }

    /// After a process died holding the lock, check the structures it may have been
    /// changing; if they do not hold together, the segment is marked corrupted for good.
    #[inline]
    fn after_lock(&self, how: Acquired) -> Result<()> {
        if how == Acquired::OwnerDied {
            return self.recover();
        }
        if self.header().corrupted.load(Ordering::Acquire) != 0 {
            return self.check_live();
        }
        Ok(())
    }

    #[cold]
    fn recover(&self) -> Result<()> {
        {
            let heap = self.heap();
            // Operations keep the chain of block sizes walkable at every step, so what a
            // killed process leaves half done is rebuilt from it: back links, free lists,
            // counts; then the name index from the object headers.
            let result = heap
                .check()
                .or_else(|_| heap.repair().and_then(|_| heap.check()))
                .and_then(|_| {
                    let index = self.index(&heap);
                    index.check().or_else(|_| {
                        index
                            .rebuild(&heap.used_blocks()?)
                            .and_then(|_| index.check())
                    })
                });
            if let Err(e) = result {
                self.header().corrupted.store(1, Ordering::Release);
                return Err(corrupted(format!(
                    "a process died while changing the segment and left it inconsistent: {}",
                    e.message()
                )));
            }
        }
        self.check_live()
    }

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
        let _g = self.lock()?;
        Ok(self
            .heap()
            .allocate(n as u64, align as u64)?
            .map(|off| self.at(off)))
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
        let off = self.offset_in_segment(ptr)?;
        let _g = self.lock()?;
        self.heap().deallocate(off)
    }

    /// Grows the allocation at `ptr` in place to hold at least `min` bytes (and up to
    /// `preferred` when that much is free right after it). Returns its usable size
    /// afterwards: below `min` when it could not grow, and then nothing changed. Memory
    /// that is not an allocation of this segment gives `InvalidArgument`.
    pub fn expand_in_place(&self, ptr: *mut u8, min: usize, preferred: usize) -> Result<usize> {
        self.check_writable()?;
        let off = self.offset_in_segment(ptr)?;
        let _g = self.lock()?;
        Ok(self.heap().expand(off, min as u64, preferred as u64)? as usize)
    }

    /// The number of usable bytes of the allocation at `ptr`.
    pub fn allocation_size(&self, ptr: *const u8) -> Result<usize> {
        let off = self.offset_in_segment(ptr)?;
        let _g = self.lock()?;
        Ok(self.heap().usable_size(off)? as usize)
    }

    /// Constructs `count` elements of `elem_size` bytes aligned to `elem_align`, registered
    /// under `name` (ignored for anonymous objects). `init` runs under the segment lock on
    /// the raw memory and must initialise every element; if it fails, nothing is left
    /// behind (memory freed, name not registered) and its error is returned.
    ///
    /// With `find_existing`, an existing object of that name is returned instead (with
    /// `created == false`); otherwise an existing name gives `AlreadyExists`. A full
    /// segment gives `OutOfMemory`.
    #[allow(clippy::too_many_arguments)]
    pub fn construct(
        &self,
        kind: InstanceKind,
        name: &[u8],
        elem_size: usize,
        elem_align: usize,
        count: usize,
        find_existing: bool,
        init: &mut dyn FnMut(NonNull<u8>, usize) -> Result<()>,
    ) -> Result<(ObjectInfo, bool)> {
        self.check_writable()?;
        if kind != InstanceKind::Anonymous && name.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "an object name may not be empty",
            ));
        }
        if name.contains(&0) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "an object name may not contain NUL",
            ));
        }
        // At least 8, so the back-reference just before the object is an aligned u64.
        let align = elem_align.max(8);
        if !align.is_power_of_two() || align > crate::os::mmap::page_size() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("alignment {elem_align} is not a power of two up to the page size"),
            ));
        }
        let bytes = elem_size.checked_mul(count).ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfMemory,
                format!("{count} elements of {elem_size} bytes overflow"),
            )
        })?;
        let _g = self.lock()?;
        let heap = self.heap();
        let index = self.index(&heap);
        if kind != InstanceKind::Anonymous {
            if let Some(h) = index.find(kind, name)? {
                if !find_existing {
                    return Err(Error::new(
                        ErrorKind::AlreadyExists,
                        format!(
                            "an object named {:?} already exists in the segment",
                            String::from_utf8_lossy(name)
                        ),
                    ));
                }
                let info = self.info_at(&index, h)?;
                if info.elem_size != elem_size {
                    return Err(size_mismatch(name, info.elem_size, elem_size));
                }
                return Ok((info, false));
            }
            // Make room in the index first, so registering after construction cannot fail.
            index.reserve(1)?;
        }
        let prefix = (OBJECT_HEADER + name.len() as u64 + 1 + 8).next_multiple_of(heap::ALIGN);
        let extra = (align as u64).saturating_sub(heap::ALIGN);
        let total = prefix
            .checked_add(extra)
            .and_then(|x| x.checked_add(bytes as u64))
            .ok_or_else(|| Error::new(ErrorKind::OutOfMemory, "object too large"))?;
        let Some(h) = heap.allocate(total, heap::ALIGN)? else {
            return Err(Error::new(
                ErrorKind::OutOfMemory,
                format!(
                    "the segment has no room for {bytes} bytes ({} bytes free)",
                    heap.free_bytes()
                ),
            ));
        };
        let base = self.base.as_ptr();
        // Align the address (the base of a heap or external segment is only 16-aligned).
        let b = base as u64;
        let object =
            (b + h + OBJECT_HEADER + name.len() as u64 + 1 + 8).next_multiple_of(align as u64) - b;
        // SAFETY: `[h, h + total)` is a fresh allocation inside the segment; the header,
        // name, back-reference and object all lie inside it (see `prefix` and `extra`).
        unsafe {
            base.add(h as usize)
                .cast::<ObjectHeader>()
                .write(ObjectHeader {
                    magic: OBJECT_MAGIC,
                    kind: kind as u32,
                    name_len: name.len() as u64,
                    elem_size: elem_size as u64,
                    elem_align: align as u64,
                    count: count as u64,
                    object,
                });
            let n = base.add((h + OBJECT_HEADER) as usize);
            std::ptr::copy_nonoverlapping(name.as_ptr(), n, name.len());
            *n.add(name.len()) = 0;
            // The distance back to the header, so the header is found from the object's
            // address alone (even without knowing the segment, as Boost's static
            // `get_instance_name` needs).
            base.add((object - 8) as usize)
                .cast::<u64>()
                .write(object - h);
        }
        let ptr = self.at(object);
        if let Err(e) = init(ptr, count) {
            // SAFETY: the header is ours; clear its magic so a stale pointer never
            // validates, then give the memory back.
            unsafe { (*base.add(h as usize).cast::<ObjectHeader>()).magic = 0 };
            heap.deallocate(h)?;
            return Err(e);
        }
        if kind != InstanceKind::Anonymous {
            // The index may have moved if `init` constructed named objects of its own;
            // `insert` reserves again, which cannot fail for want of the slot reserved above
            // unless `init` used it, and then it regrows.
            if let Err(e) = self.index(&heap).insert(kind, name, h) {
                // SAFETY: as above.
                unsafe { (*base.add(h as usize).cast::<ObjectHeader>()).magic = 0 };
                heap.deallocate(h)?;
                return Err(e);
            }
        }
        Ok((
            ObjectInfo {
                ptr,
                elem_size,
                count,
                kind,
            },
            true,
        ))
    }

    fn info_at(&self, index: &Index<'_>, h: u64) -> Result<ObjectInfo> {
        let oh = index.header(h)?;
        Ok(ObjectInfo {
            ptr: self.at(oh.object),
            elem_size: oh.elem_size as usize,
            count: oh.count as usize,
            kind: InstanceKind::from_code(oh.kind).ok_or_else(|| corrupted("bad object kind"))?,
        })
    }

    /// Finds the named or unique object `name`. `elem_size`, when given, must match the
    /// size the object was constructed with (a mismatch is an `InvalidArgument` error,
    /// where Boost would hand out a mistyped pointer).
    pub fn find(
        &self,
        kind: InstanceKind,
        name: &[u8],
        elem_size: Option<usize>,
    ) -> Result<Option<ObjectInfo>> {
        let _g = self.lock_for_read()?;
        let heap = self.heap();
        let index = self.index(&heap);
        let Some(h) = index.find(kind, name)? else {
            return Ok(None);
        };
        let info = self.info_at(&index, h)?;
        if let Some(size) = elem_size {
            if size != info.elem_size {
                return Err(size_mismatch(name, info.elem_size, size));
            }
        }
        Ok(Some(info))
    }

    /// Destroys the named or unique object `name`: `drop` runs on it under the lock (to
    /// run destructors), then it is unregistered and freed. Returns false if absent.
    pub fn destroy(
        &self,
        kind: InstanceKind,
        name: &[u8],
        elem_size: Option<usize>,
        drop: &mut dyn FnMut(NonNull<u8>, usize),
    ) -> Result<bool> {
        self.check_writable()?;
        let _g = self.lock()?;
        let heap = self.heap();
        let index = self.index(&heap);
        let Some(h) = index.find(kind, name)? else {
            return Ok(false);
        };
        let info = self.info_at(&index, h)?;
        if let Some(size) = elem_size {
            if size != info.elem_size {
                return Err(size_mismatch(name, info.elem_size, size));
            }
        }
        drop(info.ptr, info.count);
        self.release(&heap, h, Some((kind, name)))
    }

    /// Unregisters (if named or unique) and frees the object whose header is at `h`. The
    /// header is invalidated first, so a process killed half-way never leaves a destroyed
    /// object findable again (a rebuilt index skips it); at worst its memory leaks.
    fn release(&self, heap: &Heap, h: u64, name: Option<(InstanceKind, &[u8])>) -> Result<bool> {
        let slot = match name {
            Some((kind, n)) => self.index(heap).find_slot(kind, n)?.map(|i| (i, kind)),
            None => None,
        };
        // SAFETY: `h` is a validated object header inside the segment.
        unsafe { (*self.base.as_ptr().add(h as usize).cast::<ObjectHeader>()).magic = 0 };
        if let Some((i, kind)) = slot {
            self.index(heap).remove_slot(i, kind);
        }
        heap.deallocate(h)?;
        Ok(true)
    }

    /// The header offset of the constructed object at `ptr`, validated.
    fn header_of(&self, index: &Index<'_>, ptr: *const u8) -> Result<u64> {
        let not_object = || {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{ptr:p} is not an object constructed in this segment"),
            )
        };
        let off = self.offset_of(ptr).ok_or_else(not_object)?;
        if off < HEAP_START + 8 || off % 8 != 0 {
            return Err(not_object());
        }
        // SAFETY: `off - 8` is inside the segment and 8-aligned.
        let dist = unsafe { *self.base.as_ptr().add((off - 8) as usize).cast::<u64>() };
        let Some(h) = off.checked_sub(dist) else {
            return Err(not_object());
        };
        match index.header(h) {
            Ok(oh) if oh.object == off => Ok(h),
            _ => Err(not_object()),
        }
    }

    /// Destroys the object constructed at `ptr` (named, unique or anonymous).
    pub fn destroy_ptr(
        &self,
        ptr: *mut u8,
        drop: &mut dyn FnMut(NonNull<u8>, usize),
    ) -> Result<()> {
        self.check_writable()?;
        let _g = self.lock()?;
        let heap = self.heap();
        let index = self.index(&heap);
        let h = self.header_of(&index, ptr)?;
        let info = self.info_at(&index, h)?;
        let name = index.name_of(h, index.header(h)?).to_vec();
        drop(info.ptr, info.count);
        let named = (info.kind != InstanceKind::Anonymous).then_some((info.kind, name.as_slice()));
        self.release(&heap, h, named).map(|_| ())
    }

    /// What is known about the constructed object at `ptr`, with its name's address
    /// (NUL-terminated, inside the segment) and length.
    pub fn instance(&self, ptr: *const u8) -> Result<(ObjectInfo, *const u8, usize)> {
        let _g = self.lock_for_read()?;
        let heap = self.heap();
        let index = self.index(&heap);
        let h = self.header_of(&index, ptr)?;
        let info = self.info_at(&index, h)?;
        let oh = index.header(h)?;
        Ok((
            info,
            self.at(h + OBJECT_HEADER).as_ptr().cast_const(),
            oh.name_len as usize,
        ))
    }

    /// Number of named objects.
    pub fn num_named_objects(&self) -> Result<usize> {
        let _g = self.lock_for_read()?;
        let heap = self.heap();
        Ok(self.index(&heap).count(InstanceKind::Named) as usize)
    }

    /// Number of unique objects.
    pub fn num_unique_objects(&self) -> Result<usize> {
        let _g = self.lock_for_read()?;
        let heap = self.heap();
        Ok(self.index(&heap).count(InstanceKind::Unique) as usize)
    }

    fn lock_for_read(&self) -> Result<Option<LockGuard<'_>>> {
        if self.read_only {
            self.check_live()?;
            self.check_bounds()?;
            Ok(None)
        } else {
            self.lock().map(Some)
        }
    }

    /// The next object of `kind` at index position `cursor` or later: returns the
    /// position after it, the object, and its name. Iterate from 0 until `None`.
    pub fn next_object(
        &self,
        kind: InstanceKind,
        cursor: u64,
    ) -> Result<Option<(u64, ObjectInfo, *const u8, usize)>> {
        let _g = self.lock_for_read()?;
        let heap = self.heap();
        let index = self.index(&heap);
        let Some((slot, h)) = index.next(kind, cursor)? else {
            return Ok(None);
        };
        let info = self.info_at(&index, h)?;
        let len = index.header(h)?.name_len as usize;
        Ok(Some((
            slot + 1,
            info,
            self.at(h + OBJECT_HEADER).as_ptr().cast_const(),
            len,
        )))
    }

    /// Sizes the name index for `n` more named objects.
    pub fn reserve_named_objects(&self, n: usize) -> Result<()> {
        self.check_writable()?;
        let _g = self.lock()?;
        let heap = self.heap();
        self.index(&heap).reserve(n as u64)
    }

    /// Bytes available for allocation.
    pub fn free_memory(&self) -> Result<usize> {
        let _g = self.lock_for_read()?;
        Ok(self.heap().free_bytes() as usize)
    }

    /// Whether every allocation and object has been given back.
    pub fn all_memory_deallocated(&self) -> Result<bool> {
        let _g = self.lock_for_read()?;
        Ok(self.heap().all_deallocated())
    }

    /// Checks every block, free list and index entry; the error says what is wrong.
    pub fn check_sanity(&self) -> Result<()> {
        let _g = self.lock_for_read()?;
        let heap = self.heap();
        heap.check()?;
        self.index(&heap).check()
    }

    /// Zeroes the free memory (for example before writing a snapshot of the segment).
    pub fn zero_free_memory(&self) -> Result<()> {
        self.check_writable()?;
        let _g = self.lock()?;
        self.heap().zero_free()
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

    /// Runs `f` while holding the segment lock (Boost's `atomic_func`).
    pub fn atomic_func<R>(&self, f: impl FnOnce() -> R) -> Result<R> {
        let _g = self.lock()?;
        Ok(f())
    }

    /// Runs `f` if the segment lock is free right now (Boost's `try_atomic_func`);
    /// `None` if it was held.
    pub fn try_atomic_func<R>(&self, f: impl FnOnce() -> R) -> Result<Option<R>> {
        Ok(self.try_lock()?.map(|_g| f()))
    }

    /// Lays out a fresh segment of `size` bytes at `base` and marks it ready.
    ///
    /// # Safety
    /// `[base, base + size)` must be mapped, writable, 16-aligned and used by nobody else
    /// until this returns except openers waiting for the ready state.
    pub(crate) unsafe fn format(base: NonNull<u8>, size: u64) -> Result<()> {
        if size < MIN_SEGMENT_SIZE {
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
        let h = base.as_ptr().cast::<SegmentHeader>();
        // SAFETY: exclusive, writable memory per the contract; only atomics are shared
        // with waiting openers.
        unsafe {
            (*h).creator_pid
                .store(std::process::id(), Ordering::Relaxed);
            (*h).init_state.store(STATE_INITIALIZING, Ordering::Release);
            (*h).layout_version = LAYOUT_VERSION;
            (*h).pointer_width = std::mem::size_of::<usize>() as u8;
            (*h).endianness = native_endian();
            (*h).header_size = HEADER_SIZE as u16;
            (*h).size.store(size, Ordering::Relaxed);
            (*h).corrupted.store(0, Ordering::Relaxed);
            (*h).lock.init(true);
            std::ptr::addr_of_mut!((*h).index).write_bytes(0, 1);
            let heap = Heap::new(base.as_ptr(), std::ptr::addr_of_mut!((*h).heap));
            heap.format(HEAP_START, size & !(heap::ALIGN - 1));
            (*h).magic = MAGIC;
            (*h).init_state.store(STATE_READY, Ordering::Release);
        }
        Ok(())
    }

    /// Validates the header of a mapped segment of `mapped` bytes that is ready.
    ///
    /// # Safety
    /// `[base, base + mapped)` must be mapped and readable.
    pub(crate) unsafe fn validate(base: NonNull<u8>, mapped: u64) -> Result<()> {
        // A segment shrunk to fit may be smaller than a new one may be.
        let smallest = HEAP_START + heap::HEADER;
        if mapped < smallest {
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
        if u64::from(h.header_size) != HEADER_SIZE {
            return Err(corrupted(format!(
                "header size {} instead of {HEADER_SIZE}",
                h.header_size
            )));
        }
        let size = h.size.load(Ordering::Acquire);
        if size < smallest || size > mapped {
            return Err(corrupted(format!(
                "the header says {size} bytes but {mapped} are mapped (truncated segment?)"
            )));
        }
        if h.heap.start != HEAP_START || h.heap.end > size || h.heap.end < smallest {
            return Err(corrupted(format!(
                "heap bounds [{}, {}) do not fit the segment",
                h.heap.start, h.heap.end
            )));
        }
        if h.corrupted.load(Ordering::Acquire) != 0 {
            return Err(corrupted(
                "the segment is marked corrupted (a process died while changing it)",
            ));
        }
        Ok(())
    }

    /// Grows the segment's heap to `new_size` bytes (the memory must already be mapped).
    pub(crate) fn extend(&self, new_size: u64) -> Result<()> {
        self.check_writable()?;
        let _g = self.lock()?;
        self.heap().extend(new_size & !(heap::ALIGN - 1))?;
        self.header().size.store(new_size, Ordering::Release);
        Ok(())
    }

    /// Cuts the free tail of the heap; returns the new segment size.
    pub(crate) fn shrink_tail(&self) -> Result<u64> {
        self.check_writable()?;
        let _g = self.lock()?;
        let end = self.heap().truncate_tail(0)?;
        self.header().size.store(end, Ordering::Release);
        Ok(end)
    }
}

fn size_mismatch(name: &[u8], have: usize, asked: usize) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "object {:?} holds elements of {have} bytes, asked for {asked}",
            String::from_utf8_lossy(name)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    /// The layout is a promise to every process that maps a segment: a change here must
    /// come with a new LAYOUT_VERSION.
    #[test]
    fn shared_layout_is_pinned() {
        assert_eq!(LAYOUT_VERSION, 2);
        assert_eq!(offset_of!(SegmentHeader, magic), 0);
        assert_eq!(offset_of!(SegmentHeader, layout_version), 8);
        assert_eq!(offset_of!(SegmentHeader, pointer_width), 12);
        assert_eq!(offset_of!(SegmentHeader, endianness), 13);
        assert_eq!(offset_of!(SegmentHeader, header_size), 14);
        assert_eq!(offset_of!(SegmentHeader, init_state), 16);
        assert_eq!(offset_of!(SegmentHeader, creator_pid), 20);
        assert_eq!(offset_of!(SegmentHeader, size), 24);
        assert_eq!(offset_of!(SegmentHeader, corrupted), 32);
        assert_eq!(offset_of!(SegmentHeader, lock), 40);
        assert_eq!(size_of::<robust::RobustLock>(), 40);
        assert_eq!(offset_of!(SegmentHeader, index), 80);
        assert_eq!(size_of::<IndexState>(), 48);
        assert_eq!(offset_of!(SegmentHeader, heap), 128);
        assert_eq!(size_of::<HeapState>(), 2512);
        assert_eq!(size_of::<SegmentHeader>(), 128 + size_of::<HeapState>());
        assert_eq!(align_of::<SegmentHeader>(), 8);
        assert_eq!(size_of::<ObjectHeader>(), 48);
        assert_eq!(HEAP_START % 16, 0);
    }
}
