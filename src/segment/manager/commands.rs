//! The allocation commands of Boost's `allocation_command` that the heap serves in place:
//! shrinking and backward expansion (forward expansion is `expand_in_place`).

use super::SegmentManager;
use crate::Result;
use std::ptr::NonNull;

impl SegmentManager {
    /// Shrinks the allocation at `ptr` in place (its start and contents stay) to hold at
    /// least `min` bytes, and returns its usable size afterwards: unchanged when the cut
    /// would be too small to give back. With `apply == false` nothing changes and the
    /// result is the size it would have (Boost's `try_shrink_in_place`). Memory that is
    /// not an allocation of this segment gives `InvalidArgument`.
    pub fn shrink_in_place(&self, ptr: *mut u8, min: usize, apply: bool) -> Result<usize> {
        if apply {
            self.check_writable()?;
        }
        let off = self.offset_in_segment(ptr)?;
        let _g = self.lock()?;
        Ok(self.heap()?.shrink(off, min as u64, apply)? as usize)
    }

    /// Grows the allocation at `ptr` backwards into the free memory right before it, to
    /// hold at least `min` bytes (up to `preferred`), moving its start back by a multiple
    /// of `multiple` bytes. Returns the new start and usable size, or `None` when the
    /// memory before it is in use or too small (then nothing changed). The contents stay at
    /// their old address: the caller moves them, as with Boost's `expand_bwd`.
    pub fn expand_backwards(
        &self,
        ptr: *mut u8,
        min: usize,
        preferred: usize,
        multiple: usize,
    ) -> Result<Option<(NonNull<u8>, usize)>> {
        self.check_writable()?;
        let off = self.offset_in_segment(ptr)?;
        let _g = self.lock()?;
        let heap = self.heap()?;
        // A parked block right before it is free memory only once the lists give it back.
        let got = self.with_parked_back(
            || heap.expand_backwards(off, min as u64, preferred as u64, multiple as u64),
            Option::is_none,
        )?;
        Ok(got.map(|(user, size)| (self.at(user), size as usize)))
    }
}
