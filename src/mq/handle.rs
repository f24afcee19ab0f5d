//! The queue's handle ([`MessageQueue`]) and the words its modes speak: a payload to send,
//! where a receive puts its message, how long an operation may wait, what a ring-mode
//! step came to, and how waiting for another process's copy ended. Below every part of the queue, which all import it.

use super::layout::{Descriptor, INDIRECT, Layout};
use crate::os::robust::RobustGuard;
use crate::sync::Deadline;
use crate::{Error, ErrorKind, MappedRegion};
use std::sync::atomic::AtomicU32;

/// A message queue shared by processes.
#[derive(Debug)]
pub struct MessageQueue {
    pub(super) region: MappedRegion,
    pub(super) layout: Layout,
    pub(super) name: String,
    pub(super) created: bool,
    /// Busy spins in a row that ended without the awaited change (this process only).
    pub(super) busy_misses: AtomicU32,
    /// The loan-pool slot this process tries first for its next loan: the one after its
    /// last loan (this process only). Pool slots come free in the order their messages are
    /// received, so the next free one is usually here and a loan looks at one slot.
    pub(super) lend_next: AtomicU32,
}

// SAFETY: all shared state is accessed under the queue's process-shared locks or through
// atomics; the handle itself holds no thread-bound state.
unsafe impl Send for MessageQueue {}
// SAFETY: every method takes `&self` and reaches shared state only under the queue's
// process-shared locks or through atomics, which other threads may use at the same time.
unsafe impl Sync for MessageQueue {}

/// The bytes of a message to send, as a pointer and a length: a typed value is sent without
/// its padding ever being viewed as `u8`s, since every copy of it is untyped.
#[derive(Clone, Copy)]
pub(super) struct Payload<'a> {
    ptr: *const u8,
    len: usize,
    /// What the slot's `len` word says: `len`, or a descriptor's `INDIRECT` word.
    word: u32,
    _bytes: std::marker::PhantomData<&'a [u8]>,
}

impl<'a> Payload<'a> {
    pub(super) fn of_slice(data: &'a [u8]) -> Payload<'a> {
        Payload {
            ptr: data.as_ptr(),
            len: data.len(),
            word: data.len() as u32,
            _bytes: std::marker::PhantomData,
        }
    }

    /// A descriptor of a message of `len` bytes in the loan pool.
    pub(super) fn of_descriptor(d: &'a [u8; Descriptor::SIZE], len: usize) -> Payload<'a> {
        Payload {
            word: INDIRECT | len as u32,
            ..Payload::of_slice(d)
        }
    }

    /// The bytes of `value`, padding included (copied, never read as numbers).
    pub(super) fn of_value<T>(value: &'a T) -> Payload<'a> {
        Payload {
            ptr: (value as *const T).cast(),
            len: std::mem::size_of::<T>(),
            word: std::mem::size_of::<T>() as u32,
            _bytes: std::marker::PhantomData,
        }
    }

    pub(super) fn as_ptr(self) -> *const u8 {
        self.ptr
    }

    pub(super) fn len(self) -> usize {
        self.len
    }

    /// The slot's `len` word for this payload.
    pub(super) fn word(self) -> u32 {
        self.word
    }
}

/// Where a receive puts the message: into the caller's buffer, or left in place.
pub(super) enum Sink<'b> {
    Copy(&'b mut [u8]),
    InPlace,
}

/// How long a send or receive may wait.
#[derive(Clone, Copy, Debug)]
pub(super) enum Wait {
    Never,
    Forever,
    Until(Deadline),
}

impl Wait {
    /// Whether it allows no more waiting.
    pub(super) fn ran_out(self) -> bool {
        match self {
            Wait::Never => true,
            Wait::Until(d) => d.has_passed(),
            Wait::Forever => false,
        }
    }
}

/// What a ring-mode attempt came to.
pub(super) enum Ring<T> {
    /// Finished, with this result.
    Done(T),
    /// The queue is in locked mode, or switching.
    Locked,
    /// The message must go before queued ones: switch to locked mode.
    Switch,
}

/// What a sender or receiver that cannot go on yet should do.
pub(super) enum Next<T> {
    /// Look again.
    Again,
    /// Stop with this result.
    Stop(Ring<T>),
}

/// How waiting for another process's copy ended.
pub(super) enum Settled<'a> {
    /// The slot moved on.
    Moved,
    /// Its claimer died: mend the slot, holding the queue lock (the guard, unless the
    /// caller already held it).
    Orphaned(Option<RobustGuard<'a>>),
    /// The wait ran out.
    GaveUp,
}

/// Ring mode's operations on a queue (its own type, so that a reader knows which mode a
/// step belongs to): positions on the ring, claimed with one compare-and-swap on an end,
/// and the participant entries (`entries.rs`) that name the claims.
#[derive(Clone, Copy)]
pub(super) struct RingMode<'q> {
    pub(super) q: &'q MessageQueue,
}

/// A `Corrupted` error saying `msg`.
pub(super) fn corrupted(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Corrupted, msg)
}
