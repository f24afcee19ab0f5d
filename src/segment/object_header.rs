//! The header right before every constructed object, and the few words before it that a
//! large or typed object needs.
//!
//! An object's block, from the heap: `[mark][words][ObjectHeader][elements][name, NUL]`.
//! The header lies right before the object, so it is found from the object's address alone
//! (for `get_instance_name` and `destroy_ptr`), and a find reads the header, the name and
//! (the caller) the object from neighbouring bytes. The name follows the elements with no
//! alignment. The padding in front (which a large alignment or the words before the header
//! need) is named in the header and, for the recovery's walk over the blocks, by a
//! [`PAD_MAGIC`] mark at the block's start.

/// What kind of instance an object is (Boost's `instance_type`, same order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum InstanceKind {
    /// Constructed without a name (`anonymous_instance`).
    Anonymous = 0,
    /// Constructed with a name.
    Named = 1,
    /// One per type (`unique_instance`); the name is the type's name.
    Unique = 2,
}

impl InstanceKind {
    /// The kind with the C ABI's number, if any.
    pub fn from_code(code: u32) -> Option<InstanceKind> {
        match code {
            0 => Some(InstanceKind::Anonymous),
            1 => Some(InstanceKind::Named),
            2 => Some(InstanceKind::Unique),
            _ => None,
        }
    }
}

pub(crate) const OBJECT_MAGIC: u32 = 0x4F42_4A32; // "OBJ2"
/// Object headers lie at multiples of the heap's alignment (blocks and headers are
/// multiples of it), so the name index stores their offset in these units.
pub(crate) const HEADER_UNIT: u64 = 16;

/// The header right before every constructed object: 16 bytes, which say everything about
/// a small object. What does not fit (a Rust type's tag; sizes, counts or names too long
/// for the fields) lies in 8-byte words right before the header ([`extension_bytes`]):
/// the type tag at `h - 8`, and with [`WIDE`] the name's length, the element size and the
/// count at `h - 32`, `h - 24`, `h - 16`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct ObjectHeader {
    pub magic: u32,
    /// The [`InstanceKind`]'s code (bits 0-1), [`TAGGED`], [`WIDE`], the padding from the
    /// block's start to the header in 16-byte units (bits 4-15), and the name's length
    /// (bits 16-31; 0 with `WIDE`).
    pub meta: u32,
    /// Bytes per element (0 with `WIDE`).
    pub elem_size: u32,
    /// Number of elements (0 with `WIDE`).
    pub count: u32,
}

pub(crate) const OBJECT_HEADER: u64 = std::mem::size_of::<ObjectHeader>() as u64;

const KIND_MASK: u32 = 3;
/// A type tag lies in the word before the header.
const TAGGED: u32 = 1 << 2;
/// The name's length, the element size and the count lie before the header (and the tag).
const WIDE: u32 = 1 << 3;
const PAD_SHIFT: u32 = 4;
/// The largest padding before a header, in 16-byte units: 65 520 bytes, room for any
/// alignment up to 64 KiB (the largest page) of an object without words before its header,
/// and up to 32 KiB of one with them.
const PAD_UNITS: u32 = 0xFFF;
const NAME_SHIFT: u32 = 16;

/// The first word of an object's block when padding comes before the header: this magic in
/// the low half, the padding's length in the high half.
pub(crate) const PAD_MAGIC: u32 = 0x4F42_4A50; // "OBJP"

/// What an object header says, checked ([`decode`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ObjectFields {
    pub kind: InstanceKind,
    /// Bytes from the start of the object's block to the header.
    pub pad: u64,
    pub name_len: u64,
    pub elem_size: u64,
    pub count: u64,
    /// The Rust type's tag ([`crate::Shareable::TYPE_TAG`]) if the typed API built it; 0
    /// for objects built from C, C++ or the raw API.
    pub type_tag: u64,
    /// Offset of the object's first element: the header's offset plus its size.
    pub object: u64,
    /// Offset of the name, right after the elements (no alignment), then its NUL.
    pub name_at: u64,
}

/// The header of an object and the words before it, ready to be written
/// ([`HeaderLayout::write`]) without the magic, which [`publish`] adds once the object is
/// whole and registered.
pub(crate) struct HeaderLayout {
    /// Bytes before the header that the block needs (the padding's mark and the words).
    pub lead: u64,
    head: ObjectHeader,
    /// The words before the header, the last one right before it (only the last `ext / 8`
    /// of the four are written).
    words: [u64; 4],
    ext: u64,
}

/// Bytes of the words before a header whose `meta` is given.
fn extension_bytes(meta: u32) -> u64 {
    if meta & WIDE != 0 {
        32
    } else if meta & TAGGED != 0 {
        8
    } else {
        0
    }
}

/// The least padding before a header with `ext` bytes of words before it: none, or room
/// for the padding's mark (8 bytes) and the words, a multiple of 16.
fn lead_for(ext: u64) -> u64 {
    if ext == 0 {
        0
    } else {
        (ext + 8).next_multiple_of(16)
    }
}

impl HeaderLayout {
    /// The header of an object of `kind` with `count` elements of `elem_size` bytes, a
    /// name of `name_len` bytes and `type_tag`: the small form when everything fits.
    pub(crate) fn new(
        kind: InstanceKind,
        name_len: u64,
        elem_size: u64,
        count: u64,
        type_tag: u64,
    ) -> HeaderLayout {
        let short = (
            u16::try_from(name_len),
            u32::try_from(elem_size),
            u32::try_from(count),
        );
        let (meta, head_fields, words, ext) = match short {
            (Ok(n), Ok(e), Ok(c)) if type_tag == 0 => {
                (u32::from(n) << NAME_SHIFT, (e, c), [0; 4], 0)
            }
            (Ok(n), Ok(e), Ok(c)) => (
                u32::from(n) << NAME_SHIFT | TAGGED,
                (e, c),
                [0, 0, 0, type_tag],
                8,
            ),
            _ => (WIDE, (0, 0), [name_len, elem_size, count, type_tag], 32),
        };
        HeaderLayout {
            lead: lead_for(ext),
            head: ObjectHeader {
                // Never written with the header: see `write`.
                magic: 0,
                meta: meta | kind as u32,
                elem_size: head_fields.0,
                count: head_fields.1,
            },
            words,
            ext,
        }
    }

    /// Writes the padding's mark (if `pad` is not 0), the words before the header and the
    /// header at `h`, `pad` bytes into its block. `None` if the padding is too long for
    /// the header (an alignment of 64 KiB or more).
    ///
    /// The header is written without its magic, so it does not validate ([`decode`]) until
    /// [`publish`]: a process killed at any instruction from here until its object is
    /// whole and registered leaves a block that no rebuild of the name index takes for an
    /// object. Were the magic written here, a death before the name is copied would leave
    /// an object named by zeros, and one before the constructor runs an object of the name
    /// whose contents were never written; the next rebuild would register either (beside
    /// the object of that name constructed again meanwhile).
    ///
    /// # Safety
    /// `[h - pad, h + OBJECT_HEADER)` lies in a fresh block of the segment at `base`, `h`
    /// is a multiple of 16, and `pad` is at least `lead`, a multiple of 16.
    pub(crate) unsafe fn write(mut self, base: *mut u8, h: u64, pad: u64) -> Option<()> {
        let units = u32::try_from(pad / 16).ok().filter(|&u| u <= PAD_UNITS)?;
        self.head.meta |= units << PAD_SHIFT;
        // SAFETY: (all writes) inside the block, 8-aligned (see the contract above): the
        // mark at its start, the words right before the header (`pad >= lead > ext`).
        unsafe {
            if pad > 0 {
                base.add((h - pad) as usize)
                    .cast::<[u32; 2]>()
                    .write([PAD_MAGIC, pad as u32]);
            }
            for (k, w) in self
                .words
                .iter()
                .rev()
                .take((self.ext / 8) as usize)
                .enumerate()
            {
                base.add((h - 8 * (k as u64 + 1)) as usize)
                    .cast::<u64>()
                    .write(*w);
            }
            base.add(h as usize).cast::<ObjectHeader>().write(self.head);
        }
        Some(())
    }
}

/// Gives the header at `h`, written by [`HeaderLayout::write`], its magic: from this store
/// on it validates. The caller calls it once the object is constructed and registered.
///
/// # Safety
/// `h` is a header written by [`HeaderLayout::write`] in a block of the segment at `base`
/// that the caller owns.
pub(crate) unsafe fn publish(base: *mut u8, h: u64) {
    // What a death at any instruction leaves depends only on this thread's program order
    // (the next holder of the segment lock sees every store executed before the death):
    // the fence keeps the stores before it (the name, the elements, the index's slot)
    // before the magic, so no header validates before its object is whole and registered.
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::Release);
    // SAFETY: an `ObjectHeader` in a block the caller owns (the contract), 16-aligned.
    unsafe { (*base.add(h as usize).cast::<ObjectHeader>()).magic = OBJECT_MAGIC };
}

/// Decodes the header `head`, copied from offset `h` of a segment of `size` bytes:
/// `word(off)` reads the 8-byte word at `off` (called only for words before the header
/// that this checks lie inside the segment, 8-aligned). `None` if it does not hold
/// together: the magic, the kind, the padding, the words before the header, the object
/// right after it, the name and its NUL after the elements, all inside. Every reader of a
/// header (the locked index, the unlocked lookup, the recovery) goes through it.
pub(crate) fn decode(
    h: u64,
    head: ObjectHeader,
    size: u64,
    word: impl Fn(u64) -> u64,
) -> Option<ObjectFields> {
    if head.magic != OBJECT_MAGIC || h % HEADER_UNIT != 0 {
        return None;
    }
    let kind = InstanceKind::from_code(head.meta & KIND_MASK)?;
    let pad = u64::from(head.meta >> PAD_SHIFT & PAD_UNITS) * 16;
    let ext = extension_bytes(head.meta);
    let object = h.checked_add(OBJECT_HEADER)?;
    // The words lie in `[h - ext, h)`, inside the padding, which lies inside the segment.
    if pad > h || pad < lead_for(ext) || object > size {
        return None;
    }
    let type_tag = if ext != 0 { word(h - 8) } else { 0 };
    let (name_len, elem_size, count) = if head.meta & WIDE != 0 {
        (word(h - 32), word(h - 24), word(h - 16))
    } else {
        (
            u64::from(head.meta >> NAME_SHIFT),
            u64::from(head.elem_size),
            u64::from(head.count),
        )
    };
    let name_at = object.checked_add(elem_size.checked_mul(count)?)?;
    if name_at.checked_add(name_len)?.checked_add(1)? > size {
        return None;
    }
    Some(ObjectFields {
        kind,
        pad,
        name_len,
        elem_size,
        count,
        type_tag,
        object,
        name_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lays out a header as `place` does, `pad` bytes into a block at offset 64 of a
    /// zeroed buffer of `size` bytes, and decodes it back.
    fn round_trip(
        layout: HeaderLayout,
        pad: u64,
        size: usize,
    ) -> (Vec<u128>, Option<ObjectFields>) {
        let mut buf = vec![0u128; size / 16];
        let base = buf.as_mut_ptr().cast::<u8>();
        let h = 64 + pad;
        // SAFETY: the block and header lie inside the buffer, 16-aligned; `pad >= lead`.
        unsafe { layout.write(base, h, pad) }.unwrap();
        let read = || {
            // SAFETY: as `Index::object_header`: inside the buffer, aligned.
            let head = unsafe { *base.add(h as usize).cast::<ObjectHeader>() };
            // SAFETY: the decoder reads only words inside the buffer, 8-aligned.
            decode(h, head, size as u64, |off| unsafe {
                *base.add(off as usize).cast::<u64>()
            })
        };
        // Written, the header does not validate: a process killed before publishing it
        // leaves no object.
        assert!(read().is_none());
        // SAFETY: the header just written, in the buffer.
        unsafe { publish(base, h) };
        let got = read();
        (buf, got)
    }

    #[test]
    fn a_small_object_needs_no_words_before_its_header() {
        let l = HeaderLayout::new(InstanceKind::Named, 10, 4, 1, 0);
        assert_eq!(l.lead, 0);
        let (_, f) = round_trip(l, 0, 4096);
        let f = f.unwrap();
        assert_eq!(f.kind, InstanceKind::Named);
        assert_eq!(
            (f.pad, f.name_len, f.elem_size, f.count, f.type_tag),
            (0, 10, 4, 1, 0)
        );
        assert_eq!((f.object, f.name_at), (80, 84));
    }

    #[test]
    fn a_type_tag_or_wide_sizes_go_before_the_header() {
        let tagged = HeaderLayout::new(InstanceKind::Unique, 3, 8, 2, 0xDEAD_BEEF_0000_0001);
        assert_eq!(tagged.lead, 16);
        let (buf, f) = round_trip(tagged, 16, 4096);
        let f = f.unwrap();
        assert_eq!(
            (f.kind, f.type_tag, f.elem_size, f.count),
            (InstanceKind::Unique, 0xDEAD_BEEF_0000_0001, 8, 2)
        );
        // The padding's mark at the block's start, for the recovery's walk.
        assert_eq!(buf[4] as u64, u64::from(PAD_MAGIC) | 16 << 32);
        for (name_len, elem_size, count) in [(1 << 16, 1, 1), (1, 1 << 32, 0), (1, 0, 1 << 32)] {
            let wide = HeaderLayout::new(InstanceKind::Named, name_len, elem_size, count, 0);
            assert_eq!(wide.lead, 48);
            let (_, f) = round_trip(wide, 48, 1 << 17);
            let f = f.unwrap();
            assert_eq!(
                (f.name_len, f.elem_size, f.count, f.type_tag),
                (name_len, elem_size, count, 0)
            );
        }
        // Sizes that do not fit the segment do not decode.
        let (_, f) = round_trip(
            HeaderLayout::new(InstanceKind::Named, 1, 1 << 32, 1, 0),
            48,
            4096,
        );
        assert!(f.is_none());
    }

    #[test]
    fn a_header_that_does_not_hold_together_does_not_decode() {
        let good = || HeaderLayout::new(InstanceKind::Named, 10, 4, 1, 7);
        let (buf, f) = round_trip(good(), 16, 4096);
        assert!(f.is_some());
        let base = buf.as_ptr().cast::<u8>();
        // SAFETY: the header lies at 80 in the buffer.
        let head = unsafe { *base.add(80).cast::<ObjectHeader>() };
        let word = |off: u64| unsafe { *base.add(off as usize).cast::<u64>() };
        let bad = [
            ObjectHeader { magic: 0, ..head },
            ObjectHeader {
                meta: head.meta | 3,
                ..head
            },
            // Padding shorter than the words before the header need.
            ObjectHeader {
                meta: head.meta & !0xFFF0,
                ..head
            },
            // Padding past the segment's start.
            ObjectHeader {
                meta: head.meta | 0xFFF0,
                ..head
            },
            // A name past the end.
            ObjectHeader {
                meta: head.meta | 0xFFFF << 16,
                ..head
            },
            ObjectHeader {
                count: u32::MAX,
                ..head
            },
        ];
        for (k, b) in bad.into_iter().enumerate() {
            assert!(decode(80, b, 4096, word).is_none(), "{k}");
        }
        // A header off its unit.
        assert!(decode(88, head, 4096, word).is_none());
    }
}
