//! The segments this process has mapped: a manager address handed in through the C ABI is
//! trusted only if it is the base of one of them, and its bounds come from here.

use super::backing::GrowthBacking;
use std::ptr::NonNull;
use std::sync::RwLock;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::{AtomicU64, Ordering};

/// One segment this process mapped.
#[derive(Clone, Copy)]
struct Mapping {
    base: usize,
    len: usize,
    read_only: bool,
    /// The address of this process's [`GrowthBacking`] of it, 0 if it grows only offline.
    growth: usize,
}

/// The registry of the segments this process has mapped. A segment manager address handed
/// in through the C ABI is only trusted if it is the base of one of them, and its bounds
/// come from here, not from the (shared, writable) header.
pub(crate) struct Registry {
    /// Every mapping, under a lock.
    all: RwLock<Vec<Mapping>>,
    /// The first mappings of `all`, readable without a lock: a lookup from the C ABI (one
    /// per call) scans these words instead of taking the lock. Only writers of `all`
    /// change them, under its write lock.
    fast: [FastSlot; FAST_SLOTS],
}

const FAST_SLOTS: usize = 8;

/// This process's registry.
pub(crate) static MAPPINGS: Registry = Registry {
    all: RwLock::new(Vec::new()),
    fast: [const { FastSlot::empty() }; FAST_SLOTS],
};

/// One mapping as words, with a sequence count that is odd while a writer changes them.
struct FastSlot {
    seq: AtomicU64,
    base: AtomicUsize,
    len: AtomicUsize,
    /// The growth hold's address, with bit 0 set if the mapping is read-only.
    hold: AtomicUsize,
}

impl FastSlot {
    const fn empty() -> FastSlot {
        FastSlot {
            seq: AtomicU64::new(0),
            base: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
            hold: AtomicUsize::new(0),
        }
    }

    /// Writes `m` (or an empty slot); the caller holds the registry's write lock.
    fn set(&self, m: Option<&Mapping>) {
        let (base, len, hold) = m.map_or((0, 0, 0), |m| {
            (m.base, m.len, m.growth | usize::from(m.read_only))
        });
        // Relaxed: writers are serialised by the lock; the Release fence after it orders
        // this odd count before the stores of the fields, and pairs with the reader's
        // Acquire fence, so a reader that saw any new field sees the odd count after it.
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        std::sync::atomic::fence(Ordering::Release);
        // Relaxed, all three: ordered by the fence above and the Release store below.
        self.base.store(base, Ordering::Relaxed);
        self.len.store(len, Ordering::Relaxed);
        self.hold.store(hold, Ordering::Relaxed);
        // Release: the fields before the even count; pairs with the reader's Acquire load.
        self.seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// The mapping in this slot if it is based at `base` and was read whole.
    #[inline(always)]
    fn read(&self, base: usize) -> Option<Mapping> {
        // Acquire: pairs with the writer's final Release store, so the fields read next
        // are at least that new.
        let seq = self.seq.load(Ordering::Acquire);
        // Relaxed, all three: checked by the count below.
        if seq % 2 != 0 || self.base.load(Ordering::Relaxed) != base {
            return None;
        }
        let len = self.len.load(Ordering::Relaxed);
        let hold = self.hold.load(Ordering::Relaxed);
        // Acquire fence: pairs with the writer's Release fence, so a field from a later
        // change makes the count read next differ.
        std::sync::atomic::fence(Ordering::Acquire);
        (self.seq.load(Ordering::Relaxed) == seq).then_some(Mapping {
            base,
            len,
            read_only: hold & 1 != 0,
            growth: hold & !1,
        })
    }
}

impl Registry {
    /// Copies the first mappings into `fast`; the caller holds the write lock of `all`.
    fn publish(&self, v: &[Mapping]) {
        for (i, slot) in self.fast.iter().enumerate() {
            slot.set(v.get(i));
        }
    }

    /// Records the segment mapped at `base`; `growth` is this process's hold on it if it grows
    /// while mapped, which must live until [`Self::unregister`].
    pub(crate) fn register(
        &self,
        base: *const u8,
        len: usize,
        read_only: bool,
        growth: Option<&GrowthBacking>,
    ) {
        let mut v = self.all.write().unwrap_or_else(|e| e.into_inner());
        v.retain(|m| m.base != base as usize);
        v.push(Mapping {
            base: base as usize,
            len,
            read_only,
            growth: growth.map_or(0, |g| g as *const GrowthBacking as usize),
        });
        self.publish(&v);
    }

    /// Forgets the segment mapped at `base`.
    pub(crate) fn unregister(&self, base: *const u8) {
        let mut v = self.all.write().unwrap_or_else(|e| e.into_inner());
        v.retain(|m| m.base != base as usize);
        self.publish(&v);
    }

    /// The mapped length, read-only flag and growth hold of the segment based at `base`, if
    /// this process mapped one there.
    #[inline]
    pub(super) fn lookup(
        &self,
        base: *const u8,
    ) -> Option<(usize, bool, Option<NonNull<GrowthBacking>>)> {
        let wanted = base as usize;
        if wanted == 0 {
            return None;
        }
        let found = self.fast.iter().find_map(|slot| slot.read(wanted));
        let m = match found {
            Some(m) => m,
            // A slot being rewritten, or more mappings than slots: the list, under its lock.
            None => {
                let v = self.all.read().unwrap_or_else(|e| e.into_inner());
                *v.iter().find(|m| m.base == wanted)?
            }
        };
        Some((m.len, m.read_only, growth_of(&m)))
    }

    /// The base, mapped length, read-only flag and growth hold of the segment this process
    /// mapped that holds `p`, if any.
    pub(super) fn containing(
        &self,
        p: *const u8,
    ) -> Option<(usize, usize, bool, Option<NonNull<GrowthBacking>>)> {
        let p = p as usize;
        let v = self.all.read().unwrap_or_else(|e| e.into_inner());
        v.iter()
            .find(|m| p >= m.base && p - m.base < m.len)
            .map(|m| (m.base, m.len, m.read_only, growth_of(m)))
    }
}

fn growth_of(m: &Mapping) -> Option<NonNull<GrowthBacking>> {
    NonNull::new(m.growth as *mut GrowthBacking)
}
