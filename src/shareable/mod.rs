//! What may live in shared memory: the [`Shareable`] contract, its type tags, the
//! [`Frozen`] marker for types without interior mutability, and the [`shareable!`](crate::shareable)
//! declaration. Both the typed API (`typed`) and the segment's own shared types (the node
//! pool) build on this module; it depends only on the sync primitives it vouches for.

#[cfg(any(feature = "zerocopy", feature = "bytemuck"))]
mod plain;

#[cfg(feature = "bytemuck")]
pub use plain::Bytemuck;
#[cfg(feature = "zerocopy")]
pub use plain::Zerocopy;

use crate::sync::{
    InterprocessCondition, InterprocessMutex, InterprocessRecursiveMutex, InterprocessSemaphore,
    InterprocessUpgradableMutex,
};
use std::marker::PhantomData;
use std::sync::atomic::{
    AtomicI8, AtomicI16, AtomicI32, AtomicI64, AtomicIsize, AtomicU8, AtomicU16, AtomicU32,
    AtomicU64, AtomicUsize,
};

/// Types that may live in shared memory, where other processes read and write them.
///
/// # Safety
/// Implement it only for a type that
/// - is valid for every bit pattern of its size (another process, in any language, may
///   have written those bytes): no `bool`, `char`, enum or reference;
/// - holds no pointer or reference and owns nothing outside itself (the other process maps
///   the memory elsewhere, and cannot free what it does not own);
/// - needs no `Drop` (destroying an object in shared memory, from any process, never runs
///   one);
/// - has a layout fixed by the language (`#[repr(C)]`, a primitive, or an array of one), so
///   a C or C++ declaration can match it;
/// - is `Sync`: several threads and processes use one value at once, so any change after
///   construction goes through atomics or locks;
/// - states truly whether it has interior mutability ([`Self::INTERIOR_MUTABLE`]).
///
/// [`shareable!`](crate::shareable) declares a `#[repr(C)]` struct and implements the
/// trait after checking at compile time that every field is `Shareable` and that the
/// struct has no `Drop`. With the `zerocopy` or `bytemuck` feature, a type that already
/// says "any bit pattern, no interior mutability" in that crate's traits is shareable as
/// `interproc::Zerocopy<T>` or `interproc::Bytemuck<T>`, with no declaration at all.
pub unsafe trait Shareable: Sync + Sized + 'static {
    /// A tag naming the type, stored with every object the typed API constructs and checked
    /// by every typed `find` and `destroy`, beside the size and alignment: a `u64` found
    /// under a name built as an `f64` of the same size is an error, not a reinterpretation.
    /// Objects built from C, C++ or the raw API carry 0 ("no tag"), and are checked by size
    /// and alignment only. Generic types fold their parameters' tags into theirs
    /// ([`mix_type_tag`]), so `SharedMutex<u64>` and `SharedMutex<f64>` differ.
    const TYPE_TAG: u64;

    /// Whether a shared reference to the value can change it (atomics, locks, anything
    /// with an `UnsafeCell` inside). Such a type is never handed out over a read-only
    /// mapping, where a store faults: a typed find on a segment opened read-only returns a
    /// `Mode` error for it instead.
    const INTERIOR_MUTABLE: bool;
}

/// [`Shareable`] types with no interior mutability: through a shared reference they can
/// only be read, so they are sound over a read-only mapping. The typed API's read-only view
/// ([`crate::ManagedSegment::read_only_view`]) hands out these types only, checked at
/// compile time.
///
/// # Safety
/// Implement it only for a type with no `UnsafeCell` anywhere inside it (the primitives,
/// arrays of `Frozen` types, and [`shareable!`](crate::shareable) structs whose fields are
/// all `Frozen`, which the macro implements it for).
pub unsafe trait Frozen {}

/// A stand-in for a field's type in the `where` clause that [`shareable!`](crate::shareable)
/// puts on its `Frozen` impl: the lifetime keeps the bound from being a trivially false one
/// (which stable Rust refuses), so a struct with an atomic field is simply not `Frozen`.
#[doc(hidden)]
pub struct FrozenField<'a, T>(PhantomData<&'a T>);

// SAFETY: a stand-in with no data; it is Frozen exactly when the field it stands for is.
unsafe impl<T: Frozen> Frozen for FrozenField<'_, T> {}

/// The type tag of a type name and its size: FNV-1a over both, never 0. Used by
/// [`shareable!`](crate::shareable) (the name of a struct and its fields).
#[doc(hidden)]
pub const fn type_tag_of(name: &str, size: usize) -> u64 {
    let bytes = name.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h ^= size as u64;
    h = h.wrapping_mul(0x0000_0100_0000_01b3);
    if h == 0 { 1 } else { h }
}

/// `tag` with `more` folded in, never 0. Used for generic types' parameters and by
/// [`shareable!`](crate::shareable) for each field's tag.
#[doc(hidden)]
pub const fn mix_type_tag(tag: u64, more: u64) -> u64 {
    let h = (tag ^ more).wrapping_mul(0x0000_0100_0000_01b3);
    if h == 0 { 1 } else { h }
}

macro_rules! shareable_types {
    (frozen: $($f:ty),* ; interior: $($i:ty),* $(,)?) => {
        $(
            // SAFETY: a primitive integer or float: fixed layout, valid for every bit
            // pattern, no pointer, no Drop, Sync, and no interior mutability.
            unsafe impl Shareable for $f {
                const TYPE_TAG: u64 = type_tag_of(stringify!($f), std::mem::size_of::<$f>());
                const INTERIOR_MUTABLE: bool = false;
            }
            // SAFETY: a primitive integer or float has no UnsafeCell.
            unsafe impl Frozen for $f {}
        )*
        $(
            // SAFETY: an atomic or interproc primitive of fixed layout, valid for every bit
            // pattern (the interproc primitives check a magic tag and treat any state word
            // as a state), holding no pointer, needing no Drop, and Sync; it changes
            // through shared references.
            unsafe impl Shareable for $i {
                const TYPE_TAG: u64 = type_tag_of(stringify!($i), std::mem::size_of::<$i>());
                const INTERIOR_MUTABLE: bool = true;
            }
        )*
    };
}

shareable_types!(
    frozen: u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64;
    interior: AtomicU8,
    AtomicU16,
    AtomicU32,
    AtomicU64,
    AtomicUsize,
    AtomicI8,
    AtomicI16,
    AtomicI32,
    AtomicI64,
    AtomicIsize,
    InterprocessMutex,
    InterprocessRecursiveMutex,
    InterprocessCondition,
    InterprocessSemaphore,
    InterprocessUpgradableMutex,
);

// SAFETY: an array of a Shareable type has its element's properties and no padding of its
// own.
unsafe impl<T: Shareable, const N: usize> Shareable for [T; N] {
    /// The element's tag and the length.
    const TYPE_TAG: u64 = mix_type_tag(T::TYPE_TAG, N as u64);
    const INTERIOR_MUTABLE: bool = T::INTERIOR_MUTABLE;
}

// SAFETY: an array holds its elements and nothing else.
unsafe impl<T: Frozen, const N: usize> Frozen for [T; N] {}

/// Declares a `#[repr(C)]` struct whose fields are all [`Shareable`], and implements
/// [`Shareable`] for it, and [`Frozen`] when every field is `Frozen`. A field of any other
/// type, or a `Drop` impl for the struct, fails to compile (at `cargo check` time).
///
/// ```
/// interproc::shareable! {
///     /// A sample shared by a C++ writer and Rust readers.
///     #[derive(Debug)]
///     pub struct Sample {
///         pub seq: std::sync::atomic::AtomicU64,
///         pub values: [f64; 3],
///     }
/// }
/// ```
///
/// ```compile_fail,E0277
/// interproc::shareable! {
///     pub struct Bad {
///         pub name: String,
///     }
/// }
/// ```
#[macro_export]
macro_rules! shareable {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[repr(C)]
        $vis struct $name {
            $($(#[$fmeta])* $fvis $field: $ty),*
        }

        const _: () = {
            const fn shareable_field<T: $crate::Shareable>() {}
            $(shareable_field::<$ty>();)*

            // A struct in shared memory is destroyed without running any Drop: a Drop impl
            // for it conflicts with this one, an error `cargo check` reports.
            trait SharedMemoryRunsNoDrop {}
            #[allow(drop_bounds)]
            impl<T: ::core::ops::Drop> SharedMemoryRunsNoDrop for T {}
            impl SharedMemoryRunsNoDrop for $name {}
        };

        // SAFETY: `#[repr(C)]`, every field is Shareable (checked just above), and the
        // struct has no Drop of its own (above): every bit pattern is valid, nothing points
        // outside, nothing needs Drop, all are Sync; it is interior-mutable when a field is.
        unsafe impl $crate::Shareable for $name {
            // The struct's name, its fields' names in order, and their types' tags (not
            // their spelling: `AtomicU64` and `std::sync::atomic::AtomicU64` agree).
            const TYPE_TAG: u64 = {
                let h = $crate::type_tag_of(
                    concat!(stringify!($name), "{", $(stringify!($field), ";",)* "}"),
                    ::std::mem::size_of::<$name>(),
                );
                $(let h = $crate::mix_type_tag(h, <$ty as $crate::Shareable>::TYPE_TAG);)*
                h
            };
            const INTERIOR_MUTABLE: bool =
                false $(|| <$ty as $crate::Shareable>::INTERIOR_MUTABLE)*;
        }

        // SAFETY: a struct of Frozen fields (the bound) has no UnsafeCell.
        unsafe impl<'frozen> $crate::Frozen for $name
        where
            $($crate::FrozenField<'frozen, $ty>: $crate::Frozen,)*
        {
        }
    };
}
