//! The segment lock: taking it (with the checks every holder relies on), recovering after
//! a process died holding it, and running a caller's function under it.

use super::header::{LOCK_YIELD_TIME, SegmentHeader};
use super::{SegmentManager, corrupted};
use crate::Result;
use crate::os::robust;
use crate::os::robust::Acquired;
use crate::segment::heap;
use crate::sync::LockHolder;
use std::ptr::NonNull;
use std::sync::atomic::Ordering;

/// The segment lock, held; unlocks on drop.
pub(super) type LockGuard<'a> = robust::RobustGuard<'a>;

impl SegmentManager {
    /// What the segment lock's word says right now: free, held by a thread id (of the
    /// holder's own PID namespace), marked by the kernel because its owner died (the next
    /// process to lock recovers it), or garbage.
    pub fn lock_holder(&self) -> LockHolder {
        self.segment_lock().holder()
    }

    /// In a private (copy-on-write) mapping of the segment at `base`, the segment lock can
    /// only be this process's: one that another process held when the copy was made is
    /// taken as abandoned, and the first lock here recovers as after a death.
    ///
    /// # Safety
    /// `base` must be a validated segment header in a private mapping of this process that
    /// no other thread uses yet.
    pub(crate) unsafe fn own_private_lock(base: NonNull<u8>) {
        // SAFETY: a validated header, mapped and writable in this process (the contract).
        let h = unsafe { &*base.as_ptr().cast::<SegmentHeader>() };
        h.lock.abandon_foreign_holder();
        // Relaxed: as for the lock word. An odd sequence word (a change of the index under
        // way in the holder) would send every unlocked find to the lock; the recovery that
        // the first lock runs is what makes the index whole again.
        let seq = h.index_seq.load(Ordering::Relaxed);
        h.index_seq.store(seq & !1, Ordering::Relaxed);
    }

    // Views are only made from validated segments (`from_base` after `attach`/`format`,
    // `from_raw` after `check_live`), so locking needs no new check of the header; only the
    // corrupted flag, which another process may have raised since, is read after locking.
    pub(super) fn lock(&self) -> Result<LockGuard<'_>> {
        let lock = self.segment_lock();
        let how = lock
            .lock_spinning(LOCK_YIELD_TIME)
            .map_err(|e| e.into_error("locking the segment"))?;
        let guard = LockGuard::adopt(lock);
        self.check_bounds()?;
        self.after_lock(how)?;
        Ok(guard)
    }

    /// The heap's and the index's bounds must lie inside what this process mapped: a
    /// header overwritten with garbage is refused before any offset in it is followed.
    pub(super) fn check_bounds(&self) -> Result<()> {
        let h = self.segment_header();
        let len = self.bound();
        let start = self.shape()?.heap_start();
        let end = h.heap.end;
        let table_end = h
            .index
            .capacity
            .checked_mul(crate::segment::index::SLOT_BYTES)
            .and_then(|b| b.checked_add(h.index.table));
        if end > len
            || end < start + heap::HEADER
            || end % heap::ALIGN != 0
            || table_end.is_none_or(|e| e > len)
        {
            return Err(corrupted(format!(
                "the segment header's heap [{start}, {end}) or name table does not fit the {len} mapped bytes"
            )));
        }
        if self.backing.is_some() {
            let size = h.size.load(Ordering::Relaxed);
            if size > len {
                return Err(corrupted(format!(
                    "the segment header says {size} bytes, but the object holds {len} (or this process maps no more)"
                )));
            }
        }
        Ok(())
    }

    pub(super) fn try_lock(&self) -> Result<Option<LockGuard<'_>>> {
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
    pub(super) fn after_lock(&self, how: Acquired) -> Result<()> {
        if how == Acquired::OwnerDied {
            return self.recover();
        }
        // Acquire: pairs with the Release store of `recover` (see `with_classes`).
        if self.segment_header().corrupted.load(Ordering::Acquire) != 0 {
            return self.check_live();
        }
        Ok(())
    }

    #[cold]
    pub(super) fn recover(&self) -> Result<()> {
        // The dead holder may have been changing the index: readers wait for the rebuild,
        // and the sequence is even again afterwards whatever it left.
        let mut w = self.index_write();
        w.take_over();
        {
            let heap = self.heap()?;
            // Operations keep the chain of block sizes walkable at every step, so what a
            // killed process leaves half done is rebuilt from it: back links, free lists,
            // counts; then the name index from the object headers.
            // A growth cut short is finished first, from its journal.
            let result = self
                .growth()
                .finish(&heap)
                .and_then(|_| {
                    heap.check()
                        .or_else(|_| heap.repair().and_then(|_| heap.check()))
                })
                .and_then(|_| {
                    let index = self.index(&heap);
                    index
                        .check()
                        .or_else(|_| {
                            index
                                .rebuild(&heap.used_blocks()?)
                                .and_then(|_| index.check())
                        })
                        // Tables in flight when the holder died go back to the heap.
                        .and_then(|_| index.reclaim_orphan_tables())
                });
            if let Err(e) = result {
                // Release: the checks' findings before the mark; pairs with the Acquire
                // loads of `corrupted` (`with_classes`, `check_live`, `after_lock`).
                self.segment_header().corrupted.store(1, Ordering::Release);
                return Err(corrupted(format!(
                    "a process died while changing the segment and left it inconsistent: {}",
                    e.message()
                )));
            }
        }
        self.check_live()
    }

    pub(super) fn lock_for_read(&self) -> Result<Option<LockGuard<'_>>> {
        if self.read_only {
            self.check_live()?;
            self.check_bounds()?;
            Ok(None)
        } else {
            self.lock().map(Some)
        }
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
}
