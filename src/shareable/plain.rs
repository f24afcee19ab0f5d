//! The field's own words for plain data, accepted with no declaration: a type that says
//! "every bit pattern is valid, and there is no interior mutability" in zerocopy's traits
//! (`FromBytes + Immutable + KnownLayout`) or bytemuck's (`AnyBitPattern`) is shareable
//! inside the [`Zerocopy`] or [`Bytemuck`] wrapper (features `zerocopy` and `bytemuck`).
//!
//! **Why a wrapper and not a blanket impl.** `impl<T: FromBytes + ..> Shareable for T` would
//! overlap, in the compiler's eyes, with interproc's own impls for the atomics (zerocopy
//! could one day say `AtomicU64: Immutable`) and for arrays (`[u64; 4]` would be covered
//! twice), and a zerocopy blanket impl and a bytemuck one would overlap with each other on
//! every integer. Each is a hard coherence error, so a blanket impl could exist only by
//! taking `Shareable` away from atomics and arrays of locks when a feature is turned on:
//! features would stop being additive. A `#[repr(transparent)]` wrapper has none of these
//! conflicts: `Zerocopy<T>` is shareable wherever a `Shareable` is (named objects, slices,
//! `SharedMutex<Zerocopy<T>>`, arrays, queues), and it dereferences to `T`.
//!
//! **Their type tag** is their size and alignment only (the traits give a type no name
//! usable in a constant): two such types of one layout find each other, `Zerocopy<T>` and
//! `Bytemuck<T>` of one `T` included. That is a reinterpretation, never undefined
//! behaviour: both sides are valid for every bit pattern and neither has interior
//! mutability. They never find an object built as a tagged type (`u64`, an atomic, a lock,
//! a `shareable!` struct).

use super::{Frozen, Shareable, mix_type_tag, type_tag_of};
use std::ops::{Deref, DerefMut};

/// The tag of a plain-data type of `T`'s layout.
const fn plain_tag<T>() -> u64 {
    // A Drop type cannot be shareable (destroying never runs it); `Bytemuck<T>` rules it
    // out by `Copy`, and for `Zerocopy<T>` this constant, used by every typed call, is
    // where the build says so.
    assert!(
        !std::mem::needs_drop::<T>(),
        "a type in shared memory needs no Drop"
    );
    mix_type_tag(
        type_tag_of("interproc::plain", std::mem::size_of::<T>()),
        std::mem::align_of::<T>() as u64,
    )
}

macro_rules! plain_wrapper {
    ($(#[$meta:meta])* $feature:literal, $name:ident, $($bound:tt)+) => {
        $(#[$meta])*
        #[cfg(feature = $feature)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(transparent)]
        pub struct $name<T>(pub T);

        #[cfg(feature = $feature)]
        // SAFETY: the bound says every bit pattern is a valid `T`, with no pointer and no
        // interior mutability (which makes `Sync` plain reading); `repr(transparent)` gives
        // the wrapper `T`'s layout; Drop is refused by `plain_tag` at build time.
        unsafe impl<T: $($bound)+> Shareable for $name<T> {
            const TYPE_TAG: u64 = plain_tag::<T>();
            const INTERIOR_MUTABLE: bool = false;
        }

        #[cfg(feature = $feature)]
        // SAFETY: the bound rules out interior mutability.
        unsafe impl<T: $($bound)+> Frozen for $name<T> {}

        #[cfg(feature = $feature)]
        impl<T> Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }

        #[cfg(feature = $feature)]
        impl<T> DerefMut for $name<T> {
            fn deref_mut(&mut self) -> &mut T {
                &mut self.0
            }
        }

        #[cfg(feature = $feature)]
        impl<T> From<T> for $name<T> {
            fn from(value: T) -> $name<T> {
                $name(value)
            }
        }
    };
}

plain_wrapper!(
    /// A zerocopy type (`FromBytes + Immutable + KnownLayout`, and `Sync`), shareable with
    /// no declaration of its own (feature `zerocopy`; see the module documentation for why
    /// it is a wrapper). Its layout is the type's own: give it `#[repr(C)]` if a C or C++
    /// peer reads it.
    ///
    /// ```
    /// use interproc::prelude::*;
    /// use interproc::{ManagedHeapMemory, Zerocopy};
    /// let seg = ManagedHeapMemory::new(65536)?;
    /// seg.construct("limits", Zerocopy([10u32, 20, 30]))?;
    /// let limits = seg.read_only_view().find::<Zerocopy<[u32; 3]>>("limits")?.unwrap();
    /// assert_eq!(limits[1], 20);
    /// # Ok::<(), interproc::Error>(())
    /// ```
    "zerocopy",
    Zerocopy,
    zerocopy::FromBytes + zerocopy::Immutable + zerocopy::KnownLayout + Sync + 'static
);

plain_wrapper!(
    /// A bytemuck type (`AnyBitPattern`, and `Sync`), shareable with no declaration of its
    /// own (feature `bytemuck`; see the module documentation for why it is a wrapper).
    ///
    /// ```
    /// use interproc::prelude::*;
    /// use interproc::{Bytemuck, ManagedHeapMemory, SharedMutex};
    /// let seg = ManagedHeapMemory::new(65536)?;
    /// let m = seg.construct("point", SharedMutex::new(Bytemuck([1.5f32, 2.5])))?;
    /// m.lock().unwrap()[0] = 3.5;
    /// assert_eq!(m.lock().unwrap().0, [3.5, 2.5]);
    /// # Ok::<(), interproc::Error>(())
    /// ```
    "bytemuck",
    Bytemuck,
    bytemuck::AnyBitPattern + Sync
);
