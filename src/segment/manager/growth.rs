//! Online growth: a segment created with a maximum size grows while processes have it
//! mapped, and none of them has to call the library to reach the new memory.
//!
//! Every process maps the whole maximum from the start (`MAP_SHARED` over the object), so
//! the base never moves and the tail becomes reachable the moment the object holds it.
//! Pages past the object's end would fault, so nothing may point there: every offset the
//! library follows is checked against what this process has seen the object hold
//! (`GrowthBacking::backed`), never against the mapping alone. Growing, under the segment
//! lock, is: reserve the memory (`posix_fallocate`: a full `/dev/shm` fails here, never as a
//! `SIGBUS` later), write the growth journal, publish the new size, extend the heap, clear
//! the journal. `docs/growth.md` argues the design and its crash cases.

use super::backing::GrowthBacking;
use super::view::{SegmentManager, corrupted};
use crate::segment::heap;
use crate::segment::heap::Heap;
use crate::{Error, ErrorKind, Result};
use std::sync::atomic::Ordering;

/// How far a growth on demand goes: at least double, and at least what is needed plus the
/// allocator's rounding, in whole pages, at most the maximum.
fn next_size(size: u64, need: u64, max: u64) -> u64 {
    let page = crate::os::mmap::page_size() as u64;
    let wanted = need
        .saturating_add(need / 8)
        .saturating_add(page)
        .saturating_add(size);
    size.saturating_mul(2)
        .max(wanted)
        .checked_next_multiple_of(page)
        .unwrap_or(max)
        .min(max)
}

/// Online growth of one segment as this process sees it ([`SegmentManager::growth`]): the
/// bound of every offset, and growing under the segment lock with a journal that the next
/// holder finishes if the grower dies.
#[derive(Clone, Copy)]
pub(super) struct Growth<'m> {
    m: &'m SegmentManager,
}

impl<'m> Growth<'m> {
    /// The growth of the segment `m` views.
    pub(super) fn of(m: &'m SegmentManager) -> Growth<'m> {
        Growth { m }
    }

    fn backing(self) -> Option<&'m GrowthBacking> {
        // SAFETY: the backing is owned by the segment's mapping, which outlives every view
        // of it (see `from_base`).
        self.m.backing.map(|g| unsafe { g.as_ref() })
    }

    /// The bound for every offset in this process: the bytes the object is known to hold.
    #[inline]
    pub(super) fn bound(self) -> u64 {
        let Some(g) = self.backing() else {
            return self.m.len as u64;
        };
        // Relaxed: see `backed`.
        let backed = g.backed.load(Ordering::Relaxed);
        // Acquire: pairs with the Release store of the new size in `grow_to`, so a process
        // that sees it also sees the journal written before it. Nothing unsafe hangs on
        // it: a size is trusted only once `refresh` has found the object holds it (the
        // kernel's word, not the grower's), and the heap's end, read after, is checked
        // against the bound by its readers, so a new end with an old size only sends them
        // to the locked path.
        let size = self.m.segment_header().size.load(Ordering::Acquire);
        if size <= backed {
            backed
        } else {
            g.refresh(size)
        }
    }

    /// The size the segment may grow to while mapped; its size when it grows only offline.
    pub(super) fn max_size(self) -> usize {
        match self.backing() {
            Some(g) => g.mapped as usize,
            None => self.m.size(),
        }
    }

    /// How many times the segment has grown while mapped.
    pub(super) fn generation(self) -> u32 {
        // Acquire: pairs with the Release store of the generation in `grow_to`, so a caller
        // that sees a new generation sees the new size, stored before it.
        self.m.segment_header().generation.load(Ordering::Acquire)
    }

    /// Grows the segment by `extra` bytes while it is mapped here and elsewhere. Only a
    /// segment created with a maximum size grows so, up to that maximum (`Size` error
    /// beyond it). The memory is reserved first: a full `/dev/shm` or disk is an
    /// `OutOfSpace` error and the segment stays as it was.
    pub(super) fn grow(self, extra: u64) -> Result<()> {
        self.m.check_writable()?;
        let _g = self.m.lock()?;
        // Relaxed: the size changes only under the segment lock, which this thread holds.
        let size = self.m.segment_header().size.load(Ordering::Relaxed);
        let target = size
            .checked_add(extra)
            .ok_or_else(|| Error::new(ErrorKind::Size, "the size overflows"))?;
        if target == size {
            return Ok(());
        }
        let max = self.growable()?;
        if target > max {
            return Err(Error::new(
                ErrorKind::Size,
                format!(
                    "cannot grow the segment from {size} to {target} bytes: its maximum is {max}"
                ),
            ));
        }
        self.grow_to(&self.m.heap()?, target)
    }

    /// The maximum size, or an error saying the segment does not grow while mapped.
    fn growable(self) -> Result<u64> {
        match self.backing() {
            Some(g) if g.writable => Ok(g.mapped),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                "the segment was not created with a maximum size (or is not mapped read-write \
                 and shared here): it grows only offline",
            )),
        }
    }

    /// Runs `op` and, while it finds no room, makes room and runs it again: first by giving
    /// the parked small blocks back to the heap (once), then, while the segment can grow,
    /// by growing it a step. `need` is what `op` asks of the heap, if known. The lock is
    /// held.
    pub(super) fn growing<T>(
        &self,
        heap: &Heap,
        need: u64,
        mut op: impl FnMut() -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        let mut got = self.m.with_parked_back(&mut op, Option::is_none)?;
        while got.is_none() {
            let Some(g) = self.backing().filter(|g| g.writable) else {
                break;
            };
            // Relaxed: as in `grow` (the lock is held).
            let size = self.m.segment_header().size.load(Ordering::Relaxed);
            if size >= g.mapped {
                break;
            }
            self.grow_to(heap, next_size(size, need, g.mapped))?;
            got = op()?;
        }
        Ok(got)
    }

    /// Grows the segment to `target` bytes (at most the maximum). The lock is held.
    #[cold]
    fn grow_to(self, heap: &Heap, target: u64) -> Result<()> {
        let g = self.backing().expect("only growable segments grow");
        let h = self.m.segment_header();
        // Relaxed: as in `grow` (the lock is held).
        let size = h.size.load(Ordering::Relaxed);
        // 1. Reserve, from where the heap ends. A failure here changes nothing in the
        // segment.
        g.reserve(heap.end().min(size), target)?;
        // Relaxed: see `backed`; the reservation above made it a fact.
        g.backed.fetch_max(target, Ordering::Relaxed);
        // 2. The journal, before anything it describes. Relaxed: its reader is the next
        // holder of the segment lock (a recovery after this process's death), ordered by
        // the lock, or by the kernel's marking of the dead owner's lock word, a full
        // barrier after which every store this process executed is visible. What a death
        // half-way needs is the program order of this thread's stores, which the compiler
        // fence keeps: the heap's plain stores cannot move above the journal, so a process
        // killed at any instruction after it leaves the journal set.
        h.growing_from.store(heap.end(), Ordering::Relaxed);
        std::sync::atomic::compiler_fence(Ordering::Release);
        // 3. Publish. Release: pairs with `bound`'s Acquire load (unlocked readers of the
        // size); readers under the lock are ordered by it.
        h.size.store(target, Ordering::Release);
        // Relaxed load: only lock holders store the generation. Release store: pairs with
        // `generation`'s Acquire load, after the new size.
        let generation = h.generation.load(Ordering::Relaxed).wrapping_add(1);
        h.generation.store(generation, Ordering::Release);
        // 4. Extend the heap, then clear the journal. Release: its readers are ordered as
        // the journal's (see step 2); the Release keeps every heap store above it, so a
        // process killed after the clear has left the heap whole.
        match heap.extend(target & !(heap::ALIGN - 1)) {
            Ok(()) => {
                h.growing_from.store(0, Ordering::Release);
                Ok(())
            }
            Err(e) => self.finish(heap).and(Err(e)),
        }
    }

    /// Finishes a growth whose process died (or failed) half-way, from the journal: puts
    /// the heap's end back where it was, then extends it to the published size. The
    /// lock is held. An error means the journal or the heap does not hold together.
    pub(super) fn finish(self, heap: &Heap) -> Result<()> {
        let h = self.m.segment_header();
        // Relaxed, both: the lock is held, and orders them after the stores of the last
        // holder, dead or alive (see `grow_to`, step 2).
        let from = h.growing_from.load(Ordering::Relaxed);
        if from == 0 {
            return Ok(());
        }
        let size = h.size.load(Ordering::Relaxed);
        if from % heap::ALIGN != 0 || from < heap.start() + heap::HEADER || from > size {
            return Err(corrupted(format!(
                "the growth journal says the heap ended at {from}, outside the segment of {size} bytes"
            )));
        }
        heap.undo_extend(from)?;
        let end = size & !(heap::ALIGN - 1);
        if end > from {
            heap.extend(end)?;
        }
        // Release: as the clear in `grow_to`, step 4.
        h.growing_from.store(0, Ordering::Release);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::next_size;

    #[test]
    fn steps_double_cover_the_need_and_stop_at_the_maximum() {
        let page = crate::os::mmap::page_size() as u64;
        assert_eq!(next_size(1 << 16, 100, 1 << 30), 1 << 17);
        let big = next_size(1 << 16, 1 << 20, 1 << 30);
        assert!(big >= (1 << 16) + (1 << 20) && big % page == 0);
        assert_eq!(next_size(1 << 16, 1 << 20, 1 << 17), 1 << 17);
        assert_eq!(next_size(u64::MAX / 2, u64::MAX, 1 << 40), 1 << 40);
    }
}
