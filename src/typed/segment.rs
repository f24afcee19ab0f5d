//! Typed named, unique and anonymous objects on every managed segment.

use super::ReadOnlyView;
use super::finds::{checked, found, one, slice, unique_name};
use crate::{InstanceKind, ObjectInfo, Result, SegmentManager, Shareable};
use std::ops::Deref;
use std::ptr::NonNull;

/// Typed objects in a managed segment: what Boost's `construct<T>`, `find<T>` and
/// `destroy<T>` do, for [`Shareable`] types, with no `unsafe` in user code.
///
/// Every managed segment type implements it ([`crate::ManagedSharedMemory`],
/// [`crate::ManagedMappedFile`], [`crate::ManagedHeapMemory`],
/// [`crate::ManagedExternalBuffer`], [`crate::ManagedXsiSharedMemory`]); bring it into scope
/// with `use interproc::prelude::*`. References live as long as the borrow of the segment,
/// and only shared references are handed out: changes after construction go through the
/// atomics and locks inside `T`. Destroying takes `&mut self`, so no reference this process
/// holds can outlive the object (another process destroying it is, as in Boost, the
/// programs' agreement to keep).
///
/// An object found by name is checked as strictly as the C ABI checks it: its element size
/// must be `size_of::<T>()`, its address aligned for `T` and its type tag `T`'s
/// ([`Shareable::TYPE_TAG`], when it was built with one), or the call fails with
/// `InvalidArgument` and changes nothing.
///
/// On a segment mapped read-only in this process ([`crate::OpenMode::OpenReadOnly`]), a
/// find of a type with interior mutability (an atomic, a lock, a struct holding one:
/// [`Shareable::INTERIOR_MUTABLE`]) fails with `Mode`: a store through it would fault. Use
/// [`Self::read_only_view`] to have the compiler check instead. A copy-on-write segment
/// ([`crate::OpenMode::OpenCopyOnWrite`]) is writable in this process: everything works on
/// it, and its changes stay in this process. Names are UTF-8 strings, the bytes a C or C++
/// program uses for the same name.
pub trait ManagedSegment: Deref<Target = SegmentManager> {
    /// Constructs the named object `value`; `AlreadyExists` if the name is taken.
    fn construct<T: Shareable>(&self, name: &str, value: T) -> Result<&T> {
        let mut value = Some(value);
        let (info, _) = place(self, InstanceKind::Named, name, 1, false, &mut |_| {
            value.take().expect("one element")
        })?;
        one(info)
    }

    /// Constructs the named object that `make` returns; `make` runs only if the name is
    /// free, under the segment lock (keep it short).
    fn construct_with<T: Shareable>(&self, name: &str, make: impl FnOnce() -> T) -> Result<&T> {
        let mut make = Some(make);
        let (info, _) = place(self, InstanceKind::Named, name, 1, false, &mut |_| {
            (make.take().expect("one element"))()
        })?;
        one(info)
    }

    /// The named object, if there is one; an error if it is not a `T`.
    fn find<T: Shareable>(&self, name: &str) -> Result<Option<&T>> {
        found::<T>(self, InstanceKind::Named, name)?
            .map(one)
            .transpose()
    }

    /// The named object, constructed from `make` first if the name is free (atomically:
    /// among processes racing on one name, exactly one constructs).
    fn find_or_construct<T: Shareable>(&self, name: &str, make: impl FnOnce() -> T) -> Result<&T> {
        let mut make = Some(make);
        let (info, _) = place(self, InstanceKind::Named, name, 1, true, &mut |_| {
            (make.take().expect("one element"))()
        })?;
        one(info)
    }

    /// Constructs a named array of `n` elements, element `i` from `make(i)`.
    fn construct_slice<T: Shareable>(
        &self,
        name: &str,
        n: usize,
        mut make: impl FnMut(usize) -> T,
    ) -> Result<&[T]> {
        let (info, _) = place(self, InstanceKind::Named, name, n, false, &mut make)?;
        slice(info)
    }

    /// The named array, if there is one.
    fn find_slice<T: Shareable>(&self, name: &str) -> Result<Option<&[T]>> {
        found::<T>(self, InstanceKind::Named, name)?
            .map(slice)
            .transpose()
    }

    /// Destroys the named object; false if there is none. An error, changing nothing, if
    /// it is not a `T` (or a slice of them).
    fn destroy<T: Shareable>(&mut self, name: &str) -> Result<bool> {
        let manager: &SegmentManager = self;
        manager.destroy_tagged(
            InstanceKind::Named,
            name.as_bytes(),
            Some(std::mem::size_of::<T>()),
            T::TYPE_TAG,
            &mut |_, _| {},
        )
    }

    /// Constructs the unique object of type `T` (Boost's `unique_instance`), named by the
    /// type's Rust name; `AlreadyExists` if there is one.
    fn construct_unique<T: Shareable>(&self, value: T) -> Result<&T> {
        let mut value = Some(value);
        let (info, _) = place(
            self,
            InstanceKind::Unique,
            unique_name::<T>(),
            1,
            false,
            &mut |_| value.take().expect("one element"),
        )?;
        one(info)
    }

    /// The unique object of type `T`, if there is one.
    fn find_unique<T: Shareable>(&self) -> Result<Option<&T>> {
        found::<T>(self, InstanceKind::Unique, unique_name::<T>())?
            .map(one)
            .transpose()
    }

    /// Destroys the unique object of type `T`; false if there is none.
    fn destroy_unique<T: Shareable>(&mut self) -> Result<bool> {
        let manager: &SegmentManager = self;
        manager.destroy_tagged(
            InstanceKind::Unique,
            unique_name::<T>().as_bytes(),
            Some(std::mem::size_of::<T>()),
            T::TYPE_TAG,
            &mut |_, _| {},
        )
    }

    /// A view that finds only [`crate::Frozen`] types (no interior mutability), checked at
    /// compile time: what a program that maps segments read-only should use. Its
    /// references are tied to the borrow of the segment, as `find`'s are.
    fn read_only_view(&self) -> ReadOnlyView<'_> {
        ReadOnlyView::new(self)
    }

    /// Constructs an anonymous object (Boost's `anonymous_instance`): reachable only
    /// through the reference (or a handle made from it), never by name.
    fn construct_anonymous<T: Shareable>(&self, value: T) -> Result<&T> {
        let mut value = Some(value);
        let (info, _) = place(self, InstanceKind::Anonymous, "", 1, false, &mut |_| {
            value.take().expect("one element")
        })?;
        one(info)
    }
}

impl ManagedSegment for crate::ManagedSharedMemory {}
impl ManagedSegment for crate::ManagedMappedFile {}
impl ManagedSegment for crate::ManagedHeapMemory {}
impl ManagedSegment for crate::ManagedExternalBuffer<'_> {}
impl ManagedSegment for crate::ManagedXsiSharedMemory {}

/// Constructs (or, with `find_existing`, finds) `n` elements of `T`, element `i` from
/// `make(i)`; the object and whether this call created it.
fn place<T: Shareable>(
    manager: &SegmentManager,
    kind: InstanceKind,
    name: &str,
    n: usize,
    find_existing: bool,
    make: &mut dyn FnMut(usize) -> T,
) -> Result<(ObjectInfo, bool)> {
    const {
        assert!(
            !std::mem::needs_drop::<T>(),
            "a Shareable type needs no Drop"
        )
    };
    let shape = (std::mem::size_of::<T>(), std::mem::align_of::<T>(), n);
    let (info, created) = manager.construct_tagged(
        kind,
        name.as_bytes(),
        shape,
        T::TYPE_TAG,
        find_existing,
        &mut |at: NonNull<u8>, count: usize| {
            let at = at.cast::<T>();
            for i in 0..count {
                // SAFETY: the segment hands out `count` elements of `size_of::<T>()` bytes
                // at `at`, aligned for `T` (asked above), which nothing else uses until the
                // construction is published under the segment lock.
                unsafe { at.add(i).write(make(i)) };
            }
            Ok(())
        },
    )?;
    Ok((checked::<T>(info, name)?, created))
}
