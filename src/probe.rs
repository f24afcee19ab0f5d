//! What an object in `/dev/shm` is, told from its first bytes: the one place that knows
//! every kind's header, for tools (the `interproc` command) and for programs that find a
//! name and must decide how to open it.

use crate::{MappedRegion, Mode, Result, SharedMemoryObject};

/// The kind of interproc object a name holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// A managed segment (`managed_shared_memory` and friends).
    ManagedSegment,
    /// A `message_queue`.
    MessageQueue,
    /// A named synchronisation object, by its Boost class name (`named_mutex`, ...).
    NamedSync(&'static str),
    /// Anything else: a plain shared memory object, or one whose header is not (yet) an
    /// interproc header.
    SharedMemory,
}

impl ObjectKind {
    /// A short name for listings: "managed segment", "message_queue", the sync class
    /// name, or "shared memory".
    pub fn name(&self) -> &'static str {
        match self {
            ObjectKind::ManagedSegment => "managed segment",
            ObjectKind::MessageQueue => "message_queue",
            ObjectKind::NamedSync(k) => k,
            ObjectKind::SharedMemory => "shared memory",
        }
    }
}

/// The longest header prefix any kind needs to be told apart.
const HEAD: usize = 16;

/// What the shared memory object `name` holds, from its header. It only reads: nothing is
/// validated beyond the magic (open the object by its kind for that), and it never waits
/// (a FIFO or device at the name is an error, not a hang).
pub fn identify(name: &str) -> Result<ObjectKind> {
    let shm = SharedMemoryObject::open(name, Mode::ReadOnly)?;
    let size = shm.size()?;
    if size < HEAD as u64 {
        return Ok(ObjectKind::SharedMemory);
    }
    let mut head = [0u8; HEAD];
    MappedRegion::new(&shm, Mode::ReadOnly, 0, HEAD)?.read_at(0, &mut head)?;
    Ok(if crate::segment::is_segment_header(&head) {
        ObjectKind::ManagedSegment
    } else if crate::mq::is_queue_header(&head) {
        ObjectKind::MessageQueue
    } else if let Some(kind) = crate::sync::named_kind_in(&head) {
        ObjectKind::NamedSync(kind)
    } else {
        ObjectKind::SharedMemory
    })
}
