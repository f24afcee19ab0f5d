//! Small allocations without the segment lock: a lock-free list per block size ("size
//! class") in the segment header, shared by every process that maps the segment.
//!
//! A small block given back is not merged into the heap: its header is flagged
//! [`PARKED`] and it is pushed on the list of its size; the next allocation of that size
//! pops it. Both are one compare-and-swap on the list head, so taking or giving back a small
//! block never waits for another process. The heap is used (under the lock) only when a
//! list is empty, for sizes above the classes, and for alignments above 16.
//!
//! Classes are the block sizes 32, 48, ... 512 (every size the heap hands out up to there),
//! then four per doubling up to 4096: 640, 768, 896, 1024, 1280, ... 4096. An allocation
//! between 512 and 4096 bytes of block is rounded up to its class so that its block can
//! later be parked and reused by any allocation of the class (at most a quarter wasted).
//!
//! **Accounting.** Parked blocks count as free. No shared counter says how many there are
//! (it would cost two more locked instructions on every pair of allocate and free):
//! whoever needs the heap whole, or its exact free memory (the free-memory query,
//! all-deallocated, the sanity check, shrink, a full heap), first returns every parked
//! block to it ([`Classes::drain`]), under the lock. A process that maps the segment
//! read-only cannot, and counts the listed blocks instead ([`Lists::parked_bytes`]).
//!
//! **Crashes.** A process killed between its compare-and-swap on a list head and the flip
//! of the block's flag loses that one block: it is neither on a list nor in use by anyone.
//! Nothing else is lost, and no list is left half-linked: a push links the block before
//! its one exchange publishes it.
//!
//! **Hostile segments.** A head word is a position and a change count; every position read
//! from the segment (a head or a link) is checked to be a 16-aligned block start inside
//! the heap and a parked block of the list's class before it is used, so garbage is never
//! a wild access, and each operation reads a bounded number of links. A list found to be
//! garbage is *quarantined*: its head is set to [`QUARANTINED`], the blocks it held are
//! given up, and the class stops parking (its blocks come from and go back to the heap,
//! under the lock). The other classes, the drain, and so the free-memory queries keep
//! working; the sanity check (and `interproc check`) names the class.
//!
//! **One algorithm, two worlds.** The lists reach their words through [`ListWords`]: the
//! library's [`Mapped`] hands out the segment's words, and the loom models
//! (`segment::loom_models`) a model's, so the models run this very code (see
//! `docs/lock-free.md`).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::os::atomic::Atomic;

use super::heap::{self, HEADER, Heap, PARKED};
use crate::{Error, ErrorKind, Result};

/// Classes of 16-byte steps: block sizes 32 ..= 512.
const FINE: usize = 31;
/// The largest fine class.
const FINE_MAX: u64 = 512;
/// The largest class (a block of 4096 bytes, 4080 usable).
pub(crate) const CLASS_MAX: u64 = 4096;
/// Number of classes: the fine ones, then four per doubling from 512 to 4096.
pub(crate) const CLASSES: usize = FINE + 4 * 3;

/// Bits of a head word that hold a position (a block offset in 16-byte units): blocks in
/// the first 64 GiB of a segment are parked; a small block beyond (in a heap larger than
/// that) goes back to the heap under the lock instead.
const POSITION_BITS: u32 = 32;
const POSITION_MASK: u64 = (1 << POSITION_BITS) - 1;
/// One change, in the 32-bit count above the position. A process that read a head, was
/// stopped, and finds the same block on top after others took and gave back blocks fails
/// its exchange instead of installing a stale link (the ABA problem): fooling it would take
/// a multiple of 2^32 changes of that one list during the pause, over a minute of nothing
/// but pushes and pops of that class at full speed, where a 24-bit count took a third of a
/// second.
const ONE_CHANGE: u64 = 1 << POSITION_BITS;
/// The head of a quarantined class (a position no heap reaches, so a process that does not
/// know the mark still refuses it as out of bounds).
const QUARANTINED: u64 = u64::MAX;

/// Bytes of the lists' table in a segment header: one head per class. Only segments that
/// may reach [`CLASSES_FROM`] bytes have one.
pub(crate) const TABLE_BYTES: u64 = 8 * CLASSES as u64;
/// The smallest capacity that gets the lists (their table is 344 bytes): below it, every
/// allocation goes to the heap under the lock, and the header stays as small as Boost's.
pub(crate) const CLASSES_FROM: u64 = 8 * 1024;

/// The class of a block size: its index and the class's block size. `None` above the
/// classes. `size` is a multiple of 16 of at least 32 (what the heap hands out).
pub(crate) fn class_of(size: u64) -> Option<(usize, u64)> {
    if size <= FINE_MAX {
        let size = size.max(heap::MIN_BLOCK);
        return Some((((size - heap::MIN_BLOCK) / 16) as usize, size));
    }
    if size > CLASS_MAX {
        return None;
    }
    let top = size.next_power_of_two();
    let step = top / 8;
    let k = (size - top / 2).div_ceil(step);
    let doubling = (top.trailing_zeros() - (FINE_MAX.trailing_zeros() + 1)) as usize;
    Some((FINE + doubling * 4 + (k as usize - 1), top / 2 + k * step))
}

/// The words the lists work on: the class heads, and three words of a block at block
/// offset `off` (which [`Lists`] has checked to be a plausible block before it asks).
pub(crate) trait ListWords {
    /// An atomic 64-bit word.
    type Word: Atomic<Int = u64>;
    /// The head of class `class` (`class < CLASSES`).
    fn head(&self, class: usize) -> &Self::Word;
    /// The size-and-flags word of the block's header.
    fn flags(&self, off: u64) -> &Self::Word;
    /// The first word of the block's payload, where a parked block keeps its successor.
    fn link(&self, off: u64) -> &Self::Word;
    /// The offset of the block physically before the one at `off` (0: none).
    fn prev_phys(&self, off: u64) -> u64;
}

/// The words of a mapped segment: its heads table and its heap.
pub(crate) struct Mapped<'h> {
    /// Per class: the position of the first parked block (0: none) and the change count.
    heads: &'h [AtomicU64; CLASSES],
    heap: &'h Heap,
}

impl ListWords for Mapped<'_> {
    type Word = AtomicU64;

    #[inline(always)]
    fn head(&self, class: usize) -> &AtomicU64 {
        &self.heads[class]
    }

    #[inline(always)]
    fn flags(&self, off: u64) -> &AtomicU64 {
        self.heap.flags_word(off)
    }

    #[inline(always)]
    fn link(&self, off: u64) -> &AtomicU64 {
        // SAFETY: `off` passed `Lists::plausible`, so `[off, off + 32)` lies inside the
        // mapped heap (a class block is at least 32 bytes); the payload starts 16-aligned.
        unsafe {
            &*self
                .heap
                .base()
                .add((off + HEADER) as usize)
                .cast::<AtomicU64>()
        }
    }

    #[inline(always)]
    fn prev_phys(&self, off: u64) -> u64 {
        self.heap.prev_phys(off)
    }
}

/// The size-class lists over the words `W` hands out.
pub(crate) struct Lists<W> {
    words: W,
    /// The heap's bounds as this process may trust them: `[start, end)` of block offsets.
    start: u64,
    end: u64,
}

/// The lists of one mapped segment, with the heap they park blocks of.
pub(crate) type Classes<'h> = Lists<Mapped<'h>>;

impl<'h> Classes<'h> {
    /// A view of the lists whose heads are `heads` (the table of [`TABLE_BYTES`]), parking blocks of
    /// `heap` whose block offsets lie in `[start, end)` (the heap's bounds, already checked
    /// against the mapping).
    pub(crate) fn new(
        heads: &'h [AtomicU64; CLASSES],
        heap: &'h Heap,
        start: u64,
        end: u64,
    ) -> Self {
        Lists::over(Mapped { heads, heap }, start, end)
    }

    /// Gives every parked block back to the heap; whether there was any. The caller holds
    /// the segment lock, so the heap is its own; other processes may still push and pop
    /// meanwhile, which is harmless (what they push after this pass stays parked).
    pub(crate) fn drain(&self) -> Result<bool> {
        let mut any = false;
        for class in 0..CLASSES {
            let size = class_size(class);
            // Each pop takes a distinct block, so no list yields more blocks than the heap
            // holds: a cycle in garbage links ends here instead of looping.
            let most = (self.end - self.start) / heap::MIN_BLOCK + 1;
            for _ in 0..most {
                let Some(user) = self.pop(class, size)? else {
                    break;
                };
                any = true;
                self.words.heap.deallocate(user)?;
            }
        }
        Ok(any)
    }
}

impl<W: ListWords> Lists<W> {
    /// The lists over `words`, parking blocks whose offsets lie in `[start, end)`.
    pub(crate) fn over(words: W, start: u64, end: u64) -> Self {
        Lists { words, start, end }
    }

    /// The words the lists work on (for the models' checks).
    #[cfg(all(loom, test))]
    pub(crate) fn words(&self) -> &W {
        &self.words
    }

    /// Bytes of the blocks listed now, counted by walking the lists (each at most as many
    /// steps as the heap has blocks): exact while nobody takes or gives back small blocks,
    /// a snapshot otherwise. An unusable head or link ends its list's count.
    pub(crate) fn parked_bytes(&self) -> u64 {
        let most = (self.end - self.start) / heap::MIN_BLOCK + 1;
        let mut total = 0u64;
        for class in 0..CLASSES {
            let head = self.words.head(class);
            let size = class_size(class);
            // Acquire: pairs with the Release exchange of the push that listed the block on
            // top, so its link is visible.
            let mut pos = head.load(Ordering::Acquire) & POSITION_MASK;
            for _ in 0..most {
                let off = pos * heap::ALIGN;
                if off == 0 || !self.plausible(off, size) {
                    break;
                }
                total += size;
                // Relaxed: a block taken meanwhile gives a wrong count, never a wild read
                // (the next position is checked like the head).
                pos = self.link(off).load(Ordering::Relaxed) & POSITION_MASK;
            }
        }
        total
    }

    /// Whether `off` can be the start of a block: 16-aligned, inside the heap, and a whole
    /// class-sized block fits before the end.
    fn plausible(&self, off: u64, size: u64) -> bool {
        off % heap::ALIGN == 0
            && off >= self.start
            && off.checked_add(size).is_some_and(|e| e <= self.end)
    }

    /// The first word of a block's payload, where a parked block keeps its successor.
    #[inline(always)]
    fn link(&self, off: u64) -> &W::Word {
        self.words.link(off)
    }

    /// Takes a parked block of class `class` (block size `size`); its user offset, or `None`
    /// when the list is empty. The bounds must be fresh: a head outside them is garbage,
    /// and the class is quarantined.
    pub(crate) fn pop(&self, class: usize, size: u64) -> Result<Option<u64>> {
        match self.try_pop(class, size)? {
            Pop::Got(user) => Ok(Some(user)),
            Pop::Empty => Ok(None),
            Pop::OutOfBounds => {
                self.quarantine(class);
                Ok(None)
            }
        }
    }

    /// [`Self::pop`] that reports a head naming a block outside the bounds this view was
    /// made with, changing nothing: the caller may look again with fresh bounds (the
    /// segment may have grown since they were read).
    pub(crate) fn try_pop(&self, class: usize, size: u64) -> Result<Pop> {
        let head = self.words.head(class);
        // Acquire: pairs with the Release exchange of the push that published the block on
        // top, so its link (and its parked flag) are visible here.
        let mut seen = head.load(Ordering::Acquire);
        loop {
            let off = (seen & POSITION_MASK) * heap::ALIGN;
            if off == 0 || seen == QUARANTINED {
                return Ok(Pop::Empty);
            }
            if !self.plausible(off, size) {
                return Ok(Pop::OutOfBounds);
            }
            // Relaxed: if another process took this block meanwhile and wrote over the
            // link, the exchange below sees a changed head and the value is dropped.
            let next = self.link(off).load(Ordering::Relaxed);
            let new = (next & POSITION_MASK) | ((seen & !POSITION_MASK).wrapping_add(ONE_CHANGE));
            // Acquire on success: pairs with the push's Release, as above. On failure the
            // new head is re-read with the same pairing.
            match head.compare_exchange_weak(seen, new, Ordering::Acquire, Ordering::Acquire) {
                Ok(_) if self.unpark(off, size) => break Ok(Pop::Got(off + HEADER)),
                // The block taken was not a parked block of the class: the list is
                // garbage from here on. The block is left alone (it may be in use).
                Ok(_) => {
                    self.quarantine(class);
                    break Ok(Pop::Empty);
                }
                Err(now) => seen = now,
            }
        }
    }

    /// Quarantines the list of `class`, found to be garbage: its blocks are given up, and
    /// the class parks nothing more.
    fn quarantine(&self, class: usize) {
        // Relaxed: the mark publishes nothing; every reader of a head compares it with
        // QUARANTINED before following it, whatever it saw before.
        self.words.head(class).store(QUARANTINED, Ordering::Relaxed);
    }

    /// The classes whose lists were quarantined, with their block sizes.
    pub(crate) fn quarantined(&self) -> Vec<(usize, u64)> {
        (0..CLASSES)
            // Relaxed: a snapshot for a report.
            .filter(|&c| self.words.head(c).load(Ordering::Relaxed) == QUARANTINED)
            .map(|c| (c, class_size(c)))
            .collect()
    }

    /// Flips the flag of a block just taken from a list; false, with nothing written, if
    /// it is not a parked block of `size` bytes (the list is garbage).
    fn unpark(&self, off: u64, size: u64) -> bool {
        let word = self.words.flags(off);
        // Relaxed, both: the list exchange that handed this process the block ordered the
        // rest, and the block is this process's alone now (a plain load and store, not an
        // exchange: a block listed twice is caught by the next pop's check).
        if word.load(Ordering::Relaxed) != size | PARKED {
            return false;
        }
        word.store(size, Ordering::Relaxed);
        // A fresh allocation reads zeros where the link was, as the heap's do.
        self.link(off).store(0, Ordering::Relaxed);
        true
    }

    /// Parks the allocation at user offset `user` if it is a used block whose size is a
    /// class's: `false` (and nothing changed) when it is not, or does not look like a block
    /// at all, so the caller gives it to the heap under the lock, which says what is wrong.
    /// A block given back twice is an error.
    pub(crate) fn give_back(&self, user: u64) -> Result<bool> {
        let Some(off) = user.checked_sub(HEADER) else {
            return Ok(false);
        };
        if !self.plausible(off, heap::MIN_BLOCK) {
            return Ok(false);
        }
        // Relaxed: see `push`.
        let size = self.words.flags(off).load(Ordering::Relaxed) & !(heap::ALIGN - 1);
        if !self.plausible(off, size) || size < heap::MIN_BLOCK {
            return Ok(false);
        }
        // A real block is pointed back at by the block after it; a stray pointer into the
        // middle of an allocation is not. The block after it is used by someone else, but
        // its back link changes only when this block changes, which its owner (the
        // caller) is not doing.
        if self.words.prev_phys(off + size) != off {
            return Ok(false);
        }
        self.push(off)
    }

    /// Parks the used block at block offset `off` if its size is a class's: `false` (and
    /// nothing changed) when it is not. A block given back twice is an error.
    fn push(&self, off: u64) -> Result<bool> {
        // Both words of the block at once: no store comes between their addresses, so the
        // compiler reads the heap's base once.
        let (word, link) = (self.words.flags(off), self.link(off));
        // Relaxed: the size of a used block changes only under the lock, by its owner
        // (expand), who is the caller.
        let flags = word.load(Ordering::Relaxed);
        let size = flags & !(heap::ALIGN - 1);
        let Some((class, class_size)) = class_of(size) else {
            return Ok(false);
        };
        if class_size != size || flags & (heap::ALIGN - 1) != 0 {
            if flags & PARKED != 0 {
                return Err(freed_twice(off));
            }
            return Ok(false);
        }
        let pos = off / heap::ALIGN;
        let head = self.words.head(class);
        // Relaxed: see the exchange below, which reads it again.
        let mut seen = head.load(Ordering::Relaxed);
        if pos > POSITION_MASK || seen == QUARANTINED {
            // Beyond what a head can name, or a class that parks no more: the heap takes it
            // back.
            return Ok(false);
        }
        // Relaxed: published by the head exchange below. A plain store, not an exchange: a
        // give-back of the same pointer racing this one (a double free in the caller) can
        // list the block twice, and the second pop of it then finds it unparked and reports
        // corruption; a double free that does not race is refused above.
        word.store(size | PARKED, Ordering::Relaxed);
        loop {
            if seen == QUARANTINED {
                // Quarantined meanwhile: the block stays the caller's, for the heap.
                word.store(size, Ordering::Relaxed);
                return Ok(false);
            }
            // Relaxed: published by the Release exchange that follows.
            link.store(seen & POSITION_MASK, Ordering::Relaxed);
            let new = pos | ((seen & !POSITION_MASK).wrapping_add(ONE_CHANGE));
            // Release: pairs with the Acquire of the pop that takes this block, which then
            // sees its link, its flag and the user's last writes.
            match head.compare_exchange_weak(seen, new, Ordering::Release, Ordering::Relaxed) {
                Ok(_) => return Ok(true),
                Err(now) => seen = now,
            }
        }
    }
}

/// The block size of class `class`.
pub(crate) fn class_size(class: usize) -> u64 {
    if class < FINE {
        heap::MIN_BLOCK + 16 * class as u64
    } else {
        let doubling = ((class - FINE) / 4) as u32;
        let k = ((class - FINE) % 4 + 1) as u64;
        let top = FINE_MAX << (doubling + 1);
        top / 2 + k * (top / 8)
    }
}

/// What [`Lists::try_pop`] found.
pub(crate) enum Pop {
    /// A block, taken: its user offset.
    Got(u64),
    /// The list is empty.
    Empty,
    /// The head names a block outside this view's bounds; nothing changed.
    OutOfBounds,
}

fn freed_twice(off: u64) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "offset {} was already given back (a block freed twice)",
            off + HEADER
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_every_small_block_size_and_round_up_above() {
        assert_eq!(class_of(32), Some((0, 32)));
        assert_eq!(class_of(80), Some((3, 80)));
        assert_eq!(class_of(512), Some((30, 512)));
        assert_eq!(class_of(528), Some((31, 640)));
        assert_eq!(class_of(640), Some((31, 640)));
        assert_eq!(class_of(656), Some((32, 768)));
        assert_eq!(class_of(1024), Some((34, 1024)));
        assert_eq!(class_of(1040), Some((35, 1280)));
        assert_eq!(class_of(4096), Some((CLASSES - 1, 4096)));
        assert_eq!(class_of(4112), None);
        for c in 0..CLASSES {
            assert_eq!(
                class_of(class_size(c)),
                Some((c, class_size(c))),
                "class {c}"
            );
            if c > 0 {
                assert!(class_size(c) > class_size(c - 1));
            }
        }
        let mut size = 32;
        while size <= CLASS_MAX {
            let (_, got) = class_of(size).expect("in range");
            assert!(got >= size && got - size <= size / 4, "{size} -> {got}");
            size += 16;
        }
    }
}
