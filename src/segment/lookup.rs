//! Finding a named object without the segment lock: a sequence lock over the name index.
//!
//! Every change to the index, the object headers it leads to, or the memory they lie in
//! happens under the segment lock, between two bumps of the segment's index sequence word
//! ([`IndexSeq`]): odd while a change is under way, even when it is done. A reader notes
//! the word, reads what it needs by copy, and keeps the result only if the word was even
//! and has not moved since. Otherwise it tries again, and after a few tries it takes the
//! lock like any other reader.
//!
//! What a reader copies may be torn or stale while a writer works, so it trusts none of
//! it: every offset is checked against the mapped length before it is followed, every
//! probe is bounded by the table's capacity, and a name is compared byte by byte through
//! volatile reads into nothing larger than the caller's own name. The reads are volatile
//! so the compiler neither caches nor widens them; a value they return that a writer was
//! changing is thrown away by the sequence check. A writer killed half-way leaves the word
//! odd; readers then fall back to the lock, whose recovery evens it (garbage left odd in a
//! segment with no dead holder keeps finds on the locked path: slower, never wrong).
//!
//! The sequence protocol ([`IndexSeq`]) is generic over its word, so a loom model
//! (`segment::loom_models`) runs the same code over a model's word (see
//! `docs/lock-free.md`).

use std::ptr::read_volatile;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::os::atomic::Atomic;

use super::index::{
    InstanceKind, OBJECT_HEADER, ObjectHeader, SLOT_BYTES, decode, hash, home, slot_header,
    slot_may_hold,
};

/// How many unlocked attempts a find makes before taking the lock.
pub(crate) const TRIES: u32 = 4;

/// The index's sequence word, in the segment header (or a model's word).
pub(crate) struct IndexSeq<'a, W = AtomicU32>(pub(crate) &'a W);

impl<W: Atomic<Int = u32>> IndexSeq<'_, W> {
    /// Marks the start of a change (the caller holds the segment lock); whether this call
    /// started it. A change already under way (a construction whose initialiser constructs
    /// more objects, under the recursive lock), or a word left odd by a writer that died,
    /// is not started again, and only the call that started a change ends it: an inner
    /// end would even the word while the outer change goes on.
    pub(crate) fn begin_write(&self) -> bool {
        // Relaxed load: the segment lock, held, orders every writer's accesses.
        let s = self.0.load(Ordering::Relaxed);
        if s & 1 != 0 {
            return false;
        }
        // Relaxed store, then a Release fence: the fence orders this odd value before every
        // write of the change that follows, so a reader whose copies include any of those
        // writes sees a sequence different from the even one it started with (its Acquire
        // fence pairs with this one).
        self.0.store(s | 1, Ordering::Relaxed);
        W::fence(Ordering::Release);
        true
    }

    /// Marks the end of a change: the next even value. Also evens a word a killed writer
    /// (or garbage) left odd, which is what the recovery after a holder's death calls it for.
    pub(crate) fn end_write(&self) {
        // Relaxed load: as in `begin_write`.
        let s = self.0.load(Ordering::Relaxed);
        // Release: pairs with the reader's Acquire load of the sequence; a reader that sees
        // this even value sees the whole change.
        self.0.store((s | 1).wrapping_add(1), Ordering::Release);
    }

    /// The value a read starts from, if no change is under way.
    fn read_begin(&self) -> Option<u32> {
        // Acquire: pairs with `end_write`'s Release store.
        let s = self.0.load(Ordering::Acquire);
        (s & 1 == 0).then_some(s)
    }

    /// Whether nothing changed since `read_begin` returned `s`.
    fn read_valid(&self, s: u32) -> bool {
        // Acquire fence: orders the copies made before it ahead of the load below, and
        // pairs with `begin_write`'s Release fence.
        W::fence(Ordering::Acquire);
        self.0.load(Ordering::Relaxed) == s
    }

    /// Runs `copy` (reads only, of copies it trusts no further than the caller checks
    /// them) between the two looks at the word: what it returned, if no change was under
    /// way and none happened meanwhile; `None` otherwise.
    #[inline(always)]
    pub(crate) fn read<R>(&self, copy: impl FnOnce() -> R) -> Option<R> {
        let s = self.read_begin()?;
        let got = copy();
        self.read_valid(s).then_some(got)
    }
}

/// What a find returns: the object's header offset and the fields callers use.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Found {
    pub(crate) object: u64,
    pub(crate) elem_size: u64,
    pub(crate) count: u64,
    pub(crate) type_tag: u64,
}

/// The outcome of one unlocked attempt.
pub(crate) enum Attempt {
    /// The index said this, and nothing changed meanwhile.
    Sure(Option<Found>),
    /// A change was under way or happened meanwhile (or the copies were inconsistent):
    /// try again, or take the lock.
    Unsure,
}

/// A view of one mapped segment for unlocked lookups.
pub(crate) struct Lookup {
    base: *const u8,
    /// Mapped bytes: every offset read is checked against this.
    len: u64,
    /// Where the index's table offset and capacity lie (in the segment header).
    table_at: *const u64,
    capacity_at: *const u64,
}

impl Lookup {
    /// # Safety
    /// `[base, base + len)` must stay mapped and readable while the view is used, and
    /// `table_at`/`capacity_at` must point to the index state's fields inside it.
    pub(crate) unsafe fn new(
        base: *const u8,
        len: u64,
        table_at: *const u64,
        capacity_at: *const u64,
    ) -> Lookup {
        Lookup {
            base,
            len,
            table_at,
            capacity_at,
        }
    }

    /// Reads the u64 at `off`, which the caller checked lies in the mapping, 8-aligned.
    fn word(&self, off: u64) -> u64 {
        // SAFETY: `off + 8 <= len` and `off % 8 == 0` (checked by every caller), so the
        // read lies inside the mapping; volatile, see the module comment.
        unsafe { read_volatile(self.base.add(off as usize).cast::<u64>()) }
    }

    fn in_map(&self, off: u64, bytes: u64) -> bool {
        off.checked_add(bytes).is_some_and(|e| e <= self.len)
    }

    /// One unlocked attempt at finding `name` of `kind`.
    pub(crate) fn attempt(&self, seq: &IndexSeq<'_>, kind: InstanceKind, name: &[u8]) -> Attempt {
        match seq.read(|| self.probe(kind, name)) {
            Some(Some(r)) => Attempt::Sure(r),
            _ => Attempt::Unsure,
        }
    }

    /// The probe over copies: `None` if what was read does not hold together (the locked
    /// path then says what is wrong, if anything is).
    fn probe(&self, kind: InstanceKind, name: &[u8]) -> Option<Option<Found>> {
        // SAFETY: both fields lie in the segment header (see `new`); volatile, see above.
        let (table, cap) = unsafe {
            (
                read_volatile(self.table_at),
                read_volatile(self.capacity_at),
            )
        };
        if cap == 0 {
            return Some(None);
        }
        if !cap.is_power_of_two()
            || table % 8 != 0
            || !self.in_map(table, cap.checked_mul(SLOT_BYTES)?)
        {
            return None;
        }
        let want = hash(kind, name);
        let mut i = home(want, cap);
        // At most `cap` slots, each inside the table checked above: a table of garbage, or
        // one torn by a writer, ends the loop all the same.
        for _ in 0..cap {
            // One volatile read of the whole slot. A value read while a writer changed the
            // table is thrown away by the sequence check; until then it is only data: its
            // offset leads to a header that `matches` checks before trusting it.
            match self.word(table + i * SLOT_BYTES) {
                0 => return Some(None),
                1 => {}
                w if slot_may_hold(w, want) => {
                    if let Some(found) = self.matches(slot_header(w), kind, name)? {
                        return Some(Some(found));
                    }
                }
                _ => {}
            }
            i = (i + 1) & (cap - 1);
        }
        Some(None)
    }

    /// Whether the object header at `h` is `name` of `kind`: `Some(Some(..))` if so,
    /// `Some(None)` if it is another object, `None` if the header does not validate.
    ///
    /// The header (16 bytes) is copied by one volatile read, the words before it (if it
    /// says there are any) one by one, and the copy is checked by the same [`decode`] as
    /// the locked path's.
    fn matches(&self, h: u64, kind: InstanceKind, name: &[u8]) -> Option<Option<Found>> {
        if h % 16 != 0 || !self.in_map(h, OBJECT_HEADER) {
            return None;
        }
        // SAFETY: `[h, h + OBJECT_HEADER)` lies in the mapping, 16-aligned (checked above);
        // volatile, see the module comment.
        let head = unsafe { read_volatile(self.base.add(h as usize).cast::<ObjectHeader>()) };
        // `decode` reads only 8-aligned words inside the segment's `len` bytes.
        let oh = decode(h, head, self.len, |off| self.word(off))?;
        if oh.kind != kind || oh.name_len != name.len() as u64 {
            return Some(None);
        }
        // Eight bytes at a time, then byte by byte: the name follows the elements at any
        // offset, and `decode` checked that it lies inside the mapping.
        let words = name.chunks_exact(8);
        let tail = words.remainder();
        let mut at = oh.name_at;
        for w in words {
            // SAFETY: 8 bytes of the name, inside the mapping; `[u8; 8]` needs no alignment.
            let got = unsafe { read_volatile(self.base.add(at as usize).cast::<[u8; 8]>()) };
            if got != *w {
                return Some(None);
            }
            at += 8;
        }
        for &b in tail {
            // SAFETY: a byte of the name, inside the mapping.
            if unsafe { read_volatile(self.base.add(at as usize)) } != b {
                return Some(None);
            }
            at += 1;
        }
        Some(Some(Found {
            object: oh.object,
            elem_size: oh.elem_size,
            count: oh.count,
            type_tag: oh.type_tag,
        }))
    }
}
