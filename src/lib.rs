//! interproc: Boost.Interprocess rebuilt in Rust.
//!
//! Shared memory objects, mapped regions and (as the project grows) managed segments,
//! synchronisation primitives and message queues that C, C++ and Rust processes use at the
//! same time. This crate is the Rust API; the C ABI lives in [`ffi`] (header
//! `include/interproc.h`) and the C++ wrapper in `include/interproc/`.
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
mod shm;
pub mod sync;
mod typed;
mod xsi;

pub mod ffi;

pub use access::{Creation, Mode, Permissions};
pub use error::{Error, ErrorKind, Result};
pub use file_mapping::FileMapping;
pub use mq::MessageQueue;
pub use probe::{ObjectKind, identify};
pub use region::{Advice, Mappable, MappedRegion};
pub use segment::{
    InstanceKind, MIN_SEGMENT_SIZE, ManagedExternalBuffer, ManagedHeapMemory, ManagedMappedFile,
    ManagedSharedMemory, ManagedXsiSharedMemory, ObjectInfo, OpenMode, SegmentManager,
};
pub use shm::SharedMemoryObject;
pub use sync::{
    Clock, Deadline, FileLock, InterprocessCondition, InterprocessMutex,
    InterprocessRecursiveMutex, InterprocessSemaphore, InterprocessSharableMutex,
    InterprocessUpgradableMutex, LockHolder, LockOutcome, NamedCondition, NamedMutex,
    NamedRecursiveMutex, NamedSemaphore, NamedSharableMutex, NamedUpgradableMutex, WaitOutcome,
};
pub use typed::{
    LockError, LockResult, ManagedSegment, Shareable, SharedCondvar, SharedMutex, SharedMutexGuard,
};
pub use xsi::{XsiKey, XsiSharedMemory};

/// What typed code needs in scope: `use interproc::prelude::*;` brings the typed methods of
/// the managed segments ([`ManagedSegment`]) and the [`Shareable`] marker.
pub mod prelude {
    pub use crate::{ManagedSegment, Shareable};
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
