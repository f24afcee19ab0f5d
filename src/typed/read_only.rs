//! A read-only view of a managed segment: typed finds that hand out only [`Frozen`] types,
//! so a program that maps a segment read-only learns at compile time, not from a fault,
//! that an atomic or a lock cannot be used there.

use super::finds::{found, one, slice, unique_name};
use crate::{Frozen, InstanceKind, Result, SegmentManager, Shareable};

/// Finds of types without interior mutability ([`Frozen`]), on any managed segment; made
/// by [`crate::ManagedSegment::read_only_view`]. The references live as long as the
/// borrow of the segment the view was made from.
///
/// ```
/// use interproc::prelude::*;
/// use interproc::{ManagedSharedMemory, OpenMode, Permissions};
/// # let name = format!("interproc_doc_view_{}", std::process::id());
/// let seg = ManagedSharedMemory::create(&name, 65536, Permissions::default())?;
/// seg.construct("limits", [10u32, 20, 30])?;
/// let ro = ManagedSharedMemory::new(OpenMode::OpenReadOnly, &name, 0, Permissions::default())?;
/// let view = ro.read_only_view();
/// assert_eq!(view.find::<[u32; 3]>("limits")?, Some(&[10, 20, 30]));
/// # drop((seg, ro));
/// # interproc::SharedMemoryObject::remove(&name);
/// # Ok::<(), interproc::Error>(())
/// ```
///
/// An atomic (or a lock, or a struct holding one) does not compile:
///
/// ```compile_fail,E0277
/// use interproc::prelude::*;
/// use std::sync::atomic::AtomicU64;
/// let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
/// let n = seg.read_only_view().find::<AtomicU64>("n");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ReadOnlyView<'a> {
    manager: &'a SegmentManager,
}

impl<'a> ReadOnlyView<'a> {
    pub(super) fn new(manager: &'a SegmentManager) -> ReadOnlyView<'a> {
        ReadOnlyView { manager }
    }

    /// The named object, if there is one; an error if it is not a `T`
    /// ([`crate::ManagedSegment::find`]'s checks).
    pub fn find<T: Shareable + Frozen>(&self, name: &str) -> Result<Option<&'a T>> {
        found::<T>(self.manager, InstanceKind::Named, name)?
            .map(one)
            .transpose()
    }

    /// The named array, if there is one.
    pub fn find_slice<T: Shareable + Frozen>(&self, name: &str) -> Result<Option<&'a [T]>> {
        found::<T>(self.manager, InstanceKind::Named, name)?
            .map(slice)
            .transpose()
    }

    /// The unique object of type `T`, if there is one.
    pub fn find_unique<T: Shareable + Frozen>(&self) -> Result<Option<&'a T>> {
        found::<T>(self.manager, InstanceKind::Unique, unique_name::<T>())?
            .map(one)
            .transpose()
    }
}
