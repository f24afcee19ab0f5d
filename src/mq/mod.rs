//! Message queues in shared memory: Boost's `message_queue`.
//!
//! A queue is a shared memory object `/dev/shm/<name>` holding a header, a table of
//! participant entries, a sorted index and a stack of free slots (used in locked mode,
//! below), `max_num_msg` slots, and a loan pool of `max_num_msg` more. Each slot has a small header (a ring position, the
//! message's priority and length) followed by room for one message; a message of at most
//! 32 bytes lies in the header's own cache line, so its hand-off moves one line.
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
//! **Loans and in-place receives** (an interproc extension, [`Loan`] and [`Received`]) work
//! in both modes. Beside its slots the queue has a loan pool of as many slots again. A
//! loan lends a pool slot to a sender, which writes its message there; sending it sends a
//! small descriptor of it through the queue like any message (so it takes its place in the
//! order when it is sent, as a copy would), its `len` word marked `INDIRECT`. A receiver
//! that meets a descriptor takes the pool slot over before it claims the message: it copies
//! the message out and frees the pool slot, or (receiving in place) keeps it until the view
//! is dropped; the queue's slot is free again at once either way. A message sent by copy
//! and received in place is copied once into memory of the receiver's own. Every change of
//! a pool slot's state is made by the thread holding its own robust lock.
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
//! - a thread that died holding a loan, a view, or a pool slot it was taking: the slot's
//!   robust lock says so, and the next loan that finds the pool full takes it back; the
//!   unsent or unread message is lost (a receiver that finds a descriptor whose pool slot
//!   was taken back, or lent again since, skips it).
//!
//! So at most the one message in flight in the dead process is lost (one per loan or view
//! it held), and nothing wedges.
//! Blocked senders and receivers sleep on shared futexes after a short adaptive spin and
//! are only woken (a system call) when someone is actually waiting.
//!
//! # Where each part is
//! - [`MessageQueue`] (this file): the handle, the shared parts' addresses, the public
//!   operations, which try ring mode first and fall back to locked mode; `open.rs` creates
//!   and opens, `typed.rs` sends values, `wait.rs` spins and sleeps.
//! - `RingMode` (`ring.rs`, with its participant entries in `entries.rs`): the lock-free
//!   mode's positions, sends and receives, and the mending of dead claims.
//! - `LockedMode` (`locked.rs`, with the switches between the modes in `switch.rs`): the
//!   queue lock, repair, the sorted index and the free stack.
//! - `LoanPool` (`pool.rs`): the pool slots that loans and in-place receives hold.
//! - `loans.rs`: [`Loan`] and [`Received`], the zero-copy API; `check.rs`: a read-only
//!   check of the loan pool ([`LoanPoolCheck`]).
//! - `layout.rs`: the shared structures and constants, pinned by `tests.rs`.
//! - `handle.rs`: the handle's fields and the small types every mode uses (a payload, a
//!   receive's sink, a wait, a ring step's outcome, how waiting for another's copy ended),
//!   below the modes; `received.rs`: what a receive got and how a mode delivers it.

mod check;
mod entries;
mod handle;
mod layout;
mod loans;
mod locked;
#[cfg(all(loom, test))]
mod loom_models;
mod open;
mod pool;
mod received;
mod ring;
mod switch;
#[cfg(test)]
mod tests;
mod typed;
mod wait;

use crate::name::os_name;
use crate::sync::Deadline;
use crate::{Error, ErrorKind, Permissions, Result, SharedMemoryObject};
use std::sync::atomic::Ordering;

pub use check::LoanPoolCheck;
pub use handle::MessageQueue;
use handle::RingMode;
use handle::{Payload, Ring, Sink, Wait, corrupted};
pub(crate) use layout::is_queue_header;
use layout::{
    Descriptor, ENTRIES, ENTRY_SIZE, Entry, INDIRECT, INLINE, IndexEntry, MODE_LOCKED, MODE_RING,
    POS_MASK, QueueHeader, ROUNDS_MAX, SLOT_HEADER, SlotHeader,
};
pub use loans::{Loan, Received};
use locked::LockedMode;
use pool::LoanPool;
use received::Got;

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

    fn queue_header(&self) -> &QueueHeader {
        // SAFETY: the mapping holds a validated header for the queue's lifetime; fields other
        // processes change are atomics or touched only under the lock.
        unsafe { &*self.region.as_ptr().cast::<QueueHeader>() }
    }

    fn queue_header_ptr(&self) -> *mut QueueHeader {
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
        // and bytes (in an `UnsafeCell`), all valid for any bit pattern a process may share.
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

    /// Where slot `s` keeps a message of `len` bytes: in its header's cache line when it
    /// fits there ([`INLINE`] bytes), else on the lines after the header. Every copy into
    /// or out of a slot asks here, with the length its `len` word says.
    ///
    /// A branch, never a select: a receiver's CPU guesses the branch and fetches a long
    /// message's line while the header's line (with `len`) is still on its way. As a select
    /// the message's address would wait for `len`, and the two lines would cross one after
    /// the other. The compiler fence, which emits no instruction, keeps the compiler from
    /// making the branch a select.
    #[inline(always)]
    fn payload(&self, s: &SlotHeader, len: usize) -> *mut u8 {
        if len <= INLINE {
            std::sync::atomic::compiler_fence(Ordering::SeqCst);
            s.inline.get().cast()
        } else {
            std::ptr::from_ref(s)
                .cast::<u8>()
                .cast_mut()
                .wrapping_add(SLOT_HEADER as usize)
        }
    }

    /// Ring mode's operations on this queue.
    #[inline(always)]
    fn ring(&self) -> RingMode<'_> {
        RingMode { q: self }
    }

    /// Locked mode's operations on this queue.
    #[inline(always)]
    fn locked(&self) -> LockedMode<'_> {
        LockedMode { q: self }
    }

    /// The loan pool of this queue.
    #[inline(always)]
    fn pool(&self) -> LoanPool<'_> {
        LoanPool { q: self }
    }

    /// The descriptor in slot `s` (its `len` word says `INDIRECT`).
    fn descriptor(&self, s: &SlotHeader) -> Descriptor {
        // Relaxed: the caller owns the slot or saw it published (see `SlotHeader`).
        Descriptor::from_word(s.descriptor.load(Ordering::Relaxed))
    }

    /// Writes `data` into slot `s`, which this thread owns until it publishes it: the
    /// message bytes, or a descriptor into the slot's header.
    ///
    /// # Safety
    /// `data` fits the slot (`max_msg_size` bytes after its header), and no one else
    /// touches the slot meanwhile.
    #[inline(always)]
    unsafe fn write_message(&self, s: &SlotHeader, data: Payload<'_>) {
        if data.word() & INDIRECT != 0 {
            let mut b = [0u8; Descriptor::SIZE];
            // SAFETY: a descriptor payload is `Descriptor::SIZE` readable bytes.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), b.as_mut_ptr(), b.len()) };
            // Relaxed: published as `len` is (see `SlotHeader::descriptor`).
            s.descriptor
                .store(Descriptor::from_bytes(b).to_word(), Ordering::Relaxed);
            return;
        }
        // SAFETY: per this fn's contract.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.payload(s, data.len()), data.len())
        };
    }

    #[cold]
    fn no_progress(&self) -> Error {
        corrupted(format!(
            "message queue {:?} makes no progress (its positions are garbage)",
            self.name
        ))
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
        let h = self.queue_header();
        // Acquire, all four: pair with the Release stores of the mode and count (the
        // switches, locked operations) and the claims on the ends; a snapshot, exact only
        // when nothing moves.
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
        self.queue_header().mode.load(Ordering::Acquire) == MODE_RING
    }

    /// Whether the queue may run in ring mode at all. A slot's `pos` word tells "published
    /// at position p" (p + 1) from "free for position p + max_msg" only when those differ,
    /// so a queue of one slot lives in locked mode for good (Boost's design, which is all
    /// such a queue needs).
    fn ring_fits(&self) -> bool {
        self.layout.max_msg >= 2
    }

    // ----- the operations -----

    /// The `Size` error for a message of `len` bytes larger than the queue's limit.
    fn fits(&self, len: usize) -> Result<()> {
        if len as u64 > self.layout.max_msg_size {
            return Err(Error::new(
                ErrorKind::Size,
                format!(
                    "message of {len} bytes is larger than the queue's limit of {} bytes",
                    self.layout.max_msg_size
                ),
            ));
        }
        Ok(())
    }

    fn send_impl(&self, data: Payload<'_>, priority: u32, wait: Wait) -> Result<bool> {
        self.fits(data.len())?;
        for _ in 0..ROUNDS_MAX {
            let switch = match self.ring().send(data, priority, wait)? {
                Ring::Done(sent) => return Ok(sent),
                Ring::Locked => false,
                Ring::Switch => true,
            };
            let Some(guard) = self.locked().lock(wait)? else {
                return Ok(false);
            };
            // Acquire: pairs with the Release store of the mode by the last switch, made
            // under this lock too (the lock alone would order it; the mode is also read
            // without it).
            if self.queue_header().mode.load(Ordering::Acquire) == MODE_RING {
                if !switch {
                    continue;
                }
                if !self.locked().switch_to_locked(wait)? {
                    return Ok(false);
                }
            }
            if let Some(sent) = self.locked().send(guard, data, priority, wait)? {
                return Ok(sent);
            }
        }
        Err(self.no_progress())
    }

    fn receive_impl(&self, buf: &mut [u8], wait: Wait) -> Result<Option<(usize, u32)>> {
        Ok(match self.receive_into(&mut Sink::Copy(buf), wait)? {
            Some(Got::Copied(len, priority)) => Some((len, priority)),
            Some(_) => unreachable!("a copying receive copies"),
            None => None,
        })
    }

    /// Receives the next message into `sink`; `None` if `wait` ran out.
    fn receive_into(&self, sink: &mut Sink<'_>, wait: Wait) -> Result<Option<Got>> {
        if let Sink::Copy(buf) = sink
            && (buf.len() as u64) < self.layout.max_msg_size
        {
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
            if let Ring::Done(got) = self.ring().receive(sink, wait)? {
                return Ok(got);
            }
            let Some(guard) = self.locked().lock(wait)? else {
                return Ok(None);
            };
            // Acquire: as in `send_impl`.
            if self.queue_header().mode.load(Ordering::Acquire) == MODE_RING {
                continue;
            }
            if let Some(got) = self.locked().receive(guard, sink, wait)? {
                return Ok(got);
            }
        }
        Err(self.no_progress())
    }

    /// Sends `data` with `priority`, waiting while the queue is full. A message larger than
    /// `max_msg_size` is a `Size` error and the queue is unchanged.
    pub fn send(&self, data: &[u8], priority: u32) -> Result<()> {
        self.send_impl(Payload::of_slice(data), priority, Wait::Forever)
            .map(|_| ())
    }

    /// Sends if there is room now; returns whether it was sent.
    pub fn try_send(&self, data: &[u8], priority: u32) -> Result<bool> {
        self.send_impl(Payload::of_slice(data), priority, Wait::Never)
    }

    /// Sends, waiting at most until `deadline`; returns whether it was sent.
    pub fn timed_send(&self, data: &[u8], priority: u32, deadline: Deadline) -> Result<bool> {
        self.send_impl(Payload::of_slice(data), priority, Wait::Until(deadline))
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
