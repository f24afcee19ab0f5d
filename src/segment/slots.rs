//! The name index's slot word: what one 8-byte slot of the table holds (a name's
//! fingerprint over its object header's offset in 16-byte units), where a name's probe
//! starts, and how full a table may be. Part of the shared layout: a change here comes with
//! a new segment layout version.

use super::object_header::HEADER_UNIT;

pub(crate) const EMPTY: u64 = 0;
pub(crate) const TOMBSTONE: u64 = 1;
/// Bytes of one slot of the table.
pub(crate) const SLOT_BYTES: u64 = 8;
/// Low bits of a slot: the header's offset in [`HEADER_UNIT`]s (16 TiB, the largest heap).
pub(crate) const OFFSET_BITS: u32 = 40;
pub(crate) const OFFSET_MASK: u64 = (1 << OFFSET_BITS) - 1;

/// The slot that holds the object whose header is at `h` and whose name hashes to `hash`:
/// the hash's top bits over the offset in [`HEADER_UNIT`]s. `None` if `h` is not a multiple
/// of the unit or lies beyond what the slot can name. A header lies past the segment
/// header, so a live slot is never [`EMPTY`] or [`TOMBSTONE`].
pub(crate) fn slot_word(hash: u64, h: u64) -> Option<u64> {
    let units = h / HEADER_UNIT;
    (h % HEADER_UNIT == 0 && units > TOMBSTONE && units <= OFFSET_MASK)
        .then_some(fingerprint(hash) << OFFSET_BITS | units)
}

/// The part of a name's hash that a slot keeps: its top 24 bits.
pub(crate) fn fingerprint(hash: u64) -> u64 {
    hash >> OFFSET_BITS
}

/// The first slot a name whose hash is `hash` probes in a table of `cap` slots (a power of
/// two, not 0): the hash's top bits. They lie in the fingerprint while the table has at
/// most 2^24 slots, so in such a table a regrowth places a slot from the slot alone, and
/// names that meet in a probe from different first slots differ in their fingerprints.
pub(crate) fn home(hash: u64, cap: u64) -> u64 {
    // A capacity of 1 (garbage: the index never makes one) shifts by 64: slot 0.
    hash.checked_shr(64 - cap.trailing_zeros()).unwrap_or(0)
}

/// The largest table whose slots are placed from their fingerprints alone.
pub(crate) const PLACED_BY_FINGERPRINT: u64 = 1 << (64 - OFFSET_BITS);

/// The header offset a live slot names.
pub(crate) fn slot_header(word: u64) -> u64 {
    (word & OFFSET_MASK) * HEADER_UNIT
}

/// Whether the live slot `word` may hold a name whose hash is `hash`.
pub(crate) fn slot_may_hold(word: u64, hash: u64) -> bool {
    word >> OFFSET_BITS == fingerprint(hash)
}

/// Whether a table of `cap` slots may hold `used` taken slots (live or tombstones): at
/// most four fifths, so that a probe for an absent name ends after a few cache lines.
pub(crate) fn within_load(used: u64, cap: u64) -> bool {
    used.saturating_mul(5) <= cap.saturating_mul(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slot's encoding is part of the shared layout, as the hash.
    #[test]
    fn a_slot_is_a_fingerprint_over_an_offset_in_units() {
        let hsh = 0xABCD_EF01_2345_6789;
        let w = slot_word(hsh, 0x1230).unwrap();
        assert_eq!(w, 0xABCD_EF00_0000_0123);
        assert_eq!(slot_header(w), 0x1230);
        assert!(slot_may_hold(w, hsh));
        assert!(!slot_may_hold(w, hsh ^ 1 << 40));
        // The low bits pick the slot; they are not in the fingerprint.
        assert!(slot_may_hold(w, hsh ^ 0xFF_FFFF_FFFF));
        // Not a multiple of the unit, past 16 TiB, or where EMPTY and TOMBSTONE lie.
        assert_eq!(slot_word(hsh, 0x1238), None);
        assert_eq!(slot_word(hsh, 1 << 44), None);
        assert!(slot_word(hsh, (1 << 44) - 16).is_some());
        assert_eq!(slot_word(0, 0), None);
        assert_eq!(slot_word(0, 16), None);
        assert_eq!(slot_word(0, 32), Some(2));
    }

    #[test]
    fn the_load_stays_within_four_fifths() {
        assert!(within_load(3, 4));
        assert!(!within_load(4, 4));
        assert!(within_load(104_857, 131_072));
        assert!(!within_load(104_858, 131_072));
        assert!(within_load(100_000, 131_072));
    }
}
