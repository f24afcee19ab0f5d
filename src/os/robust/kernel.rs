//! The kernel's robust-list layout (`struct robust_list_head`), as glibc registers it and
//! as this library registers it for a thread that has none.

use std::sync::atomic::AtomicUsize;

/// Where the lock word is relative to the list node (`&next`), as glibc registers it.
pub(super) const FUTEX_OFFSET: isize = -32;

/// The kernel's `struct robust_list_head`.
#[repr(C)]
pub(super) struct RobustHead {
    pub(super) list: AtomicUsize,
    pub(super) futex_offset: isize,
    pub(super) pending: AtomicUsize,
}

/// A head this library registers for a thread that has none (glibc registers one for every
/// thread, so this is for other C libraries, and for a process made by a raw `clone`, whose
/// list the kernel does not carry over). `before` is the `prev` slot of the head's
/// node, which enqueueing writes, as glibc keeps `robust_prev` before its head.
#[repr(C)]
pub(super) struct OwnHead {
    pub(super) before: AtomicUsize,
    pub(super) head: RobustHead,
}
