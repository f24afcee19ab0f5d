//! The core of the typed finds, below the segment's typed operations and the read-only
//! view that both use it: the checks that an object holds `T`s, and the references made
//! from one that does.

use crate::{Error, ErrorKind, InstanceKind, ObjectInfo, Result, SegmentManager, Shareable};

/// The name a unique object of type `T` gets.
pub(super) fn unique_name<T>() -> &'static str {
    std::any::type_name::<T>()
}

/// The object named `name` of `kind`, checked to hold `T`s (size, alignment and tag, in
/// `checked`: the raw find is asked for no size check of its own), and refused for a type
/// with interior mutability on a read-only mapping.
#[inline]
pub(super) fn found<T: Shareable>(
    manager: &SegmentManager,
    kind: InstanceKind,
    name: &str,
) -> Result<Option<ObjectInfo>> {
    // A constant for each `T`: the check costs nothing for the types it cannot refuse.
    if T::INTERIOR_MUTABLE && manager.is_read_only() {
        return Err(interior_on_read_only::<T>(name));
    }
    match manager.find(kind, name.as_bytes(), None)? {
        Some(info) => checked::<T>(info, name).map(Some),
        None => Ok(None),
    }
}

/// `info` if its elements are `T`s by size, alignment and type tag (when both sides have
/// one).
#[inline]
pub(super) fn checked<T: Shareable>(info: ObjectInfo, name: &str) -> Result<ObjectInfo> {
    let (size, align) = (std::mem::size_of::<T>(), std::mem::align_of::<T>());
    if info.elem_size != size
        || info.ptr.as_ptr() as usize % align != 0
        || !crate::segment::tags_agree(info.type_tag, T::TYPE_TAG)
    {
        return Err(not_a::<T>(&info, name));
    }
    Ok(info)
}

/// The error for a find of an interior-mutable `T` on a read-only mapping.
#[cold]
#[inline(never)]
fn interior_on_read_only<T>(name: &str) -> Error {
    Error::new(
        ErrorKind::Mode,
        format!(
            "the segment is mapped read-only in this process, and a {} can change through a \
             shared reference (atomics, locks): object {name:?} is not handed out as one; \
             find a type without interior mutability, or open the segment read-write or \
             copy-on-write",
            std::any::type_name::<T>()
        ),
    )
}

/// The error for an object that does not hold `T`s (out of line: the typed calls stay as
/// cheap as the raw ones they wrap).
#[cold]
#[inline(never)]
fn not_a<T>(info: &ObjectInfo, name: &str) -> Error {
    let (size, align) = (std::mem::size_of::<T>(), std::mem::align_of::<T>());
    let what = if info.elem_size == size && info.ptr.as_ptr() as usize % align == 0 {
        "was constructed as another type of the same size (its type tag differs)".to_string()
    } else {
        format!(
            "holds elements of {} bytes at {:p}",
            info.elem_size, info.ptr
        )
    };
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "object {name:?} {what}, not a {} ({size} bytes, aligned to {align})",
            std::any::type_name::<T>()
        ),
    )
}

/// The one `T` of `info`; an error for an array of another length.
#[inline]
pub(super) fn one<'a, T: Shareable>(info: ObjectInfo) -> Result<&'a T> {
    if info.count != 1 {
        return Err(not_one::<T>(info.count));
    }
    // SAFETY: `info` was checked to hold one element of `size_of::<T>()` bytes, aligned for
    // `T`, inside the mapped segment; every bit pattern is a `T` (Shareable); the segment
    // stays mapped while the borrow it is tied to lasts; only shared references are made,
    // and never of an interior-mutable `T` over a read-only mapping (`found`).
    Ok(unsafe { info.ptr.cast::<T>().as_ref() })
}

#[cold]
#[inline(never)]
fn not_one<T>(count: usize) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "the object is an array of {count} elements, not one {}",
            std::any::type_name::<T>()
        ),
    )
}

/// The `T`s of `info` as a slice.
pub(super) fn slice<'a, T: Shareable>(info: ObjectInfo) -> Result<&'a [T]> {
    // SAFETY: as in `one`, for `info.count` consecutive elements.
    Ok(unsafe { std::slice::from_raw_parts(info.ptr.cast::<T>().as_ptr(), info.count) })
}
