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
use std::sync::atomic::{AtomicU64, Ordering};

mod commands;
mod lists;
pub(crate) use lists::{MAX_LISTS, lists_for, table_bytes};

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
/// How much address space one prefault maps at most (see [`Heap::prefault_cut`]).
const PREFAULT_CHUNK: u64 = 64 << 10;

const FREE: u64 = 1;
/// Set in a used block's header while it waits in a size-class list of the segment
/// (`segment::classes`): given back by its user, not yet merged into the heap.
pub(crate) const PARKED: u64 = 2;
/// Set in a used block's header while the segment manager uses it for itself (a table of
/// the name index): a recovery finds such a block that a killed process left in flight
/// (allocated, never installed or never freed) and gives it back.
const INTERNAL: u64 = 4;
const SIZE_MASK: u64 = !(ALIGN - 1);

/// The allocator's counters, stored in the segment header. Its lists live in a table of
/// their own ([`table_bytes`]), sized when the segment is made.
#[repr(C)]
pub(crate) struct HeapState {
    /// Offset one past the sentinel.
    pub end: u64,
    /// Sum of the sizes of all free blocks (headers included).
    pub free_bytes: u64,
    /// Bytes of allocated blocks that the segment manager uses for itself (name index).
    pub internal_bytes: u64,
}

/// A block's header.
#[repr(C)]
struct BlockHeader {
    /// The block physically before. Atomic because the size-class lists read it without
    /// the segment lock (see `prev_phys`); the heap writes it under the lock.
    prev_phys: AtomicU64,
    /// Size and flags. Atomic because the size-class lists flip `PARKED` on used blocks
    /// without the segment lock; the heap itself reads and writes it under the lock.
    size_flags: AtomicU64,
}

/// The heap of one segment, viewed through its base address.
pub(crate) struct Heap {
    base: *mut u8,
    state: *mut HeapState,
    /// The list table ([`table_bytes`]): `words` bitmap words, then `lists` heads.
    table: *mut u64,
    lists: usize,
    words: usize,
    /// Offset of the first block.
    start: u64,
}

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Corrupted,
        format!("segment heap is corrupted: {what}"),
    )
}

/// The block size (header included) that holds `n` user bytes.
pub(crate) fn block_size_for(n: u64) -> Option<u64> {
    let s = n.checked_add(HEADER + ALIGN - 1)? & SIZE_MASK;
    Some(s.max(MIN_BLOCK))
}

impl Heap {
    /// A view of the heap whose counters are at `state` and whose `lists` free lists are
    /// in the table at `table`, inside the segment at `base`; its first block is at offset
    /// `start`.
    ///
    /// # Safety
    /// `base` must be the start of a mapped, writable segment whose heap counters live at
    /// `state` and whose list table of [`table_bytes`]`(lists)` bytes, 8-aligned, lives at
    /// `table`; `lists` must be between 1 and [`MAX_LISTS`], and the caller must hold the
    /// segment lock for as long as the view is used to change anything.
    pub(crate) unsafe fn new(
        base: *mut u8,
        state: *mut HeapState,
        table: *mut u64,
        lists: usize,
        start: u64,
    ) -> Heap {
        debug_assert!((1..=MAX_LISTS).contains(&lists));
        Heap {
            base,
            state,
            table,
            lists,
            words: lists.div_ceil(64),
            start,
        }
    }

    // The state is shared memory guarded by the segment lock, not Rust-owned data: the
    // reference never outlives the call that takes it.
    #[allow(clippy::mut_from_ref)]
    fn heap_state(&self) -> &mut HeapState {
        // SAFETY: `state` points into the mapped segment (see `new`), and the segment lock
        // makes this the only code touching it; the reference never outlives one call.
        unsafe { &mut *self.state }
    }

    fn block_header(&self, off: u64) -> *mut BlockHeader {
        self.base.wrapping_add(off as usize).cast()
    }

    /// The size-and-flags word of the block at `off`.
    pub(crate) fn flags_word(&self, off: u64) -> &AtomicU64 {
        // SAFETY: callers pass offsets checked to lie inside the heap, which is mapped for
        // as long as this view lives; the word is 8-aligned (blocks are 16-aligned).
        unsafe { &(*self.block_header(off)).size_flags }
    }

    // Relaxed, all three: under the segment lock the lock orders them. The one word changed
    // without the lock (`PARKED`, on a used block) is never the heap's to merge or split,
    // and the class lists order their own flips (see `segment::classes`).
    fn size_of(&self, off: u64) -> u64 {
        self.flags_word(off).load(Ordering::Relaxed) & SIZE_MASK
    }

    fn is_free(&self, off: u64) -> bool {
        self.flags_word(off).load(Ordering::Relaxed) & FREE != 0
    }

    fn set(&self, off: u64, size: u64, free: bool) {
        self.flags_word(off)
            .store(size | if free { FREE } else { 0 }, Ordering::Relaxed)
    }

    /// Whether the used block at `off` waits in a size-class list.
    pub(crate) fn is_parked(&self, off: u64) -> bool {
        self.flags_word(off).load(Ordering::Relaxed) & PARKED != 0
    }

    /// The base address the heap's offsets count from.
    pub(crate) fn base(&self) -> *mut u8 {
        self.base
    }

    /// The offset of the block physically before the one at `off` (0: none). Read without
    /// the lock by the size-class lists only to tell a real block from a stray pointer.
    pub(crate) fn prev_phys(&self, off: u64) -> u64 {
        // SAFETY: as `flags_word`: an offset checked to lie inside the heap, 8-aligned.
        // Relaxed: under the lock the lock orders it; the unlocked reader only compares it
        // (see `Classes::give_back`).
        unsafe { &(*self.block_header(off)).prev_phys }.load(Ordering::Relaxed)
    }

    fn set_prev_phys(&self, off: u64, prev: u64) {
        // SAFETY: as `prev_phys`. Relaxed: written under the segment lock, which orders it.
        unsafe { &(*self.block_header(off)).prev_phys }.store(prev, Ordering::Relaxed)
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
        self.heap_state().end - HEADER
    }

    /// Checks that `off` can be a block header inside the heap.
    #[inline]
    fn check_block(&self, off: u64) -> Result<()> {
        let st = self.heap_state();
        if off < self.start || off >= st.end - HEADER || off % ALIGN != 0 {
            return Err(corrupt(format_args!(
                "block offset {off} outside [{}, {})",
                self.start, st.end
            )));
        }
        let size = self.size_of(off);
        if size < MIN_BLOCK || off.checked_add(size).is_none_or(|e| e > st.end - HEADER) {
            return Err(corrupt(format_args!("block at {off} has size {size}")));
        }
        Ok(())
    }

    /// Lays out an empty heap from its first block to `end`: one free block and the
    /// sentinel.
    pub(crate) fn format(&self, end: u64) {
        let start = self.start;
        let sentinel = end - HEADER;
        let size = sentinel - start;
        {
            let st = self.heap_state();
            st.end = end;
            st.free_bytes = size;
            st.internal_bytes = 0;
        }
        self.clear_lists();
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
        if new_end <= self.heap_state().end || new_end % ALIGN != 0 || new_end > MAX_HEAP {
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
        self.heap_state().end = new_end;
        let sentinel = new_end - HEADER;
        // The old sentinel's place becomes a block running up to the new sentinel.
        let size = sentinel - old_sentinel;
        self.set(old_sentinel, size, false);
        self.set_prev_phys(sentinel, old_sentinel);
        self.set(sentinel, 0, false);
        // Counts read from the segment may be garbage: they saturate rather than overflow,
        // and `check` reports them.
        self.heap_state().free_bytes = self.heap_state().free_bytes.saturating_add(size);
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

    /// Offset of the first block.
    pub(crate) fn start(&self) -> u64 {
        self.start
    }

    /// Offset one past the sentinel: where the heap ends.
    pub(crate) fn end(&self) -> u64 {
        self.heap_state().end
    }

    /// Puts the end back at `old_end` after an [`Heap::extend`] from there was cut short
    /// (its process died): the block that ended at the old sentinel gets back its size if
    /// it is free (`extend` merges only a free one), the old sentinel is restored, and the
    /// lists and counts are rebuilt from the chain. `extend` never writes the old
    /// sentinel's back link, so it still names that block.
    pub(crate) fn undo_extend(&self, old_end: u64) -> Result<()> {
        let (start, end) = (self.start, self.heap_state().end);
        if old_end % ALIGN != 0 || old_end < start + HEADER || old_end > end {
            return Err(corrupt(format_args!(
                "cannot put the end back at {old_end}: the heap is [{start}, {end})"
            )));
        }
        let old_sentinel = old_end - HEADER;
        let last = self.prev_phys(old_sentinel);
        if last != 0 {
            if last < start || last % ALIGN != 0 || last + MIN_BLOCK > old_sentinel {
                return Err(corrupt(format_args!(
                    "the old sentinel at {old_sentinel} points back to {last}"
                )));
            }
            // A used last block is left as it is: `extend` never wrote it, and a rewrite
            // would drop its flags (a block parked in a size-class list would stay listed
            // but read as used, and the next pop would quarantine the class; an index table
            // in flight would no longer read as internal, and never be given back).
            if self.is_free(last) {
                self.set(last, old_sentinel - last, true);
            }
        }
        self.set(old_sentinel, 0, false);
        self.heap_state().end = old_end;
        self.repair()
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
            self.prefault_cut(off, rest, next);
            // The new block's header is written before the old block shrinks, so the chain
            // of sizes stays walkable at every step (see `repair`); it says free from the
            // start, so that the one store that shrinks `off` shows it as free memory: a
            // process killed before it is listed leaves it to the repair, which lists it,
            // where a header saying used would lose it for good.
            self.set(rest, total - size, true);
            self.set_prev_phys(rest, off);
            self.set_prev_phys(next, rest);
            self.set(off, size, false);
            self.insert_free(rest)?;
        } else {
            self.set(off, total, false);
        }
        Ok(())
    }

    /// Called when the block `[off, next)` is cut at `rest` to hand out `[off, rest)`: if
    /// that is a small block (under a [`PREFAULT_CHUNK`]) and the cut entered a new chunk of
    /// the address space, maps the small block and the rest of that chunk (within the free
    /// block) into this process's page tables in one call. Carving small blocks off a large
    /// fresh one front to back, as a new segment's allocations do, then costs one call per
    /// chunk instead of a page fault per page. Large blocks are left to fault page by page
    /// as they are used (a large allocation is often touched only in part: a container's
    /// spare capacity, a sparse table), so what is mapped ahead of use is at most the rest
    /// of one chunk in each free block being cut, and nothing in the memory changes.
    fn prefault_cut(&self, off: u64, rest: u64, next: u64) {
        let base = self.base as u64;
        let (from, cut, end) = (base + off, base + rest, base + next);
        if cut - from >= PREFAULT_CHUNK || from / PREFAULT_CHUNK == cut / PREFAULT_CHUNK {
            return;
        }
        let hi = end.min((cut / PREFAULT_CHUNK + 1) * PREFAULT_CHUNK);
        // SAFETY: `[from, hi)` lies in the block `[off, next)` of the heap, inside the
        // writable mapping the heap allocates from (a read-only mapping never allocates).
        unsafe { crate::os::mmap::prefault(from as *mut u8, (hi - from) as usize) };
    }

    /// Maps the pages of the used block at user offset `user`, `bytes` long, into this
    /// process's page tables in one call, for a caller about to write all of it.
    pub(crate) fn prefault_used(&self, user: u64, bytes: u64) {
        let Ok(block) = self.used_block(user) else {
            return;
        };
        let bytes = bytes.min(self.size_of(block) - HEADER);
        // SAFETY: `[user, user + bytes)` lies in a used block of the heap (checked above),
        // inside the writable mapping the heap allocates from.
        unsafe { crate::os::mmap::prefault(self.base.add(user as usize), bytes as usize) };
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
            self.heap_state().free_bytes = self
                .heap_state()
                .free_bytes
                .saturating_sub(self.size_of(off));
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
            // As in `trim`: the later block's header first, then the shrink; both say free
            // until `trim` below hands out the front of `block`.
            self.set(block, total - gap, true);
            self.set_prev_phys(block, off);
            self.set_prev_phys(next, block);
            self.set(off, gap, true);
            self.insert_free(off)?;
        }
        self.trim(block, size)?;
        self.heap_state().free_bytes = self
            .heap_state()
            .free_bytes
            .saturating_sub(self.size_of(block));
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
        let st = self.heap_state();
        if user < self.start + HEADER || user >= st.end || user % ALIGN != 0 {
            return Err(bad());
        }
        let off = user - HEADER;
        if self.check_block(off).is_err() || self.is_free(off) || self.is_parked(off) {
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
        let mut want = block_size_for(preferred_n.max(min_n)).map_or(total, |w| w.min(total));
        if total - want < MIN_BLOCK {
            want = total;
        }
        // Unlisted, `next` still says free: a process killed from here until the store
        // that grows `off` leaves it to the repair, which lists it again.
        self.remove_free(next)?;
        let end = off + total;
        if want < total {
            // As in `trim`: the header of what stays free is written first, inside `next`
            // (which the chain still walks over whole), saying free.
            let rest = off + want;
            self.set(rest, total - want, true);
            self.set_prev_phys(rest, off);
            self.set_prev_phys(end, rest);
        } else {
            self.set_prev_phys(end, off);
        }
        // The one store that moves the boundary: `off` covers the front of `next`, and
        // the rest, if any, shows as free.
        self.set(off, want, false);
        // The absorbed block's header and links read as zeros, like fresh memory.
        // SAFETY: `[next, next + MIN_BLOCK)` was the start of a free block (at least
        // MIN_BLOCK long); the part of it before the rest's header now lies inside the
        // used block `off`.
        unsafe {
            let zeroed = MIN_BLOCK.min(off + want - next);
            std::ptr::write_bytes(self.base.add(next as usize), 0, zeroed as usize)
        };
        if want < total {
            self.insert_free(off + want)?;
        }
        self.heap_state().free_bytes -= want - size;
        Ok(want - HEADER)
    }

    /// Whether the allocation at `user` could grow in place if the heap's end moved: it is
    /// the last block, or only a free block lies between it and the end.
    pub(crate) fn reaches_end(&self, user: u64) -> Result<bool> {
        let off = self.used_block(user)?;
        let next = off + self.size_of(off);
        if next == self.sentinel() {
            return Ok(true);
        }
        if !self.is_free(next) {
            return Ok(false);
        }
        self.check_block(next)?;
        Ok(next + self.size_of(next) == self.sentinel())
    }

    /// Frees the allocation at `user`, merging it with free neighbours.
    pub(crate) fn deallocate(&self, user: u64) -> Result<()> {
        let mut off = self.used_block(user)?;
        let mut size = self.size_of(off);
        self.heap_state().free_bytes = self.heap_state().free_bytes.saturating_add(size);
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
        // Free from this store on: a process killed before the block is listed leaves
        // it to the repair, which lists it (a header saying used would lose it, with the
        // free neighbours merged into it).
        self.set(off, size, true);
        self.set_prev_phys(off + size, off);
        self.insert_free(off)
    }

    /// Records that the allocation at `user` belongs to the segment manager itself (or no
    /// longer does): in the counters, and by [`INTERNAL`] in its header.
    pub(crate) fn mark_internal(&self, user: u64, internal: bool) -> Result<()> {
        let off = self.used_block(user)?;
        let size = self.size_of(off);
        let st = self.heap_state();
        let word = self.flags_word(off);
        // Relaxed, both: a used block's header changes only under the lock, by its owner
        // (here the manager, which holds the lock).
        let flags = word.load(Ordering::Relaxed);
        if internal {
            st.internal_bytes = st.internal_bytes.saturating_add(size);
            word.store(flags | INTERNAL, Ordering::Relaxed);
        } else {
            st.internal_bytes = st.internal_bytes.saturating_sub(size);
            word.store(flags & !INTERNAL, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Whether the used block at `off` is marked as the segment manager's own.
    pub(crate) fn is_internal(&self, off: u64) -> bool {
        self.flags_word(off).load(Ordering::Relaxed) & INTERNAL != 0
    }

    /// Bytes free for allocation (free blocks, headers included).
    pub(crate) fn free_bytes(&self) -> u64 {
        self.heap_state().free_bytes
    }

    /// Whether nothing but the segment manager's own memory is allocated.
    pub(crate) fn all_deallocated(&self) -> bool {
        let (free, internal, start) = (
            self.heap_state().free_bytes,
            self.heap_state().internal_bytes,
            self.start,
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
            return Ok(self.heap_state().end);
        };
        let keep = if keep > 0 {
            keep.max(MIN_BLOCK).next_multiple_of(ALIGN)
        } else {
            0
        };
        if keep >= size {
            return Ok(self.heap_state().end);
        }
        self.remove_free(last)?;
        let new_sentinel = last + keep;
        self.heap_state().free_bytes = self.heap_state().free_bytes.saturating_sub(size - keep);
        if keep > 0 {
            self.set(last, keep, false);
            self.insert_free(last)?;
            self.set_prev_phys(new_sentinel, last);
        } else {
            self.set_prev_phys(new_sentinel, self.prev_phys(last));
        }
        self.set(new_sentinel, 0, false);
        self.heap_state().end = new_sentinel + HEADER;
        Ok(new_sentinel + HEADER)
    }

    /// Fills the payload of every free block (past its links) with zeros.
    pub(crate) fn zero_free(&self) -> Result<()> {
        let mut off = self.start;
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

    /// Sets the bytes of allocations the segment manager keeps for itself.
    pub(crate) fn set_internal_bytes(&self, bytes: u64) {
        self.heap_state().internal_bytes = bytes;
    }
}

/// A heap over a test buffer of `bytes` bytes at `base` (16-aligned): the counters at its
/// start, then a table of `lists` lists, then the blocks, formatted.
///
/// # Safety
/// `[base, base + bytes)` must be writable and used by nothing else while the heap is.
#[cfg(test)]
pub(crate) unsafe fn test_heap(base: *mut u8, bytes: u64, lists: usize) -> Heap {
    let counters = std::mem::size_of::<HeapState>() as u64;
    let start = (counters + table_bytes(lists)).next_multiple_of(ALIGN);
    // SAFETY: the buffer holds the counters, the table after them and the blocks after
    // that (the caller's promise), and the view is this test's alone.
    let heap = unsafe {
        Heap::new(
            base,
            base.cast(),
            base.add(counters as usize).cast(),
            lists,
            start,
        )
    };
    heap.format(bytes);
    heap
}

mod audit;
#[cfg(test)]
mod tests;
