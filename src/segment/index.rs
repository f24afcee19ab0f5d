//! The name index of a managed segment: named and unique objects by name.
//!
//! An open-addressing hash table (linear probing, power-of-two capacity) of 8-byte slots
//! ([`slot_word`]): the top 24 bits of the name's hash (its fingerprint) over the offset of
//! the object's [`ObjectHeader`] in 16-byte units. The table itself is an allocation from
//! the segment heap, regrown when more than four fifths of it is taken, so lookups are O(1)
//! on average: a find of an absent name reads about 13 slots at the highest load (two
//! cache lines), one of a present name about 3. A name's first slot is given by the top
//! bits of its hash ([`home`]), which lie in the fingerprint: names met in a probe that
//! started elsewhere differ there, and a probe reads another name's header only when both
//! start at the same slot and agree on the fingerprint's other bits (7 of them at 100 000
//! names: once in 128 such meetings). A regrowth places each slot from its fingerprint
//! alone, with no read of the objects, up to tables of 2^24 slots; past that it reads
//! every name again to hash it, checks each fingerprint on the way, and fails before
//! changing anything if a header or a name does not validate.
//!
//! The object's header, the object and its name share one block of the heap
//! (`segment::object_header`).

use super::heap::Heap;
pub use super::object_header::InstanceKind;
pub(crate) use super::object_header::{
    HEADER_UNIT, HeaderLayout, OBJECT_HEADER, ObjectFields, ObjectHeader, PAD_MAGIC, decode,
};
use super::slots::{EMPTY, OFFSET_MASK, PLACED_BY_FINGERPRINT, TOMBSTONE, slot_word, within_load};
pub(crate) use super::slots::{SLOT_BYTES, home, slot_header, slot_may_hold};
use crate::{Error, ErrorKind, Result};

const MIN_CAPACITY: u64 = 4;

/// The index's state, stored in the segment header.
#[repr(C)]
pub(crate) struct IndexState {
    /// Offset of the slot array (0: none yet).
    pub table: u64,
    /// Number of slots (a power of two, or 0).
    pub capacity: u64,
    /// Slots holding a live entry.
    pub live: u64,
    /// Slots holding a tombstone.
    pub tombstones: u64,
    /// Live named objects.
    pub named: u64,
    /// Live unique objects.
    pub unique: u64,
}

/// A hash of the kind and the name, eight bytes at a time ([`le_word`], so every process
/// computes the same value): a multiply and a shift per word, then a final mix so that the
/// low bits, which pick the slot, depend on every byte. Cheap, and names are not
/// attacker-chosen keys of a service (a hostile process with the segment mapped can do
/// worse than collide names).
pub(crate) fn hash(kind: InstanceKind, name: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (kind as u64 + 1).wrapping_mul(K) ^ (name.len() as u64);
    for w in name.chunks(8) {
        h = (h ^ le_word(w)).wrapping_mul(K);
        h ^= h >> 29;
    }
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

/// Up to eight bytes as a little-endian word, zero-filled: the unit in which names are
/// hashed and compared.
///
/// Without a loop: four to seven bytes are two overlapping four-byte reads, one to three
/// bytes the first, middle and last byte (overlapping reads agree where they overlap).
#[inline(always)]
pub(crate) fn le_word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if let Some(whole) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*whole);
    }
    if n >= 4 {
        let lo = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let hi = u32::from_le_bytes([bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]]);
        return u64::from(lo) | u64::from(hi) << (8 * (n - 4));
    }
    if n == 0 {
        return 0;
    }
    u64::from(bytes[0])
        | u64::from(bytes[n / 2]) << (8 * (n / 2))
        | u64::from(bytes[n - 1]) << (8 * (n - 1))
}

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Corrupted,
        format!("segment name index is corrupted: {what}"),
    )
}

/// A slot of the table and the object header offset it holds.
pub(crate) type SlotAndHeader = (u64, u64);

/// Where a name that a probe did not find would go, and the index state it was found in.
#[derive(Clone, Copy)]
pub(crate) struct Room {
    slot: u64,
    state: [u64; 4],
}

/// The index of one segment.
pub(crate) struct Index<'h> {
    base: *mut u8,
    state: *mut IndexState,
    heap: &'h Heap,
    /// Segment size, for bounds checks.
    size: u64,
}

impl<'h> Index<'h> {
    /// # Safety
    /// As [`Heap::new`]: `state` lives in the segment at `base`, which has `size` bytes,
    /// and the caller holds the segment lock while changing anything.
    pub(crate) unsafe fn new(
        base: *mut u8,
        state: *mut IndexState,
        heap: &'h Heap,
        size: u64,
    ) -> Self {
        Index {
            base,
            state,
            heap,
            size,
        }
    }

    // As `Heap::st`: shared memory under the segment lock, borrowed for one call at a time.
    #[allow(clippy::mut_from_ref)]
    fn index_state(&self) -> &mut IndexState {
        // SAFETY: see `new`; the reference is used within one call only.
        unsafe { &mut *self.state }
    }

    fn slot_ptr(&self, i: u64) -> *mut u64 {
        self.base
            .wrapping_add((self.index_state().table + i * SLOT_BYTES) as usize)
            .cast()
    }

    fn slot(&self, i: u64) -> u64 {
        // SAFETY: `i < capacity` and the table was checked to lie inside the segment,
        // 8-aligned.
        unsafe { *self.slot_ptr(i) }
    }

    fn set_slot(&self, i: u64, word: u64) {
        // SAFETY: as `slot`. A plain store: unlocked readers copy slots inside the
        // sequence lock (`segment::lookup`) and drop what they read while it moved.
        unsafe { *self.slot_ptr(i) = word }
    }

    /// The hash of the name that the live slot `word` holds, read from its object (a slot
    /// keeps only the hash's fingerprint): an error if the header does not validate or
    /// the fingerprint disagrees with the name.
    fn hash_of_slot(&self, word: u64) -> Result<u64> {
        let h = slot_header(word);
        let oh = self.object_header(h)?;
        if oh.kind == InstanceKind::Anonymous {
            return Err(corrupt(format_args!("the object at {h} has no name")));
        }
        let hsh = hash(oh.kind, self.name_of(&oh));
        if !slot_may_hold(word, hsh) {
            return Err(corrupt(format_args!(
                "a slot's fingerprint disagrees with the name of the object at {h}"
            )));
        }
        Ok(hsh)
    }

    /// Every live slot of the table with what places it in a table of `cap` slots: its
    /// fingerprint as the hash's top bits while that table has at most 2^24 slots, else
    /// its name's whole hash ([`Self::hash_of_slot`]).
    fn live_slots(&self, cap: u64) -> Result<Vec<(u64, u64)>> {
        (0..self.index_state().capacity)
            .map(|i| self.slot(i))
            .filter(|&w| w > TOMBSTONE)
            .map(|w| {
                if cap <= PLACED_BY_FINGERPRINT {
                    Ok((w, w & !OFFSET_MASK))
                } else {
                    Ok((w, self.hash_of_slot(w)?))
                }
            })
            .collect()
    }

    fn check_table(&self) -> Result<()> {
        let st = self.index_state();
        if st.capacity == 0 {
            return if st.table == 0 {
                Ok(())
            } else {
                Err(corrupt("a table without capacity"))
            };
        }
        let bytes = st
            .capacity
            .checked_mul(SLOT_BYTES)
            .ok_or_else(|| corrupt("capacity overflows"))?;
        if !st.capacity.is_power_of_two()
            || st.table % 8 != 0
            || st.table.checked_add(bytes).is_none_or(|e| e > self.size)
        {
            return Err(corrupt(format_args!(
                "table at {} with {} slots",
                st.table, st.capacity
            )));
        }
        Ok(())
    }

    /// The object header at offset `h`, checked ([`decode`]).
    pub(crate) fn object_header(&self, h: u64) -> Result<ObjectFields> {
        if h % HEADER_UNIT != 0 || h.checked_add(OBJECT_HEADER).is_none_or(|e| e > self.size) {
            return Err(corrupt(format_args!("object header offset {h}")));
        }
        // SAFETY: in bounds and aligned; the segment lock keeps it stable while used.
        let head = unsafe { *self.base.add(h as usize).cast::<ObjectHeader>() };
        // SAFETY: `decode` asks only for 8-aligned words inside the segment.
        let word = |off: u64| unsafe { *self.base.add(off as usize).cast::<u64>() };
        decode(h, head, self.size, word)
            .ok_or_else(|| corrupt(format_args!("object header at {h} does not validate")))
    }

    /// The name bytes of the object whose header is `oh` (checked by `object_header`).
    pub(crate) fn name_of(&self, oh: &ObjectFields) -> &[u8] {
        // SAFETY: `object_header` checked that the name lies inside the segment.
        unsafe {
            std::slice::from_raw_parts(self.base.add(oh.name_at as usize), oh.name_len as usize)
        }
    }

    /// The offset of the block that holds the object whose header is `oh` at `h`.
    fn block_of(h: u64, oh: &ObjectFields) -> u64 {
        h - oh.pad
    }

    /// The block that holds the object whose header is at `h`: the header's padding must
    /// lead back to a used block whose first word agrees (the header itself, or a
    /// [`PAD_MAGIC`] word naming the same padding), so garbage in the padding makes a
    /// destroy fail before it changes anything, and never free another block.
    pub(crate) fn block_holding(&self, h: u64) -> Result<u64> {
        let block = Self::block_of(h, &self.object_header(h)?);
        match self.header_in_block(block) {
            Some((at, _)) if at == h && self.heap.used_block(block).is_ok() => Ok(block),
            _ => Err(corrupt(format_args!(
                "the padding before the object header at {h} does not lead to its block"
            ))),
        }
    }

    /// The header offset of the object in the used block at user offset `u`, if one
    /// validates there: at `u`, or after the padding a [`PAD_MAGIC`] word names.
    fn header_in_block(&self, u: u64) -> Option<(u64, ObjectFields)> {
        if u % 8 != 0 || u.checked_add(8).is_none_or(|e| e > self.size) {
            return None;
        }
        // SAFETY: 8 bytes at an 8-aligned offset inside the segment (checked above).
        let first = unsafe { *self.base.add(u as usize).cast::<[u32; 2]>() };
        let h = if first[0] == PAD_MAGIC {
            u.checked_add(u64::from(first[1]))?
        } else {
            u
        };
        let oh = self.object_header(h).ok()?;
        (Self::block_of(h, &oh) == u).then_some((h, oh))
    }

    /// The slot holding `name` of `kind`, or the slot where it would go.
    fn probe(
        &self,
        kind: InstanceKind,
        name: &[u8],
        hash: u64,
    ) -> Result<(Option<u64>, Option<u64>)> {
        self.check_table()?;
        let cap = self.index_state().capacity;
        if cap == 0 {
            return Ok((None, None));
        }
        let mut i = home(hash, cap);
        let mut free = None;
        for _ in 0..cap {
            match self.slot(i) {
                EMPTY => return Ok((None, free.or(Some(i)))),
                TOMBSTONE => {
                    free.get_or_insert(i);
                }
                w if slot_may_hold(w, hash) => {
                    let oh = self.object_header(slot_header(w))?;
                    if oh.kind == kind && self.name_of(&oh) == name {
                        return Ok((Some(i), free));
                    }
                }
                _ => {}
            }
            i = (i + 1) & (cap - 1);
        }
        Ok((None, free))
    }

    /// The header offset of `name` of `kind`, if present.
    pub(crate) fn find(&self, kind: InstanceKind, name: &[u8]) -> Result<Option<u64>> {
        Ok(self
            .find_hashed(kind, name, hash(kind, name))?
            .map(|(_, h)| h))
    }

    /// [`Self::find`] with the name's [`hash`] computed by the caller (before it took the
    /// lock): the slot and the header offset.
    pub(crate) fn find_hashed(
        &self,
        kind: InstanceKind,
        name: &[u8],
        hash: u64,
    ) -> Result<Option<(u64, u64)>> {
        Ok(self.find_or_room(kind, name, hash)?.0)
    }

    /// [`Self::find_hashed`] that also says where the name would go if absent, for an
    /// [`Self::insert_hashed`] that follows with no other change of the index between.
    pub(crate) fn find_or_room(
        &self,
        kind: InstanceKind,
        name: &[u8],
        hash: u64,
    ) -> Result<(Option<SlotAndHeader>, Option<Room>)> {
        let (found, free) = self.probe(kind, name, hash)?;
        let room = free.filter(|_| found.is_none()).map(|slot| Room {
            slot,
            state: self.fingerprint(),
        });
        Ok((found.map(|i| (i, slot_header(self.slot(i)))), room))
    }

    /// What an insertion or removal changes in the index state: while it is the same, a
    /// slot found free is still free and no name was added.
    fn fingerprint(&self) -> [u64; 4] {
        let st = self.index_state();
        [st.table, st.capacity, st.live, st.tombstones]
    }

    /// Whether slot `i` (from an earlier find) still holds the object whose header is at
    /// `h`: nothing regrew or emptied the table since, or it did and `i` still names it.
    pub(crate) fn slot_holds(&self, i: u64, h: u64) -> bool {
        self.check_table().is_ok()
            && i < self.index_state().capacity
            && self.slot(i) > TOMBSTONE
            && slot_header(self.slot(i)) == h
    }

    /// Makes room for `more` entries without regrowing later. Fails with `OutOfMemory`
    /// when the heap cannot hold the table.
    pub(crate) fn reserve(&self, more: u64) -> Result<()> {
        self.check_table()?;
        let st = self.index_state();
        let live = st.live.saturating_add(more);
        // The fewest slots that hold `live` names within the load (a multiple of 4 above
        // it, so that a power of two is reached; `within_load` says the same).
        let need = live.saturating_add(live.div_ceil(4)).max(MIN_CAPACITY);
        let used = live.saturating_add(st.tombstones);
        if need <= st.capacity && within_load(used, st.capacity) {
            return Ok(());
        }
        let cap = need
            .checked_next_power_of_two()
            .ok_or_else(|| Error::new(ErrorKind::OutOfMemory, "too many names"))?;
        self.rehash(cap.max(st.capacity))
    }

    /// Moves the live names to a table of `cap` slots (a new one, or this one without its
    /// tombstones). In a table of more than 2^24 slots every name is hashed again first, so
    /// a header or a name that does not validate fails the call before it changes anything.
    fn rehash(&self, cap: u64) -> Result<()> {
        let live = self.live_slots(cap)?;
        if cap == self.index_state().capacity && self.index_state().table != 0 {
            self.clear_tombstones(live);
            return Ok(());
        }
        let bytes = cap
            .checked_mul(SLOT_BYTES)
            .ok_or_else(|| Error::new(ErrorKind::OutOfMemory, "too many names"))?;
        let table = self.heap.allocate(bytes, 16)?.ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfMemory,
                "the segment has no room to grow its name index",
            )
        })?;
        self.heap.mark_internal(table, true)?;
        // Every byte is written at once: its pages are mapped in one call first.
        self.heap.prefault_used(table, bytes);
        // SAFETY: a fresh allocation of `bytes` bytes inside the segment.
        unsafe { std::ptr::write_bytes(self.base.add(table as usize), 0, bytes as usize) };
        let old_table = self.index_state().table;
        {
            let st = self.index_state();
            st.table = table;
            st.capacity = cap;
            st.tombstones = 0;
        }
        for (w, hsh) in live {
            self.put_in_first_empty(w, hsh);
        }
        if old_table != 0 {
            self.heap.mark_internal(old_table, false)?;
            self.heap.deallocate(old_table)?;
        }
        Ok(())
    }

    /// Rehashes the table in place, dropping its tombstones: a table that is full of them
    /// but not of names needs no second table (which a full segment could not hold). The
    /// caller changes the index (readers retry meanwhile); a death half-way leaves a table
    /// that the recovery's check refuses and rebuilds. `live` is every live slot with its
    /// placing hash ([`Self::live_slots`]).
    fn clear_tombstones(&self, live: Vec<(u64, u64)>) {
        let cap = self.index_state().capacity;
        for i in 0..cap {
            self.set_slot(i, EMPTY);
        }
        self.index_state().tombstones = 0;
        for (w, hsh) in live {
            self.put_in_first_empty(w, hsh);
        }
    }

    /// Puts the live slot `word`, whose name hashes to `hsh` (or only its top bits, if they
    /// place it: [`Self::live_slots`]), in the first empty slot of
    /// its probe sequence, in a table with room (the rehashes and the rebuild, which fill a
    /// table within the load, so an empty slot is always found).
    fn put_in_first_empty(&self, word: u64, hsh: u64) {
        let cap = self.index_state().capacity;
        let mut j = home(hsh, cap);
        while self.slot(j) != EMPTY {
            j = (j + 1) & (cap - 1);
        }
        self.set_slot(j, word);
    }

    /// Adds the object whose header is at `h` (its name must not be present); `hsh` is the
    /// name's [`hash`], computed by the caller before it took the lock.
    pub(crate) fn insert_hashed(
        &self,
        kind: InstanceKind,
        name: &[u8],
        h: u64,
        hsh: u64,
        room: Option<Room>,
    ) -> Result<()> {
        let word = slot_word(hsh, h).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("an object header at {h} cannot be indexed"),
            )
        })?;
        self.reserve(1)?;
        // The slot an earlier probe found, if the index did not change since: the probe
        // went on to an empty slot, so the name is still absent. Otherwise, probe again.
        let reuse = room.filter(|r| {
            r.state == self.fingerprint() && matches!(self.slot(r.slot), EMPTY | TOMBSTONE)
        });
        let i = match reuse {
            Some(r) => r.slot,
            None => {
                let (found, free) = self.probe(kind, name, hsh)?;
                if found.is_some() {
                    return Err(Error::new(
                        ErrorKind::AlreadyExists,
                        "the name is already in the index",
                    ));
                }
                free.ok_or_else(|| corrupt("no free slot after reserving"))?
            }
        };
        if self.slot(i) == TOMBSTONE {
            self.index_state().tombstones = self.index_state().tombstones.saturating_sub(1);
        }
        self.set_slot(i, word);
        let st = self.index_state();
        // The counts come from the segment and may be garbage: saturate, `check` tells.
        st.live = st.live.saturating_add(1);
        match kind {
            InstanceKind::Named => st.named = st.named.saturating_add(1),
            InstanceKind::Unique => st.unique = st.unique.saturating_add(1),
            InstanceKind::Anonymous => {}
        }
        Ok(())
    }

    /// The slot holding `name` of `kind`, if present (for [`Index::remove_slot`]).
    pub(crate) fn find_slot(&self, kind: InstanceKind, name: &[u8]) -> Result<Option<u64>> {
        Ok(self.probe(kind, name, hash(kind, name))?.0)
    }

    /// Empties slot `i` (found with [`Index::find_slot`]) that holds an object of `kind`.
    /// The last name gone, the table goes back to the heap: a segment whose objects are
    /// all destroyed has exactly the free memory it had before the first one, as Boost's.
    pub(crate) fn remove_slot(&self, i: u64, kind: InstanceKind) -> Result<()> {
        self.set_slot(i, TOMBSTONE);
        let st = self.index_state();
        st.live = st.live.saturating_sub(1);
        st.tombstones = st.tombstones.saturating_add(1);
        match kind {
            InstanceKind::Named => st.named = st.named.saturating_sub(1),
            InstanceKind::Unique => st.unique = st.unique.saturating_sub(1),
            InstanceKind::Anonymous => {}
        }
        self.drop_table_if_empty()
    }

    /// Gives the table back to the heap when no name is left in it (after the last
    /// removal, or a construction that reserved room and then failed).
    /// The number of slots of the table (0: none).
    pub(crate) fn capacity(&self) -> u64 {
        self.index_state().capacity
    }

    /// Puts the table back to `cap` slots after a construction that grew it failed, so that
    /// the failure leaves the free memory as it found it. The larger table stays if the
    /// live names no longer fit `cap` at the load the index keeps, or if the memory for the
    /// smaller one is not free now.
    pub(crate) fn shrink_back(&self, cap: u64) -> Result<()> {
        let st = self.index_state();
        if cap == 0 || st.capacity <= cap || !within_load(st.live, cap) {
            return Ok(());
        }
        match self.rehash(cap) {
            Err(e) if e.kind() == ErrorKind::OutOfMemory => Ok(()),
            other => other,
        }
    }

    pub(crate) fn drop_table_if_empty(&self) -> Result<()> {
        let st = self.index_state();
        if st.live == 0 && st.table != 0 {
            let table = st.table;
            // Forget the table before freeing it: a process killed in between leaks it
            // (the recovery's check finds an empty index with no table) instead of leaving
            // the index pointing at freed memory.
            st.table = 0;
            st.capacity = 0;
            st.tombstones = 0;
            self.heap.mark_internal(table, false)?;
            self.heap.deallocate(table)?;
        }
        Ok(())
    }

    /// Number of live objects of `kind`.
    pub(crate) fn count(&self, kind: InstanceKind) -> u64 {
        match kind {
            InstanceKind::Named => self.index_state().named,
            InstanceKind::Unique => self.index_state().unique,
            InstanceKind::Anonymous => 0,
        }
    }

    /// The first live entry of `kind` at slot `from` or later: (slot, header offset).
    pub(crate) fn next(&self, kind: InstanceKind, from: u64) -> Result<Option<(u64, u64)>> {
        self.check_table()?;
        for i in from..self.index_state().capacity {
            let w = self.slot(i);
            if w > TOMBSTONE && self.object_header(slot_header(w))?.kind == kind {
                return Ok(Some((i, slot_header(w))));
            }
        }
        Ok(None)
    }

    /// Rebuilds the table from the object headers found in the heap's used blocks
    /// `used` (after a process died while changing the index). The old table is freed if it
    /// is still a block of its own; objects whose header no longer validates are dropped.
    pub(crate) fn rebuild(&self, used: &[u64]) -> Result<()> {
        let old = self.index_state().table;
        let mut found = Vec::new();
        for &u in used {
            if u == old {
                continue;
            }
            let Some((h, oh)) = self.header_in_block(u) else {
                continue;
            };
            let kind = match oh.kind {
                k @ (InstanceKind::Named | InstanceKind::Unique) => k,
                InstanceKind::Anonymous => continue,
            };
            let hsh = hash(kind, self.name_of(&oh));
            // A header the table cannot name (past 16 TiB) is left out, as one that does
            // not validate.
            if let Some(w) = slot_word(hsh, h) {
                found.push((kind, hsh, w));
            }
        }
        if old != 0 && self.heap.used_block(old).is_ok() {
            self.heap.deallocate(old)?;
        }
        {
            let st = self.index_state();
            *st = IndexState {
                table: 0,
                capacity: 0,
                live: 0,
                tombstones: 0,
                named: 0,
                unique: 0,
            };
        }
        self.heap.set_internal_bytes(0);
        self.reserve(found.len() as u64)?;
        for (kind, hsh, w) in found {
            self.put_in_first_empty(w, hsh);
            let st = self.index_state();
            st.live += 1;
            match kind {
                InstanceKind::Named => st.named += 1,
                _ => st.unique += 1,
            }
        }
        Ok(())
    }

    /// Gives back every table that a process killed while regrowing the index left in
    /// flight (allocated but never installed, or replaced but never freed): every block
    /// marked internal but the table in use. Then the internal bytes are the table's.
    /// The lock is held, and the heap and the index were checked.
    pub(crate) fn reclaim_orphan_tables(&self) -> Result<()> {
        let table = self.index_state().table;
        for u in self.heap.internal_blocks()? {
            if u != table {
                self.heap.mark_internal(u, false)?;
                self.heap.deallocate(u)?;
            }
        }
        self.heap.set_internal_bytes(0);
        if table != 0 {
            self.heap.mark_internal(table, false)?;
            self.heap.mark_internal(table, true)?;
        }
        Ok(())
    }

    /// Checks every entry: headers validate, each name's hash agrees with its slot's
    /// fingerprint, each name is reached by its probe, the load holds, and the counts agree.
    pub(crate) fn check(&self) -> Result<()> {
        self.check_table()?;
        let cap = self.index_state().capacity;
        let (mut live, mut tomb, mut named, mut unique) = (0, 0, 0, 0);
        // One pass from an empty slot around the table, counting the taken slots since the
        // last empty one: a name's slot lies no further from its first probe than that, or
        // a find would stop at an empty slot before reaching it.
        let start = (0..cap).find(|&i| self.slot(i) == EMPTY);
        if cap != 0 && start.is_none() {
            return Err(corrupt("the table has no empty slot"));
        }
        let mut run = 0;
        for k in 1..=cap {
            let i = (start.unwrap_or(0) + k) & (cap - 1);
            match self.slot(i) {
                EMPTY => run = 0,
                TOMBSTONE => {
                    tomb += 1;
                    run += 1;
                }
                w => {
                    let hsh = self.hash_of_slot(w)?;
                    if (i.wrapping_sub(home(hsh, cap)) & (cap - 1)) > run {
                        return Err(corrupt(format_args!("slot {i} lies beyond its probe")));
                    }
                    live += 1;
                    run += 1;
                    match self.object_header(slot_header(w))?.kind {
                        InstanceKind::Named => named += 1,
                        _ => unique += 1,
                    }
                }
            }
        }
        if !within_load(live + tomb, cap) {
            return Err(corrupt("the table is fuller than its load allows"));
        }
        let st = self.index_state();
        if (live, tomb, named, unique) != (st.live, st.tombstones, st.named, st.unique) {
            return Err(corrupt("the counts disagree with the table"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash is part of the shared layout (slots store it): a change here must come with
    /// a new layout version. Words are little-endian, whatever the machine.
    #[test]
    fn le_word_reads_any_length_as_zero_filled_little_endian() {
        let bytes: Vec<u8> = (1..=12).collect();
        for start in 0..4 {
            for n in 0..=8 {
                let b = &bytes[start..start + n];
                let want = b
                    .iter()
                    .enumerate()
                    .fold(0u64, |w, (i, &x)| w | u64::from(x) << (8 * i));
                assert_eq!(le_word(b), want, "{b:?}");
            }
        }
        // Past eight bytes, the first eight.
        assert_eq!(le_word(&bytes), le_word(&bytes[..8]));
    }

    /// A name's first slot is the hash's top bits, which the fingerprint keeps: a slot
    /// alone places it in every table up to 2^24 slots, as its whole hash would.
    #[test]
    fn the_first_slot_comes_from_the_fingerprint() {
        assert_eq!(home(u64::MAX, 1), 0);
        assert_eq!(home(0xC000_0000_0000_0000, 4), 3);
        assert_eq!(home(0x4000_0000_0000_0000, 4), 1);
        for k in 0..1000 {
            let hsh = hash(InstanceKind::Named, format!("name_{k}").as_bytes());
            let w = slot_word(hsh, 4096).unwrap();
            for log in 2..=24 {
                let cap = 1 << log;
                assert_eq!(home(w & !OFFSET_MASK, cap), home(hsh, cap));
            }
        }
        // The top bits spread names over the slots as the low ones do.
        let slots: std::collections::HashSet<u64> = (0..1000)
            .map(|i| {
                home(
                    hash(InstanceKind::Named, format!("object_{i}").as_bytes()),
                    1024,
                )
            })
            .collect();
        assert!(slots.len() > 550, "{} distinct slots of 1024", slots.len());
    }

    #[test]
    fn the_name_hash_is_pinned() {
        assert_eq!(le_word(b"ab"), 0x6261);
        assert_eq!(le_word(b"abcdefgh"), u64::from_le_bytes(*b"abcdefgh"));
        let h = hash(InstanceKind::Named, b"object_1");
        assert_eq!(h, hash(InstanceKind::Named, b"object_1"));
        assert_ne!(h, hash(InstanceKind::Unique, b"object_1"));
        assert_ne!(h, hash(InstanceKind::Named, b"object_1\0"));
        assert_ne!(
            hash(InstanceKind::Named, b""),
            hash(InstanceKind::Named, b"\0")
        );
        assert_eq!(h, 0xe0ea_d860_c95c_dc36);
        // Low bits pick the slot: names that differ in one byte spread over them.
        let slots: std::collections::HashSet<u64> = (0..1000)
            .map(|i| hash(InstanceKind::Named, format!("object_{i}").as_bytes()) & 1023)
            .collect();
        assert!(slots.len() > 550, "{} distinct slots of 1024", slots.len());
    }
}
