//! The typed API: Rust values in shared memory, with no `unsafe` in the common cases.
//!
//! - [`Shareable`](crate::Shareable) marks the types that may live in shared memory and be
//!   read by other processes (in any language): integers, floats, atomics, interproc's
//!   locks, arrays of them, `#[repr(C)]` structs of such fields declared with
//!   [`shareable!`](crate::shareable), and (with the `zerocopy` or `bytemuck` feature)
//!   the field's own plain-data types. It lives in `crate::shareable`, below this module.
//! - [`ManagedSegment`] gives every managed segment typed named, unique and anonymous
//!   objects: `construct::<T>`, `find::<T>`, `find_or_construct`, slices, `destroy`. Each
//!   returns a shared reference tied to the segment, and every check the C ABI makes (size,
//!   alignment) is made here too.
//! - [`SharedMutex<T>`] is a `std::sync::Mutex<T>`-shaped lock for shared memory, whose
//!   owner's death surfaces as poisoning does; [`SharedCondvar`] waits with its guard.
//! - The message queue moves [`Shareable`](crate::Shareable) values: [`crate::MessageQueue::send_value`] and
//!   [`crate::MessageQueue::receive_value`] and their `try_`/timed forms.
//!
//! The guarantees (what is checked at compile time, at run time, and what stays the
//! programs' agreement) are set out in `docs/typed.md`.
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

#[cfg(doctest)]
mod compile_fail;
/// The guide's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/typed.md")]
struct TypedGuide;
mod finds;
mod mutex;
mod read_only;
mod segment;
mod unlock_record;

pub use mutex::{LockError, LockResult, SharedCondvar, SharedMutex, SharedMutexGuard};
pub use read_only::ReadOnlyView;
pub use segment::ManagedSegment;
