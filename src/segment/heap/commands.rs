//! Boost's allocation commands that move a block's ends in place: shrinking (the end moves
//! back) and backward expansion (the start moves back into the free block before it).
//!
//! Both keep the heap's rules: sizes stay multiples of [`ALIGN`], no two free blocks are
//! adjacent, and the chain of sizes stays walkable at every step (see `repair`): a new
//! header is written before the block it is carved from shrinks.

use super::{ALIGN, HEADER, Heap, MIN_BLOCK, block_size_for};
use crate::{Error, ErrorKind, Result};

/// The least common multiple of `a` and `b` (both non-zero), `None` on overflow.
fn lcm(a: u64, b: u64) -> Option<u64> {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    (a / x).checked_mul(b)
}

impl Heap {
    /// Shrinks the allocation at `user` in place (its start and contents stay) so that it
    /// holds at least `n` bytes, giving the cut-off end back to the free lists. Returns the
    /// usable size afterwards, or with `apply == false` the size it would have, changing
    /// nothing (Boost's `try_shrink_in_place`). The result is the current size when the
    /// block cannot shrink: the cut would be smaller than a free block and the memory after
    /// it is in use.
    pub(crate) fn shrink(&self, user: u64, n: u64, apply: bool) -> Result<u64> {
        let off = self.used_block(user)?;
        let size = self.size_of(off);
        let Some(want) = block_size_for(n) else {
            return Ok(size - HEADER);
        };
        if want >= size {
            return Ok(size - HEADER);
        }
        let next = off + size;
        let next_free = next != self.sentinel() && self.is_free(next);
        if !next_free && size - want < MIN_BLOCK {
            return Ok(size - HEADER);
        }
        if !apply {
            return Ok(want - HEADER);
        }
        if next_free {
            self.check_block(next)?;
            let next_size = self.size_of(next);
            self.remove_free(next)?;
            let rest = off + want;
            let rest_size = size - want + next_size;
            // Free from the start, as in `trim`.
            self.set(rest, rest_size, true);
            self.set_prev_phys(rest, off);
            self.set_prev_phys(rest + rest_size, rest);
            self.set(off, want, false);
            self.insert_free(rest)?;
        } else {
            self.trim(off, want)?;
        }
        self.heap_state().free_bytes += size - want;
        Ok(want - HEADER)
    }

    /// Grows the allocation at `user` backwards, into the free block right before it, so
    /// that it holds at least `min_n` bytes (and `preferred_n` if that much is free). The
    /// start moves back by a multiple of `multiple` bytes (the caller's element size, so
    /// that it can move its elements to the new start); the contents stay where they were.
    /// Returns the new user offset and usable size, or `None` (nothing changed) when the
    /// block before is in use or too small.
    pub(crate) fn expand_backwards(
        &self,
        user: u64,
        min_n: u64,
        preferred_n: u64,
        multiple: u64,
    ) -> Result<Option<(u64, u64)>> {
        if multiple == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the element size of a backward expansion is 0",
            ));
        }
        let off = self.used_block(user)?;
        let size = self.size_of(off);
        if size - HEADER >= min_n {
            return Ok(Some((user, size - HEADER)));
        }
        let prev = self.prev_phys(off);
        if prev == 0 {
            return Ok(None);
        }
        self.check_block(prev)?;
        if !self.is_free(prev) {
            return Ok(None);
        }
        let prev_size = self.size_of(prev);
        let (Some(step), Some(min_block)) = (lcm(ALIGN, multiple), block_size_for(min_n)) else {
            return Ok(None);
        };
        let round_up = |need: u64| need.div_ceil(step).checked_mul(step);
        let Some(extra_min) = round_up(min_block - size) else {
            return Ok(None);
        };
        let extra_pref = block_size_for(preferred_n.max(min_n))
            .and_then(|b| round_up(b.saturating_sub(size)))
            .unwrap_or(u64::MAX);
        // A move is possible by the whole free block (when it is a multiple of the step), or
        // by less, leaving at least a minimal free block in front.
        let fits = |e: u64| e == prev_size && prev_size % step == 0 || e + MIN_BLOCK <= prev_size;
        let largest = if prev_size % step == 0 {
            prev_size
        } else {
            prev_size.saturating_sub(MIN_BLOCK) / step * step
        };
        let extra = if fits(extra_pref) {
            extra_pref
        } else if largest >= extra_min {
            largest
        } else {
            return Ok(None);
        };
        self.remove_free(prev)?;
        let start = off - extra;
        let next = off + size;
        // The grown block's header first, then the free block in front shrinks (or goes).
        self.set(start, size + extra, false);
        if start != prev {
            self.set_prev_phys(start, prev);
        } else {
            self.set_prev_phys(start, self.prev_phys(prev));
        }
        self.set_prev_phys(next, start);
        if start != prev {
            // Still free, as it was: a process killed before it is listed again leaves it
            // to the repair.
            self.set(prev, start - prev, true);
            self.insert_free(prev)?;
        }
        self.heap_state().free_bytes -= extra;
        Ok(Some((start + HEADER, size + extra - HEADER)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on a fresh heap of `bytes` over a 16-aligned buffer.
    fn with_heap(bytes: usize, f: impl FnOnce(&Heap)) {
        let mut buf = vec![0u128; bytes / 16];
        let base = buf.as_mut_ptr().cast::<u8>();
        // SAFETY: the buffer outlives the heap view and nothing else touches it.
        let heap = unsafe { super::super::test_heap(base, bytes as u64, 64) };
        f(&heap);
        drop(buf);
    }

    #[test]
    fn shrink_gives_the_end_back_and_merges_with_free_memory_after_it() {
        with_heap(1 << 16, |h| {
            let free0 = h.free_bytes();
            let a = h.allocate(1000, 16).unwrap().unwrap();
            let b = h.allocate(100, 16).unwrap().unwrap();
            // try_shrink changes nothing.
            assert_eq!(h.shrink(a, 200, false).unwrap(), 208);
            assert_eq!(h.usable_size(a).unwrap(), 1008);
            assert_eq!(h.shrink(a, 200, true).unwrap(), 208);
            assert_eq!(h.usable_size(a).unwrap(), 208);
            h.check().unwrap();
            // Freed tail before b: b's shrink merges with the free memory after it.
            assert_eq!(h.shrink(b, 16, true).unwrap(), 16);
            h.check().unwrap();
            // A cut below a free block's size with used memory after it is refused.
            assert_eq!(h.shrink(a, 200, true).unwrap(), 208);
            h.deallocate(a).unwrap();
            h.deallocate(b).unwrap();
            h.check().unwrap();
            assert_eq!(h.free_bytes(), free0);
        });
    }

    #[test]
    fn backward_expansion_moves_the_start_by_a_multiple_of_the_element() {
        with_heap(1 << 16, |h| {
            let free0 = h.free_bytes();
            let a = h.allocate(480, 16).unwrap().unwrap();
            let b = h.allocate(64, 16).unwrap().unwrap();
            let c = h.allocate(64, 16).unwrap().unwrap();
            h.deallocate(a).unwrap();
            // The block before b is free: b grows backwards by a multiple of 24 bytes.
            let (nb, got) = h.expand_backwards(b, 300, 300, 24).unwrap().unwrap();
            assert!(nb < b && (b - nb) % 24 == 0 && (b - nb) % 16 == 0);
            assert!(got >= 300);
            h.check().unwrap();
            // c's neighbour before it is in use: nothing changes.
            assert_eq!(h.expand_backwards(c, 1000, 1000, 8).unwrap(), None);
            // Too much asked: nothing changes.
            assert_eq!(h.expand_backwards(nb, 100_000, 100_000, 8).unwrap(), None);
            assert!(h.expand_backwards(nb, 10, 10, 0).is_err());
            h.deallocate(nb).unwrap();
            h.deallocate(c).unwrap();
            h.check().unwrap();
            assert_eq!(h.free_bytes(), free0);
        });
    }
}
