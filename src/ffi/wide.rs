//! Wide-character object names (Boost's `wmanaged_*` segments) in C.
//!
//! The segment stores every name as bytes. A wide name is passed as UTF-8 with the kind
//! `INTERPROC_WIDE_NAMED_INSTANCE` and stored as the byte 0xFF followed by that UTF-8.
//! 0xFF never occurs in UTF-8, and a narrow name may not start with it, so `L"name"` and
//! `"name"` are two different objects, and no narrow name can pose as a wide one.

use super::types::interproc_instance_kind_t;
use crate::{Error, ErrorKind, InstanceKind, Result};
use std::borrow::Cow;
use std::ffi::{CStr, c_char};

/// An object constructed with a wide-character name, passed and reported as UTF-8.
pub const INTERPROC_WIDE_NAMED_INSTANCE: interproc_instance_kind_t = 3;

/// The first stored byte of a wide name.
const WIDE_PREFIX: u8 = 0xFF;

/// The core kind and the stored bytes of the name `name` of C kind `kind`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
pub(super) unsafe fn object_name<'a>(
    kind: interproc_instance_kind_t,
    name: *const c_char,
) -> Result<(InstanceKind, Cow<'a, [u8]>)> {
    let (core, wide) = iteration_kind(kind)?;
    if !wide {
        if core == InstanceKind::Anonymous {
            return Ok((core, Cow::Borrowed(&[])));
        }
        // SAFETY: `name` is NULL or a NUL-terminated string readable for the whole call (this
        // fn's `# Safety` contract).
        let bytes = unsafe { name_bytes(name) }?;
        if core == InstanceKind::Named && bytes.first() == Some(&WIDE_PREFIX) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a name may not start with the byte 0xFF: it marks wide-character names \
                 (INTERPROC_WIDE_NAMED_INSTANCE)",
            ));
        }
        return Ok((core, Cow::Borrowed(bytes)));
    }
    // SAFETY: as above: `name` is NULL or a readable NUL-terminated string.
    let utf8 = unsafe { name_bytes(name) }?;
    if std::str::from_utf8(utf8).is_err() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "a wide-character name is passed as UTF-8, and this one is not",
        ));
    }
    let mut stored = Vec::with_capacity(utf8.len() + 1);
    stored.push(WIDE_PREFIX);
    stored.extend_from_slice(utf8);
    Ok((InstanceKind::Named, Cow::Owned(stored)))
}

/// # Safety
/// `name` must be NULL or a NUL-terminated string.
unsafe fn name_bytes<'a>(name: *const c_char) -> Result<&'a [u8]> {
    if name.is_null() {
        return Err(Error::new(ErrorKind::InvalidArgument, "name is NULL"));
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    Ok(unsafe { CStr::from_ptr(name) }.to_bytes())
}

/// The C kind, name and length by which a stored object is reported: a wide name as
/// `INTERPROC_WIDE_NAMED_INSTANCE` and its UTF-8, past the marker.
pub(super) fn reported(
    kind: InstanceKind,
    name: *const u8,
    len: usize,
) -> (interproc_instance_kind_t, *const u8, usize) {
    // SAFETY: `name` points at `len` readable bytes of a name in the segment (as the
    // manager reports it).
    if kind == InstanceKind::Named && len > 0 && unsafe { *name } == WIDE_PREFIX {
        // SAFETY: still inside the name (len > 0); the NUL terminator follows it.
        (
            INTERPROC_WIDE_NAMED_INSTANCE,
            unsafe { name.add(1) },
            len - 1,
        )
    } else {
        (kind as interproc_instance_kind_t, name, len)
    }
}

/// The core kind to iterate for the C kind `kind`, and whether wide names are wanted.
pub(super) fn iteration_kind(kind: interproc_instance_kind_t) -> Result<(InstanceKind, bool)> {
    if kind == INTERPROC_WIDE_NAMED_INSTANCE {
        return Ok((InstanceKind::Named, true));
    }
    InstanceKind::from_code(kind)
        .map(|k| (k, false))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{kind} is not an instance kind"),
            )
        })
}
