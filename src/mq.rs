//! Message queues in shared memory: Boost's `message_queue`.
//!
//! A queue is a shared memory object `/dev/shm/<name>` holding a header, a table of
//! participant entries, a sorted index and a stack of free slots (used in locked mode,
//! below), and `max_num_msg` slots. Each slot has a small header (a ring position, the
//! message's priority and length) followed by room for one message.
//!
//! # Two modes
//!
//! **Ring mode** (the usual one). While every message is sent with a priority no higher than
//! the last one still queued (one priority for all, the common case, always qualifies), the
//! slots form a bounded ring used without any queue-wide lock. Senders claim the position
//! at the tail, receivers the position at the head, each with one compare-and-swap on a
//! word only their own side writes, and copy their message in or out at the same time as
//! the other side. A slot's `pos` word says whether it is free for a lap or holds that
//! lap's message. The tail word also records the lowest priority queued, so a sender knows
//! with the same compare-and-swap that appending keeps the order.
//!
//! **Locked mode.** A sender whose priority is higher than the last queued message (with
//! messages waiting) switches the queue, under the queue lock, to Boost's design: the
//! same slots, a sorted index of them, a free stack, and every operation under the queue
//! lock. The switch freezes both ends of the ring, waits for operations in flight on each
//! slot, and moves the ring's messages into the index in order. When the queue is empty
//! again after at least `max_num_msg` sends in a row that could have gone into the ring, it
//! switches back. Order is the same in both modes: highest priority first, FIFO within one.
//! A queue of one slot stays in locked mode: its ring could not tell a published message
//! from a slot freed for the next lap.
//!
//! # Processes that die
//!
//! A ring operation takes a participant entry (a robust lock of its own, so no other process
//! touches that cache line) and writes in it the position it is about to claim before the
//! compare-and-swap that claims it; it clears the entry once its copy is published. The
//! kernel takes a dead thread's id out of the entry's lock word, so a position whose copy
//! is unfinished and that no live entry names was claimed by a process that died. The
//! slots themselves see no locked instruction: each one would cost a round trip between
//! CPUs per message. The queue lock guards the mode switches, locked mode and the mending
//! below:
//! - a sender that died after claiming a position but before its message was complete
//!   leaves a hole that the next receiver skips (its own unsent message is lost);
//! - a receiver that died after claiming a message but before freeing its slot loses that
//!   one message; the next sender to need the slot frees it;
//! - a process that died in locked mode or half-way through a switch: the next process to
//!   take the queue lock finishes the switch, or rebuilds the index from the slots' states.
//!
//! So at most the one message in flight in the dead process is lost, and nothing wedges.
//! Blocked senders and receivers sleep on shared futexes after a short adaptive spin and
//! are only woken (a system call) when someone is actually waiting.

use crate::name::os_name;
use crate::os::{futex, robust};
use crate::publish::{self, StateWord, Turn};
use crate::sync::Deadline;
use crate::{Error, ErrorKind, MappedRegion, Mode, Permissions, Result, SharedMemoryObject};
use std::cell::UnsafeCell;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const MAGIC: [u8; 8] = *b"IPROCMQ1";
/// Bumped on any change of the shared layout below.
const LAYOUT_VERSION: u32 = 7;
const READY: u32 = 0x5245_4459;
const SLOT_FREE: u32 = 0;
const SLOT_QUEUED: u32 = 1;
/// The queue's modes (`QueueHeader::mode`).
const MODE_RING: u32 = 0;
const MODE_SWITCHING: u32 = 1;
const MODE_LOCKED: u32 = 2;
const MODE_UNLOCKING: u32 = 3;
/// Set in the head and tail words while the ring is frozen (locked mode or a switch).
const FROZEN: u64 = 1 << 31;
/// The ring position in a head or tail word.
const POS_MASK: u64 = FROZEN - 1;
/// The length of a slot whose sender died before its message was complete.
const SKIP: u32 = u32::MAX;
/// How long to spin before sleeping when another CPU may be about to answer: a futex
/// sleep and wake-up costs several microseconds each way.
const SPIN_BUDGET: Duration = Duration::from_micros(20);
/// The part of it spent busy before yielding the CPU.
const BUSY_SPIN: Duration = Duration::from_micros(3);
/// How long a `try_` operation waits for another process to finish with a slot.
const TRY_SLOT_WAIT: Duration = Duration::from_millis(1);
/// How long to watch a slot that another process is about to publish or free, before
/// looking at the ends of the ring (which their owners are writing): about the time one
/// message takes.
const GLANCE: Duration = Duration::from_micros(1);
/// How long to watch a slot that another process is copying into or out of, before
/// yielding: about as long as a large copy takes.
const COPY_WAIT: Duration = Duration::from_micros(4);
/// The bytes of message per pause before the second look at a slot being copied.
const PACE_BYTES: u64 = 64;
/// Participant entries: a ring operation holds one from just before its claim until its
/// copy is done (see [`Entry`]).
const ENTRIES: u32 = 64;
/// An entry's `intent`: nothing, or claiming ring position `p` to send (`INTENT_SEND | p`)
/// or to receive (`INTENT_RECV | p`).
const INTENT_NONE: u64 = 0;
const INTENT_SEND: u64 = 1 << 32;
const INTENT_RECV: u64 = 2 << 32;
/// Yields to the other processes before sleeping, while waiting out another's copy.
const COPY_WAIT_YIELDS: u32 = 16;
/// The longest sleep between looks at a slot that another process is slow to finish.
const COPY_WAIT_NAP: Duration = Duration::from_millis(1);
/// Rounds of one operation after which the queue is taken to be garbage.
const ROUNDS_MAX: u64 = 1 << 24;
/// The largest queue accepted (total bytes) and the most messages.
const MAX_TOTAL: u64 = 1 << 40;
const MAX_MSG: u64 = 1 << 30;

#[repr(C)]
struct QueueHeader {
    magic: [u8; 8],
    layout_version: u32,
    state: AtomicU32,
    creator_pid: AtomicU32,
    _pad0: u32,
    max_msg: u64,
    max_msg_size: u64,
    slot_size: u64,
    /// `MODE_*`, changed only under the lock.
    mode: AtomicU32,
    /// Locked mode: where the sorted index starts in its circular array.
    ring_head: u32,
    /// Locked mode: sends in a row that the ring could have taken.
    in_order_run: u64,
    lock: UnsafeCell<robust::RawLock>,
    /// Locked mode: the number of messages.
    count: AtomicU64,
    next_seq: u64,
    free_top: u64,
    /// Ring mode, written by senders: the next position to fill, `FROZEN`, and (high 32
    /// bits) the priority of the last message appended. The tail and the head each have a
    /// 128-byte pair of cache lines to themselves (see [`SLOT_ALIGN`]): with one line each,
    /// a sender's miss on the tail also fetched the receivers' head, and the reverse.
    tail: AtomicU64,
    _pad_tail: [u64; 15],
    /// Ring mode, written by receivers: the next position to take, and `FROZEN`.
    head: AtomicU64,
    _pad_head: [u64; 15],
    /// Bumped to wake sleepers; read by every operation, written rarely.
    not_empty: AtomicU32,
    not_full: AtomicU32,
    receivers_waiting: AtomicU32,
    senders_waiting: AtomicU32,
    _pad_wait: [u32; 12],
}

const HEADER_SIZE: u64 = std::mem::size_of::<QueueHeader>() as u64;

#[repr(C)]
struct SlotHeader {
    /// Ring mode: `p` when free for ring position `p`, `p + 1` when it holds `p`'s message.
    pos: AtomicU32,
    priority: AtomicU32,
    len: AtomicU32,
    /// Locked mode: `SLOT_QUEUED` or `SLOT_FREE`.
    state: AtomicU32,
    /// Locked mode: the send order.
    seq: AtomicU64,
    /// The message starts on the next cache line.
    _pad: [u64; 5],
}

/// A participant entry. A ring operation takes a free one (its robust lock) before it
/// claims a position, writes the position it is claiming in `intent` before the
/// compare-and-swap that claims it, and clears both once its copy is done. So a claimed
/// position whose copy is unfinished belongs to a live process exactly while some locked
/// entry names it: the kernel strips a dead thread's id from the lock word. Nothing else
/// writes a slot's `pos` in ring mode, and no locked instruction touches a slot (those
/// cost a round trip between CPUs per message).
#[repr(C)]
struct Entry {
    lock: UnsafeCell<robust::RawLock>,
    intent: AtomicU64,
    /// Each entry has a 128-byte pair of cache lines to itself.
    _pad: [u64; 10],
}

const ENTRY_SIZE: u64 = std::mem::size_of::<Entry>() as u64;

const SLOT_HEADER: u64 = std::mem::size_of::<SlotHeader>() as u64;
/// Slots start on 128-byte boundaries: CPUs fetch cache lines in aligned pairs, and a
/// receiver reading the end of one slot must not pull in the header of the next, which a
/// sender may be writing.
const SLOT_ALIGN: u64 = 128;

/// An entry of the sorted index: the ordering key is kept beside the slot index, so
/// ordering touches only this compact array, never the slots.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
struct IndexEntry {
    seq: u64,
    priority: u32,
    slot: u32,
}

impl IndexEntry {
    /// Whether `self` comes out before `other`: higher priority first, then older first.
    fn before(self, other: IndexEntry) -> bool {
        self.priority > other.priority || (self.priority == other.priority && self.seq < other.seq)
    }
}

const INDEX_ENTRY: u64 = std::mem::size_of::<IndexEntry>() as u64;

/// Where each part lives, from the queue's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    max_msg: u64,
    entries: u64,
    max_msg_size: u64,
    slot_size: u64,
    index: u64,
    free: u64,
    slots: u64,
    total: u64,
    /// Ring positions count modulo this multiple of `max_msg` (at least twice it).
    modulus: u32,
    /// `u64::MAX / max_msg + 1`: a ring position modulo `max_msg` is two multiplications
    /// with it (Lemire's fastmod) instead of a division, on every operation's critical path.
    fastmod: u64,
}

impl Layout {
    fn new(max_msg: u64, max_msg_size: u64) -> Result<Layout> {
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
        if max_msg_size >= u64::from(SKIP) {
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
        let total = max_msg
            .checked_mul(slot_size)
            .and_then(|s| s.checked_add(slots))
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
            total,
            modulus,
            fastmod: (u64::MAX / max_msg).wrapping_add(1),
        })
    }
}

/// A message queue shared by processes.
#[derive(Debug)]
pub struct MessageQueue {
    region: MappedRegion,
    layout: Layout,
    name: String,
    created: bool,
    /// Busy spins in a row that ended without the awaited change (this process only).
    busy_misses: AtomicU32,
}

// SAFETY: all shared state is accessed under the queue's process-shared locks or through
// atomics; the handle itself holds no thread-bound state.
unsafe impl Send for MessageQueue {}
// SAFETY: as above.
unsafe impl Sync for MessageQueue {}

/// How long a send or receive may wait.
#[derive(Clone, Copy, Debug)]
enum Wait {
    Never,
    Forever,
    Until(Deadline),
}

/// What a ring-mode attempt came to.
enum Ring<T> {
    /// Finished, with this result.
    Done(T),
    /// The queue is in locked mode, or switching.
    Locked,
    /// The message must go before queued ones: switch to locked mode.
    Switch,
}

/// What a sender or receiver that cannot go on yet should do.
enum Next<T> {
    /// Look again.
    Again,
    /// Stop with this result.
    Stop(Ring<T>),
}

/// How waiting for another process's copy ended.
enum Settled<'a> {
    /// The slot moved on.
    Moved,
    /// Its claimer died: mend the slot, holding the queue lock (the guard, unless the
    /// caller already held it).
    Orphaned(Option<Guard<'a>>),
    /// The wait ran out.
    GaveUp,
}

/// A participant entry this thread holds for one ring operation; dropping it clears the
/// intent and frees the entry.
struct Held<'a> {
    e: &'a Entry,
}

impl Held<'_> {
    /// Names the position this operation is about to claim.
    fn intend(&self, intent: u64) {
        self.e.intent.store(intent, Ordering::Relaxed);
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // The copy is published before the intent goes (see `MessageQueue::orphaned`).
        self.e.intent.store(INTENT_NONE, Ordering::Release);
        // SAFETY: this thread took the entry in `take_entry`; while it held it, it took and
        // released no other robust lock (ring operations drop their entry before they wait
        // or lock the queue).
        unsafe { robust::release_hold(self.e.lock.get()) };
    }
}

struct Guard<'a> {
    q: &'a MessageQueue,
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        // SAFETY: the guard exists only while this thread holds the lock.
        let _ = unsafe { robust::unlock(self.q.header().lock.get()) };
    }
}

/// How to pace the looks at a slot being copied (see
/// [`crate::sync::spin_adaptive_paced`]), from the largest message: a pause (tens of
/// nanoseconds) for every two cache lines a copy may move before the second look, doubling
/// up to twice that. A reader that looked more often at a slot a sender was filling with
/// 4 KiB slowed the sender's copy by a third.
fn watch_pace(max_msg_size: u64) -> (u32, u32) {
    let first = (max_msg_size / PACE_BYTES).clamp(1, 64) as u32;
    (first, (2 * first).max(64))
}

fn corrupted(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Corrupted, msg)
}

/// A tail word: position `pos`, not frozen, last priority `priority`.
fn tail_word(pos: u32, priority: u32) -> u64 {
    u64::from(priority) << 32 | u64::from(pos)
}

/// Whether `head` (an object's first bytes) begins with a queue's magic.
pub(crate) fn is_queue_header(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}

impl MessageQueue {
    /// `create_only`: a new queue of at most `max_num_msg` messages of at most
    /// `max_msg_size` bytes.
    pub fn create(
        name: &str,
        max_num_msg: usize,
        max_msg_size: usize,
        perm: Permissions,
    ) -> Result<Self> {
        Self::open_impl(true, false, name, max_num_msg, max_msg_size, perm)
    }

    /// `open_or_create`: opens the queue `name`, creating it with these limits if missing.
    pub fn open_or_create(
        name: &str,
        max_num_msg: usize,
        max_msg_size: usize,
        perm: Permissions,
    ) -> Result<Self> {
        Self::open_impl(true, true, name, max_num_msg, max_msg_size, perm)
    }

    /// `open_only`: opens the existing queue `name`.
    pub fn open(name: &str) -> Result<Self> {
        Self::open_impl(false, true, name, 1, 1, Permissions::DEFAULT)
    }

    /// Removes the queue `name` from the system; false if there was none.
    pub fn remove(name: &str) -> bool {
        os_name(name).is_ok() && SharedMemoryObject::remove(name)
    }

    fn open_impl(
        create: bool,
        open: bool,
        name: &str,
        max_msg: usize,
        max_size: usize,
        perm: Permissions,
    ) -> Result<Self> {
        let what = format!("message queue {name:?}");
        let layout = if create {
            Some(Layout::new(max_msg as u64, max_size as u64)?)
        } else {
            None
        };
        let shm = match (create, open) {
            (true, false) => SharedMemoryObject::create(name, Mode::ReadWrite, perm)?,
            (true, true) => SharedMemoryObject::open_or_create(name, Mode::ReadWrite, perm)?,
            _ => SharedMemoryObject::open(name, Mode::ReadWrite)?,
        };
        let may_build = shm.created() || (create && open);
        let state = StateWord {
            offset: std::mem::offset_of!(QueueHeader, state) as u64,
            ready: READY,
        };
        if let Turn::Build(_building) = publish::take_turn(shm.as_fd(), state, may_build, &what)? {
            let layout = layout.expect("building needs a layout");
            // Emptied first: a builder that died may have left part of its work.
            let made = shm
                .truncate(0)
                .and_then(|_| shm.truncate(layout.total))
                .and_then(|_| MappedRegion::new(&shm, Mode::ReadWrite, 0, 0))
                .and_then(|region| Self::format(region, layout, name));
            if made.is_err() {
                SharedMemoryObject::remove(name);
            }
            return made;
        }
        if shm.size()? < HEADER_SIZE {
            return Err(corrupted(format!("{what} is too small for its header")));
        }
        let region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0)?;
        // SAFETY: at least HEADER_SIZE bytes are mapped.
        let h = unsafe { &*region.as_ptr().cast::<QueueHeader>() };
        // Acquire: pairs with the builder's Release store of READY in `format`.
        if h.state.load(Ordering::Acquire) != READY {
            return Err(corrupted(format!(
                "{what} is not an interproc message queue (state {:#x})",
                h.state.load(Ordering::Relaxed)
            )));
        }
        if h.magic != MAGIC {
            return Err(corrupted(format!(
                "{what} is not an interproc message queue (bad magic)"
            )));
        }
        if h.layout_version != LAYOUT_VERSION {
            return Err(corrupted(format!(
                "{what} has layout version {}, this library reads {LAYOUT_VERSION}",
                h.layout_version
            )));
        }
        let layout = Layout::new(h.max_msg, h.max_msg_size)
            .map_err(|e| corrupted(format!("{what}: {}", e.message())))?;
        if layout.slot_size != h.slot_size || layout.total > region.len() as u64 {
            return Err(corrupted(format!(
                "{what}: its limits do not match its size (truncated?)"
            )));
        }
        if h.mode.load(Ordering::Acquire) > MODE_UNLOCKING {
            return Err(corrupted(format!("{what}: unknown mode")));
        }
        Ok(MessageQueue {
            region,
            layout,
            name: name.to_owned(),
            created: false,
            busy_misses: AtomicU32::new(0),
        })
    }

    fn format(region: MappedRegion, layout: Layout, name: &str) -> Result<Self> {
        let q = MessageQueue {
            region,
            layout,
            name: name.to_owned(),
            created: true,
            busy_misses: AtomicU32::new(0),
        };
        let base = q.region.as_ptr();
        // SAFETY: a fresh, zeroed mapping of `layout.total` bytes that this process builds
        // alone, under the build lock; openers wait for READY.
        unsafe {
            let h = base.cast::<QueueHeader>();
            (*h).creator_pid
                .store(std::process::id(), Ordering::Relaxed);
            (*h).layout_version = LAYOUT_VERSION;
            (*h).max_msg = layout.max_msg;
            (*h).max_msg_size = layout.max_msg_size;
            (*h).slot_size = layout.slot_size;
            robust::init((*h).lock.get(), false)
                .map_err(|e| e.into_error("initialising the queue lock"))?;
        }
        for i in 0..ENTRIES {
            // SAFETY: the entry lies in the fresh mapping and no one else uses it yet.
            unsafe { robust::init(q.entry(i).lock.get(), false) }
                .map_err(|e| e.into_error("initialising a participant entry"))?;
        }
        for i in 0..layout.max_msg as u32 {
            q.slot(i)?.pos.store(i, Ordering::Relaxed);
        }
        if !q.ring_fits() {
            // Locked mode from the start: an empty index and every slot on the free stack.
            let h = q.header();
            q.rebuild_free()?;
            h.tail.store(FROZEN, Ordering::Relaxed);
            h.head.store(FROZEN, Ordering::Relaxed);
            h.mode.store(MODE_LOCKED, Ordering::Relaxed);
        }
        // SAFETY: as above.
        unsafe {
            let h = base.cast::<QueueHeader>();
            (*h).magic = MAGIC;
            // Release: publishes the header, the entries and the slots; pairs with the
            // Acquire load of `state` in `open_impl`.
            (*h).state.store(READY, Ordering::Release);
        }
        Ok(q)
    }

    fn header(&self) -> &QueueHeader {
        // SAFETY: the mapping holds a validated header for the queue's lifetime; fields other
        // processes change are atomics or touched only under the lock.
        unsafe { &*self.region.as_ptr().cast::<QueueHeader>() }
    }

    fn hdr_mut(&self) -> *mut QueueHeader {
        self.region.as_ptr().cast()
    }

    fn index_ptr(&self) -> *mut IndexEntry {
        self.region
            .as_ptr()
            .wrapping_add(self.layout.index as usize)
            .cast()
    }

    fn free_ptr(&self) -> *mut u32 {
        self.region
            .as_ptr()
            .wrapping_add(self.layout.free as usize)
            .cast()
    }

    fn slot(&self, idx: u32) -> Result<&SlotHeader> {
        if u64::from(idx) >= self.layout.max_msg {
            return Err(corrupted(format!(
                "message queue {:?}: slot index {idx} out of range",
                self.name
            )));
        }
        let off = self.layout.slots + u64::from(idx) * self.layout.slot_size;
        // SAFETY: the slot lies inside the mapping (its size was checked against the layout
        // when the queue was opened) and is 64-byte aligned; its header is made of atomics
        // and a lock, all valid for any bit pattern a process may share.
        Ok(unsafe { &*self.region.as_ptr().add(off as usize).cast::<SlotHeader>() })
    }

    /// Entry `i` modulo the table's size.
    fn entry(&self, i: u32) -> &Entry {
        let off = self.layout.entries + u64::from(i % ENTRIES) * ENTRY_SIZE;
        // SAFETY: the entries lie inside the mapping (checked against the layout when the
        // queue was opened), 128-byte aligned; an entry is a lock and an atomic, valid for
        // any bit pattern.
        unsafe { &*self.region.as_ptr().add(off as usize).cast::<Entry>() }
    }

    /// Where a slot's message bytes are.
    fn payload(&self, s: &SlotHeader) -> *mut u8 {
        std::ptr::from_ref(s)
            .cast::<u8>()
            .cast_mut()
            .wrapping_add(SLOT_HEADER as usize)
    }

    /// The queue's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this call created the queue.
    pub fn created(&self) -> bool {
        self.created
    }

    /// The most messages the queue holds.
    pub fn max_msg(&self) -> usize {
        self.layout.max_msg as usize
    }

    /// The largest message in bytes.
    pub fn max_msg_size(&self) -> usize {
        self.layout.max_msg_size as usize
    }

    /// The number of messages in the queue now (in ring mode, messages being sent or
    /// received at this moment may be counted).
    pub fn num_msg(&self) -> usize {
        let h = self.header();
        if h.mode.load(Ordering::Acquire) == MODE_LOCKED {
            return (h.count.load(Ordering::Acquire).min(self.layout.max_msg)) as usize;
        }
        let head = h.head.load(Ordering::Acquire) & POS_MASK;
        let tail = h.tail.load(Ordering::Acquire) & POS_MASK;
        let m = u64::from(self.layout.modulus);
        if head >= m || tail >= m {
            return 0;
        }
        ((tail + m - head) % m).min(self.layout.max_msg) as usize
    }

    /// Whether the queue is in ring mode (for tests).
    #[cfg(test)]
    fn in_ring_mode(&self) -> bool {
        self.header().mode.load(Ordering::Acquire) == MODE_RING
    }

    /// Whether the queue may run in ring mode at all. A slot's `pos` word tells "published
    /// at position p" (p + 1) from "free for position p + max_msg" only when those differ,
    /// so a queue of one slot lives in locked mode for good (Boost's design, which is all
    /// such a queue needs).
    fn ring_fits(&self) -> bool {
        self.layout.max_msg >= 2
    }

    // ----- ring positions -----

    /// `p + by` on the ring (`by` at most `max_msg`).
    fn advance(&self, p: u32, by: u32) -> u32 {
        let m = u64::from(self.layout.modulus);
        let s = u64::from(p) + u64::from(by);
        (if s >= m { s - m } else { s }) as u32
    }

    /// `p - by` on the ring (`by` at most `max_msg`).
    fn back(&self, p: u32, by: u32) -> u32 {
        if p >= by {
            p - by
        } else {
            p + self.layout.modulus - by
        }
    }

    /// How far `to` is ahead of `from` on the ring.
    fn distance(&self, from: u32, to: u32) -> u32 {
        if to >= from {
            to - from
        } else {
            to + self.layout.modulus - from
        }
    }

    /// The position in a head or tail word.
    fn ring_pos(&self, word: u64) -> Result<u32> {
        let p = word & POS_MASK;
        if p >= u64::from(self.layout.modulus) {
            return Err(corrupted(format!(
                "message queue {:?}: ring position {p} out of range",
                self.name
            )));
        }
        Ok(p as u32)
    }

    fn slot_at(&self, pos: u32) -> Result<&SlotHeader> {
        let low = self.layout.fastmod.wrapping_mul(u64::from(pos));
        let idx = ((u128::from(low) * u128::from(self.layout.max_msg)) >> 64) as u32;
        debug_assert_eq!(u64::from(idx), u64::from(pos) % self.layout.max_msg);
        self.slot(idx)
    }

    // ----- participant entries -----

    /// Takes a free participant entry for one ring operation, trying first the one its
    /// thread id points at (ids are spread over the table): inline, as that one is almost
    /// always free. The rest is [`Self::take_any_entry`].
    #[inline(always)]
    fn take_entry(&self, wait: Wait) -> Result<Option<Held<'_>>> {
        if let Ok(tid) = robust::current_tid() {
            let e = self.entry(tid);
            // SAFETY: entry locks are initialised before the queue is ready.
            if let Ok(true) = unsafe { robust::try_hold(e.lock.get()) } {
                return Ok(Some(Held { e }));
            }
        }
        self.take_any_entry(wait)
    }

    /// Takes any free entry, starting from this thread's own. When all are taken, entries
    /// left by dead threads are freed; if none comes free, waits as `wait` allows (`None`
    /// if it ran out).
    #[cold]
    #[inline(never)]
    fn take_any_entry(&self, wait: Wait) -> Result<Option<Held<'_>>> {
        let first = robust::current_tid().map_err(|e| e.into_error("finding the thread id"))?;
        let mut naps = 0;
        let mut until = None;
        loop {
            for k in 0..ENTRIES {
                let e = self.entry(first.wrapping_add(k));
                // SAFETY: entry locks are initialised before the queue is ready.
                if unsafe { robust::try_hold(e.lock.get()) }
                    .map_err(|e| e.into_error("taking a queue participant entry"))?
                {
                    return Ok(Some(Held { e }));
                }
            }
            self.free_dead_entries(wait)?;
            if self.entries_are_garbage() {
                return Err(corrupted(format!(
                    "message queue {:?}: every participant entry is held by a thread that does not exist",
                    self.name
                )));
            }
            if !self.nap(&mut naps, &mut until, wait) {
                return Ok(None);
            }
        }
    }

    /// Frees the entries of threads that died holding them (under the queue lock, so that
    /// no claim they named is being mended at the same time).
    #[cold]
    fn free_dead_entries(&self, wait: Wait) -> Result<()> {
        // SAFETY: entry locks are initialised before the queue is ready.
        let dead = |i| unsafe { robust::owner_died(self.entry(i).lock.get()) };
        if !(0..ENTRIES).any(dead) {
            return Ok(());
        }
        let Some(_guard) = self.lock(wait)? else {
            return Ok(());
        };
        for i in (0..ENTRIES).filter(|&i| dead(i)) {
            let e = self.entry(i);
            // SAFETY: as above.
            if let Ok(Some(_)) = unsafe { robust::try_lock(e.lock.get()) } {
                e.intent.store(INTENT_NONE, Ordering::Release);
                // SAFETY: this thread has just taken it.
                let _ = unsafe { robust::unlock(e.lock.get()) };
            }
        }
        Ok(())
    }

    /// Whether every entry is held by a thread id no kernel hands out: garbage (the kernel
    /// frees the entries of threads that die, and a live holder in another PID namespace
    /// is still a holder).
    #[cold]
    fn entries_are_garbage(&self) -> bool {
        (0..ENTRIES).all(|i| {
            // SAFETY: entry locks are initialised before the queue is ready.
            let h = unsafe { robust::holder(self.entry(i).lock.get()) };
            matches!(h, robust::Holder::Garbage(_))
        })
    }

    /// Whether no live participant is claiming `intent`: its claimer died (or the slot is
    /// garbage). A live claimer names its position from before its claim until after its
    /// copy is published.
    fn orphaned(&self, intent: u64) -> bool {
        !(0..ENTRIES).any(|i| {
            let e = self.entry(i);
            // SAFETY: entry locks are initialised before the queue is ready.
            e.intent.load(Ordering::Acquire) == intent
                && unsafe { robust::owner_tid(e.lock.get()) }.is_some()
        })
    }

    /// One pause of a wait for another process: yields the CPU a few times (the other may
    /// be waiting for it), then sleeps a little longer each time. False once `wait` has run
    /// out (a `try_` operation waits [`TRY_SLOT_WAIT`] at most).
    #[cold]
    fn nap(&self, naps: &mut u32, until: &mut Option<Instant>, wait: Wait) -> bool {
        let passed = match wait {
            Wait::Never => {
                let now = Instant::now();
                now >= *until.get_or_insert(now + TRY_SLOT_WAIT)
            }
            Wait::Until(d) => d.has_passed(),
            Wait::Forever => false,
        };
        if passed {
            return false;
        }
        *naps += 1;
        if *naps <= COPY_WAIT_YIELDS {
            std::thread::yield_now();
        } else {
            let shift = (*naps - COPY_WAIT_YIELDS).min(10);
            std::thread::sleep(Duration::from_micros(1 << shift).min(COPY_WAIT_NAP));
        }
        true
    }

    /// A short [`Self::watch`] of a slot that is not ready yet, before looking at the ends
    /// of the ring (their owners are writing them): it is usually published or freed
    /// within the time of a message. `try_` operations do not wait.
    fn glance(&self, s: &SlotHeader, c: u32, wait: Wait) -> bool {
        !matches!(wait, Wait::Never) && self.watch(s, c, GLANCE)
    }

    /// Watches slot `s` for up to about `budget` while its `pos` is `c`, looking less and
    /// less often (each look takes the cache line from the process writing it); whether
    /// it moved on. Busy-waits only while that has been paying off (see [`Self::spin`]):
    /// a peer on this CPU cannot move it until this thread stops.
    fn watch(&self, s: &SlotHeader, c: u32, budget: Duration) -> bool {
        let pace = watch_pace(self.layout.max_msg_size);
        crate::sync::spin_adaptive_paced(&self.busy_misses, budget, budget, pace, || {
            s.pos.load(Ordering::Acquire) != c
        })
    }

    // ----- waiting -----

    /// Spins briefly while `ready` is false, when another CPU could make it true soon
    /// (see [`crate::sync::spin_adaptive`]; the busy part adapts per queue handle).
    fn spin(&self, ready: impl Fn() -> bool) {
        crate::sync::spin_adaptive(&self.busy_misses, BUSY_SPIN, SPIN_BUDGET, ready);
    }

    /// Waits until `changed` (ring mode): spins, then sleeps on `word` registered in
    /// `waiting`. False if the deadline passed with nothing changed.
    fn wait_change(
        &self,
        word: &AtomicU32,
        waiting: &AtomicU32,
        changed: impl Fn() -> bool,
        wait: Wait,
    ) -> Result<bool> {
        self.spin(&changed);
        if changed() {
            return Ok(true);
        }
        let seen = word.load(Ordering::SeqCst);
        waiting.fetch_add(1, Ordering::SeqCst);
        // Whoever makes the change looks at `waiting` after it (both sequentially
        // consistent), so either it sees this sleeper or this check sees the change.
        let r = if changed() {
            Ok(futex::Woken::Maybe)
        } else {
            let deadline = match wait {
                Wait::Until(d) => Some(d.os()),
                _ => None,
            };
            futex::wait(word, seen, deadline)
        };
        waiting.fetch_sub(1, Ordering::SeqCst);
        match r.map_err(|e| e.into_error("waiting on the queue"))? {
            futex::Woken::Maybe => Ok(true),
            futex::Woken::TimedOut => Ok(changed()),
        }
    }

    /// Wakes every sleeper on `word` if `waiting` says there is one. The caller's change
    /// was its sequentially consistent compare-and-swap on the tail or head word, which a
    /// sleeper reads after registering in `waiting` (see `wait_change`): one of the two
    /// sees the other, with no fence needed.
    fn wake_if_waiting(word: &AtomicU32, waiting: &AtomicU32) {
        if waiting.load(Ordering::SeqCst) > 0 {
            word.fetch_add(1, Ordering::SeqCst);
            let _ = futex::wake(word, i32::MAX);
        }
    }

    /// Wakes everyone: the mode changed.
    fn wake_all(&self) {
        let h = self.header();
        for word in [&h.not_empty, &h.not_full] {
            word.fetch_add(1, Ordering::SeqCst);
            let _ = futex::wake(word, i32::MAX);
        }
    }

    // ----- ring mode -----

    /// Sends in ring mode.
    fn ring_send(&self, data: &[u8], priority: u32, wait: Wait) -> Result<Ring<bool>> {
        if !self.ring_fits() {
            return Ok(Ring::Locked);
        }
        let h = self.header();
        let mut held = None;
        for _ in 0..ROUNDS_MAX {
            let t = h.tail.load(Ordering::SeqCst);
            if t & FROZEN != 0 {
                return Ok(Ring::Locked);
            }
            let pos = self.ring_pos(t)?;
            if priority > (t >> 32) as u32 {
                // Appending would put it behind a lower priority, unless the ring is empty.
                let hd = h.head.load(Ordering::SeqCst);
                if hd & FROZEN != 0 {
                    return Ok(Ring::Locked);
                }
                if hd & POS_MASK != u64::from(pos) {
                    return Ok(Ring::Switch);
                }
            }
            let s = self.slot_at(pos)?;
            let c = s.pos.load(Ordering::Acquire);
            if c != pos {
                let room = || self.no_room(t, pos, s, wait);
                if let Some(r) = self.not_ready(s, c, &mut held, wait, room)? {
                    return Ok(r);
                }
                continue;
            }
            if !self.hold_for(&mut held, INTENT_SEND | u64::from(pos), wait)? {
                return Ok(Ring::Done(false));
            }
            let next = self.advance(pos, 1);
            if h.tail
                .compare_exchange(
                    t,
                    tail_word(next, priority),
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                )
                .is_err()
            {
                continue;
            }
            // Position `pos` is this thread's: its slot was free for it, and only the claimer
            // of a position writes the slot until it publishes.
            // SAFETY: the slot holds `max_msg_size` bytes after its header (checked by the
            // caller against `data`), and this thread owns it until it publishes.
            unsafe {
                std::ptr::copy_nonoverlapping(data.as_ptr(), self.payload(s), data.len());
            }
            s.priority.store(priority, Ordering::Relaxed);
            s.len.store(data.len() as u32, Ordering::Relaxed);
            s.pos.store(next, Ordering::Release);
            drop(held);
            Self::wake_if_waiting(&h.not_empty, &h.receivers_waiting);
            return Ok(Ring::Done(true));
        }
        Err(self.no_progress())
    }

    /// The slot a ring operation wants (`pos` word `c`) is not ready: a short glance, then
    /// `stuck` (the sender's or receiver's look at why, which may wait) with no entry held.
    /// `Some` to stop with that result; `None` to look again.
    fn not_ready<T>(
        &self,
        s: &SlotHeader,
        c: u32,
        held: &mut Option<Held<'_>>,
        wait: Wait,
        stuck: impl FnOnce() -> Result<Next<T>>,
    ) -> Result<Option<Ring<T>>> {
        if self.glance(s, c, wait) {
            return Ok(None);
        }
        // Not holding an entry while waiting.
        *held = None;
        Ok(match stuck()? {
            Next::Again => None,
            Next::Stop(r) => Some(r),
        })
    }

    /// Makes `held` (the entry an operation keeps across its retries) name `intent`, taking
    /// an entry first if it has none; false if none came free as `wait` allows. On every
    /// operation's path: inline, as the code it replaced was.
    #[inline(always)]
    fn hold_for<'q>(
        &'q self,
        held: &mut Option<Held<'q>>,
        intent: u64,
        wait: Wait,
    ) -> Result<bool> {
        if held.is_none() {
            *held = self.take_entry(wait)?;
        }
        let Some(me) = held else {
            return Ok(false);
        };
        me.intend(intent);
        Ok(true)
    }

    /// A sender found the slot at its position `pos` (tail word `t`) not free.
    fn no_room(&self, t: u64, pos: u32, s: &SlotHeader, wait: Wait) -> Result<Next<bool>> {
        let h = self.header();
        let n = self.layout.max_msg as u32;
        let hd = h.head.load(Ordering::SeqCst);
        let c = s.pos.load(Ordering::Acquire);
        if h.tail.load(Ordering::SeqCst) != t || c == pos {
            return Ok(Next::Again);
        }
        if hd & FROZEN != 0 {
            return Ok(Next::Stop(Ring::Locked));
        }
        let head = self.ring_pos(hd)?;
        // The slot's previous lap: its message is still there, or being taken out.
        let prev = self.back(pos, n);
        if c != prev && c != self.advance(prev, 1) {
            return Err(corrupted(format!(
                "message queue {:?}: a slot is at ring position {c}, expected {pos}",
                self.name
            )));
        }
        if head == prev {
            // Full.
            return self.wait_for_ends(&h.not_full, &h.senders_waiting, hd, t, wait, false);
        }
        if c == prev {
            return Err(corrupted(format!(
                "message queue {:?}: a message was taken before it was sent",
                self.name
            )));
        }
        // A receiver claimed the previous lap's message and is copying it out: wait for it.
        // If it died, the slot is freed for this lap (its message is lost).
        self.outwait_copy(s, c, INTENT_RECV | u64::from(prev), wait, false, || {
            s.pos.store(pos, Ordering::Release);
        })
    }

    /// Receives in ring mode.
    fn ring_receive(&self, buf: &mut [u8], wait: Wait) -> Result<Ring<Option<(usize, u32)>>> {
        if !self.ring_fits() {
            return Ok(Ring::Locked);
        }
        let h = self.header();
        let n = self.layout.max_msg as u32;
        let mut held = None;
        for _ in 0..ROUNDS_MAX {
            let hd = h.head.load(Ordering::SeqCst);
            if hd & FROZEN != 0 {
                return Ok(Ring::Locked);
            }
            let pos = self.ring_pos(hd)?;
            let next = self.advance(pos, 1);
            let s = self.slot_at(pos)?;
            let c = s.pos.load(Ordering::Acquire);
            if c != next {
                let message = || self.nothing_yet(hd, pos, s, wait);
                if let Some(r) = self.not_ready(s, c, &mut held, wait, message)? {
                    return Ok(r);
                }
                continue;
            }
            if !self.hold_for(&mut held, INTENT_RECV | u64::from(pos), wait)? {
                return Ok(Ring::Done(None));
            }
            if h.head
                .compare_exchange(hd, u64::from(next), Ordering::SeqCst, Ordering::Relaxed)
                .is_err()
            {
                continue;
            }
            let (len, priority) = (
                s.len.load(Ordering::Relaxed),
                s.priority.load(Ordering::Relaxed),
            );
            let ok = len != SKIP && u64::from(len) <= self.layout.max_msg_size;
            if ok {
                // SAFETY: `len` fits the slot and `buf` (at least `max_msg_size` bytes, checked
                // by the caller); this thread owns the slot until it frees it.
                unsafe {
                    std::ptr::copy_nonoverlapping(self.payload(s), buf.as_mut_ptr(), len as usize);
                }
            }
            s.pos.store(self.advance(pos, n), Ordering::Release);
            held = None;
            Self::wake_if_waiting(&h.not_full, &h.senders_waiting);
            if len == SKIP {
                // The hole left by a sender that died.
                continue;
            }
            if !ok {
                return Err(corrupted(format!(
                    "message queue {:?}: a queued message is longer than the queue allows",
                    self.name
                )));
            }
            return Ok(Ring::Done(Some((len as usize, priority))));
        }
        Err(self.no_progress())
    }

    /// A receiver found no message at its position `pos` (head word `hd`).
    fn nothing_yet(
        &self,
        hd: u64,
        pos: u32,
        s: &SlotHeader,
        wait: Wait,
    ) -> Result<Next<Option<(usize, u32)>>> {
        let h = self.header();
        let t = h.tail.load(Ordering::SeqCst);
        let c = s.pos.load(Ordering::Acquire);
        if h.head.load(Ordering::SeqCst) != hd || c == self.advance(pos, 1) {
            return Ok(Next::Again);
        }
        if t & FROZEN != 0 {
            return Ok(Next::Stop(Ring::Locked));
        }
        let tail = self.ring_pos(t)?;
        // The tail was read while the head was still `hd`, so it is at most a ring ahead.
        if u64::from(self.distance(pos, tail)) > self.layout.max_msg {
            return Err(corrupted(format!(
                "message queue {:?}: its tail is more than a ring ahead of its head",
                self.name
            )));
        }
        if tail == pos {
            // Empty.
            return self.wait_for_ends(&h.not_empty, &h.receivers_waiting, hd, t, wait, None);
        }
        if c != pos {
            return Err(corrupted(format!(
                "message queue {:?}: a slot is at ring position {c}, expected {pos}",
                self.name
            )));
        }
        // A sender claimed this position and is still copying its message in: wait for it.
        // If it died, the position becomes a hole that receivers skip.
        self.outwait_copy(s, c, INTENT_SEND | u64::from(pos), wait, None, || {
            if h.head.load(Ordering::SeqCst) == hd {
                s.len.store(SKIP, Ordering::Relaxed);
                s.pos.store(self.advance(pos, 1), Ordering::Release);
            }
        })
    }

    /// Waits, as `wait` allows, for the head or the tail to move from `hd` and `t` (the
    /// ring was full or empty), sleeping on `word` registered in `waiting`; `gave_up` if
    /// they did not.
    fn wait_for_ends<T>(
        &self,
        word: &AtomicU32,
        waiting: &AtomicU32,
        hd: u64,
        t: u64,
        wait: Wait,
        gave_up: T,
    ) -> Result<Next<T>> {
        if matches!(wait, Wait::Never) {
            return Ok(Next::Stop(Ring::Done(gave_up)));
        }
        let h = self.header();
        let moved = || h.head.load(Ordering::SeqCst) != hd || h.tail.load(Ordering::SeqCst) != t;
        Ok(if self.wait_change(word, waiting, moved, wait)? {
            Next::Again
        } else {
            Next::Stop(Ring::Done(gave_up))
        })
    }

    /// Waits for the process that claimed `intent` and is copying into or out of slot `s`
    /// (whose `pos` was `c`) to finish, as `wait` allows (`gave_up` if it ran out). If no
    /// live process names that claim any more and the slot has not moved on, its claimer
    /// died half-way, and `mend` (run under the queue lock) repairs the slot.
    fn outwait_copy<T>(
        &self,
        s: &SlotHeader,
        c: u32,
        intent: u64,
        wait: Wait,
        gave_up: T,
        mend: impl FnOnce(),
    ) -> Result<Next<T>> {
        if self.watch(s, c, COPY_WAIT) {
            return Ok(Next::Again);
        }
        match self.settle(s, c, intent, wait, false)? {
            Settled::Moved => {}
            Settled::Orphaned(_guard) => mend(),
            Settled::GaveUp => return Ok(Next::Stop(Ring::Done(gave_up))),
        }
        Ok(Next::Again)
    }

    /// The wait of [`Self::outwait_copy`], also used by a switch to locked mode (`locked`:
    /// the caller holds the queue lock; otherwise it is taken before saying `Orphaned`).
    fn settle(
        &self,
        s: &SlotHeader,
        c: u32,
        intent: u64,
        wait: Wait,
        locked: bool,
    ) -> Result<Settled<'_>> {
        let (mut naps, mut until) = (0, None);
        loop {
            if s.pos.load(Ordering::Acquire) != c {
                return Ok(Settled::Moved);
            }
            if self.orphaned(intent) {
                let guard = if locked {
                    None
                } else {
                    match self.lock(wait)? {
                        Some(g) => Some(g),
                        None => return Ok(Settled::GaveUp),
                    }
                };
                // Under the lock no one else mends, and a live claimer would still be named.
                return Ok(
                    if s.pos.load(Ordering::Acquire) == c && self.orphaned(intent) {
                        Settled::Orphaned(guard)
                    } else {
                        Settled::Moved
                    },
                );
            }
            if !self.nap(&mut naps, &mut until, wait) {
                return Ok(Settled::GaveUp);
            }
        }
    }

    #[cold]
    fn no_progress(&self) -> Error {
        corrupted(format!(
            "message queue {:?} makes no progress (its positions are garbage)",
            self.name
        ))
    }

    // ----- switching modes (under the queue lock) -----

    /// Ring mode to locked mode: freezes both ends, waits out every operation in flight,
    /// and moves the ring's messages into the sorted index. Also finishes a switch that a
    /// dead process began.
    #[cold]
    fn switch_to_locked(&self, wait: Wait) -> Result<bool> {
        let h = self.header();
        h.mode.store(MODE_SWITCHING, Ordering::SeqCst);
        h.tail.fetch_or(FROZEN, Ordering::SeqCst);
        h.head.fetch_or(FROZEN, Ordering::SeqCst);
        let n = self.layout.max_msg as u32;
        // Frozen ends take no more claims; wait out the copies of those made before.
        let head = self.ring_pos(h.head.load(Ordering::SeqCst))?;
        let tail = self.ring_pos(h.tail.load(Ordering::SeqCst))?;
        let queued = self.distance(head, tail);
        if queued > n {
            return Err(corrupted(format!(
                "message queue {:?}: its ring holds {queued} of {n} positions",
                self.name
            )));
        }
        for k in 0..n {
            let p = self.advance(head, k);
            let s = self.slot_at(p)?;
            s.state.store(SLOT_FREE, Ordering::Relaxed);
            // A position with a message may still be being filled; a free one may still be
            // being emptied of the previous lap's message. Anything else is left as it is
            // (garbage is skipped below, and the slot is reset on the way back).
            let (c, intent) = if k < queued {
                (p, INTENT_SEND | u64::from(p))
            } else {
                let prev = self.back(p, n);
                (self.advance(prev, 1), INTENT_RECV | u64::from(prev))
            };
            if s.pos.load(Ordering::Acquire) != c {
                continue;
            }
            match self.settle(s, c, intent, wait, true)? {
                Settled::Moved => {}
                Settled::Orphaned(_) if k < queued => {
                    s.len.store(SKIP, Ordering::Relaxed);
                    s.pos.store(self.advance(p, 1), Ordering::Release);
                }
                Settled::Orphaned(_) => s.pos.store(p, Ordering::Release),
                Settled::GaveUp => return Ok(false),
            }
        }
        let mut count = 0u32;
        for k in 0..queued {
            let p = self.advance(head, k);
            let s = self.slot_at(p)?;
            let len = s.len.load(Ordering::Relaxed);
            if s.pos.load(Ordering::Acquire) != self.advance(p, 1)
                || u64::from(len) > self.layout.max_msg_size
            {
                // A hole left by a dead sender, or garbage.
                continue;
            }
            let priority = s.priority.load(Ordering::Relaxed);
            s.seq.store(u64::from(count), Ordering::Relaxed);
            s.state.store(SLOT_QUEUED, Ordering::Relaxed);
            // SAFETY: the index holds `max_msg` entries and `count < queued <= max_msg`;
            // this thread holds the queue lock.
            unsafe {
                *self.index_ptr().add(count as usize) = IndexEntry {
                    seq: u64::from(count),
                    priority,
                    slot: (u64::from(p) % self.layout.max_msg) as u32,
                };
            }
            count += 1;
        }
        self.rebuild_free()?;
        let hp = self.hdr_mut();
        // SAFETY: this thread holds the queue lock, which guards these fields.
        unsafe {
            (*hp).ring_head = 0;
            (*hp).next_seq = u64::from(count);
            (*hp).in_order_run = 0;
        }
        h.count.store(u64::from(count), Ordering::SeqCst);
        h.mode.store(MODE_LOCKED, Ordering::SeqCst);
        self.wake_all();
        Ok(true)
    }

    /// Refills the free stack with every slot not queued (locked mode, under the lock).
    fn rebuild_free(&self) -> Result<()> {
        let mut top = 0usize;
        for i in 0..self.layout.max_msg as u32 {
            if self.slot(i)?.state.load(Ordering::Relaxed) != SLOT_QUEUED {
                // SAFETY: the free stack holds `max_msg` entries; we hold the lock.
                unsafe { *self.free_ptr().add(top) = i };
                top += 1;
            }
        }
        // SAFETY: as above.
        unsafe { (*self.hdr_mut()).free_top = top as u64 };
        Ok(())
    }

    /// Locked mode, empty, to ring mode (also finishes a switch a dead process began).
    #[cold]
    fn switch_to_ring(&self) -> Result<()> {
        let h = self.header();
        h.mode.store(MODE_UNLOCKING, Ordering::SeqCst);
        // Positions go on from a lap past the frozen tail, so that a ring operation that
        // read an end before the switch cannot claim anything with it afterwards.
        let n = self.layout.max_msg as u32;
        let base = self
            .ring_pos(h.tail.load(Ordering::SeqCst))
            .map_or(0, |t| self.advance(t, n));
        for k in 0..n {
            let p = self.advance(base, k);
            let s = self.slot_at(p)?;
            s.pos.store(p, Ordering::Release);
            s.state.store(SLOT_FREE, Ordering::Relaxed);
        }
        h.count.store(0, Ordering::SeqCst);
        h.head.store(u64::from(base), Ordering::SeqCst);
        h.tail.store(tail_word(base, 0), Ordering::SeqCst);
        h.mode.store(MODE_RING, Ordering::SeqCst);
        self.wake_all();
        Ok(())
    }

    // ----- locked mode -----

    /// Takes the queue lock and finishes whatever a dead process left half-done; `None` if
    /// the lock, or a slot that finishing needs, is held by another process for longer than
    /// `wait` allows (a `try_` operation: [`TRY_SLOT_WAIT`]).
    fn lock(&self, wait: Wait) -> Result<Option<Guard<'_>>> {
        let lock = self.header().lock.get();
        let until = |d: Deadline| {
            let (clock, sec, nsec) = d.os();
            // SAFETY: the lock was initialised before the queue became ready.
            unsafe {
                robust::lock_spinning_until(
                    lock,
                    SPIN_BUDGET,
                    clock,
                    &robust::timespec(sec.max(0), nsec),
                )
            }
        };
        // A try_ operation waits for the lock as long as for a slot being copied: a peer
        // holds it for a few instructions, unless it is stopped or gone.
        let how = match wait {
            // SAFETY: as above.
            Wait::Forever => unsafe { robust::lock_spinning(lock, SPIN_BUDGET) }.map(Some),
            Wait::Never => until(Deadline::after(TRY_SLOT_WAIT)),
            Wait::Until(d) => until(d),
        }
        .map_err(|e| e.into_error("locking the queue"))?;
        let Some(how) = how else {
            return Ok(None);
        };
        let g = Guard { q: self };
        let h = self.header();
        match h.mode.load(Ordering::Acquire) {
            MODE_RING => {
                // Ring mode with a frozen end cannot come from this library (a switch back
                // unfreezes them before it says ring mode): garbage. Locked mode rebuilds
                // from what the slots say. Nor can ring mode on a queue of one slot (which
                // an older release made): it goes to locked mode, where it belongs.
                let frozen =
                    (h.head.load(Ordering::SeqCst) | h.tail.load(Ordering::SeqCst)) & FROZEN != 0;
                if (frozen || !self.ring_fits()) && !self.switch_to_locked(wait)? {
                    return Ok(None);
                }
            }
            MODE_SWITCHING => {
                if !self.switch_to_locked(wait)? {
                    return Ok(None);
                }
            }
            MODE_UNLOCKING => {
                if h.tail.load(Ordering::SeqCst) & FROZEN == 0 {
                    h.mode.store(MODE_RING, Ordering::SeqCst);
                } else {
                    self.switch_to_ring()?;
                }
            }
            MODE_LOCKED => {
                // Every slot is either queued or free: counts that disagree with that come
                // from a dead process or from garbage, and the slots themselves say what
                // is true.
                let (count, free_top, ring_head) =
                    (h.count.load(Ordering::Acquire), h.free_top, h.ring_head);
                if how == robust::Acquired::OwnerDied
                    || count.checked_add(free_top) != Some(self.layout.max_msg)
                    || u64::from(ring_head) >= self.layout.max_msg
                {
                    self.repair()?;
                }
            }
            other => {
                return Err(corrupted(format!(
                    "message queue {:?}: unknown mode {other}",
                    self.name
                )));
            }
        }
        Ok(Some(g))
    }

    /// Rebuilds the locked-mode index from the slots' states after a process died holding
    /// the lock (see the module documentation for what can be lost).
    #[cold]
    fn repair(&self) -> Result<()> {
        let mut queued = Vec::new();
        for i in 0..self.layout.max_msg as u32 {
            let s = self.slot(i)?;
            let (state, prio, seq, len) = (
                s.state.load(Ordering::Relaxed),
                s.priority.load(Ordering::Relaxed),
                s.seq.load(Ordering::Relaxed),
                s.len.load(Ordering::Relaxed),
            );
            if state == SLOT_QUEUED && u64::from(len) <= self.layout.max_msg_size {
                queued.push((std::cmp::Reverse(prio), seq, i, prio));
            } else {
                s.state.store(SLOT_FREE, Ordering::Relaxed);
            }
        }
        queued.sort();
        let max_seq = queued.iter().map(|q| q.1).max().unwrap_or(0);
        let h = self.hdr_mut();
        // SAFETY: the index holds `max_msg` entries; we hold the lock.
        unsafe {
            for (k, &(_, seq, slot, priority)) in queued.iter().enumerate() {
                *self.index_ptr().add(k) = IndexEntry {
                    seq,
                    priority,
                    slot,
                };
            }
            (*h).next_seq = max_seq.wrapping_add(1);
            (*h).ring_head = 0;
        }
        self.rebuild_free()?;
        self.header()
            .count
            .store(queued.len() as u64, Ordering::Release);
        // Wake everyone: waiters may have been waiting on the dead process.
        self.wake_all();
        Ok(())
    }

    /// The index entry at logical position `i` (0 is the next to receive).
    fn entry_at(&self, head: u64, i: u64) -> *mut IndexEntry {
        let max = self.layout.max_msg;
        let mut k = head + i;
        if k >= max {
            k -= max;
        }
        // `head < max` and `i <= max` (checked when the lock was taken), so `k < max`.
        self.index_ptr().wrapping_add(k as usize)
    }

    /// Inserts `entry` after every entry that comes out before it.
    fn index_insert(&self, count: u64, entry: IndexEntry) {
        let hp = self.hdr_mut();
        // SAFETY: we hold the lock; `count < max_msg` (not full) and `ring_head < max_msg`
        // (checked at lock), so every logical position up to `count` maps into the array.
        unsafe {
            let head = u64::from((*hp).ring_head);
            // Usually the new message goes last: nothing of a lower priority is waiting.
            let pos = if count == 0 || !entry.before(*self.entry_at(head, count - 1)) {
                count
            } else {
                let (mut lo, mut hi) = (0, count - 1);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if entry.before(*self.entry_at(head, mid)) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                lo
            };
            if pos >= count / 2 {
                // Move the tail side up by one.
                let mut k = count;
                while k > pos {
                    *self.entry_at(head, k) = *self.entry_at(head, k - 1);
                    k -= 1;
                }
                *self.entry_at(head, pos) = entry;
            } else {
                // Move the head side down by one: the index starts one place earlier.
                let max = self.layout.max_msg;
                let new_head = if head == 0 { max - 1 } else { head - 1 };
                for k in 0..pos {
                    *self.entry_at(new_head, k) = *self.entry_at(head, k);
                }
                *self.entry_at(new_head, pos) = entry;
                (*hp).ring_head = new_head as u32;
            }
        }
    }

    /// Takes the first entry of a non-empty index.
    fn index_pop(&self) -> IndexEntry {
        let hp = self.hdr_mut();
        // SAFETY: we hold the lock; the index is not empty and `ring_head < max_msg`.
        unsafe {
            let head = u64::from((*hp).ring_head);
            let top = *self.entry_at(head, 0);
            let next = head + 1;
            (*hp).ring_head = if next == self.layout.max_msg {
                0
            } else {
                next as u32
            };
            top
        }
    }

    /// Sleeps on `word` (registered in `waiting`) with the lock released; relocks, and
    /// says whether the deadline passed (`None`: the relock gave up, see [`Self::lock`]).
    fn sleep<'a>(
        &'a self,
        guard: Guard<'a>,
        word: &AtomicU32,
        waiting: &AtomicU32,
        wait: Wait,
    ) -> Result<Option<(Guard<'a>, bool)>> {
        waiting.fetch_add(1, Ordering::SeqCst);
        let seen = word.load(Ordering::SeqCst);
        drop(guard);
        let deadline = match wait {
            Wait::Until(d) => Some(d.os()),
            _ => None,
        };
        let r = futex::wait(word, seen, deadline);
        let guard = self.lock(wait);
        waiting.fetch_sub(1, Ordering::SeqCst);
        let Some(guard) = guard? else {
            return Ok(None);
        };
        let timed_out = matches!(
            r.map_err(|e| e.into_error("waiting on the queue"))?,
            futex::Woken::TimedOut
        );
        Ok(Some((guard, timed_out)))
    }

    /// Whether locked mode has seen enough in-order sends to go back to the ring once empty.
    fn may_return_to_ring(&self) -> bool {
        // SAFETY: read under the queue lock, which guards it.
        self.ring_fits() && unsafe { (*self.hdr_mut()).in_order_run >= self.layout.max_msg }
    }

    /// Sends in locked mode; `None` if the queue went back to ring mode meanwhile.
    fn locked_send<'a>(
        &'a self,
        mut guard: Guard<'a>,
        data: &[u8],
        priority: u32,
        wait: Wait,
    ) -> Result<Option<bool>> {
        let h = self.header();
        let max = self.layout.max_msg;
        loop {
            if h.mode.load(Ordering::Acquire) != MODE_LOCKED {
                return Ok(None);
            }
            let count = h.count.load(Ordering::Acquire);
            if count == 0 && self.may_return_to_ring() {
                self.switch_to_ring()?;
                return Ok(None);
            }
            if count < max {
                break;
            }
            let deadline_passed = matches!(wait, Wait::Until(d) if d.has_passed());
            if matches!(wait, Wait::Never) || deadline_passed {
                return Ok(Some(false));
            }
            let Some((g, timed_out)) = self.sleep(guard, &h.not_full, &h.senders_waiting, wait)?
            else {
                return Ok(Some(false));
            };
            guard = g;
            if timed_out
                && h.mode.load(Ordering::Acquire) == MODE_LOCKED
                && h.count.load(Ordering::Acquire) >= max
            {
                return Ok(Some(false));
            }
        }
        let hp = self.hdr_mut();
        let count = h.count.load(Ordering::Acquire);
        // SAFETY: we hold the lock; `free_top` and the slot index are checked before use.
        unsafe {
            let in_order = count == 0
                || priority <= (*self.entry_at(u64::from((*hp).ring_head), count - 1)).priority;
            (*hp).in_order_run = if in_order {
                (*hp).in_order_run.saturating_add(1)
            } else {
                0
            };
            let top = (*hp).free_top;
            if top == 0 || top > max {
                return Err(corrupted("message queue free list is inconsistent"));
            }
            let idx = *self.free_ptr().add((top - 1) as usize);
            let s = self.slot(idx)?;
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.payload(s), data.len());
            let seq = (*hp).next_seq;
            s.len.store(data.len() as u32, Ordering::Relaxed);
            s.priority.store(priority, Ordering::Relaxed);
            s.seq.store(seq, Ordering::Relaxed);
            (*hp).next_seq = seq.wrapping_add(1);
            // The bytes are complete before the slot says it is queued (see `repair`).
            s.state.store(SLOT_QUEUED, Ordering::Release);
            (*hp).free_top = top - 1;
            self.index_insert(
                count,
                IndexEntry {
                    seq,
                    priority,
                    slot: idx,
                },
            );
        }
        h.count.store(count + 1, Ordering::Release);
        // Receivers only ever sleep on an empty queue (registered under the lock), so only
        // the step from empty needs a wake-up; waking them all there means none is left
        // asleep beside a message, and no atomic or system call is spent per message.
        let wake = count == 0 && h.receivers_waiting.load(Ordering::SeqCst) > 0;
        if wake {
            h.not_empty.fetch_add(1, Ordering::SeqCst);
        }
        drop(guard);
        if wake {
            let _ = futex::wake(&h.not_empty, i32::MAX);
        }
        Ok(Some(true))
    }

    /// Receives in locked mode; `None` (outer) if the queue went back to ring mode.
    fn locked_receive<'a>(
        &'a self,
        mut guard: Guard<'a>,
        buf: &mut [u8],
        wait: Wait,
    ) -> Result<Option<Option<(usize, u32)>>> {
        let h = self.header();
        loop {
            if h.mode.load(Ordering::Acquire) != MODE_LOCKED {
                return Ok(None);
            }
            if h.count.load(Ordering::Acquire) > 0 {
                break;
            }
            if self.may_return_to_ring() {
                self.switch_to_ring()?;
                return Ok(None);
            }
            let deadline_passed = matches!(wait, Wait::Until(d) if d.has_passed());
            if matches!(wait, Wait::Never) || deadline_passed {
                return Ok(Some(None));
            }
            let Some((g, timed_out)) =
                self.sleep(guard, &h.not_empty, &h.receivers_waiting, wait)?
            else {
                return Ok(Some(None));
            };
            guard = g;
            if timed_out
                && h.mode.load(Ordering::Acquire) == MODE_LOCKED
                && h.count.load(Ordering::Acquire) == 0
            {
                return Ok(Some(None));
            }
        }
        let hp = self.hdr_mut();
        let count = h.count.load(Ordering::Acquire);
        let got;
        // SAFETY: we hold the lock; indices and lengths are checked before use.
        unsafe {
            let idx = self.index_pop().slot;
            let s = self.slot(idx)?;
            let len = s.len.load(Ordering::Relaxed);
            if u64::from(len) > self.layout.max_msg_size {
                return Err(corrupted(
                    "a queued message is longer than the queue allows",
                ));
            }
            std::ptr::copy_nonoverlapping(self.payload(s), buf.as_mut_ptr(), len as usize);
            got = (len as usize, s.priority.load(Ordering::Relaxed));
            // Freed only after the bytes are out (see `repair`).
            s.state.store(SLOT_FREE, Ordering::Release);
            let top = (*hp).free_top;
            if top >= self.layout.max_msg {
                return Err(corrupted("message queue free list is inconsistent"));
            }
            *self.free_ptr().add(top as usize) = idx;
            (*hp).free_top = top + 1;
        }
        h.count.store(count - 1, Ordering::Release);
        if count == 1 && self.may_return_to_ring() {
            self.switch_to_ring()?;
            return Ok(Some(Some(got)));
        }
        // Senders only sleep on a full queue: wake them all on the step from full.
        let wake = count == self.layout.max_msg && h.senders_waiting.load(Ordering::SeqCst) > 0;
        if wake {
            h.not_full.fetch_add(1, Ordering::SeqCst);
        }
        drop(guard);
        if wake {
            let _ = futex::wake(&h.not_full, i32::MAX);
        }
        Ok(Some(Some(got)))
    }

    // ----- the operations -----

    fn send_impl(&self, data: &[u8], priority: u32, wait: Wait) -> Result<bool> {
        if data.len() as u64 > self.layout.max_msg_size {
            return Err(Error::new(
                ErrorKind::Size,
                format!(
                    "message of {} bytes is larger than the queue's limit of {} bytes",
                    data.len(),
                    self.layout.max_msg_size
                ),
            ));
        }
        for _ in 0..ROUNDS_MAX {
            let switch = match self.ring_send(data, priority, wait)? {
                Ring::Done(sent) => return Ok(sent),
                Ring::Locked => false,
                Ring::Switch => true,
            };
            let Some(guard) = self.lock(wait)? else {
                return Ok(false);
            };
            if self.header().mode.load(Ordering::Acquire) == MODE_RING {
                if !switch {
                    continue;
                }
                if !self.switch_to_locked(wait)? {
                    return Ok(false);
                }
            }
            if let Some(sent) = self.locked_send(guard, data, priority, wait)? {
                return Ok(sent);
            }
        }
        Err(self.no_progress())
    }

    fn receive_impl(&self, buf: &mut [u8], wait: Wait) -> Result<Option<(usize, u32)>> {
        if (buf.len() as u64) < self.layout.max_msg_size {
            return Err(Error::new(
                ErrorKind::Size,
                format!(
                    "receive buffer of {} bytes is smaller than the queue's message size {}",
                    buf.len(),
                    self.layout.max_msg_size
                ),
            ));
        }
        for _ in 0..ROUNDS_MAX {
            if let Ring::Done(got) = self.ring_receive(buf, wait)? {
                return Ok(got);
            }
            let Some(guard) = self.lock(wait)? else {
                return Ok(None);
            };
            if self.header().mode.load(Ordering::Acquire) == MODE_RING {
                continue;
            }
            if let Some(got) = self.locked_receive(guard, buf, wait)? {
                return Ok(got);
            }
        }
        Err(self.no_progress())
    }

    /// Sends `data` with `priority`, waiting while the queue is full. A message larger than
    /// `max_msg_size` is a `Size` error and the queue is unchanged.
    pub fn send(&self, data: &[u8], priority: u32) -> Result<()> {
        self.send_impl(data, priority, Wait::Forever).map(|_| ())
    }

    /// Sends if there is room now; returns whether it was sent.
    pub fn try_send(&self, data: &[u8], priority: u32) -> Result<bool> {
        self.send_impl(data, priority, Wait::Never)
    }

    /// Sends, waiting at most until `deadline`; returns whether it was sent.
    pub fn timed_send(&self, data: &[u8], priority: u32, deadline: Deadline) -> Result<bool> {
        self.send_impl(data, priority, Wait::Until(deadline))
    }

    /// Receives the oldest message of the highest priority into `buf`, waiting while the
    /// queue is empty; returns its length and priority. `buf` must hold `max_msg_size`
    /// bytes (a `Size` error otherwise, as in Boost).
    pub fn receive(&self, buf: &mut [u8]) -> Result<(usize, u32)> {
        self.receive_impl(buf, Wait::Forever)
            .map(|r| r.expect("a blocking receive returns a message"))
    }

    /// Receives if a message is there now.
    pub fn try_receive(&self, buf: &mut [u8]) -> Result<Option<(usize, u32)>> {
        self.receive_impl(buf, Wait::Never)
    }

    /// Receives, waiting at most until `deadline`.
    pub fn timed_receive(
        &self,
        buf: &mut [u8],
        deadline: Deadline,
    ) -> Result<Option<(usize, u32)>> {
        self.receive_impl(buf, Wait::Until(deadline))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn shared_layout_is_pinned() {
        assert_eq!(LAYOUT_VERSION, 7);
        assert_eq!(offset_of!(QueueHeader, state), 12);
        assert_eq!(offset_of!(QueueHeader, creator_pid), 16);
        assert_eq!(offset_of!(QueueHeader, max_msg), 24);
        assert_eq!(offset_of!(QueueHeader, mode), 48);
        assert_eq!(offset_of!(QueueHeader, lock), 64);
        assert_eq!(offset_of!(QueueHeader, count), 104);
        assert_eq!(offset_of!(QueueHeader, free_top), 120);
        assert_eq!(offset_of!(QueueHeader, tail), 128);
        assert_eq!(offset_of!(QueueHeader, head), 256);
        assert_eq!(offset_of!(QueueHeader, not_empty), 384);
        assert_eq!(size_of::<QueueHeader>(), 448);
        assert_eq!(size_of::<SlotHeader>(), 64);
        assert_eq!(offset_of!(SlotHeader, pos), 0);
        assert_eq!(offset_of!(SlotHeader, seq), 16);
        assert_eq!(size_of::<Entry>(), 128);
        assert_eq!(offset_of!(Entry, intent), 40);
        let l = Layout::new(10, 100).unwrap();
        assert_eq!(
            (l.slot_size, l.entries, l.index, l.free, l.slots, l.total),
            (256, 512, 8704, 8864, 8960, 8960 + 2560)
        );
        assert_eq!(l.modulus, 2_147_483_640);
        assert_eq!(size_of::<IndexEntry>(), 16);
    }

    #[test]
    fn a_one_slot_queue_left_in_ring_mode_goes_to_locked_mode() {
        let name = format!("ip_mq_unit_one_{}", std::process::id());
        MessageQueue::remove(&name);
        let q = MessageQueue::create(&name, 1, 8, Permissions::DEFAULT).unwrap();
        let h = q.header();
        assert_eq!(h.mode.load(Ordering::Relaxed), MODE_LOCKED);
        // As an earlier release left it: ring mode, open ends, the slot free for position 0.
        h.mode.store(MODE_RING, Ordering::Relaxed);
        h.head.store(0, Ordering::Relaxed);
        h.tail.store(tail_word(0, 0), Ordering::Relaxed);
        q.slot(0).unwrap().pos.store(0, Ordering::Relaxed);
        assert!(q.try_send(b"A", 0).unwrap());
        assert!(!q.in_ring_mode());
        assert!(!q.try_send(b"B", 0).unwrap());
        let mut buf = [0u8; 8];
        assert_eq!(q.try_receive(&mut buf).unwrap(), Some((1, 0)));
        assert_eq!(&buf[..1], b"A");
        assert_eq!(q.try_receive(&mut buf).unwrap(), None);
        drop(q);
        assert!(MessageQueue::remove(&name));
    }

    #[test]
    fn ring_positions_wrap_at_the_modulus() {
        let name = format!("ip_mq_unit_wrap_{}", std::process::id());
        MessageQueue::remove(&name);
        let q = MessageQueue::create(&name, 3, 8, Permissions::DEFAULT).unwrap();
        let m = q.layout.modulus;
        assert_eq!(m % 3, 0);
        assert_eq!(q.advance(m - 1, 1), 0);
        assert_eq!(q.advance(m - 2, 3), 1);
        assert_eq!(q.back(1, 3), m - 2);
        assert_eq!(q.distance(m - 2, 1), 3);
        // Start the ring just before the wrap and run messages across it.
        let h = q.header();
        for i in 0..3u32 {
            q.slot(i).unwrap().pos.store(m - 3 + i, Ordering::Relaxed);
        }
        h.head.store(u64::from(m - 3), Ordering::Relaxed);
        h.tail.store(tail_word(m - 3, 0), Ordering::Relaxed);
        let mut buf = [0u8; 8];
        for i in 0..20u64 {
            assert!(q.try_send(&i.to_le_bytes(), 1).unwrap());
            assert!(q.try_send(&(i + 100).to_le_bytes(), 1).unwrap());
            assert_eq!(q.num_msg(), 2);
            assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, 1)));
            assert_eq!(u64::from_le_bytes(buf), i);
            assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, 1)));
            assert_eq!(u64::from_le_bytes(buf), i + 100);
        }
        assert!(q.in_ring_mode());
        drop(q);
        assert!(MessageQueue::remove(&name));
    }

    /// Claims the next position to send (`recv` false) or receive, as a ring operation
    /// does, and lets the thread end there, as if it died before its copy was done.
    fn claim_and_vanish(q: &MessageQueue, recv: bool) {
        std::thread::scope(|sc| {
            sc.spawn(|| {
                let h = q.header();
                let end = if recv { &h.head } else { &h.tail };
                let word = end.load(Ordering::SeqCst);
                let pos = q.ring_pos(word).unwrap();
                let me = q.take_entry(Wait::Never).unwrap().unwrap();
                let (intent, next) = if recv {
                    (INTENT_RECV, u64::from(q.advance(pos, 1)))
                } else {
                    (INTENT_SEND, tail_word(q.advance(pos, 1), 0))
                };
                me.intend(intent | u64::from(pos));
                end.compare_exchange(word, next, Ordering::SeqCst, Ordering::Relaxed)
                    .unwrap();
                // Never released: the kernel marks the entry when the thread ends.
                std::mem::forget(me);
            })
            // Joining waits for the thread's end itself (the scope alone only waits for
            // the closure), and with it the kernel's marking.
            .join()
            .unwrap();
        });
    }

    #[test]
    fn a_claim_whose_thread_died_is_mended_and_its_entry_freed() {
        let name = format!("ip_mq_unit_orphan_{}", std::process::id());
        MessageQueue::remove(&name);
        let q = MessageQueue::create(&name, 3, 8, Permissions::DEFAULT).unwrap();
        let dead = |q: &MessageQueue| {
            (0..ENTRIES)
                // SAFETY: entry locks are initialised.
                .filter(|&i| unsafe { robust::owner_died(q.entry(i).lock.get()) })
                .count()
        };
        let mut buf = [0u8; 8];
        assert!(q.try_send(&[1; 8], 0).unwrap());
        // A sender dies after claiming position 1: receivers skip the hole it leaves.
        claim_and_vanish(&q, false);
        assert_eq!(dead(&q), 1);
        assert!(q.try_send(&[2; 8], 0).unwrap());
        let start = Instant::now();
        assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, 0)));
        assert_eq!(buf, [1; 8]);
        assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, 0)));
        assert_eq!(buf, [2; 8]);
        assert_eq!(q.try_receive(&mut buf).unwrap(), None);
        // A receiver dies after claiming a message: it is lost, and its slot is freed for
        // the sender that needs it.
        assert!(q.try_send(&[3; 8], 0).unwrap());
        claim_and_vanish(&q, true);
        for i in 4..7u8 {
            assert!(q.try_send(&[i; 8], 0).unwrap(), "message {i}");
        }
        assert!(!q.try_send(&[9; 8], 0).unwrap(), "full");
        for i in 4..7u8 {
            assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, 0)));
            assert_eq!(buf, [i; 8]);
        }
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(q.in_ring_mode());
        // The dead threads' entries are freed once they are looked at.
        assert_eq!(dead(&q), 2);
        q.free_dead_entries(Wait::Never).unwrap();
        assert_eq!(dead(&q), 0);
        drop(q);
        assert!(MessageQueue::remove(&name));
    }

    #[test]
    fn a_switch_to_locked_mode_mends_the_claims_of_dead_threads() {
        let name = format!("ip_mq_unit_orphan_switch_{}", std::process::id());
        MessageQueue::remove(&name);
        let q = MessageQueue::create(&name, 4, 8, Permissions::DEFAULT).unwrap();
        let mut buf = [0u8; 8];
        assert!(q.try_send(&[1; 8], 1).unwrap());
        assert!(q.try_send(&[2; 8], 1).unwrap());
        claim_and_vanish(&q, true);
        claim_and_vanish(&q, false);
        // A higher priority switches modes: the switch waits for no one.
        let start = Instant::now();
        assert!(q.try_send(&[3; 8], 5).unwrap());
        assert!(!q.in_ring_mode());
        assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, 5)));
        assert_eq!(buf, [3; 8]);
        assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, 1)));
        assert_eq!(buf, [2; 8]);
        assert_eq!(q.try_receive(&mut buf).unwrap(), None);
        assert!(start.elapsed() < Duration::from_secs(1));
        drop(q);
        assert!(MessageQueue::remove(&name));
    }

    #[test]
    fn a_higher_priority_switches_to_locked_mode_and_back() {
        let name = format!("ip_mq_unit_modes_{}", std::process::id());
        MessageQueue::remove(&name);
        let q = MessageQueue::create(&name, 4, 8, Permissions::DEFAULT).unwrap();
        let mut buf = [0u8; 8];
        // Falling priorities stay in the ring.
        for (i, p) in [(1u8, 5), (2, 5), (3, 2)] {
            assert!(q.try_send(&[i; 8], p).unwrap());
        }
        assert!(q.in_ring_mode());
        // A higher one must overtake: locked mode, order kept.
        assert!(q.try_send(&[4; 8], 9).unwrap());
        assert!(!q.in_ring_mode());
        assert_eq!(q.num_msg(), 4);
        assert!(!q.try_send(&[5; 8], 0).unwrap(), "full");
        for (i, p) in [(4u8, 9), (1, 5), (2, 5), (3, 2)] {
            assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, p)));
            assert_eq!(buf, [i; 8]);
        }
        assert_eq!(q.try_receive(&mut buf).unwrap(), None);
        // After max_msg in-order sends and an empty queue, back to the ring.
        for i in 0..4u8 {
            assert!(q.try_send(&[i; 8], 1).unwrap());
            assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, 1)));
            assert_eq!(buf, [i; 8]);
        }
        assert!(q.in_ring_mode());
        assert!(q.try_send(&[7; 8], 3).unwrap());
        assert!(q.in_ring_mode(), "an empty ring takes any priority");
        assert_eq!(q.try_receive(&mut buf).unwrap(), Some((8, 3)));
        drop(q);
        assert!(MessageQueue::remove(&name));
    }

    #[test]
    fn index_keeps_priority_and_fifo_order_across_wraparound() {
        // A small queue, random priorities from a few levels and random interleaving, so
        // the circular index wraps and inserts shift both ways; compared with a model.
        let name = format!("ip_mq_unit_order_{}", std::process::id());
        MessageQueue::remove(&name);
        let q = MessageQueue::create(&name, 7, 8, Permissions::DEFAULT).unwrap();
        let mut model: Vec<(u32, u64)> = Vec::new(); // (priority, payload) in arrival order
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut buf = [0u8; 8];
        for serial in 0..20_000u64 {
            let r = next();
            if r % 2 == 0 && model.len() < 7 {
                let prio = (r >> 8) as u32 % 4;
                assert!(q.try_send(&serial.to_le_bytes(), prio).unwrap());
                model.push((prio, serial));
            } else if let Some((len, prio)) = q.try_receive(&mut buf).unwrap() {
                // The model's answer: the first message of the highest priority.
                let top = model.iter().map(|m| m.0).max().unwrap();
                let at = model.iter().position(|m| m.0 == top).unwrap();
                let (want_prio, want) = model.remove(at);
                assert_eq!((len, prio), (8, want_prio));
                assert_eq!(u64::from_le_bytes(buf), want);
            } else {
                assert!(model.is_empty());
            }
            assert_eq!(q.num_msg(), model.len());
        }
        drop(q);
        assert!(MessageQueue::remove(&name));
    }

    #[test]
    fn looks_at_a_slot_being_copied_are_paced_by_the_message_size() {
        assert_eq!(watch_pace(1), (1, 64));
        assert_eq!(watch_pace(64), (1, 64));
        assert_eq!(watch_pace(1024), (16, 64));
        assert_eq!(watch_pace(4096), (64, 128));
        assert_eq!(watch_pace(1 << 30), (64, 128));
    }

    #[test]
    fn limits_are_checked() {
        assert_eq!(
            Layout::new(0, 10).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            Layout::new(10, 0).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            Layout::new((1 << 30) + 1, 10).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            Layout::new(1 << 30, 1 << 30).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            Layout::new(1, u64::MAX).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
