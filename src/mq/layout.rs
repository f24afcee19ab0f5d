//! The queue's shared layout: constants, the header, slots, participant entries, index
//! entries and the loan pool, and where each lies in the object (pinned by
//! `tests::shared_layout_is_pinned`).

use crate::os::robust;
use crate::os::spin::{Naps, Spin};
use crate::publish::StateWord;
use crate::{Error, ErrorKind, Result};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU32, AtomicU64};
use std::time::Duration;

pub(super) const MAGIC: [u8; 8] = *b"IPROCMQ1";
/// Bumped on any change of the shared layout below. 8: `state` holds the publish
/// protocol's `BUILDING` while the queue is built; the loan pool after the slots. 9: a
/// descriptor lies in its slot's header (`SlotHeader::descriptor`), not in the message bytes.
/// 10: a message of at most [`INLINE`] bytes lies in its slot's header (`SlotHeader::inline`).
pub(super) const LAYOUT_VERSION: u32 = 10;
/// Where the queue's magic and state word lie, for the publish protocol.
pub(super) const STATE_WORD: StateWord =
    StateWord::new(MAGIC, std::mem::offset_of!(QueueHeader, state));
pub(super) const SLOT_FREE: u32 = 0;
pub(super) const SLOT_QUEUED: u32 = 1;
/// The queue's modes (`QueueHeader::mode`).
pub(super) const MODE_RING: u32 = 0;
pub(super) const MODE_SWITCHING: u32 = 1;
pub(super) const MODE_LOCKED: u32 = 2;
pub(super) const MODE_UNLOCKING: u32 = 3;
/// Set in the head and tail words while the ring is frozen (locked mode or a switch).
pub(super) const FROZEN: u64 = 1 << 31;
/// The ring position in a head or tail word.
pub(super) const POS_MASK: u64 = FROZEN - 1;
/// The length of a slot whose sender died before its message was complete.
pub(super) const SKIP: u32 = u32::MAX;
/// Set in a slot's `len` when the message is in a loan-pool slot (sent from a loan): the
/// slot holds its [`Descriptor`] and the low bits the message's length.
pub(super) const INDIRECT: u32 = 1 << 31;
/// A loan-pool slot's `state`: free, lent to a sender, named by a queued message (or
/// being taken by a receiver, which holds `owner`), held by a receiver reading it.
pub(super) const POOL_FREE: u32 = 0;
pub(super) const POOL_LOANED: u32 = 1;
pub(super) const POOL_QUEUED: u32 = 2;
pub(super) const POOL_HELD: u32 = 3;
/// How often a loan that finds the pool full looks again for slots whose holder died
/// (nothing wakes it when one dies).
pub(super) const POOL_RECHECK: Duration = Duration::from_millis(10);
/// How long to spin before sleeping when another CPU may be about to answer (a futex
/// sleep and wake-up costs several microseconds each way): 3 µs of looks, then yields up
/// to 20 µs in all.
/// How long a waiter for the queue lock yields after the lock's own looks: as long as a
/// [`QUEUE_SPIN`], since the holder is doing one queue operation.
pub(super) const QUEUE_LOCK_YIELDS: Duration = Duration::from_micros(20);
pub(super) const QUEUE_SPIN: Spin = Spin::new(Duration::from_micros(3), Duration::from_micros(20));
/// How long a `try_` operation waits for another process to finish with a slot.
pub(super) const TRY_SLOT_WAIT: Duration = Duration::from_millis(1);
/// How long to watch a slot that another process is about to publish or free, before
/// looking at the ends of the ring (which their owners are writing): about the time one
/// message takes.
pub(super) const GLANCE: Duration = Duration::from_micros(1);
/// How long to watch a slot that another process is copying into or out of, before
/// yielding: about as long as a large copy takes.
pub(super) const COPY_WAIT: Duration = Duration::from_micros(4);
/// The bytes of message per pause before the second look at a slot being copied.
pub(super) const PACE_BYTES: u64 = 64;
/// Participant entries: a ring operation holds one from just before its claim until its
/// copy is done (see [`Entry`]).
pub(super) const ENTRIES: u32 = 64;
/// An entry's `intent`: nothing, or claiming ring position `p` to send (`INTENT_SEND | p`)
/// or to receive (`INTENT_RECV | p`).
pub(super) const INTENT_NONE: u64 = 0;
pub(super) const INTENT_SEND: u64 = 1 << 32;
pub(super) const INTENT_RECV: u64 = 2 << 32;
/// Naps while waiting out another process's copy or claim: 16 yields (it may be waiting for
/// this CPU), then sleeps growing up to a millisecond between looks at a slow peer's slot.
pub(super) const fn copy_naps() -> Naps {
    Naps::new(16, Duration::from_millis(1))
}
/// Rounds of one operation after which the queue is taken to be garbage.
pub(super) const ROUNDS_MAX: u64 = 1 << 24;
/// The largest queue accepted (total bytes) and the most messages.
pub(super) const MAX_TOTAL: u64 = 1 << 40;
pub(super) const MAX_MSG: u64 = 1 << 30;

#[repr(C)]
pub(super) struct QueueHeader {
    pub(super) magic: [u8; 8],
    pub(super) layout_version: u32,
    pub(super) state: AtomicU32,
    pub(super) creator_pid: AtomicU32,
    _pad0: u32,
    pub(super) max_msg: u64,
    pub(super) max_msg_size: u64,
    pub(super) slot_size: u64,
    /// `MODE_*`, changed only under the lock. Stored with Release after the state it
    /// announces (frozen ends, the index, the reset slots), loaded with Acquire; the lock
    /// orders it for holders, the Acquire is for the readers without it (`num_msg`).
    pub(super) mode: AtomicU32,
    /// Locked mode: where the sorted index starts in its circular array.
    pub(super) ring_head: u32,
    /// Locked mode: sends in a row that the ring could have taken.
    pub(super) in_order_run: u64,
    pub(super) lock: robust::RobustLock,
    /// Locked mode: the number of messages. Written under the lock (Release), read with
    /// Acquire by holders and by `num_msg` without it.
    pub(super) count: AtomicU64,
    pub(super) next_seq: u64,
    pub(super) free_top: u64,
    /// Ring mode, written by senders: the next position to fill, `FROZEN`, and (high 32
    /// bits) the priority of the last message appended. The tail and the head each have a
    /// 128-byte pair of cache lines to themselves (see [`SLOT_ALIGN`]): with one line each,
    /// a sender's miss on the tail also fetched the receivers' head, and the reverse.
    ///
    /// Every access of `tail` and `head` is SeqCst, for one store-load pair: a claim (the
    /// compare-and-swap on an end) followed by the claimer's load of `*_waiting`
    /// (`wake_if_waiting`), against a sleeper's increment of `*_waiting` followed by its
    /// load of the ends (`wait_for_ends`); at least one of the two must see the other's
    /// store, or a wake-up is lost. The claims are also Release and the loads Acquire: an
    /// operation names its claim in its entry (`Held::intend`, Relaxed) before the
    /// compare-and-swap, so whoever reads the end it moved (a peer in `no_room` or
    /// `nothing_yet`, the switch's freeze, which as a read-modify-write of the same word
    /// reads its release sequence) also sees the intent. The loads at the top of an
    /// operation need only that Acquire; they stay SeqCst because a SeqCst load costs
    /// nothing more on x86 and one rule for the two words is easier to keep right.
    pub(super) tail: AtomicU64,
    pub(super) _pad_tail: [u64; 15],
    /// Ring mode, written by receivers: the next position to take, and `FROZEN`.
    pub(super) head: AtomicU64,
    pub(super) _pad_head: [u64; 15],
    /// Bumped to wake sleepers; read by every operation, written rarely. The futex words
    /// and the `*_waiting` counts are SeqCst for the store-load pair described at `tail`
    /// (ring mode) and `LockedMode::sleep` (locked mode).
    pub(super) not_empty: AtomicU32,
    pub(super) not_full: AtomicU32,
    pub(super) receivers_waiting: AtomicU32,
    pub(super) senders_waiting: AtomicU32,
    pub(super) _pad_wait: [u32; 12],
}

pub(super) const HEADER_SIZE: u64 = std::mem::size_of::<QueueHeader>() as u64;

#[repr(C)]
pub(super) struct SlotHeader {
    /// Ring mode: `p` when free for ring position `p`, `p + 1` when it holds `p`'s message.
    /// Stored with Release after the message (publish) or after the copy out (free), and
    /// loaded with Acquire before reading either: the only word that hands a slot over, so
    /// `priority`, `len` and the bytes around it are Relaxed or plain.
    pub(super) pos: AtomicU32,
    pub(super) priority: AtomicU32,
    pub(super) len: AtomicU32,
    /// Locked mode: `SLOT_QUEUED` or `SLOT_FREE`, under the queue lock. Release after the
    /// bytes, so that `repair` (a later lock holder, after a death) never counts a slot
    /// queued before its message is whole; the lock's own Acquire orders it for readers.
    pub(super) state: AtomicU32,
    /// Locked mode: the send order.
    pub(super) seq: AtomicU64,
    /// A message sent from a loan: its [`Descriptor`] (`len` says `INDIRECT`). In the
    /// header's cache line, which sender and receiver fetch anyway, so a descriptor costs no
    /// line of its own. Relaxed, like `len`: published by the Release store of `pos` (ring
    /// mode) or under the queue lock.
    pub(super) descriptor: AtomicU64,
    /// A message of at most [`INLINE`] bytes; a longer one starts on the next cache line
    /// (see `MessageQueue::payload`). In the line that sender and receiver fetch anyway for
    /// `pos` and `len`, so a short message's hand-off moves one line instead of two. Plain
    /// bytes, as a longer message's are: written by the slot's owner before the Release
    /// store of `pos` (ring mode) or under the queue lock, read after the Acquire load.
    pub(super) inline: UnsafeCell<[u8; INLINE]>,
}

/// The largest message kept in its slot's header line: the bytes the header's words leave.
pub(super) const INLINE: usize = 32;
const _: () = assert!(std::mem::size_of::<SlotHeader>() == 64);

/// A participant entry. A ring operation takes a free one (its robust lock) before it
/// claims a position, writes the position it is claiming in `intent` before the
/// compare-and-swap that claims it, and clears both once its copy is done. So a claimed
/// position whose copy is unfinished belongs to a live process exactly while some locked
/// entry names it: the kernel strips a dead thread's id from the lock word. Nothing else
/// writes a slot's `pos` in ring mode, and no locked instruction touches a slot (those
/// cost a round trip between CPUs per message).
#[repr(C)]
pub(super) struct Entry {
    pub(super) lock: robust::RobustLock,
    pub(super) intent: AtomicU64,
    /// Each entry has a 128-byte pair of cache lines to itself.
    pub(super) _pad: [u64; 10],
}

pub(super) const ENTRY_SIZE: u64 = std::mem::size_of::<Entry>() as u64;

pub(super) const SLOT_HEADER: u64 = std::mem::size_of::<SlotHeader>() as u64;
/// Slots start on 128-byte boundaries: CPUs fetch cache lines in aligned pairs, and a
/// receiver reading the end of one slot must not pull in the header of the next, which a
/// sender may be writing. So a slot is a pair of lines even when every message fits its
/// header's line: two 64-byte slots would share a pair, and the receiver of one position
/// would pull in the header that the sender of the next is writing.
pub(super) const SLOT_ALIGN: u64 = 128;

/// An entry of the sorted index: the ordering key is kept beside the slot index, so
/// ordering touches only this compact array, never the slots.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(super) struct IndexEntry {
    pub(super) seq: u64,
    pub(super) priority: u32,
    pub(super) slot: u32,
}

impl IndexEntry {
    /// Whether `self` comes out before `other`: higher priority first, then older first.
    pub(super) fn before(self, other: IndexEntry) -> bool {
        self.priority > other.priority || (self.priority == other.priority && self.seq < other.seq)
    }
}

pub(super) const INDEX_ENTRY: u64 = std::mem::size_of::<IndexEntry>() as u64;

/// The header of a loan-pool slot, a cache line; the message follows on the next one. A
/// slot of the pool holds a message written in place (a loan) from when it is lent until
/// the receiver is done with it, while the queue carries only its [`Descriptor`].
#[repr(C)]
pub(super) struct PoolHeader {
    /// `POOL_*`, changed only by the holder of `owner` (so every change is ordered by it).
    /// Read without it only as a hint before trying `owner`.
    pub(super) state: AtomicU32,
    /// Bumped each time the slot is lent, and carried by its descriptor: a receiver that
    /// finds another number knows the slot was taken back from a dead holder meanwhile.
    pub(super) generation: AtomicU32,
    pub(super) _pad0: u64,
    /// Held by the thread that has the slot (a loan, a received view, or a receiver taking
    /// it): the kernel marks it when that thread dies, and the slot comes back.
    pub(super) owner: robust::RobustLock,
    pub(super) _pad: u64,
}

pub(super) const POOL_HEADER: u64 = std::mem::size_of::<PoolHeader>() as u64;

/// What a slot of the queue holds for a message sent from a loan: the pool slot and the
/// generation of its lending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Descriptor {
    pub(super) pool: u32,
    pub(super) generation: u32,
}

impl Descriptor {
    pub(super) const SIZE: usize = 8;

    /// The descriptor as the word stored in a slot's header.
    pub(super) fn to_word(self) -> u64 {
        u64::from(self.generation) << 32 | u64::from(self.pool)
    }

    /// The descriptor a slot header's word holds.
    pub(super) fn from_word(w: u64) -> Descriptor {
        Descriptor {
            pool: w as u32,
            generation: (w >> 32) as u32,
        }
    }

    pub(super) fn to_bytes(self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[..4].copy_from_slice(&self.pool.to_le_bytes());
        b[4..].copy_from_slice(&self.generation.to_le_bytes());
        b
    }

    pub(super) fn from_bytes(b: [u8; Self::SIZE]) -> Descriptor {
        Descriptor {
            pool: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            generation: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }
}

/// What a slot's `len` word says is in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stored {
    /// A message of this many bytes, in the slot.
    Direct(u32),
    /// A descriptor of a message of this many bytes in the loan pool.
    Indirect(u32),
    /// Nothing: its sender died (`SKIP`).
    Hole,
}

impl Stored {
    /// Reads a `len` word; `None` for a length beyond `max_msg_size` (garbage).
    pub(super) fn of(word: u32, max_msg_size: u64) -> Option<Stored> {
        let (stored, len) = match word {
            SKIP => return Some(Stored::Hole),
            w if w & INDIRECT != 0 => (Stored::Indirect(w & !INDIRECT), w & !INDIRECT),
            w => (Stored::Direct(w), w),
        };
        (u64::from(len) <= max_msg_size).then_some(stored)
    }
}

/// Where each part lives, from the queue's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Layout {
    pub(super) max_msg: u64,
    pub(super) entries: u64,
    pub(super) max_msg_size: u64,
    pub(super) slot_size: u64,
    pub(super) index: u64,
    pub(super) free: u64,
    pub(super) slots: u64,
    /// The loan pool: `max_msg` slots of `slot_size` bytes, each a [`PoolHeader`] and room
    /// for one message.
    pub(super) pool: u64,
    pub(super) total: u64,
    /// Ring positions count modulo this multiple of `max_msg` (at least twice it).
    pub(super) modulus: u32,
    /// `u64::MAX / max_msg + 1`: a ring position modulo `max_msg` is two multiplications
    /// with it (Lemire's fastmod) instead of a division, on every operation's critical path.
    pub(super) fastmod: u64,
}

impl Layout {
    pub(super) fn new(max_msg: u64, max_msg_size: u64) -> Result<Layout> {
        let bad = |why: String| Error::new(ErrorKind::InvalidArgument, why);
        if max_msg == 0 || max_msg_size == 0 {
            return Err(bad(format!(
                "a message queue needs max_num_msg and max_msg_size above 0 (got {max_msg} and {max_msg_size})"
            )));
        }
        if max_msg > MAX_MSG {
            return Err(bad(format!(
                "max_num_msg {max_msg} is absurd (the limit is {MAX_MSG})"
            )));
        }
        let too_big = || {
            bad(format!(
                "a queue of {max_msg} messages of {max_msg_size} bytes is too large"
            ))
        };
        // A length and INDIRECT must not make SKIP.
        if max_msg_size >= u64::from(INDIRECT - 1) {
            return Err(too_big());
        }
        let slot_size = max_msg_size
            .checked_add(SLOT_HEADER)
            .and_then(|s| s.checked_next_multiple_of(SLOT_ALIGN))
            .ok_or_else(too_big)?;
        let entries = HEADER_SIZE.next_multiple_of(SLOT_ALIGN);
        let index = entries + ENTRY_SIZE * u64::from(ENTRIES);
        let free = index + INDEX_ENTRY * max_msg;
        let slots = (free + 4 * max_msg).next_multiple_of(SLOT_ALIGN);
        // The slots, then as many loan-pool slots of the same size.
        let pool = max_msg
            .checked_mul(slot_size)
            .and_then(|s| s.checked_add(slots))
            .ok_or_else(too_big)?;
        let total = max_msg
            .checked_mul(slot_size)
            .and_then(|s| s.checked_add(pool))
            .filter(|&t| t <= MAX_TOTAL)
            .ok_or_else(too_big)?;
        let modulus = ((POS_MASK + 1) / max_msg * max_msg) as u32;
        Ok(Layout {
            max_msg,
            entries,
            max_msg_size,
            slot_size,
            index,
            free,
            slots,
            pool,
            total,
            modulus,
            fastmod: (u64::MAX / max_msg).wrapping_add(1),
        })
    }
}

/// A tail word: position `pos`, not frozen, last priority `priority`.
pub(super) fn tail_word(pos: u32, priority: u32) -> u64 {
    u64::from(priority) << 32 | u64::from(pos)
}

/// Whether `head` (an object's first bytes) begins with a queue's magic.
pub(crate) fn is_queue_header(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}
