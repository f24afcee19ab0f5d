//! Managed segments: a heap and a name index inside a memory segment, so that processes
//! allocate, construct and find objects in shared memory by name.
//!
//! The same [`SegmentManager`] runs over every kind of memory:
//! [`ManagedSharedMemory`] (POSIX shared memory), [`ManagedMappedFile`] (a file),
//! [`ManagedHeapMemory`] (private heap memory), [`ManagedExternalBuffer`] (memory the
//! caller provides) and [`ManagedXsiSharedMemory`] (System V shared memory). Each
//! dereferences to its segment manager.

mod classes;
mod heap;
mod index;
mod lookup;
#[cfg(all(loom, test))]
mod loom_models;
mod manager;
mod object_header;
mod open;
mod pool;
mod slots;

pub use index::InstanceKind;
pub use manager::{MIN_SEGMENT_SIZE, ObjectInfo, SegmentManager};
pub(crate) use manager::{is_segment_header, tags_agree};
pub use open::{
    ManagedExternalBuffer, ManagedHeapMemory, ManagedMappedFile, ManagedSharedMemory,
    ManagedXsiSharedMemory, OpenMode,
};
pub use pool::{NodePool, PoolReport};
