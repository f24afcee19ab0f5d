//! Named, unique and anonymous objects: construct, find, destroy, iterate.

use super::{HEADER_SIZE, ObjectInfo, SegmentManager};
use crate::segment::heap::Heap;
use crate::segment::index::{HeaderLayout, Index, InstanceKind, OBJECT_HEADER, ObjectHeader, Room};
use crate::segment::lookup::{Attempt, Found, IndexSeq, Lookup};
use crate::segment::object_header;
use crate::segment::{heap, lookup};
use crate::{Error, ErrorKind, Result};
use std::ptr::NonNull;
use std::sync::atomic::Ordering;

impl SegmentManager {
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
        let shape = (elem_size, elem_align, count);
        self.construct_tagged(kind, name, shape, 0, find_existing, init)
    }

    /// [`Self::construct`] that records `type_tag` with the object (the typed API's), and
    /// with `find_existing` checks an existing object's tag against it ([`tags_agree`]).
    /// `shape` is the element size, the alignment and the count.
    pub(crate) fn construct_tagged(
        &self,
        kind: InstanceKind,
        name: &[u8],
        (elem_size, elem_align, count): (usize, usize, usize),
        type_tag: u64,
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
        // The name's hash before the lock: the less done under it, the better.
        let hsh = super::super::index::hash(kind, name);
        let _g = self.lock()?;
        let _w = self.index_write();
        let heap = self.heap()?;
        let index = self.index(&heap);
        let capacity_before = index.capacity();
        let mut room = None;
        if kind != InstanceKind::Anonymous {
            let (found, free) = index.find_or_room(kind, name, hsh)?;
            room = free;
            if let Some((_, h)) = found {
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
                fits(&info, name, Some(elem_size), align)?;
                if !tags_agree(info.type_tag, type_tag) {
                    return Err(tag_mismatch(name));
                }
                return Ok((info, false));
            }
            // Make room in the index first, so registering after construction cannot fail.
            let mut full = None;
            let reserved =
                self.growth()
                    .growing(&heap, 0, || match self.index(&heap).reserve(1) {
                        Ok(()) => Ok(Some(())),
                        Err(e) if e.kind() == ErrorKind::OutOfMemory => {
                            full = Some(e);
                            Ok(None)
                        }
                        Err(e) => Err(e),
                    })?;
            if let (None, Some(e)) = (reserved, full) {
                return Err(e);
            }
        }
        let made = self.place(
            &heap,
            (kind, name, hsh, room),
            (elem_size, align, count, type_tag),
            bytes,
            init,
        );
        if made.is_err() && kind != InstanceKind::Anonymous {
            // The room reserved above is not kept for nothing.
            let index = self.index(&heap);
            index.drop_table_if_empty()?;
            index.shrink_back(capacity_before)?;
        }
        made.map(|info| (info, true))
    }

    /// The second half of [`Self::construct`], under the lock with room in the index:
    /// allocates the object with its header and name ([`Self::lay_out`]), runs `init`,
    /// registers it, and only then gives its header the magic that makes it an object.
    #[allow(clippy::too_many_arguments)]
    fn place(
        &self,
        heap: &Heap,
        (kind, name, hsh, room): (InstanceKind, &[u8], u64, Option<Room>),
        shape: (usize, usize, usize, u64),
        bytes: usize,
        init: &mut dyn FnMut(NonNull<u8>, usize) -> Result<()>,
    ) -> Result<ObjectInfo> {
        let (elem_size, _, count, type_tag) = shape;
        // Until `publish` below, the header has no magic: a process killed before then
        // leaves a block that no rebuild of the index takes for an object (at worst its
        // memory leaks), rather than an object of unwritten contents or name, or a second
        // object of a name that is constructed again later.
        let (u, h, object) = self.lay_out(heap, kind, name, shape, bytes)?;
        let ptr = self.at(object);
        if let Err(e) = init(ptr, count) {
            // The header never had its magic: no stale pointer validates.
            heap.deallocate(u)?;
            return Err(e);
        }
        if kind != InstanceKind::Anonymous {
            // The index may have moved if `init` constructed named objects of its own;
            // `insert` reserves again, which cannot fail for want of the slot reserved above
            // unless `init` used it, and then it regrows.
            if let Err(e) = self.index(heap).insert_hashed(kind, name, h, hsh, room) {
                heap.deallocate(u)?;
                return Err(e);
            }
        }
        // Registered (or anonymous, and constructed): the object is whole. Readers without
        // the lock see it only once the index's write section ends, this store included.
        // SAFETY: `h` is the header `lay_out` wrote in this call's block.
        unsafe { object_header::publish(self.base.as_ptr(), h) };
        Ok(ObjectInfo {
            ptr,
            elem_size,
            count,
            kind,
            type_tag,
        })
    }

    /// Takes a block for an object of `bytes` bytes of elements, `shape` (element size,
    /// alignment, count, type tag), and writes its header, without the magic
    /// ([`HeaderLayout::write`]), and its name. Returns the block's user offset, the
    /// header's and the object's.
    pub(super) fn lay_out(
        &self,
        heap: &Heap,
        kind: InstanceKind,
        name: &[u8],
        (elem_size, align, count, type_tag): (usize, usize, usize, u64),
        bytes: usize,
    ) -> Result<(u64, u64, u64)> {
        // The words the header needs before it (see `HeaderLayout`), the most padding an
        // alignment above the block's needs (blocks start 16-aligned, and the header is 16
        // bytes), then the header, the elements, the name and its NUL.
        let layout = HeaderLayout::new(
            kind,
            name.len() as u64,
            elem_size as u64,
            count as u64,
            type_tag,
        );
        let extra = (align as u64).saturating_sub(heap::ALIGN) + layout.lead;
        let total = (bytes as u64)
            .checked_add(OBJECT_HEADER + extra + name.len() as u64 + 1)
            .ok_or_else(|| Error::new(ErrorKind::OutOfMemory, "object too large"))?;
        let Some(u) = self.take_block(heap, total)? else {
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
        let object = (b + u + layout.lead + OBJECT_HEADER).next_multiple_of(align as u64) - b;
        let h = object - OBJECT_HEADER;
        let name_at = object + bytes as u64;
        // SAFETY: `[u, u + total)` is a fresh allocation inside the segment; the padding's
        // mark, the words before the header, the header (16-aligned: `u`, `lead`, the
        // header's size and an alignment of 16 or more are multiples of 16), the elements
        // and the name all lie inside it (see `total`).
        let written = unsafe { layout.write(base, h, h - u) };
        if written.is_none() {
            heap.deallocate(u)?;
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("alignment {align} is too large"),
            ));
        }
        // SAFETY: as above.
        unsafe {
            let n = base.add(name_at as usize);
            std::ptr::copy_nonoverlapping(name.as_ptr(), n, name.len());
            *n.add(name.len()) = 0;
        }
        Ok((u, h, object))
    }

    pub(super) fn info_at(&self, index: &Index<'_>, h: u64) -> Result<ObjectInfo> {
        let oh = index.object_header(h)?;
        Ok(ObjectInfo {
            ptr: self.at(oh.object),
            elem_size: oh.elem_size as usize,
            count: oh.count as usize,
            kind: oh.kind,
            type_tag: oh.type_tag,
        })
    }

    /// Finds the named or unique object `name`. `elem_size`, when given, must match the
    /// size the object was constructed with (a mismatch is an `InvalidArgument` error,
    /// where Boost would hand out a mistyped pointer). No alignment is checked: see
    /// [`Self::find_aligned`].
    pub fn find(
        &self,
        kind: InstanceKind,
        name: &[u8],
        elem_size: Option<usize>,
    ) -> Result<Option<ObjectInfo>> {
        self.find_aligned(kind, name, elem_size, 1)
    }

    /// [`Self::find`] for elements that need `align`-byte alignment (a power of two): an
    /// object whose address is not a multiple of it cannot hold them, and is an
    /// `InvalidArgument` error instead of a misaligned pointer. Mappings start at a page
    /// boundary, so the answer is the same in every process for alignments up to the page
    /// size.
    pub fn find_aligned(
        &self,
        kind: InstanceKind,
        name: &[u8],
        elem_size: Option<usize>,
        align: usize,
    ) -> Result<Option<ObjectInfo>> {
        if !align.is_power_of_two() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("alignment {align} is not a power of two"),
            ));
        }
        let info = self.find_any(kind, name)?;
        if let Some(info) = &info {
            fits(info, name, elem_size, align)?;
        }
        Ok(info)
    }

    /// The named or unique object `name`, whatever it holds.
    fn find_any(&self, kind: InstanceKind, name: &[u8]) -> Result<Option<ObjectInfo>> {
        if let Some(found) = self.find_unlocked(kind, name)? {
            let info = found.map(|f| ObjectInfo {
                ptr: self.at(f.object),
                elem_size: f.elem_size as usize,
                count: f.count as usize,
                kind,
                type_tag: f.type_tag,
            });
            return Ok(info);
        }
        let _g = self.lock_for_read()?;
        let heap = self.heap()?;
        let index = self.index(&heap);
        let Some(h) = index.find(kind, name)? else {
            return Ok(None);
        };
        self.info_at(&index, h).map(Some)
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
        self.destroy_tagged(kind, name, elem_size, 0, drop)
    }

    /// [`Self::destroy`] that also refuses, changing nothing, an object whose type tag
    /// disagrees with `type_tag` ([`tags_agree`]).
    pub(crate) fn destroy_tagged(
        &self,
        kind: InstanceKind,
        name: &[u8],
        elem_size: Option<usize>,
        type_tag: u64,
        drop: &mut dyn FnMut(NonNull<u8>, usize),
    ) -> Result<bool> {
        self.check_writable()?;
        let hsh = super::super::index::hash(kind, name);
        let _g = self.lock()?;
        let _w = self.index_write();
        let heap = self.heap()?;
        let index = self.index(&heap);
        let Some((slot, h)) = index.find_hashed(kind, name, hsh)? else {
            return Ok(false);
        };
        let info = self.info_at(&index, h)?;
        fits(&info, name, elem_size, 1)?;
        if !tags_agree(info.type_tag, type_tag) {
            return Err(tag_mismatch(name));
        }
        drop(info.ptr, info.count);
        self.release(&heap, h, Some((kind, name)), Some(slot))
    }

    /// Unregisters (if named or unique) and frees the object whose header is at `h`. The
    /// header is invalidated first, so a process killed half-way never leaves a destroyed
    /// object findable again (a rebuilt index skips it); at worst its memory leaks.
    /// `hint` is the object's slot as a find before it saw it: used if it still holds the
    /// object (a destructor run in between may have changed the index), else looked up.
    pub(super) fn release(
        &self,
        heap: &Heap,
        h: u64,
        name: Option<(InstanceKind, &[u8])>,
        hint: Option<u64>,
    ) -> Result<bool> {
        let index = self.index(heap);
        let slot = match (name, hint) {
            (Some((kind, _)), Some(i)) if index.slot_holds(i, h) => Some((i, kind)),
            (Some((kind, n)), _) => index.find_slot(kind, n)?.map(|i| (i, kind)),
            (None, _) => None,
        };
        let block = index.block_holding(h)?;
        // SAFETY: `h` is a validated object header inside the segment.
        unsafe { (*self.base.as_ptr().add(h as usize).cast::<ObjectHeader>()).magic = 0 };
        if let Some((i, kind)) = slot {
            self.index(heap).remove_slot(i, kind)?;
        }
        self.give_block_back(heap, block)?;
        Ok(true)
    }

    /// The header offset of the constructed object at `ptr`, validated.
    pub(super) fn object_header_of(&self, index: &Index<'_>, ptr: *const u8) -> Result<u64> {
        let not_object = || {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{ptr:p} is not an object constructed in this segment"),
            )
        };
        let off = self.offset_of(ptr).ok_or_else(not_object)?;
        if off < HEADER_SIZE + OBJECT_HEADER || off % 16 != 0 {
            return Err(not_object());
        }
        // The header lies right before the object.
        let h = off - OBJECT_HEADER;
        match index.object_header(h) {
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
        let _w = self.index_write();
        let heap = self.heap()?;
        let index = self.index(&heap);
        let h = self.object_header_of(&index, ptr)?;
        let info = self.info_at(&index, h)?;
        let name = index.name_of(&index.object_header(h)?).to_vec();
        drop(info.ptr, info.count);
        let named = (info.kind != InstanceKind::Anonymous).then_some((info.kind, name.as_slice()));
        self.release(&heap, h, named, None).map(|_| ())
    }

    /// What is known about the constructed object at `ptr`, with its name's address
    /// (NUL-terminated, inside the segment) and length.
    pub fn instance(&self, ptr: *const u8) -> Result<(ObjectInfo, *const u8, usize)> {
        let _g = self.lock_for_read()?;
        let heap = self.heap()?;
        let index = self.index(&heap);
        let h = self.object_header_of(&index, ptr)?;
        self.info_and_name_at(&index, h)
    }

    /// [`Self::info_at`] with the object's name: its address (NUL-terminated, inside the
    /// segment) and length.
    fn info_and_name_at(
        &self,
        index: &Index<'_>,
        h: u64,
    ) -> Result<(ObjectInfo, *const u8, usize)> {
        let info = self.info_at(index, h)?;
        let oh = index.object_header(h)?;
        let name = self.at(oh.name_at).as_ptr().cast_const();
        Ok((info, name, oh.name_len as usize))
    }

    /// Number of named objects.
    pub fn num_named_objects(&self) -> Result<usize> {
        let _g = self.lock_for_read()?;
        let heap = self.heap()?;
        Ok(self.index(&heap).count(InstanceKind::Named) as usize)
    }

    /// Number of unique objects.
    pub fn num_unique_objects(&self) -> Result<usize> {
        let _g = self.lock_for_read()?;
        let heap = self.heap()?;
        Ok(self.index(&heap).count(InstanceKind::Unique) as usize)
    }

    /// The next object of `kind` at index position `cursor` or later: returns the
    /// position after it, the object, and its name. Iterate from 0 until `None`.
    pub fn next_object(
        &self,
        kind: InstanceKind,
        cursor: u64,
    ) -> Result<Option<(u64, ObjectInfo, *const u8, usize)>> {
        let _g = self.lock_for_read()?;
        let heap = self.heap()?;
        let index = self.index(&heap);
        let Some((slot, h)) = index.next(kind, cursor)? else {
            return Ok(None);
        };
        let (info, name, len) = self.info_and_name_at(&index, h)?;
        Ok(Some((slot + 1, info, name, len)))
    }

    /// Sizes the name index for `n` more named objects.
    pub fn reserve_named_objects(&self, n: usize) -> Result<()> {
        self.check_writable()?;
        let _g = self.lock()?;
        let _w = self.index_write();
        let heap = self.heap()?;
        self.index(&heap).reserve(n as u64)
    }

    /// A find without the segment lock (see `segment::lookup`): `None` when it could not
    /// be sure after a few tries (a change under way, a segment marked corrupted, or
    /// copies that do not validate), and the caller takes the lock.
    fn find_unlocked(&self, kind: InstanceKind, name: &[u8]) -> Result<Option<Option<Found>>> {
        let h = self.segment_header();
        // Acquire: pairs with the recovery's Release store that marks the segment corrupted.
        if kind == InstanceKind::Anonymous || h.corrupted.load(Ordering::Acquire) != 0 {
            return Ok(None);
        }
        // SAFETY: the segment is mapped, and its object holds `bound()` bytes (so no read
        // below it faults), while `self` lives; the two fields are the index state's, in
        // its header.
        let lookup = unsafe {
            Lookup::new(
                self.base.as_ptr(),
                self.bound(),
                std::ptr::addr_of!(h.index.table),
                std::ptr::addr_of!(h.index.capacity),
            )
        };
        let seq = IndexSeq(&h.index_seq);
        for _ in 0..lookup::TRIES {
            if let Attempt::Sure(found) = lookup.attempt(&seq, kind, name) {
                return Ok(Some(found));
            }
            std::hint::spin_loop();
        }
        Ok(None)
    }

    /// Marks a change of the name index (or of the objects it leads to) for unlocked
    /// readers until the guard drops; the caller holds the segment lock.
    pub(super) fn index_write(&self) -> IndexWrite<'_> {
        let seq = IndexSeq(&self.segment_header().index_seq);
        let owns = seq.begin_write();
        IndexWrite { seq, owns }
    }
}

/// Whether an object built with type tag `stored` may be used as a type of tag `asked`: the
/// same tag, or no tag on either side (then size and alignment are all that is checked).
pub(crate) fn tags_agree(stored: u64, asked: u64) -> bool {
    stored == 0 || asked == 0 || stored == asked
}

/// The error for a name whose object was built as another type of the same size.
pub(crate) fn tag_mismatch(name: &[u8]) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "the object named {:?} was constructed as another type of the same size (its type tag differs)",
            String::from_utf8_lossy(name)
        ),
    )
}

/// Whether the object `info` can hold elements of `elem_size` bytes (when given) that need
/// `align`-byte alignment: an `InvalidArgument` error naming what differs if not.
fn fits(info: &ObjectInfo, name: &[u8], elem_size: Option<usize>, align: usize) -> Result<()> {
    if let Some(size) = elem_size {
        if size != info.elem_size {
            return Err(size_mismatch(name, info.elem_size, size));
        }
    }
    let addr = info.ptr.as_ptr() as usize;
    if addr % align != 0 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "object {:?} lies at an address aligned to {} bytes, asked for {align}",
                String::from_utf8_lossy(name),
                1usize << addr.trailing_zeros()
            ),
        ));
    }
    Ok(())
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

/// A change of the name index under way; ends it on drop.
pub(super) struct IndexWrite<'a> {
    seq: IndexSeq<'a>,
    /// Whether this guard started the change (and so ends it).
    owns: bool,
}

impl IndexWrite<'_> {
    /// Makes this guard end the change whoever started it: the recovery after a holder's
    /// death, which finishes what the dead writer left odd.
    pub(super) fn take_over(&mut self) {
        self.owns = true;
    }
}

impl Drop for IndexWrite<'_> {
    fn drop(&mut self) {
        if self.owns {
            self.seq.end_write();
        }
    }
}
