//! Message queues in shared memory: Boost's `message_queue`.
//!
//! A queue is a shared memory object `/dev/shm/<name>` holding a header, a circular index
//! of slot indices kept sorted by (priority, highest first; then sequence number, oldest
//! first), a stack of free slot indices, and the slots. Receiving takes the index's first
//! entry; sending a message of the lowest priority present (the usual case: one priority
//! for all) appends it, so both are O(1); a higher priority moves the entries on the
//! shorter side of its place by one. A robust process-shared mutex guards the
//! indices; the message bytes are copied under it too (one copy per message, no
//! allocation). Blocked senders and receivers sleep on shared futexes after a short spin,
//! and are only woken (a system call) when someone is actually waiting.
//!
//! A process killed in the middle of `send` or `receive` does not wedge the queue: the next
//! process to take the lock gets it (robust mutex) and rebuilds the index and the free stack
//! from the slots' own states. A slot's bytes are complete before it is marked queued, and
//! it is marked free only after its bytes were copied out, so at most the one message in
//! flight in the dead process is lost (a receiver that died after taking its message); a
//! sender that died before marking its slot queued loses only its own unsent message.

use crate::name::os_name;
use crate::os::{futex, robust};
use crate::sync::Deadline;
use crate::{Error, ErrorKind, MappedRegion, Mode, Permissions, Result, SharedMemoryObject};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const MAGIC: [u8; 8] = *b"IPROCMQ1";
/// Bumped on any change of the shared layout below.
const LAYOUT_VERSION: u32 = 3;
const READY: u32 = 0x5245_4459;
const SLOT_FREE: u32 = 0;
const SLOT_QUEUED: u32 = 1;
/// How long an opener waits for a creator to finish.
const INIT_WAIT: Duration = Duration::from_secs(10);
/// How long to spin before sleeping when another CPU may be about to answer: a futex
/// sleep and wake-up costs several microseconds each way.
const SPIN_BUDGET: Duration = Duration::from_micros(20);
/// The part of it spent busy before yielding the CPU.
const BUSY_SPIN: Duration = Duration::from_micros(3);
/// After this many busy spins in a row that saw nothing, busy spinning is mostly skipped.
const BUSY_MISSES_MAX: u32 = 4;
/// The largest queue accepted (total bytes).
const MAX_TOTAL: u64 = 1 << 40;

#[repr(C)]
struct QueueHeader {
    magic: [u8; 8],
    layout_version: u32,
    state: AtomicU32,
    creator_pid: AtomicU32,
    /// Where the sorted index starts in its circular array (under the lock).
    ring_head: u32,
    max_msg: u64,
    max_msg_size: u64,
    slot_size: u64,
    lock: UnsafeCell<robust::RawLock>,
    count: AtomicU64,
    next_seq: u64,
    free_top: u64,
    not_empty: AtomicU32,
    not_full: AtomicU32,
    receivers_waiting: AtomicU32,
    senders_waiting: AtomicU32,
}

const HEADER_SIZE: u64 = std::mem::size_of::<QueueHeader>() as u64;

#[repr(C)]
struct SlotHeader {
    seq: u64,
    priority: u32,
    state: u32,
    len: u64,
    _pad: u64,
}

const SLOT_HEADER: u64 = std::mem::size_of::<SlotHeader>() as u64;

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
    max_msg_size: u64,
    slot_size: u64,
    index: u64,
    free: u64,
    slots: u64,
    total: u64,
}

impl Layout {
    fn new(max_msg: u64, max_msg_size: u64) -> Result<Layout> {
        let bad = |why: String| Error::new(ErrorKind::InvalidArgument, why);
        if max_msg == 0 || max_msg_size == 0 {
            return Err(bad(format!(
                "a message queue needs max_num_msg and max_msg_size above 0 (got {max_msg} and {max_msg_size})"
            )));
        }
        if max_msg > u64::from(u32::MAX) {
            return Err(bad(format!("max_num_msg {max_msg} is absurd")));
        }
        let too_big = || {
            bad(format!(
                "a queue of {max_msg} messages of {max_msg_size} bytes is too large"
            ))
        };
        let slot_size = max_msg_size
            .checked_next_multiple_of(16)
            .and_then(|s| s.checked_add(SLOT_HEADER))
            .ok_or_else(too_big)?;
        let index = HEADER_SIZE;
        let free = index + INDEX_ENTRY * max_msg;
        let slots = (free + 4 * max_msg).next_multiple_of(16);
        let total = max_msg
            .checked_mul(slot_size)
            .and_then(|s| s.checked_add(slots))
            .filter(|&t| t <= MAX_TOTAL)
            .ok_or_else(too_big)?;
        Ok(Layout {
            max_msg,
            max_msg_size,
            slot_size,
            index,
            free,
            slots,
            total,
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

// SAFETY: all shared state is accessed under the queue's process-shared lock or through
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

struct Guard<'a> {
    q: &'a MessageQueue,
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        // SAFETY: the guard exists only while this thread holds the lock.
        let _ = unsafe { robust::unlock(self.q.header().lock.get()) };
    }
}

fn corrupted(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Corrupted, msg)
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
        if shm.created() {
            let layout = layout.expect("creating needs a layout");
            let made = shm
                .truncate(layout.total)
                .and_then(|_| MappedRegion::new(&shm, Mode::ReadWrite, 0, 0))
                .and_then(|region| Self::format(region, layout, name));
            if made.is_err() {
                SharedMemoryObject::remove(name);
            }
            return made;
        }
        let start = Instant::now();
        while shm.size()? < HEADER_SIZE {
            if start.elapsed() > INIT_WAIT {
                return Err(corrupted(format!("{what} was never sized by its creator")));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0)?;
        // SAFETY: at least HEADER_SIZE bytes are mapped.
        let h = unsafe { &*region.as_ptr().cast::<QueueHeader>() };
        loop {
            match h.state.load(Ordering::Acquire) {
                READY => break,
                0 => {
                    let pid = h.creator_pid.load(Ordering::Relaxed);
                    if pid != 0 && !crate::os::process_alive(pid) {
                        return Err(corrupted(format!(
                            "{what}: its creator (pid {pid}) died while initialising it"
                        )));
                    }
                    if start.elapsed() > INIT_WAIT {
                        return Err(corrupted(format!(
                            "{what} is still not initialised after {INIT_WAIT:?}"
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                other => {
                    return Err(corrupted(format!(
                        "{what} is not an interproc message queue (state {other:#x})"
                    )));
                }
            }
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
        Ok(MessageQueue {
            region,
            layout,
            name: name.to_owned(),
            created: false,
            busy_misses: AtomicU32::new(0),
        })
    }

    fn format(region: MappedRegion, layout: Layout, name: &str) -> Result<Self> {
        let base = region.as_ptr();
        // SAFETY: a fresh, zeroed mapping of `layout.total` bytes that this process created
        // exclusively; openers only read `state` and `creator_pid` until READY.
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
            let free = base.add(layout.free as usize).cast::<u32>();
            for i in 0..layout.max_msg {
                *free.add(i as usize) = (layout.max_msg - 1 - i) as u32;
            }
            (*h).free_top = layout.max_msg;
            (*h).magic = MAGIC;
            (*h).state.store(READY, Ordering::Release);
        }
        Ok(MessageQueue {
            region,
            layout,
            name: name.to_owned(),
            created: true,
            busy_misses: AtomicU32::new(0),
        })
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

    fn slot(&self, idx: u32) -> Result<*mut SlotHeader> {
        if u64::from(idx) >= self.layout.max_msg {
            return Err(corrupted(format!(
                "message queue {:?}: slot index {idx} out of range",
                self.name
            )));
        }
        let off = self.layout.slots + u64::from(idx) * self.layout.slot_size;
        Ok(self.region.as_ptr().wrapping_add(off as usize).cast())
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

    /// The number of messages in the queue now.
    pub fn num_msg(&self) -> usize {
        self.header().count.load(Ordering::Acquire) as usize
    }

    fn lock(&self) -> Result<Guard<'_>> {
        // SAFETY: the lock was initialised before the queue became ready.
        let how = unsafe { robust::lock_spinning(self.header().lock.get(), SPIN_BUDGET) }
            .map_err(|e| e.into_error("locking the queue"))?;
        let g = Guard { q: self };
        // Every slot is either queued or free: counts that disagree with that come from a
        // dead process or from garbage, and the slots themselves say what is true.
        let (count, free_top, ring_head) = (
            self.header().count.load(Ordering::Acquire),
            self.header().free_top,
            self.header().ring_head,
        );
        if how == robust::Acquired::OwnerDied
            || count.checked_add(free_top) != Some(self.layout.max_msg)
            || u64::from(ring_head) >= self.layout.max_msg
        {
            self.repair()?;
        }
        Ok(g)
    }

    /// Rebuilds the index structures from the slots' states after a process died holding the
    /// lock (see the module documentation for what can be lost).
    #[cold]
    fn repair(&self) -> Result<()> {
        let mut queued = Vec::new();
        let mut free = Vec::new();
        let mut max_seq = 0;
        for i in 0..self.layout.max_msg as u32 {
            let s = self.slot(i)?;
            // SAFETY: `s` is inside the mapping (checked by `slot`); we hold the lock.
            let (state, prio, seq, len) =
                unsafe { ((*s).state, (*s).priority, (*s).seq, (*s).len) };
            if state == SLOT_QUEUED && len <= self.layout.max_msg_size {
                queued.push((std::cmp::Reverse(prio), seq, i, prio));
                max_seq = max_seq.max(seq);
            } else {
                // SAFETY: as above.
                unsafe { (*s).state = SLOT_FREE };
                free.push(i);
            }
        }
        queued.sort();
        let h = self.hdr_mut();
        // SAFETY: the index and free arrays hold `max_msg` entries each; we hold the lock.
        unsafe {
            for (k, &(_, seq, slot, priority)) in queued.iter().enumerate() {
                *self.index_ptr().add(k) = IndexEntry {
                    seq,
                    priority,
                    slot,
                };
            }
            for (k, &i) in free.iter().enumerate() {
                *self.free_ptr().add(k) = i;
            }
            (*h).free_top = free.len() as u64;
            (*h).next_seq = max_seq.wrapping_add(1);
            (*h).ring_head = 0;
        }
        self.header()
            .count
            .store(queued.len() as u64, Ordering::Release);
        // Wake everyone: waiters may have been waiting on the dead process.
        self.header().not_empty.fetch_add(1, Ordering::Release);
        self.header().not_full.fetch_add(1, Ordering::Release);
        let _ = futex::wake(&self.header().not_empty, i32::MAX);
        let _ = futex::wake(&self.header().not_full, i32::MAX);
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

    /// Spins briefly while `ready` is false, when another CPU could make it true soon.
    /// A short busy spin catches a peer on another CPU; after it, yielding lets a peer
    /// that shares this CPU run (a busy spin would only hold it off) and is still cheaper
    /// than a futex sleep and wake-up.
    ///
    /// The busy part adapts: when it keeps failing (the peer shares this CPU, or is slow),
    /// it is skipped, and tried again now and then in case things changed.
    fn spin(&self, ready: impl Fn() -> bool) {
        let start = Instant::now();
        let misses = self.busy_misses.load(Ordering::Relaxed);
        if crate::os::cpu_count() >= 2 && (misses < BUSY_MISSES_MAX || misses % 16 == 0) {
            while start.elapsed() < BUSY_SPIN {
                for _ in 0..8 {
                    if ready() {
                        self.busy_misses.store(0, Ordering::Relaxed);
                        return;
                    }
                    std::hint::spin_loop();
                }
            }
        }
        self.busy_misses
            .store(misses.wrapping_add(1), Ordering::Relaxed);
        while start.elapsed() < SPIN_BUDGET {
            if ready() {
                return;
            }
            std::thread::yield_now();
        }
    }

    /// Sleeps on `word` (registered in `waiting`) with the lock released; relocks.
    fn sleep<'a>(
        &'a self,
        guard: Guard<'a>,
        word: &AtomicU32,
        waiting: &AtomicU32,
        wait: Wait,
    ) -> Result<(Guard<'a>, bool)> {
        waiting.fetch_add(1, Ordering::AcqRel);
        let seen = word.load(Ordering::Acquire);
        drop(guard);
        let deadline = match wait {
            Wait::Until(d) => Some(d.os()),
            _ => None,
        };
        let r = futex::wait(word, seen, deadline);
        let guard = self.lock();
        waiting.fetch_sub(1, Ordering::AcqRel);
        let guard = guard?;
        let timed_out = matches!(
            r.map_err(|e| e.into_error("waiting on the queue"))?,
            futex::Woken::TimedOut
        );
        Ok((guard, timed_out))
    }

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
        let h = self.header();
        let max = self.layout.max_msg;
        if !matches!(wait, Wait::Never) && h.count.load(Ordering::Acquire) >= max {
            self.spin(|| h.count.load(Ordering::Acquire) < max);
        }
        let mut guard = self.lock()?;
        loop {
            let count = h.count.load(Ordering::Acquire);
            if count < max {
                break;
            }
            let deadline_passed = matches!(wait, Wait::Until(d) if d.has_passed());
            if matches!(wait, Wait::Never) || deadline_passed {
                return Ok(false);
            }
            let (g, timed_out) = self.sleep(guard, &h.not_full, &h.senders_waiting, wait)?;
            guard = g;
            if timed_out && h.count.load(Ordering::Acquire) >= max {
                return Ok(false);
            }
        }
        let hp = self.hdr_mut();
        let count = h.count.load(Ordering::Acquire);
        // SAFETY: we hold the lock; `free_top` and the slot index are checked before use.
        unsafe {
            let top = (*hp).free_top;
            if top == 0 || top > max {
                return Err(corrupted("message queue free list is inconsistent"));
            }
            let idx = *self.free_ptr().add((top - 1) as usize);
            let s = self.slot(idx)?;
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                s.cast::<u8>().add(SLOT_HEADER as usize),
                data.len(),
            );
            let seq = (*hp).next_seq;
            (*s).len = data.len() as u64;
            (*s).priority = priority;
            (*s).seq = seq;
            (*hp).next_seq = seq.wrapping_add(1);
            // The bytes are complete before the slot says it is queued (see `repair`).
            std::sync::atomic::fence(Ordering::Release);
            (*s).state = SLOT_QUEUED;
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
        let wake = count == 0 && h.receivers_waiting.load(Ordering::Acquire) > 0;
        if wake {
            h.not_empty.fetch_add(1, Ordering::Release);
        }
        drop(guard);
        if wake {
            let _ = futex::wake(&h.not_empty, i32::MAX);
        }
        Ok(true)
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
        let h = self.header();
        if !matches!(wait, Wait::Never) && h.count.load(Ordering::Acquire) == 0 {
            self.spin(|| h.count.load(Ordering::Acquire) > 0);
        }
        let mut guard = self.lock()?;
        loop {
            if h.count.load(Ordering::Acquire) > 0 {
                break;
            }
            let deadline_passed = matches!(wait, Wait::Until(d) if d.has_passed());
            if matches!(wait, Wait::Never) || deadline_passed {
                return Ok(None);
            }
            let (g, timed_out) = self.sleep(guard, &h.not_empty, &h.receivers_waiting, wait)?;
            guard = g;
            if timed_out && h.count.load(Ordering::Acquire) == 0 {
                return Ok(None);
            }
        }
        let hp = self.hdr_mut();
        let count = h.count.load(Ordering::Acquire);
        let got;
        // SAFETY: we hold the lock; indices and lengths are checked before use.
        unsafe {
            let idx = self.index_pop().slot;
            let s = self.slot(idx)?;
            let len = (*s).len;
            if len > self.layout.max_msg_size {
                return Err(corrupted(
                    "a queued message is longer than the queue allows",
                ));
            }
            std::ptr::copy_nonoverlapping(
                s.cast::<u8>().add(SLOT_HEADER as usize),
                buf.as_mut_ptr(),
                len as usize,
            );
            got = (len as usize, (*s).priority);
            // Freed only after the bytes are out (see `repair`).
            std::sync::atomic::fence(Ordering::Release);
            (*s).state = SLOT_FREE;
            let top = (*hp).free_top;
            if top >= self.layout.max_msg {
                return Err(corrupted("message queue free list is inconsistent"));
            }
            *self.free_ptr().add(top as usize) = idx;
            (*hp).free_top = top + 1;
        }
        h.count.store(count - 1, Ordering::Release);
        // Senders only sleep on a full queue: wake them all on the step from full.
        let wake = count == self.layout.max_msg && h.senders_waiting.load(Ordering::Acquire) > 0;
        if wake {
            h.not_full.fetch_add(1, Ordering::Release);
        }
        drop(guard);
        if wake {
            let _ = futex::wake(&h.not_full, i32::MAX);
        }
        Ok(Some(got))
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
        assert_eq!(LAYOUT_VERSION, 3);
        assert_eq!(offset_of!(QueueHeader, state), 12);
        assert_eq!(offset_of!(QueueHeader, creator_pid), 16);
        assert_eq!(offset_of!(QueueHeader, ring_head), 20);
        assert_eq!(offset_of!(QueueHeader, max_msg), 24);
        assert_eq!(offset_of!(QueueHeader, lock), 48);
        assert_eq!(offset_of!(QueueHeader, count), 88);
        assert_eq!(offset_of!(QueueHeader, not_empty), 112);
        assert_eq!(size_of::<QueueHeader>(), 128);
        assert_eq!(size_of::<SlotHeader>(), 32);
        let l = Layout::new(10, 100).unwrap();
        assert_eq!(
            (l.slot_size, l.index, l.free, l.slots, l.total),
            (144, 128, 288, 336, 336 + 1440)
        );
        assert_eq!(size_of::<IndexEntry>(), 16);
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
            Layout::new(1 << 33, 10).unwrap_err().kind(),
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
