//! The segments this process has mapped: a manager address handed in through the C ABI is
//! trusted only if it is the base of one of them, and its bounds come from here.

use super::*;

/// The segments this process has mapped: base address, mapped length, read-only. A
/// segment manager address handed in through the C ABI is only trusted if it is the base
/// of one of them, and its bounds come from here, not from the (shared, writable) header.
static MAPPINGS: RwLock<Vec<(usize, usize, bool)>> = RwLock::new(Vec::new());
/// Bumped on every change of `MAPPINGS`, so a thread's cached lookup knows it is stale.
static MAPPINGS_GEN: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The last lookup: (generation, base, length, read-only).
    static LAST_MAPPING: std::cell::Cell<(u64, usize, usize, bool)> = const { std::cell::Cell::new((0, 0, 0, false)) };
}

pub(crate) fn register_mapping(base: *const u8, len: usize, read_only: bool) {
    let mut v = MAPPINGS.write().unwrap_or_else(|e| e.into_inner());
    v.retain(|&(b, _, _)| b != base as usize);
    v.push((base as usize, len, read_only));
    // AcqRel: the Release half pairs with the Acquire load in `lookup_mapping`; the list
    // itself is ordered by the RwLock. The generation only tells a thread its cached
    // lookup is stale.
    MAPPINGS_GEN.fetch_add(1, Ordering::AcqRel);
}

pub(crate) fn unregister_mapping(base: *const u8) {
    let mut v = MAPPINGS.write().unwrap_or_else(|e| e.into_inner());
    v.retain(|&(b, _, _)| b != base as usize);
    // AcqRel: as in `register_mapping`.
    MAPPINGS_GEN.fetch_add(1, Ordering::AcqRel);
}

/// The mapped length and read-only flag of the segment based at `base`, if this process
/// mapped one there.
pub(super) fn lookup_mapping(base: *const u8) -> Option<(usize, bool)> {
    // Acquire: pairs with the bumps of `register_mapping` and `unregister_mapping`.
    let generation = MAPPINGS_GEN.load(Ordering::Acquire);
    let (g, b, l, ro) = LAST_MAPPING.with(|c| c.get());
    if g == generation && b == base as usize {
        return Some((l, ro));
    }
    let v = MAPPINGS.read().unwrap_or_else(|e| e.into_inner());
    let &(b, l, ro) = v.iter().find(|&&(b, _, _)| b == base as usize)?;
    LAST_MAPPING.with(|c| c.set((generation, b, l, ro)));
    Some((l, ro))
}

/// The base and length of the segment this process mapped that holds `p`, if any.
pub(super) fn mapping_containing(p: *const u8) -> Option<(usize, usize)> {
    let p = p as usize;
    let v = MAPPINGS.read().unwrap_or_else(|e| e.into_inner());
    v.iter()
        .find(|&&(b, l, _)| p >= b && p - b < l)
        .map(|&(b, l, _)| (b, l))
}
