//! The heap's free lists: the two-level size classes of TLSF, the table of list heads and
//! its bitmap (sized to the heap's capacity when the segment is made), and the searches.
//!
//! A heap with fewer lists than classes files every block above its last exact class in
//! its last list, which is then searched first-fit: a small segment keeps a small header.

use super::{
    ALIGN, FL_COUNT, HEADER, Heap, MAX_HEAP, MIN_BLOCK, SL_COUNT, SL_LOG2, SMALL_LIMIT, SMALL_LOG2,
    corrupt,
};
use crate::Result;

/// The most free lists a heap has: one per size class of the two levels, from the smallest
/// block up to [`MAX_HEAP`].
pub(crate) const MAX_LISTS: usize = FL_COUNT * SL_COUNT - FIRST_LIST;
/// The classes below the smallest block (sizes 0 and 16) get no list.
const FIRST_LIST: usize = (MIN_BLOCK / ALIGN) as usize;

/// Bytes of the list table of a heap with `lists` free lists: a bitmap of the non-empty
/// lists, one bit per list in 64-bit words, then the lists' heads.
pub(crate) const fn table_bytes(lists: usize) -> u64 {
    ((lists.div_ceil(64) + lists) * 8) as u64
}

/// How many free lists a heap that may reach `capacity` bytes gets: one per size class up
/// to the capacity, but no more than one per 512 bytes of it, so that a small heap does
/// not spend its memory on lists. The last list then takes every larger block and is
/// searched first-fit (see `take_free`).
pub(crate) fn lists_for(capacity: u64) -> usize {
    let all = list_of(capacity.clamp(MIN_BLOCK, MAX_HEAP - 1)) + 1;
    all.min((capacity / 512).max(1) as usize)
}

/// (first level, second level) of a block size.
pub(super) fn size_class(size: u64) -> (usize, usize) {
    if size < SMALL_LIMIT {
        (0, (size / ALIGN) as usize)
    } else {
        let fl = 63 - size.leading_zeros();
        let sl = (size >> (fl - SL_LOG2)) as usize & (SL_COUNT - 1);
        ((fl - SMALL_LOG2 + 1) as usize, sl)
    }
}

/// The free list of a block size, before the heap's last list takes every larger one.
pub(super) fn list_of(size: u64) -> usize {
    let (f, s) = size_class(size);
    (f * SL_COUNT + s).saturating_sub(FIRST_LIST)
}

/// The block size to search for so that any block of the list found is large enough.
pub(super) fn search_size(size: u64) -> u64 {
    if size < SMALL_LIMIT {
        size
    } else {
        let fl = 63 - size.leading_zeros();
        size + (1u64 << (fl - SL_LOG2)) - 1
    }
}

impl Heap {
    /// The bitmap words and the heads of the list table.
    // As `heap_state`: shared memory guarded by the segment lock, borrowed for one call.
    #[allow(clippy::mut_from_ref)]
    pub(super) fn table(&self) -> (&mut [u64], &mut [u64]) {
        // SAFETY: `table` points to `words + lists` words of the mapped segment (see `new`),
        // which the segment lock gives to this code alone; the two halves do not overlap
        // and the borrows never outlive one call.
        unsafe {
            (
                std::slice::from_raw_parts_mut(self.table, self.words),
                std::slice::from_raw_parts_mut(self.table.add(self.words), self.lists),
            )
        }
    }

    /// The list a free block of `size` bytes is filed in.
    pub(super) fn list_for(&self, size: u64) -> usize {
        list_of(size).min(self.lists - 1)
    }

    /// Checks that a free-list link points where a block's links can be: links are only
    /// written through, so a full block check would read memory for nothing.
    pub(super) fn check_link(&self, n: u64, from: u64) -> Result<()> {
        let (start, end) = (self.start, self.heap_state().end);
        if n < start || n > end.saturating_sub(MIN_BLOCK + HEADER) || n % ALIGN != 0 {
            return Err(corrupt(format_args!(
                "free-list link {n} (from {from}) leaves the heap"
            )));
        }
        Ok(())
    }

    /// Empties every list.
    pub(super) fn clear_lists(&self) {
        let (bits, heads) = self.table();
        bits.fill(0);
        heads.fill(0);
    }

    pub(super) fn insert_free(&self, off: u64) -> Result<()> {
        let size = self.size_of(off);
        let list = self.list_for(size);
        let (bits, heads) = self.table();
        let head = heads[list];
        if head != 0 {
            self.check_link(head, off)?;
        }
        // SAFETY: `off` is a block inside the heap; its payload has room for the links.
        unsafe { *self.links(off) = [head, 0] };
        if head != 0 {
            // SAFETY: `head` was filed by this allocator and is inside the heap.
            unsafe { (*self.links(head))[1] = off };
        }
        heads[list] = off;
        bits[list / 64] |= 1 << (list % 64);
        self.set(off, size, true);
        Ok(())
    }

    pub(super) fn remove_free(&self, off: u64) -> Result<()> {
        let list = self.list_for(self.size_of(off));
        // SAFETY: `off` was checked to be a block inside the heap.
        let [next, prev] = unsafe { *self.links(off) };
        for n in [next, prev] {
            if n != 0 {
                self.check_link(n, off)?;
            }
        }
        let (bits, heads) = self.table();
        if prev != 0 {
            // SAFETY: checked above.
            unsafe { (*self.links(prev))[0] = next };
        } else {
            if heads[list] != off {
                return Err(corrupt(format_args!(
                    "free block {off} is not at the head of its list"
                )));
            }
            heads[list] = next;
            if next == 0 {
                bits[list / 64] &= !(1 << (list % 64));
            }
        }
        if next != 0 {
            // SAFETY: checked above.
            unsafe { (*self.links(next))[1] = prev };
        }
        Ok(())
    }

    /// The first non-empty list at or after `from`, by the bitmap.
    pub(super) fn first_listed(&self, from: usize) -> Option<usize> {
        let (bits, _) = self.table();
        let mut w = from / 64;
        let mut word = bits[w] & (!0u64 << (from % 64));
        loop {
            if word != 0 {
                return Some(w * 64 + word.trailing_zeros() as usize);
            }
            w += 1;
            word = *bits.get(w)?;
        }
    }

    /// A free block of at least `size` bytes, removed from its list.
    ///
    /// Every block in a list after the one `search_size` names is large enough, so the
    /// bitmap finds one at once, as in any TLSF heap. The last list is the exception when
    /// the search starts there: it holds every block above the classes the other lists
    /// cover, so it is walked for the first block that fits, at most one step per block
    /// the heap can hold (garbage links that loop end there).
    pub(super) fn take_free(&self, size: u64) -> Result<Option<u64>> {
        let last = self.lists - 1;
        let from = list_of(search_size(size));
        let off = if from < last {
            let Some(list) = self.first_listed(from) else {
                return Ok(None);
            };
            if list > last {
                return Err(corrupt("the list bitmap names a list past the last"));
            }
            let off = self.table().1[list];
            self.check_block(off)?;
            if !self.is_free(off) || self.size_of(off) < size {
                return Err(corrupt(format_args!(
                    "list {list} holds block {off} that does not fit"
                )));
            }
            off
        } else {
            let Some(off) = self.first_fit(last, size)? else {
                return Ok(None);
            };
            off
        };
        self.remove_free(off)?;
        // Unlinking writes through the neighbours' links: garbage ones may point into this
        // very block's header, so check it again.
        self.check_block(off)?;
        if self.size_of(off) < size {
            return Err(corrupt(format_args!("block {off} shrank while unlinked")));
        }
        Ok(Some(off))
    }

    /// The first block of list `list` that holds `size` bytes, left in the list.
    pub(super) fn first_fit(&self, list: usize, size: u64) -> Result<Option<u64>> {
        let mut off = self.table().1[list];
        let most = (self.heap_state().end - self.start) / MIN_BLOCK + 1;
        for _ in 0..most {
            if off == 0 {
                return Ok(None);
            }
            self.check_block(off)?;
            if !self.is_free(off) {
                return Err(corrupt(format_args!("list {list} holds used block {off}")));
            }
            if self.size_of(off) >= size {
                return Ok(Some(off));
            }
            // SAFETY: `off` was checked to be a block inside the heap.
            let next = unsafe { (*self.links(off))[0] };
            if next != 0 {
                self.check_link(next, off)?;
            }
            off = next;
        }
        Err(corrupt(format_args!("list {list} loops")))
    }
}
