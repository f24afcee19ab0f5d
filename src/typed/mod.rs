//! The typed API: Rust values in shared memory, with no `unsafe` in the common cases.
//!
//! - [`Shareable`] marks the types that may live in shared memory and be read by other
//!   processes (in any language): integers, floats, atomics, interproc's locks, arrays of
//!   them, and `#[repr(C)]` structs of such fields declared with [`shareable!`](crate::shareable).
//! - [`ManagedSegment`] gives every managed segment typed named, unique and anonymous
//!   objects: `construct::<T>`, `find::<T>`, `find_or_construct`, slices, `destroy`. Each
//!   returns a shared reference tied to the segment, and every check the C ABI makes (size,
//!   alignment) is made here too.
//! - [`SharedMutex<T>`] is a `std::sync::Mutex<T>`-shaped lock for shared memory, whose
//!   owner's death surfaces as poisoning does; [`SharedCondvar`] waits with its guard.
//! - The message queue moves [`Shareable`] values: [`crate::MessageQueue::send_value`] and
//!   [`crate::MessageQueue::receive_value`] and their `try_`/timed forms.
//!
//! ```
//! use interproc::prelude::*;
//! use interproc::{ManagedSharedMemory, Permissions, SharedMutex};
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! interproc::shareable! {
//!     /// What every process sees.
//!     pub struct Stats {
//!         pub hits: AtomicU64,
//!         pub limits: [u32; 4],
//!     }
//! }
//!
//! # let name = format!("interproc_doc_typed_{}", std::process::id());
//! let seg = ManagedSharedMemory::create(&name, 65536, Permissions::default())?;
//! let stats = seg.construct("stats", Stats { hits: AtomicU64::new(0), limits: [1, 2, 3, 4] })?;
//! stats.hits.fetch_add(1, Ordering::Relaxed);
//! let total = seg.find_or_construct("total", || SharedMutex::new(0u64))?;
//! *total.lock().unwrap() += 10;
//! // Another process opens the segment and finds the same objects by name.
//! let again = seg.find::<Stats>("stats")?.expect("constructed above");
//! assert_eq!(again.limits, [1, 2, 3, 4]);
//! assert!(seg.find::<u32>("stats").is_err(), "the size does not match");
//! # drop(seg);
//! # interproc::SharedMemoryObject::remove(&name);
//! # Ok::<(), interproc::Error>(())
//! ```

mod mutex;
mod segment;

pub use mutex::{LockError, LockResult, SharedCondvar, SharedMutex, SharedMutexGuard};
pub use segment::ManagedSegment;

use crate::sync::{
    InterprocessCondition, InterprocessMutex, InterprocessRecursiveMutex, InterprocessSemaphore,
    InterprocessUpgradableMutex,
};
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
///   construction goes through atomics or locks.
///
/// [`shareable!`](crate::shareable) declares a `#[repr(C)]` struct and implements the
/// trait after checking at compile time that every field is `Shareable`.
pub unsafe trait Shareable: Sync + Sized + 'static {
    /// A tag naming the type, stored with every object the typed API constructs and checked
    /// by every typed `find` and `destroy`, beside the size and alignment: a `u64` found
    /// under a name built as an `f64` of the same size is an error, not a reinterpretation.
    /// 0 (the default) means "no tag": objects built from C, C++ or the raw API carry 0,
    /// and a 0 on either side checks size and alignment only. The primitives, atomics,
    /// interproc's primitives, arrays and [`shareable!`](crate::shareable) structs give one.
    const TYPE_TAG: u64 = 0;
}

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

macro_rules! shareable_types {
    ($($t:ty),* $(,)?) => {
        $(
            // SAFETY: a primitive, atomic or interproc primitive of fixed layout, valid for
            // every bit pattern (the interproc primitives check a magic tag and treat any
            // state word as a state), holding no pointer, needing no Drop, and Sync.
            unsafe impl Shareable for $t {
                const TYPE_TAG: u64 = type_tag_of(stringify!($t), std::mem::size_of::<$t>());
            }
        )*
    };
}

shareable_types!(
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    AtomicU8,
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
    /// The element's tag and the length; no tag if the element has none.
    const TYPE_TAG: u64 = if T::TYPE_TAG == 0 {
        0
    } else {
        mix_type_tag(T::TYPE_TAG, N as u64)
    };
}

/// `tag` with `more` folded in, never 0. Used by [`shareable!`](crate::shareable) for each
/// field's tag.
#[doc(hidden)]
pub const fn mix_type_tag(tag: u64, more: u64) -> u64 {
    let h = (tag ^ more).wrapping_mul(0x0000_0100_0000_01b3);
    if h == 0 { 1 } else { h }
}

/// Declares a `#[repr(C)]` struct whose fields are all [`Shareable`], and implements
/// [`Shareable`] for it. A field of any other type fails to compile.
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
/// ```compile_fail
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
        };

        // SAFETY: `#[repr(C)]`, and every field is Shareable (checked just above), so every
        // bit pattern is valid, nothing points outside, no field needs Drop, and all are
        // Sync.
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
        }
    };
}
