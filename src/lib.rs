//! interproc: Boost.Interprocess rebuilt in Rust.
//!
//! Managed shared memory segments, robust locks, conditions, semaphores and message queues
//! that Rust, C and C++ processes use at the same time: a C or C++ program built against
//! interproc's C ABI (`include/interproc.h`) or its Boost-compatible C++ headers
//! (`include/interproc/`) opens the very objects a Rust program creates with this crate.
//!
//! # The typed API
//!
//! Values of [`Shareable`] types live in a managed segment by name; every process that maps
//! the segment finds them. Locks are robust: a holder that dies is reported to the next
//! locker, never left to block everyone.
//!
//! ```
//! use interproc::prelude::*;
//! use interproc::{ManagedSharedMemory, MessageQueue, Permissions, SharedMutex};
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! interproc::shareable! {
//!     /// A struct every process sees (C++: the same members, in this order).
//!     pub struct Stats {
//!         pub hits: AtomicU64,
//!         pub limits: [u32; 4],
//!     }
//! }
//!
//! # let name = format!("interproc_doc_lib_{}", std::process::id());
//! let seg = ManagedSharedMemory::open_or_create(&name, 65536, Permissions::default())?;
//! let stats = seg.find_or_construct("stats", || Stats {
//!     hits: AtomicU64::new(0),
//!     limits: [10, 20, 30, 40],
//! })?;
//! stats.hits.fetch_add(1, Ordering::Relaxed);
//!
//! let total = seg.find_or_construct("total", || SharedMutex::new(0u64))?;
//! *total.lock().expect("a holder died") += 1;
//!
//! # let qname = format!("{name}_q");
//! let queue = MessageQueue::open_or_create(&qname, 16, 8, Permissions::default())?;
//! queue.send_value(&42u64, 0)?;
//! assert_eq!(queue.receive_value::<u64>()?, (42, 0));
//! # drop(seg);
//! # interproc::SharedMemoryObject::remove(&name);
//! # MessageQueue::remove(&qname);
//! # Ok::<(), interproc::Error>(())
//! ```
//!
//! See [`ManagedSegment`] for named, unique and anonymous objects, [`SharedMutex`] and
//! [`SharedCondvar`] for locking, and [`MessageQueue`] for typed and byte messages.
//!
//! # The raw API
//!
//! Underneath, everything works on bytes, as the C ABI does: shared memory objects and
//! mapped regions, the [`SegmentManager`] with sizes and closures, and queues of byte
//! slices.
//!
//! ```
//! use interproc::{MappedRegion, Mode, Permissions, SharedMemoryObject};
//! # let name = format!("interproc_doc_{}", std::process::id());
//! let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default())?;
//! shm.truncate(4096)?;
//! let mut region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0)?;
//! region.write_at(0, b"hello")?;
//! let mut back = [0u8; 5];
//! region.read_at(0, &mut back)?;
//! assert_eq!(&back, b"hello");
//! SharedMemoryObject::remove(&name);
//! # Ok::<(), interproc::Error>(())
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod access;
mod error;
mod file_mapping;
mod mq;
mod name;
mod os;
mod probe;
mod publish;
mod region;
mod segment;
mod shareable;
mod shm;
pub mod sync;
mod typed;
mod xsi;

pub mod ffi;

pub use access::{Creation, Mode, Permissions};
pub use error::{Error, ErrorKind, Result};
pub use file_mapping::FileMapping;
pub use mq::{Loan, LoanPoolCheck, MessageQueue, Received};
pub use probe::{ObjectKind, identify};
pub use region::{Advice, Mappable, MappedRegion};
pub use segment::{
    InstanceKind, MIN_SEGMENT_SIZE, ManagedExternalBuffer, ManagedHeapMemory, ManagedMappedFile,
    ManagedSharedMemory, ManagedXsiSharedMemory, NodePool, ObjectInfo, OpenMode, PoolReport,
    SegmentManager,
};
#[cfg(feature = "bytemuck")]
pub use shareable::Bytemuck;
#[cfg(feature = "zerocopy")]
pub use shareable::Zerocopy;
pub use shareable::{Frozen, Shareable};
#[doc(hidden)]
pub use shareable::{FrozenField, mix_type_tag, type_tag_of};
pub use shm::SharedMemoryObject;
pub use sync::{
    Clock, Deadline, FileLock, InterprocessCondition, InterprocessMutex,
    InterprocessRecursiveMutex, InterprocessSemaphore, InterprocessSharableMutex,
    InterprocessUpgradableMutex, LockHolder, LockOutcome, NamedCondition, NamedMutex,
    NamedRecursiveMutex, NamedSemaphore, NamedSharableMutex, NamedUpgradableMutex, WaitOutcome,
};
pub use typed::{
    LockError, LockResult, ManagedSegment, ReadOnlyView, SharedCondvar, SharedMutex,
    SharedMutexGuard,
};
pub use xsi::{XsiKey, XsiSharedMemory};

/// What typed code needs in scope: `use interproc::prelude::*;` brings the typed methods of
/// the managed segments ([`ManagedSegment`]) and the [`Shareable`] and [`Frozen`] markers.
pub mod prelude {
    pub use crate::{Frozen, ManagedSegment, Shareable};
}

/// The library version, `MAJOR.MINOR.PATCH`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod header_tests {
    /// The committed C header must equal a fresh generation from `src/ffi/`.
    #[test]
    fn committed_header_is_fresh() {
        let fresh = include_str!(concat!(env!("OUT_DIR"), "/interproc.h"));
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/interproc.h");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == fresh,
            "include/interproc.h is stale: run `INTERPROC_WRITE_HEADER=1 cargo build` and commit it"
        );
    }
}
