//! What a receive got, in either mode: bytes copied into the caller's buffer, a message
//! left in its pool slot, or a copy in memory of the receiver's own ([`OwnedBytes`]). Below
//! the modes, which all hand their messages over through [`deliver`].

use super::handle::Sink;
use std::ptr::NonNull;

/// A cache line of message bytes, for [`OwnedBytes`]' alignment.
#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct Line([u8; 64]);

/// A message's bytes in the receiver's own memory, 64-byte aligned as a pool slot's are: a
/// message sent by copy and received in place.
pub(super) struct OwnedBytes {
    lines: Vec<Line>,
    pub(super) len: usize,
}

impl OwnedBytes {
    /// A copy of the `len` bytes at `src`.
    ///
    /// # Safety
    /// `src` is readable for `len` bytes.
    pub(super) unsafe fn copy_of(src: *const u8, len: usize) -> OwnedBytes {
        let mut lines = vec![Line([0; 64]); len.div_ceil(64)];
        // SAFETY: `src` is readable for `len` bytes (this fn's contract) and `lines` holds at
        // least `len` bytes of its own.
        unsafe { std::ptr::copy_nonoverlapping(src, lines.as_mut_ptr().cast::<u8>(), len) };
        OwnedBytes { lines, len }
    }

    /// Where the bytes are (non-null and aligned even when there are none).
    pub(super) fn as_ptr(&self) -> NonNull<u8> {
        NonNull::new(self.lines.as_ptr().cast::<u8>().cast_mut()).expect("a Vec's pointer")
    }
}

/// What a receive got.
pub(super) enum Got {
    /// This many bytes copied into the sink's buffer, and the priority.
    Copied(usize, u32),
    /// A message sent from a loan, left in its pool slot, which this thread now holds.
    Pool {
        slot: u32,
        len: usize,
        priority: u32,
    },
    /// A message sent by copy, received in place: copied once more, into memory of the
    /// receiver's own.
    Owned(OwnedBytes, u32),
}

/// Delivers the `len` bytes at `src`, a message of `priority`, to `sink`.
///
/// # Safety
/// `src` is readable for `len` bytes, which no one writes meanwhile; a `Sink::Copy` buffer
/// holds at least `len` bytes.
#[inline(always)]
pub(super) unsafe fn deliver(
    src: *const u8,
    len: usize,
    priority: u32,
    sink: &mut Sink<'_>,
) -> Got {
    match sink {
        Sink::Copy(buf) => {
            // SAFETY: per this fn's contract.
            unsafe { std::ptr::copy_nonoverlapping(src, buf.as_mut_ptr(), len) };
            Got::Copied(len, priority)
        }
        // SAFETY: per this fn's contract.
        Sink::InPlace => Got::Owned(unsafe { OwnedBytes::copy_of(src, len) }, priority),
    }
}
