//! The segment manager's handle: a view of a mapped segment through its base address,
//! which every part of the manager works through.

use super::backing::GrowthBacking;
use crate::{Error, ErrorKind};
use std::ptr::NonNull;

/// A `Corrupted` error saying `msg`.
pub(super) fn corrupted(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Corrupted, msg)
}

/// The segment manager of a mapped managed segment: allocation, named objects, checks.
///
/// It is a view through the segment's base address and is only valid while the segment
/// stays mapped; get it from a managed segment ([`crate::ManagedSharedMemory`] and the
/// other managed types dereference to it).
#[derive(Debug)]
pub struct SegmentManager {
    pub(super) base: NonNull<u8>,
    /// Bytes mapped at `base` in this process: the bound every offset is checked against,
    /// unless the segment grows while mapped (then `backing` gives the bound).
    pub(super) len: usize,
    pub(super) read_only: bool,
    /// This process's hold on a segment that grows while mapped.
    pub(super) backing: Option<NonNull<GrowthBacking>>,
}

// SAFETY: every operation synchronises through the segment's process-shared lock (or
// reads only fields that are atomic or immutable after initialisation).
unsafe impl Send for SegmentManager {}
// SAFETY: `&self` methods change shared state only under the segment's process-shared
// lock, or read fields that are atomic or immutable after initialisation, so threads may
// share a manager.
unsafe impl Sync for SegmentManager {}

impl SegmentManager {
    /// A view of the segment manager at `base`.
    ///
    /// # Safety
    /// `base` must be the start of a mapped segment that was validated by
    /// [`SegmentManager::attach`] or formatted by [`SegmentManager::format`] in this
    /// process, and must stay mapped while the view is used; so must `growth`, this
    /// process's hold on it if it grows while mapped.
    pub(crate) unsafe fn from_base(
        base: NonNull<u8>,
        len: usize,
        read_only: bool,
        growth: Option<NonNull<GrowthBacking>>,
    ) -> SegmentManager {
        SegmentManager {
            base,
            len,
            read_only,
            backing: growth,
        }
    }
}
