//! Walking the block chain from end to end: the repair that follows a crash, the full
//! consistency check `interproc check` runs, and the list of used blocks.
//!
//! These are the only heap operations that visit every block; the allocation paths in the
//! parent module touch a bounded number of blocks each.

use super::{ALIGN, HEADER, Heap, MIN_BLOCK, corrupt};
use crate::error::Result;

impl Heap {
    /// Rebuilds what a process killed in the middle of an operation may have left half
    /// done: the blocks' back links, adjacent free blocks (merged), the free lists, the
    /// bitmaps and the free-byte count, all from the chain of block sizes, which every
    /// operation keeps walkable at every step. Fails if the chain itself is broken.
    pub(crate) fn repair(&self) -> Result<()> {
        let (start, end) = (self.start, self.heap_state().end);
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
        self.clear_lists();
        self.heap_state().free_bytes = 0;
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
        self.heap_state().free_bytes = self
            .heap_state()
            .free_bytes
            .saturating_add(self.size_of(off));
        self.insert_free(off)
    }

    /// The user offsets of the used blocks the segment manager marked as its own
    /// ([`Heap::mark_internal`]), in address order.
    pub(crate) fn internal_blocks(&self) -> Result<Vec<u64>> {
        Ok(self
            .used_blocks()?
            .into_iter()
            .filter(|&u| self.is_internal(u - HEADER))
            .collect())
    }

    /// The user offsets of every used block, in address order.
    pub(crate) fn used_blocks(&self) -> Result<Vec<u64>> {
        let sentinel = self.sentinel();
        let mut off = self.start;
        let mut out = Vec::new();
        while off < sentinel {
            self.check_block(off)?;
            if !self.is_free(off) && !self.is_parked(off) {
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
        let (start, end, free_bytes) = (
            self.start,
            self.heap_state().end,
            self.heap_state().free_bytes,
        );
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
        for list in 0..self.lists {
            let (bits, heads) = self.table();
            let mut cur = heads[list];
            let mut back = 0u64;
            if (bits[list / 64] >> (list % 64) & 1 != 0) != (cur != 0) {
                return Err(corrupt(format_args!(
                    "the bitmap of list {list} disagrees with its head"
                )));
            }
            while cur != 0 {
                self.check_block(cur)?;
                if !self.is_free(cur) || self.list_for(self.size_of(cur)) != list {
                    return Err(corrupt(format_args!(
                        "block {cur} does not belong in list {list}"
                    )));
                }
                // SAFETY: `cur` was checked to be a block inside the heap.
                let [next, prev] = unsafe { *self.links(cur) };
                if prev != back {
                    return Err(corrupt(format_args!("list {list} is broken at {cur}")));
                }
                listed += 1;
                if listed > free_count {
                    return Err(corrupt("a free list loops or holds used blocks"));
                }
                back = cur;
                cur = next;
            }
        }
        let (bits, _) = self.table();
        let spare = bits.len() * 64 - self.lists;
        if spare > 0 && bits[bits.len() - 1] >> (64 - spare) != 0 {
            return Err(corrupt("the list bitmap names lists past the last"));
        }
        if listed != free_count {
            return Err(corrupt(format_args!(
                "{free_count} free blocks but {listed} listed"
            )));
        }
        Ok(())
    }
}
