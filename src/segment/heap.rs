//! The heap of a managed segment: a two-level segregated-fit allocator (TLSF) over offsets.
//!
//! Every block starts with a 16-byte [`BlockHeader`]: the offset of the physically
//! previous block and the block's size (header included, a multiple of 16) with a "free"
//! bit. Free blocks keep the offsets of their free-list neighbours in their first 16 bytes
//! of payload. Free blocks are filed by size in `FL_COUNT × SL_COUNT` lists whose
//! non-emptiness is kept in bitmaps, so allocate and free are O(1); a freed block merges
//! with free physical neighbours at once, so two free blocks are never adjacent.
//!
//! The heap is `[start, end)` inside the segment; the last 16 bytes hold a sentinel header
//! that is never free, so merging forward always stops. All positions are offsets from the
//! segment base, never addresses, because every process maps the segment elsewhere.
//!
//! Nothing here locks: the segment manager calls these functions under the segment lock.
//! Nothing here trusts the memory either: every offset read from the segment is checked
//! against the heap bounds before use, and a violation is reported as corruption.

use crate::{Error, ErrorKind, Result};

mod commands;

/// Granularity and alignment of blocks and of the memory handed out.
pub(crate) const ALIGN: u64 = 16;
/// Size of a block header.
pub(crate) const HEADER: u64 = 16;
/// Smallest block: a header plus the two free-list links.
pub(crate) const MIN_BLOCK: u64 = 32;
/// log2 of the number of second-level lists per first level.
const SL_LOG2: u32 = 3;
const SL_COUNT: usize = 1 << SL_LOG2;
/// Blocks below this size are filed linearly in the first level (16-byte classes).
const SMALL_LIMIT: u64 = (SL_COUNT as u64) * ALIGN;
/// log2 of `SMALL_LIMIT`.
const SMALL_LOG2: u32 = SMALL_LIMIT.trailing_zeros();
/// First levels: level 0 for small blocks, then one per power of two up to 2^44 bytes.
pub(crate) const FL_COUNT: usize = 44 - SMALL_LOG2 as usize + 1;
/// The largest heap supported (16 TiB).
pub(crate) const MAX_HEAP: u64 = 1 << 44;

const FREE: u64 = 1;
const SIZE_MASK: u64 = !(ALIGN - 1);

/// The allocator's state, stored in the segment header.
#[repr(C)]
pub(crate) struct HeapState {
    /// Offset of the first block.
    pub start: u64,
    /// Offset one past the sentinel.
    pub end: u64,
    /// Sum of the sizes of all free blocks (headers included).
    pub free_bytes: u64,
    /// Bytes of allocated blocks that the segment manager uses for itself (name index).
    pub internal_bytes: u64,
    /// Bit `f` set: some list of first level `f` is non-empty.
    pub fl_bitmap: u64,
    /// Bit `s` of entry `f` set: list `(f, s)` is non-empty.
    pub sl_bitmap: [u8; FL_COUNT],
    _pad: [u8; (8 - FL_COUNT % 8) % 8],
    /// Heads of the free lists (0: empty).
    pub heads: [[u64; SL_COUNT]; FL_COUNT],
}

/// A block's header.
#[repr(C)]
struct BlockHeader {
    prev_phys: u64,
    size_flags: u64,
}

/// The heap of one segment, viewed through its base address.
pub(crate) struct Heap {
    base: *mut u8,
    state: *mut HeapState,
}

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Corrupted,
        format!("segment heap is corrupted: {what}"),
    )
}

/// (first level, second level) of a block size.
fn mapping(size: u64) -> (usize, usize) {
    if size < SMALL_LIMIT {
        (0, (size / ALIGN) as usize)
    } else {
        let fl = 63 - size.leading_zeros();
        let sl = (size >> (fl - SL_LOG2)) as usize & (SL_COUNT - 1);
        ((fl - SMALL_LOG2 + 1) as usize, sl)
    }
}

/// The block size to search for so that any block of the list found is large enough.
fn search_size(size: u64) -> u64 {
    if size < SMALL_LIMIT {
        size
    } else {
        let fl = 63 - size.leading_zeros();
        size + (1u64 << (fl - SL_LOG2)) - 1
    }
}

/// The block size (header included) that holds `n` user bytes.
pub(crate) fn block_size_for(n: u64) -> Option<u64> {
    let s = n.checked_add(HEADER + ALIGN - 1)? & SIZE_MASK;
    Some(s.max(MIN_BLOCK))
}

impl Heap {
    /// A view of the heap whose state is at `state`, inside the segment at `base`.
    ///
    /// # Safety
    /// `base` must be the start of a mapped, writable segment whose heap state lives at
    /// `state`, and the caller must hold the segment lock for as long as the view is used
    /// to change anything.
    pub(crate) unsafe fn new(base: *mut u8, state: *mut HeapState) -> Heap {
        Heap { base, state }
    }

    // The state is shared memory guarded by the segment lock, not Rust-owned data: the
    // reference never outlives the call that takes it.
    #[allow(clippy::mut_from_ref)]
    fn st(&self) -> &mut HeapState {
        // SAFETY: `state` points into the mapped segment (see `new`), and the segment lock
        // makes this the only code touching it; the reference never outlives one call.
        unsafe { &mut *self.state }
    }

    fn hdr(&self, off: u64) -> *mut BlockHeader {
        self.base.wrapping_add(off as usize).cast()
    }

    fn size_of(&self, off: u64) -> u64 {
        // SAFETY: callers pass offsets checked to lie inside the heap.
        unsafe { (*self.hdr(off)).size_flags & SIZE_MASK }
    }

    fn is_free(&self, off: u64) -> bool {
        // SAFETY: as `size_of`.
        unsafe { (*self.hdr(off)).size_flags & FREE != 0 }
    }

    fn set(&self, off: u64, size: u64, free: bool) {
        // SAFETY: as `size_of`.
        unsafe { (*self.hdr(off)).size_flags = size | if free { FREE } else { 0 } }
    }

    fn prev_phys(&self, off: u64) -> u64 {
        // SAFETY: as `size_of`.
        unsafe { (*self.hdr(off)).prev_phys }
    }

    fn set_prev_phys(&self, off: u64, prev: u64) {
        // SAFETY: as `size_of`.
        unsafe { (*self.hdr(off)).prev_phys = prev }
    }

    fn links(&self, off: u64) -> *mut [u64; 2] {
        self.base.wrapping_add((off + HEADER) as usize).cast()
    }

    /// Zeroes the free-list links left in a block handed out, so memory from a fresh
    /// segment reads as zeros (as the OS gave it), not as allocator bookkeeping.
    fn clear_links(&self, off: u64) {
        // SAFETY: `off` is a block just taken from the free lists; its payload holds the links.
        unsafe { *self.links(off) = [0, 0] };
    }

    fn sentinel(&self) -> u64 {
        self.st().end - HEADER
    }

    /// Checks that `off` can be a block header inside the heap.
    #[inline]
    fn check_block(&self, off: u64) -> Result<()> {
        let st = self.st();
        if off < st.start || off >= st.end - HEADER || off % ALIGN != 0 {
            return Err(corrupt(format_args!(
                "block offset {off} outside [{}, {})",
                st.start, st.end
            )));
        }
        let size = self.size_of(off);
        if size < MIN_BLOCK || off.checked_add(size).is_none_or(|e| e > st.end - HEADER) {
            return Err(corrupt(format_args!("block at {off} has size {size}")));
        }
        Ok(())
    }

    /// Lays out an empty heap over `[start, end)`: one free block and the sentinel.
    pub(crate) fn format(&self, start: u64, end: u64) {
        let sentinel = end - HEADER;
        let size = sentinel - start;
        {
            let st = self.st();
            st.start = start;
            st.end = end;
            st.free_bytes = size;
            st.internal_bytes = 0;
            st.fl_bitmap = 0;
            st.sl_bitmap = [0; FL_COUNT];
            st.heads = [[0; SL_COUNT]; FL_COUNT];
        }
        self.set_prev_phys(start, 0);
        self.set(start, size, false);
        self.set_prev_phys(sentinel, start);
        self.set(sentinel, 0, false);
        // A fresh heap has no list heads to check.
        let _ = self.insert_free(start);
    }

    /// Extends the heap to end at `new_end`: the new space becomes free (merged with a
    /// free last block) and the sentinel moves to the new end.
    pub(crate) fn extend(&self, new_end: u64) -> Result<()> {
        let old_sentinel = self.sentinel();
        let last = self.prev_phys(old_sentinel);
        if new_end <= self.st().end || new_end % ALIGN != 0 || new_end > MAX_HEAP {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("cannot extend the heap to {new_end}"),
            ));
        }
        // The back link is read from the segment: it must name the block that ends at the
        // sentinel before that block is merged with the new space.
        if last != 0
            && (self.check_block(last).is_err() || last + self.size_of(last) != old_sentinel)
        {
            return Err(corrupt(format_args!(
                "the sentinel at {old_sentinel} points back to {last}, which does not end there"
            )));
        }
        self.st().end = new_end;
        let sentinel = new_end - HEADER;
        // The old sentinel's place becomes a block running up to the new sentinel.
        let size = sentinel - old_sentinel;
        self.set(old_sentinel, size, false);
        self.set_prev_phys(sentinel, old_sentinel);
        self.set(sentinel, 0, false);
        // Counts read from the segment may be garbage: they saturate rather than overflow,
        // and `check` reports them.
        self.st().free_bytes = self.st().free_bytes.saturating_add(size);
        let mut block = old_sentinel;
        if last != 0 && self.is_free(last) {
            self.remove_free(last)?;
            let merged = self.size_of(last) + size;
            self.set(last, merged, true);
            self.set_prev_phys(sentinel, last);
            block = last;
        }
        self.set(block, self.size_of(block), true);
        self.insert_free(block)
    }

    /// Checks that a free-list link points where a block's links can be: links are only
    /// written through, so a full block check would read memory for nothing.
    fn check_link(&self, n: u64, from: u64) -> Result<()> {
        let (start, end) = (self.st().start, self.st().end);
        if n < start || n > end.saturating_sub(MIN_BLOCK + HEADER) || n % ALIGN != 0 {
            return Err(corrupt(format_args!(
                "free-list link {n} (from {from}) leaves the heap"
            )));
        }
        Ok(())
    }

    fn insert_free(&self, off: u64) -> Result<()> {
        let size = self.size_of(off);
        let (f, s) = mapping(size);
        let head = self.st().heads[f][s];
        if head != 0 {
            self.check_link(head, off)?;
        }
        let st = self.st();
        // SAFETY: `off` is a block inside the heap; its payload has room for the links.
        unsafe { *self.links(off) = [head, 0] };
        if head != 0 {
            // SAFETY: `head` was filed by this allocator and is inside the heap.
            unsafe { (*self.links(head))[1] = off };
        }
        st.heads[f][s] = off;
        st.fl_bitmap |= 1 << f;
        st.sl_bitmap[f] |= 1 << s;
        self.set(off, size, true);
        Ok(())
    }

    fn remove_free(&self, off: u64) -> Result<()> {
        let size = self.size_of(off);
        let (f, s) = mapping(size);
        // SAFETY: `off` was checked to be a block inside the heap.
        let [next, prev] = unsafe { *self.links(off) };
        for n in [next, prev] {
            if n != 0 {
                self.check_link(n, off)?;
            }
        }
        let st = self.st();
        if prev != 0 {
            // SAFETY: checked above.
            unsafe { (*self.links(prev))[0] = next };
        } else {
            if st.heads[f][s] != off {
                return Err(corrupt(format_args!(
                    "free block {off} is not at the head of its list"
                )));
            }
            st.heads[f][s] = next;
            if next == 0 {
                st.sl_bitmap[f] &= !(1 << s);
                if st.sl_bitmap[f] == 0 {
                    st.fl_bitmap &= !(1 << f);
                }
            }
        }
        if next != 0 {
            // SAFETY: checked above.
            unsafe { (*self.links(next))[1] = prev };
        }
        Ok(())
    }

    /// A free block of at least `size` bytes, removed from its list.
    fn take_free(&self, size: u64) -> Result<Option<u64>> {
        let (mut f, s) = mapping(search_size(size));
        if f >= FL_COUNT {
            return Ok(None);
        }
        let st = self.st();
        let mut sl_map = st.sl_bitmap[f] as u32 & (!0u32 << s);
        if sl_map == 0 {
            let fl_map = st.fl_bitmap & (!0u64 << (f + 1));
            if fl_map == 0 {
                return Ok(None);
            }
            f = fl_map.trailing_zeros() as usize;
            if f >= FL_COUNT {
                return Err(corrupt("first-level bitmap out of range"));
            }
            sl_map = st.sl_bitmap[f] as u32;
        }
        let s = sl_map.trailing_zeros() as usize;
        if s >= SL_COUNT {
            return Err(corrupt("second-level bitmap out of range"));
        }
        let off = st.heads[f][s];
        self.check_block(off)?;
        if !self.is_free(off) || self.size_of(off) < size {
            return Err(corrupt(format_args!(
                "list ({f}, {s}) holds block {off} that does not fit"
            )));
        }
        self.remove_free(off)?;
        // Unlinking writes through the neighbours' links: garbage ones may point into this
        // very block's header, so check it again.
        self.check_block(off)?;
        if self.size_of(off) < size {
            return Err(corrupt(format_args!("block {off} shrank while unlinked")));
        }
        Ok(Some(off))
    }

    /// Splits `size` bytes off the front of the used block `off`; the rest, if big
    /// enough, becomes a free block.
    fn trim(&self, off: u64, size: u64) -> Result<()> {
        let total = self.size_of(off);
        // A garbage free-list link written through may have shrunk the block.
        if total < size {
            return Err(corrupt(format_args!(
                "block at {off} of {total} bytes cannot hold {size}"
            )));
        }
        if total - size >= MIN_BLOCK {
            let rest = off + size;
            let next = off + total;
            // The new block's header is written before the old block shrinks, so the chain
            // of sizes stays walkable at every step (see `repair`).
            self.set(rest, total - size, false);
            self.set_prev_phys(rest, off);
            self.set_prev_phys(next, rest);
            self.set(off, size, false);
            self.insert_free(rest)?;
        } else {
            self.set(off, total, false);
        }
        Ok(())
    }

    /// Allocates `n` bytes aligned to `align` (a power of two; at most the page size is
    /// guaranteed to be cheap). Returns the offset of the user memory, or `None` when no
    /// free block is large enough.
    pub(crate) fn allocate(&self, n: u64, align: u64) -> Result<Option<u64>> {
        if !align.is_power_of_two() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("alignment {align} is not a power of two"),
            ));
        }
        let Some(size) = block_size_for(n) else {
            return Ok(None);
        };
        if size > MAX_HEAP {
            return Ok(None);
        }
        if align <= ALIGN {
            let Some(off) = self.take_free(size)? else {
                return Ok(None);
            };
            self.trim(off, size)?;
            self.st().free_bytes = self.st().free_bytes.saturating_sub(self.size_of(off));
            self.clear_links(off);
            return Ok(Some(off + HEADER));
        }
        // Over-allocate so that an aligned start with a splittable gap before it exists.
        let Some(want) = size.checked_add(align + MIN_BLOCK) else {
            return Ok(None);
        };
        let Some(off) = self.take_free(want)? else {
            return Ok(None);
        };
        // Align the address, not the offset: the segment base may be only 16-aligned.
        let base = self.base as u64;
        let mut user = (base + off + HEADER).next_multiple_of(align) - base;
        if user - HEADER - off != 0 && user - HEADER - off < MIN_BLOCK {
            user += align;
        }
        let block = user - HEADER;
        let total = self.size_of(off);
        if block != off {
            // The gap in front becomes a free block of its own.
            let gap = block - off;
            let next = off + total;
            // As in `trim`: the later block's header first, then the shrink.
            self.set(block, total - gap, false);
            self.set_prev_phys(block, off);
            self.set_prev_phys(next, block);
            self.set(off, gap, false);
            self.insert_free(off)?;
        }
        self.trim(block, size)?;
        self.st().free_bytes = self.st().free_bytes.saturating_sub(self.size_of(block));
        self.clear_links(block);
        Ok(Some(user))
    }

    /// The block header offset of the user memory at `user`, checked to be a used block.
    pub(crate) fn used_block(&self, user: u64) -> Result<u64> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("offset {user} is not memory allocated from this segment"),
            )
        };
        let st = self.st();
        if user < st.start + HEADER || user >= st.end || user % ALIGN != 0 {
            return Err(bad());
        }
        let off = user - HEADER;
        if self.check_block(off).is_err() || self.is_free(off) {
            return Err(bad());
        }
        // The next block must point back here: this is how a stray pointer is told apart
        // from a real block.
        let next = off + self.size_of(off);
        if self.prev_phys(next) != off {
            return Err(bad());
        }
        Ok(off)
    }

    /// The usable size of the allocation at `user`.
    pub(crate) fn usable_size(&self, user: u64) -> Result<u64> {
        Ok(self.size_of(self.used_block(user)?) - HEADER)
    }

    /// Grows the allocation at `user` in place, into the free block right after it, so
    /// that it holds at least `min_n` bytes (and `preferred_n` if that much is free; the
    /// rest of the free block stays free). Returns the usable size afterwards, which is
    /// below `min_n` when the next block is not free or not large enough: then nothing
    /// changed. The allocation keeps its address and contents.
    pub(crate) fn expand(&self, user: u64, min_n: u64, preferred_n: u64) -> Result<u64> {
        let off = self.used_block(user)?;
        let size = self.size_of(off);
        if size - HEADER >= min_n {
            return Ok(size - HEADER);
        }
        let next = off + size;
        if next == self.sentinel() || !self.is_free(next) {
            return Ok(size - HEADER);
        }
        self.check_block(next)?;
        let total = size + self.size_of(next);
        let Some(min_size) = block_size_for(min_n) else {
            return Ok(size - HEADER);
        };
        if total < min_size {
            return Ok(size - HEADER);
        }
        let want = block_size_for(preferred_n.max(min_n)).map_or(total, |w| w.min(total));
        self.remove_free(next)?;
        // Absorb the whole free block, then give back what is not wanted: as in `trim`,
        // the chain of sizes stays walkable at every step (see `repair`).
        self.set(off, total, false);
        self.set_prev_phys(off + total, off);
        // The absorbed block's header and links read as zeros, like fresh memory.
        // SAFETY: `[next, next + MIN_BLOCK)` was the start of a free block (at least
        // MIN_BLOCK long) and now lies inside the used block `off`.
        unsafe { std::ptr::write_bytes(self.base.add(next as usize), 0, MIN_BLOCK as usize) };
        self.trim(off, want)?;
        let grown = self.size_of(off);
        self.st().free_bytes -= grown - size;
        Ok(grown - HEADER)
    }

    /// Frees the allocation at `user`, merging it with free neighbours.
    pub(crate) fn deallocate(&self, user: u64) -> Result<()> {
        let mut off = self.used_block(user)?;
        let mut size = self.size_of(off);
        self.st().free_bytes = self.st().free_bytes.saturating_add(size);
        let prev = self.prev_phys(off);
        if prev != 0 {
            self.check_block(prev)?;
            if self.is_free(prev) {
                self.remove_free(prev)?;
                size += self.size_of(prev);
                off = prev;
            }
        }
        let next = off + size;
        if next != self.sentinel() && self.is_free(next) {
            self.check_block(next)?;
            self.remove_free(next)?;
            size += self.size_of(next);
        }
        self.set(off, size, false);
        self.set_prev_phys(off + size, off);
        self.insert_free(off)
    }

    /// Records that the allocation at `user` belongs to the segment manager itself.
    pub(crate) fn mark_internal(&self, user: u64, internal: bool) -> Result<()> {
        let size = self.size_of(self.used_block(user)?);
        let st = self.st();
        if internal {
            st.internal_bytes = st.internal_bytes.saturating_add(size);
        } else {
            st.internal_bytes = st.internal_bytes.saturating_sub(size);
        }
        Ok(())
    }

    /// Bytes free for allocation (free blocks, headers included).
    pub(crate) fn free_bytes(&self) -> u64 {
        self.st().free_bytes
    }

    /// Whether nothing but the segment manager's own memory is allocated.
    pub(crate) fn all_deallocated(&self) -> bool {
        let (free, internal, start) = (
            self.st().free_bytes,
            self.st().internal_bytes,
            self.st().start,
        );
        free.checked_add(internal) == Some(self.sentinel() - start)
    }

    /// Offset and size of the last block if it is free (for shrink_to_fit).
    pub(crate) fn free_tail(&self) -> Option<(u64, u64)> {
        let last = self.prev_phys(self.sentinel());
        (last != 0 && self.check_block(last).is_ok() && self.is_free(last))
            .then(|| (last, self.size_of(last)))
    }

    /// Cuts the free last block to `keep` bytes (0 removes it) and moves the sentinel.
    pub(crate) fn truncate_tail(&self, keep: u64) -> Result<u64> {
        let Some((last, size)) = self.free_tail() else {
            return Ok(self.st().end);
        };
        let keep = if keep > 0 {
            keep.max(MIN_BLOCK).next_multiple_of(ALIGN)
        } else {
            0
        };
        if keep >= size {
            return Ok(self.st().end);
        }
        self.remove_free(last)?;
        let new_sentinel = last + keep;
        self.st().free_bytes = self.st().free_bytes.saturating_sub(size - keep);
        if keep > 0 {
            self.set(last, keep, false);
            self.insert_free(last)?;
            self.set_prev_phys(new_sentinel, last);
        } else {
            self.set_prev_phys(new_sentinel, self.prev_phys(last));
        }
        self.set(new_sentinel, 0, false);
        self.st().end = new_sentinel + HEADER;
        Ok(new_sentinel + HEADER)
    }

    /// Fills the payload of every free block (past its links) with zeros.
    pub(crate) fn zero_free(&self) -> Result<()> {
        let mut off = self.st().start;
        let sentinel = self.sentinel();
        while off < sentinel {
            self.check_block(off)?;
            let size = self.size_of(off);
            if self.is_free(off) {
                let from = off + HEADER + 16;
                // SAFETY: `[from, off + size)` is the unused payload of a free block.
                unsafe {
                    std::ptr::write_bytes(
                        self.base.add(from as usize),
                        0,
                        (off + size - from) as usize,
                    )
                };
            }
            off += size;
        }
        Ok(())
    }

    /// Rebuilds what a process killed in the middle of an operation may have left half
    /// done: the blocks' back links, adjacent free blocks (merged), the free lists, the
    /// bitmaps and the free-byte count, all from the chain of block sizes, which every
    /// operation keeps walkable at every step. Fails if the chain itself is broken.
    pub(crate) fn repair(&self) -> Result<()> {
        let (start, end) = (self.st().start, self.st().end);
        if start % ALIGN != 0 || end % ALIGN != 0 || end < start + HEADER {
            return Err(corrupt(format_args!("bounds [{start}, {end})")));
        }
        let sentinel = end - HEADER;
        // First pass: check the chain reaches the sentinel exactly, before changing anything.
        let mut off = start;
        while off < sentinel {
            let size = self.size_of(off);
            if size < MIN_BLOCK || size % ALIGN != 0 || off + size > sentinel {
                return Err(corrupt(format_args!(
                    "block at {off} has size {size}: the chain is broken"
                )));
            }
            off += size;
        }
        if off != sentinel {
            return Err(corrupt("the block chain does not end at the sentinel"));
        }
        {
            let st = self.st();
            st.fl_bitmap = 0;
            st.sl_bitmap = [0; FL_COUNT];
            st.heads = [[0; SL_COUNT]; FL_COUNT];
            st.free_bytes = 0;
        }
        // Second pass: relink, merge free neighbours, refile.
        let mut off = start;
        let mut prev = 0u64;
        while off < sentinel {
            let mut size = self.size_of(off);
            let free = self.is_free(off);
            if free && prev != 0 && self.is_free(prev) {
                // Merge into the free block before; it is refiled when the run ends.
                let merged = self.size_of(prev) + size;
                self.set(prev, merged, true);
                off = prev + merged;
                continue;
            }
            self.set_prev_phys(off, prev);
            if prev != 0 && self.is_free(prev) {
                self.file_free(prev)?;
            }
            size = self.size_of(off);
            prev = off;
            off += size;
        }
        if prev != 0 && self.is_free(prev) {
            self.file_free(prev)?;
        }
        self.set_prev_phys(sentinel, prev);
        self.set(sentinel, 0, false);
        Ok(())
    }

    fn file_free(&self, off: u64) -> Result<()> {
        self.st().free_bytes = self.st().free_bytes.saturating_add(self.size_of(off));
        self.insert_free(off)
    }

    /// Sets the bytes of allocations the segment manager keeps for itself.
    pub(crate) fn set_internal_bytes(&self, bytes: u64) {
        self.st().internal_bytes = bytes;
    }

    /// The user offsets of every used block, in address order.
    pub(crate) fn used_blocks(&self) -> Result<Vec<u64>> {
        let sentinel = self.sentinel();
        let mut off = self.st().start;
        let mut out = Vec::new();
        while off < sentinel {
            self.check_block(off)?;
            if !self.is_free(off) {
                out.push(off + HEADER);
            }
            off += self.size_of(off);
        }
        Ok(out)
    }

    /// Walks every block and every free list and checks that they agree: headers chained,
    /// no two free neighbours, each free block in the list of its size, the free total
    /// exact. Returns what is wrong, if anything.
    pub(crate) fn check(&self) -> Result<()> {
        let (start, end, free_bytes) = (self.st().start, self.st().end, self.st().free_bytes);
        if start % ALIGN != 0 || end % ALIGN != 0 || end < start + HEADER {
            return Err(corrupt(format_args!("bounds [{start}, {end})")));
        }
        let sentinel = self.sentinel();
        let mut off = start;
        let mut prev = 0u64;
        let mut prev_free = false;
        let mut free_total = 0u64;
        let mut free_count = 0u64;
        while off < sentinel {
            self.check_block(off)?;
            if self.prev_phys(off) != prev {
                return Err(corrupt(format_args!(
                    "block {off} points back to {} instead of {prev}",
                    self.prev_phys(off)
                )));
            }
            let free = self.is_free(off);
            if free && prev_free {
                return Err(corrupt(format_args!(
                    "free blocks {prev} and {off} are adjacent"
                )));
            }
            if free {
                free_total += self.size_of(off);
                free_count += 1;
            }
            prev = off;
            prev_free = free;
            off += self.size_of(off);
        }
        if off != sentinel || self.prev_phys(sentinel) != prev || self.size_of(sentinel) != 0 {
            return Err(corrupt("the block chain does not end at the sentinel"));
        }
        if free_total != free_bytes {
            return Err(corrupt(format_args!(
                "free blocks hold {free_total} bytes, the count says {free_bytes}"
            )));
        }
        let mut listed = 0u64;
        for f in 0..FL_COUNT {
            for s in 0..SL_COUNT {
                let mut cur = self.st().heads[f][s];
                let mut back = 0u64;
                let bit = self.st().sl_bitmap[f] & (1 << s) != 0;
                if bit != (cur != 0) {
                    return Err(corrupt(format_args!(
                        "bitmap of list ({f}, {s}) disagrees with its head"
                    )));
                }
                while cur != 0 {
                    self.check_block(cur)?;
                    if !self.is_free(cur) || mapping(self.size_of(cur)) != (f, s) {
                        return Err(corrupt(format_args!(
                            "block {cur} does not belong in list ({f}, {s})"
                        )));
                    }
                    // SAFETY: `cur` was checked to be a block inside the heap.
                    let [next, prev] = unsafe { *self.links(cur) };
                    if prev != back {
                        return Err(corrupt(format_args!("list ({f}, {s}) is broken at {cur}")));
                    }
                    listed += 1;
                    if listed > free_count {
                        return Err(corrupt("a free list loops or holds used blocks"));
                    }
                    back = cur;
                    cur = next;
                }
            }
            if (self.st().fl_bitmap & (1 << f) != 0) != (self.st().sl_bitmap[f] != 0) {
                return Err(corrupt(format_args!(
                    "first-level bitmap disagrees at level {f}"
                )));
            }
        }
        if listed != free_count {
            return Err(corrupt(format_args!(
                "{free_count} free blocks but {listed} listed"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A heap over a 16-aligned buffer; the state lives in the buffer's first bytes.
    struct TestHeap {
        buf: Vec<u128>,
        heap: Heap,
    }

    fn heap(bytes: usize) -> TestHeap {
        let mut buf = vec![0u128; bytes / 16];
        let base = buf.as_mut_ptr().cast::<u8>();
        // SAFETY: the buffer outlives the heap view and nothing else touches it.
        let heap = unsafe { Heap::new(base, base.cast()) };
        let start = (std::mem::size_of::<HeapState>() as u64).next_multiple_of(ALIGN);
        heap.format(start, bytes as u64);
        TestHeap { buf, heap }
    }

    /// The smallest block size filed in list `(f, s)`.
    fn class_min(f: usize, s: usize) -> u64 {
        if f == 0 {
            s as u64 * ALIGN
        } else {
            let level = 1u64 << (f as u32 + SMALL_LOG2 - 1);
            level + s as u64 * (level >> SL_LOG2)
        }
    }

    #[test]
    fn size_classes_are_monotonic_and_in_range() {
        let mut last = (0, 0);
        for size in (MIN_BLOCK..1 << 22).step_by(16) {
            let m = mapping(size);
            assert!(m >= last, "{size}");
            assert!(m.0 < FL_COUNT && m.1 < SL_COUNT);
            assert!(class_min(m.0, m.1) <= size, "{size}");
            last = m;
            // Every block in the list searched for a request is large enough for it.
            let (f, s) = mapping(search_size(size));
            assert!(class_min(f, s) >= size, "{size}");
        }
        assert!(mapping(MAX_HEAP - 16).0 < FL_COUNT);
    }

    #[test]
    fn allocate_free_restores_exact_free_memory() {
        let t = heap(1 << 16);
        let h = &t.heap;
        let free0 = h.free_bytes();
        h.check().unwrap();
        let a = h.allocate(1024, 16).unwrap().unwrap();
        assert_eq!(a % 16, 0);
        assert_eq!(h.free_bytes(), free0 - 1040);
        let b = h.allocate(1, 16).unwrap().unwrap();
        let c = h.allocate(100, 16).unwrap().unwrap();
        h.check().unwrap();
        h.deallocate(b).unwrap();
        h.deallocate(a).unwrap();
        h.deallocate(c).unwrap();
        h.check().unwrap();
        assert_eq!(h.free_bytes(), free0);
        assert!(h.all_deallocated());
        drop(t.buf);
    }

    #[test]
    fn expand_grows_into_the_next_free_block_only() {
        let t = heap(1 << 16);
        let h = &t.heap;
        let free0 = h.free_bytes();
        let a = h.allocate(100, 16).unwrap().unwrap();
        // SAFETY: `a` is a 100-byte allocation inside the buffer.
        unsafe { std::ptr::write_bytes(h.base.add(a as usize), 7, 100) };
        // The rest of the heap follows `a`: it grows to the preferred size, keeping its bytes.
        let got = h.expand(a, 1000, 4000).unwrap();
        assert!((4000..4016).contains(&got), "{got}");
        h.check().unwrap();
        assert_eq!(h.free_bytes(), free0 - got - HEADER);
        // SAFETY: as above; `a` now holds `got` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(h.base.add(a as usize), got as usize) };
        assert!(bytes[..100].iter().all(|&b| b == 7));
        // Asking for no more than it has changes nothing.
        assert_eq!(h.expand(a, 50, 50).unwrap(), got);
        // A used block right after it stops the growth; nothing changes.
        let b = h.allocate(16, 16).unwrap().unwrap();
        assert_eq!(b, a + got + HEADER);
        assert_eq!(h.expand(a, got + 1, got + 1).unwrap(), got);
        h.check().unwrap();
        // Freed, the neighbour is room again; more than is free fails and changes nothing.
        h.deallocate(b).unwrap();
        let free1 = h.free_bytes();
        assert_eq!(h.expand(a, 1 << 20, 1 << 20).unwrap(), got);
        assert_eq!(h.free_bytes(), free1);
        let all = h.expand(a, got + 1, u64::MAX).unwrap();
        assert_eq!(h.free_bytes(), 0);
        assert_eq!(all, free0 - HEADER);
        h.check().unwrap();
        h.deallocate(a).unwrap();
        h.check().unwrap();
        assert_eq!(h.free_bytes(), free0);
        assert!(h.expand(a, 10, 10).is_err());
        drop(t.buf);
    }

    #[test]
    fn aligned_allocations_and_bad_frees() {
        let t = heap(1 << 18);
        let h = &t.heap;
        for align in [32u64, 64, 256, 4096] {
            let p = h.allocate(100, align).unwrap().unwrap();
            assert_eq!((p + t.buf.as_ptr() as u64) % align, 0, "align {align}");
            h.check().unwrap();
        }
        let p = h.allocate(64, 16).unwrap().unwrap();
        assert_eq!(
            h.deallocate(p + 16).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            h.deallocate(3).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        h.deallocate(p).unwrap();
        assert_eq!(
            h.deallocate(p).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            h.allocate(10, 3).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        h.check().unwrap();
    }

    #[test]
    fn full_heap_says_none_and_stays_usable() {
        let t = heap(1 << 14);
        let h = &t.heap;
        assert_eq!(h.allocate(1 << 20, 16).unwrap(), None);
        assert_eq!(h.allocate(u64::MAX - 4, 16).unwrap(), None);
        let mut v = Vec::new();
        while let Some(p) = h.allocate(200, 16).unwrap() {
            v.push(p);
        }
        assert!(v.len() > 40);
        h.check().unwrap();
        for p in v {
            h.deallocate(p).unwrap();
        }
        h.check().unwrap();
        assert!(h.all_deallocated());
    }

    #[test]
    fn random_mix_keeps_invariants() {
        let t = heap(1 << 20);
        let h = &t.heap;
        let free0 = h.free_bytes();
        let mut live: Vec<(u64, u64)> = Vec::new();
        let mut x = 0x2545F4914F6CDD1Du64;
        for i in 0..20000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if live.len() < 200 && (x % 3 != 0 || live.is_empty()) {
                let n = 16 + x % 4000;
                if let Some(p) = h.allocate(n, 16).unwrap() {
                    // SAFETY: `p..p+n` is allocated memory inside the test buffer.
                    unsafe {
                        std::ptr::write_bytes(
                            t.buf.as_ptr().cast::<u8>().cast_mut().add(p as usize),
                            0xAB,
                            n as usize,
                        )
                    };
                    live.push((p, n));
                }
            } else {
                let (p, _) = live.swap_remove((x as usize / 3) % live.len());
                h.deallocate(p).unwrap();
            }
            if i % 997 == 0 {
                h.check().unwrap();
            }
        }
        for (p, _) in live {
            h.deallocate(p).unwrap();
        }
        h.check().unwrap();
        assert_eq!(h.free_bytes(), free0);
    }

    #[test]
    fn extend_and_truncate_tail() {
        let t = heap(1 << 16);
        let h = &t.heap;
        // Pretend the heap was formatted smaller, then grows into the rest of the buffer.
        let t2 = heap(1 << 16);
        drop(t2);
        let p = h.allocate(100, 16).unwrap().unwrap();
        let free = h.free_bytes();
        let end = h.truncate_tail(0).unwrap();
        h.check().unwrap();
        assert!(end < 1 << 16);
        assert!(h.free_bytes() < free);
        h.extend(1 << 16).unwrap();
        h.check().unwrap();
        assert_eq!(h.free_bytes(), free);
        h.deallocate(p).unwrap();
        assert!(h.all_deallocated());
    }

    #[test]
    fn repair_rebuilds_lists_counts_and_links() {
        let t = heap(1 << 16);
        let h = &t.heap;
        let a = h.allocate(100, 16).unwrap().unwrap();
        let b = h.allocate(200, 16).unwrap().unwrap();
        let c = h.allocate(300, 16).unwrap().unwrap();
        h.deallocate(b).unwrap();
        let free = h.free_bytes();
        // What a killed process can leave: a wrong count, emptied lists, a stale back link,
        // and two free neighbours.
        h.st().free_bytes = 12345;
        h.st().heads = [[0; SL_COUNT]; FL_COUNT];
        h.st().fl_bitmap = 0;
        h.set_prev_phys(c - HEADER, 999);
        let size_a = h.size_of(a - HEADER);
        h.set(a - HEADER, size_a, true);
        assert!(h.check().is_err());
        h.repair().unwrap();
        h.check().unwrap();
        assert_eq!(h.free_bytes(), free + size_a);
        h.deallocate(c).unwrap();
        h.check().unwrap();
        assert!(h.all_deallocated());
        // A broken size chain cannot be repaired.
        let d = h.allocate(64, 16).unwrap().unwrap();
        h.set(d - HEADER, 8, false);
        assert_eq!(h.repair().unwrap_err().kind(), ErrorKind::Corrupted);
    }

    #[test]
    fn check_notices_damage() {
        let t = heap(1 << 16);
        let h = &t.heap;
        let p = h.allocate(64, 16).unwrap().unwrap();
        h.check().unwrap();
        // Overwrite the block header that follows the allocation.
        let next = p - HEADER + h.size_of(p - HEADER);
        h.set_prev_phys(next, 12345);
        assert_eq!(h.check().unwrap_err().kind(), ErrorKind::Corrupted);
    }
}
