//! The segments this process has mapped: a manager address handed in through the C ABI is
//! trusted only if it is the base of one of them, and its bounds come from here.

use super::*;

/// One segment this process mapped.
#[derive(Clone, Copy)]
struct Mapping {
    base: usize,
    len: usize,
    read_only: bool,
    /// The address of this process's [`GrowthBacking`] of it, 0 if it grows only offline.
    growth: usize,
}

/// The segments this process has mapped. A segment manager address handed in through the
/// C ABI is only trusted if it is the base of one of them, and its bounds come from here,
/// not from the (shared, writable) header.
static MAPPINGS: RwLock<Vec<Mapping>> = RwLock::new(Vec::new());
/// Bumped on every change of `MAPPINGS`, so a thread's cached lookup knows it is stale.
static MAPPINGS_GEN: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The last lookup and the generation it was made at.
    static LAST_MAPPING: std::cell::Cell<(u64, Mapping)> = const {
        std::cell::Cell::new((0, Mapping { base: 0, len: 0, read_only: false, growth: 0 }))
    };
}

/// Records the segment mapped at `base`; `growth` is this process's hold on it if it grows
/// while mapped, which must live until [`unregister_mapping`].
pub(crate) fn register_mapping(
    base: *const u8,
    len: usize,
    read_only: bool,
    growth: Option<&GrowthBacking>,
) {
    let mut v = MAPPINGS.write().unwrap_or_else(|e| e.into_inner());
    v.retain(|m| m.base != base as usize);
    v.push(Mapping {
        base: base as usize,
        len,
        read_only,
        growth: growth.map_or(0, |g| g as *const GrowthBacking as usize),
    });
    // AcqRel: the Release half pairs with the Acquire load in `lookup_mapping`; the list
    // itself is ordered by the RwLock. The generation only tells a thread its cached
    // lookup is stale.
    MAPPINGS_GEN.fetch_add(1, Ordering::AcqRel);
}

pub(crate) fn unregister_mapping(base: *const u8) {
    let mut v = MAPPINGS.write().unwrap_or_else(|e| e.into_inner());
    v.retain(|m| m.base != base as usize);
    // AcqRel: as in `register_mapping`.
    MAPPINGS_GEN.fetch_add(1, Ordering::AcqRel);
}

fn growth_of(m: &Mapping) -> Option<NonNull<GrowthBacking>> {
    NonNull::new(m.growth as *mut GrowthBacking)
}

/// The mapped length, read-only flag and growth hold of the segment based at `base`, if
/// this process mapped one there.
pub(super) fn lookup_mapping(
    base: *const u8,
) -> Option<(usize, bool, Option<NonNull<GrowthBacking>>)> {
    let generation = MAPPINGS_GEN.load(Ordering::Acquire);
    let (g, m) = LAST_MAPPING.with(|c| c.get());
    if g == generation && m.base == base as usize {
        return Some((m.len, m.read_only, growth_of(&m)));
    }
    let v = MAPPINGS.read().unwrap_or_else(|e| e.into_inner());
    let &m = v.iter().find(|m| m.base == base as usize)?;
    LAST_MAPPING.with(|c| c.set((generation, m)));
    Some((m.len, m.read_only, growth_of(&m)))
}

/// The base, mapped length, read-only flag and growth hold of the segment this process
/// mapped that holds `p`, if any.
pub(super) fn mapping_containing(
    p: *const u8,
) -> Option<(usize, usize, bool, Option<NonNull<GrowthBacking>>)> {
    let p = p as usize;
    let v = MAPPINGS.read().unwrap_or_else(|e| e.into_inner());
    v.iter()
        .find(|m| p >= m.base && p - m.base < m.len)
        .map(|m| (m.base, m.len, m.read_only, growth_of(m)))
}
