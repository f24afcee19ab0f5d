//! The bodies of the fuzz targets, shared by `cargo fuzz` (`fuzz/fuzz_targets/*.rs`) and
//! by the replay test that runs the committed corpus on a stable toolchain
//! (`tests/fuzz_corpus.rs`), so both run exactly the same code.
//!
//! An input is `[n: u8][n bytes of operations][image]`. The image is laid over a managed
//! segment (in a heap buffer, opened as a `ManagedExternalBuffer`) or over a message queue
//! (in a POSIX shared memory object, opened by name); the operations then run on what was
//! opened. Whatever the bytes, every call must come back with a value or an error: a
//! panic, a crash, a hang or a touch outside the buffer (which AddressSanitizer reports in
//! a `cargo fuzz` build) is a bug. The checks below also panic when the library hands out
//! memory that is not inside the segment's heap, since a program writing there would
//! corrupt what it does not own.
//!
//! One thing is pinned rather than fuzzed, because honouring it is a legitimate wait, not
//! a failure: the lock words are replaced by unlocked locks (a lock held by a live process
//! is waited for; garbage lock words are tested in `tests/hostile.rs`): the segment lock,
//! the queue lock, and the locks of the queue's loan-pool slots (a receiver waits for the
//! holder of a queued message's pool slot, its sender finishing the send). A queue whose state
//! is not ready is reported at once: nobody holds its build lock (see `src/publish.rs`).

#![allow(dead_code)]

use interproc::sync::Deadline;
use interproc::{
    InstanceKind, MIN_SEGMENT_SIZE, ManagedExternalBuffer, MappedRegion, MessageQueue, Mode,
    Permissions, SegmentManager, SharedMemoryObject,
};
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[path = "seeds.rs"]
mod seeds;
// The replay test uses these; the fuzz binaries, which include this file too, do not.
#[allow(unused_imports)]
pub use seeds::{Rng, construct_named, poke, queue_image, seeds, segment_image, segment_seeds};

/// Where the segment lock lives in a segment header (pinned by `shared_layout_is_pinned`
/// in `src/segment/manager.rs`).
pub const SEGMENT_LOCK: std::ops::Range<usize> = 40..80;
/// The creator pid in a segment header.
pub const SEGMENT_CREATOR: std::ops::Range<usize> = 20..24;
/// Where the queue lock lives in a queue header (pinned in `src/mq.rs`).
pub const QUEUE_LOCK: std::ops::Range<usize> = 64..104;
/// The creator pid of a queue header.
pub const QUEUE_CREATOR: std::ops::Range<usize> = 16..20;

/// Where the locks of a queue's loan-pool slots lie in an image whose header names
/// `max_msg` messages of `max_msg_size` bytes, as far as the image holds them (the queue's
/// layout, pinned by `shared_layout_is_pinned` in `src/mq/tests.rs`: a 448-byte header;
/// 64 participant entries of 128 bytes from offset 512; 16 bytes of index and 4 of free
/// stack per message; the slots, 128-aligned, each a 64-byte header and the message
/// rounded up to 128; then as many loan-pool slots, each with its lock at offset 16, 40
/// bytes long). An unlocked lock is all zeros.
pub fn pool_locks(image: &[u8]) -> Vec<std::ops::Range<usize>> {
    let word = |at: usize| u64::from_ne_bytes(image[at..at + 8].try_into().expect("8 bytes"));
    let (max_msg, max_msg_size) = (word(24), word(32));
    let layout = (|| {
        let slot_size = max_msg_size
            .checked_add(64)?
            .checked_next_multiple_of(128)?;
        let free = (512 + 128 * 64u64).checked_add(max_msg.checked_mul(16)?)?;
        let slots = free
            .checked_add(max_msg.checked_mul(4)?)?
            .checked_next_multiple_of(128)?;
        let pool = slots.checked_add(max_msg.checked_mul(slot_size)?)?;
        Some((pool, slot_size))
    })();
    let Some((pool, slot_size)) = layout else {
        return Vec::new();
    };
    (0..max_msg)
        .map_while(|i| {
            let at = usize::try_from(
                pool.checked_add(i.checked_mul(slot_size)?)?
                    .checked_add(16)?,
            )
            .ok()?;
            (at + 40 <= image.len()).then_some(at..at + 40)
        })
        .collect()
}
/// The size of a queue header: an opener waits for an object to reach it.
pub const QUEUE_HEADER: usize = 448;
/// Bytes past the image that a `grow` operation may take into the segment.
const GROW_SLACK: usize = 1024;

/// What one input did, for the replay test's figures and checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The image opened as a segment or queue.
    pub opened: bool,
    /// Operations run on it.
    pub ops: u32,
    /// Operations that returned an error.
    pub errors: u32,
}

/// The bytes of a fresh, unlocked segment lock, taken from a segment this library makes,
/// so they follow its layout.
fn segment_lock_template() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| {
        let mut buf = AlignedBuf::new(MIN_SEGMENT_SIZE as usize);
        ManagedExternalBuffer::create(buf.bytes()).expect("template segment");
        buf.bytes()[SEGMENT_LOCK].to_vec()
    })
}

/// The bytes of a fresh, unlocked queue lock, from a queue this library makes.
fn queue_lock_template() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| {
        let name = unique_name("tpl");
        let lock = {
            let _q =
                MessageQueue::create(&name, 1, 1, Permissions::default()).expect("template queue");
            let mut bytes = vec![0u8; QUEUE_LOCK.end];
            let shm = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
            let region = MappedRegion::new(&shm, Mode::ReadOnly, 0, 0).unwrap();
            region.read_at(0, &mut bytes).unwrap();
            bytes[QUEUE_LOCK].to_vec()
        };
        MessageQueue::remove(&name);
        lock
    })
}

/// A name no other process or thread uses at the same time.
fn unique_name(what: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "ipfz_{what}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A zeroed, 16-byte aligned heap buffer (a managed segment needs that alignment).
pub struct AlignedBuf {
    words: Vec<u128>,
    len: usize,
}

impl AlignedBuf {
    pub fn new(len: usize) -> AlignedBuf {
        AlignedBuf {
            words: vec![0; len.div_ceil(16)],
            len,
        }
    }

    pub fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: the vector holds at least `len` initialised bytes (u128 has no padding),
        // and the slice borrows it mutably for its lifetime.
        unsafe { std::slice::from_raw_parts_mut(self.words.as_mut_ptr().cast(), self.len) }
    }
}

/// Where the heap of a segment image starts: its header size (the 16-bit word at offset
/// 14), rounded up to 16.
pub fn heap_start_of(image: &[u8]) -> usize {
    usize::from(u16::from_ne_bytes([image[14], image[15]])).next_multiple_of(16)
}

/// Splits an input into its operations and its image.
pub fn split(data: &[u8]) -> (&[u8], &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (&[], &[]);
    };
    rest.split_at((n as usize).min(rest.len()))
}

/// Joins operations and an image into an input (the inverse of [`split`]).
pub fn join(ops: &[u8], image: &[u8]) -> Vec<u8> {
    let ops = &ops[..ops.len().min(255)];
    let mut v = Vec::with_capacity(1 + ops.len() + image.len());
    v.push(ops.len() as u8);
    v.extend_from_slice(ops);
    v.extend_from_slice(image);
    v
}

/// Reads operation arguments; zeros once the bytes run out.
struct OpReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl OpReader<'_> {
    fn more(&self) -> bool {
        self.at < self.bytes.len()
    }

    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    /// A size: mostly small, sometimes large, sometimes absurd.
    fn size(&mut self) -> usize {
        let how = self.byte();
        let k = self.u16() as usize;
        match how % 8 {
            0..=2 => k % 128,
            3 | 4 => k % 4096,
            5 => k,
            6 => k << 8,
            _ => usize::MAX >> (k % 64),
        }
    }

    fn kind(&mut self) -> InstanceKind {
        match self.byte() % 3 {
            0 => InstanceKind::Named,
            1 => InstanceKind::Unique,
            _ => InstanceKind::Anonymous,
        }
    }

    fn name(&mut self) -> Vec<u8> {
        let b = self.byte();
        match b % 32 {
            0..=19 => format!("obj{}", b % 20).into_bytes(),
            20..=27 => format!("name{}", b % 8).into_bytes(),
            28 => Vec::new(),
            29 => b"nul\0inside".to_vec(),
            30 => vec![b'L'; 300],
            _ => vec![0xff, 0xfe, b'x'],
        }
    }
}

/// Panics unless `[p, p + n)` lies inside the heap of the segment mapped at
/// `[base, base + len)`.
fn assert_in_heap(what: &str, base: usize, len: usize, p: *const u8, n: usize) {
    // SAFETY: the segment at `base` was opened by the library, which checked that its
    // header (and so the header size word at offset 14) is mapped.
    let header_size = unsafe { ((base + 14) as *const u16).read_unaligned() };
    let heap = base + usize::from(header_size).next_multiple_of(16);
    let p = p as usize;
    assert!(
        p >= heap && p.checked_add(n).is_some_and(|e| e <= base + len),
        "{what}: [{p:#x}, +{n}) is not inside the heap [{heap:#x}, {:#x})",
        base + len
    );
}

/// Panics unless `[p, p + n)` lies inside the mapping `[base, base + len)`.
fn assert_in_mapping(what: &str, base: usize, len: usize, p: *const u8, n: usize) {
    let p = p as usize;
    assert!(
        p >= base && p.checked_add(n).is_some_and(|e| e <= base + len),
        "{what}: [{p:#x}, +{n}) is outside the mapping [{base:#x}, {:#x})",
        base + len
    );
}

/// Fills `n` bytes at `p`, as a program does with memory it was given.
fn touch(p: NonNull<u8>, n: usize, value: u8) {
    // SAFETY: every caller checked `[p, p + n)` with `assert_in_heap` against the live
    // buffer first.
    unsafe { std::ptr::write_bytes(p.as_ptr(), value, n) }
}

/// Reads `n` bytes at `p`, as a program does with a name it was given.
fn read_all(p: *const u8, n: usize) -> u64 {
    // SAFETY: every caller checked `[p, p + n)` with `assert_in_mapping` first.
    let s = unsafe { std::slice::from_raw_parts(p, n) };
    s.iter().map(|&b| u64::from(b)).sum()
}

/// Counts an operation and whether it failed.
fn tally<T>(out: &mut Outcome, r: &interproc::Result<T>) {
    out.ops += 1;
    if r.is_err() {
        out.errors += 1;
    }
}

/// Lays the image over a managed segment and runs the operations on it.
/// Tallies a receive's result, and checks that it never claims more bytes than a message of
/// the queue holds.
fn tally_received<P>(
    out: &mut Outcome,
    res: &interproc::Result<Option<(usize, P)>>,
    max_size: usize,
) {
    tally(out, res);
    if let Ok(Some((n, _))) = res {
        assert!(
            *n <= max_size,
            "received {n} bytes from a queue of {max_size}"
        );
    }
}

pub fn segment(data: &[u8]) -> Outcome {
    let mut out = Outcome::default();
    let (ops, image) = split(data);
    let mut buf = AlignedBuf::new(image.len() + GROW_SLACK);
    let bytes = buf.bytes();
    bytes[..image.len()].copy_from_slice(image);
    if image.len() >= SEGMENT_LOCK.end {
        bytes[SEGMENT_LOCK].copy_from_slice(segment_lock_template());
    }
    let base = bytes.as_mut_ptr();
    let mut len = image.len();
    // SAFETY: `buf` outlives `seg` (declared before it, dropped after), holds `len` bytes
    // plus GROW_SLACK, and nothing else touches it while `seg` lives.
    let Ok(mut seg) = (unsafe { ManagedExternalBuffer::from_raw(false, base, len) }) else {
        return out;
    };
    out.opened = true;
    let b = base as usize;
    let mut allocations: Vec<NonNull<u8>> = Vec::new();
    let mut objects: Vec<NonNull<u8>> = Vec::new();
    let mut r = OpReader { bytes: ops, at: 0 };
    while r.more() {
        match r.byte() % 20 {
            0 => {
                let n = r.size();
                let res = seg.allocate(n);
                tally(&mut out, &res);
                if let Ok(Some(p)) = res {
                    assert_in_heap("allocate", b, len, p.as_ptr(), n);
                    assert_eq!(p.as_ptr() as usize % 16, 0, "allocate: misaligned");
                    touch(p, n, 0xa5);
                    allocations.push(p);
                }
            }
            1 => {
                let n = r.size();
                let align = 1usize << (r.byte() % 14);
                let res = seg.allocate_aligned(n, align);
                tally(&mut out, &res);
                if let Ok(Some(p)) = res {
                    assert_in_heap("allocate_aligned", b, len, p.as_ptr(), n);
                    assert_eq!(
                        p.as_ptr() as usize % align,
                        0,
                        "allocate_aligned: misaligned"
                    );
                    touch(p, n, 0xa6);
                    allocations.push(p);
                }
            }
            2 => {
                if !allocations.is_empty() {
                    let i = r.byte() as usize % allocations.len();
                    let p = allocations.swap_remove(i);
                    tally(&mut out, &seg.deallocate(p.as_ptr()));
                }
            }
            3 => {
                // A pointer that may or may not be an allocation, possibly outside.
                let off = (r.u16() as usize).wrapping_mul(r.byte() as usize % 17 + 1);
                tally(&mut out, &seg.deallocate(base.wrapping_add(off)));
            }
            4 => {
                let kind = r.kind();
                let name = r.name();
                let elem = r.size() % 4096;
                let align = 1usize << (r.byte() % 8);
                let count = r.size() % 64;
                let find_existing = r.byte() % 2 == 0;
                let fail = r.byte() % 8 == 0;
                let res = seg.construct(
                    kind,
                    &name,
                    elem,
                    align,
                    count,
                    find_existing,
                    &mut |p, n| {
                        let bytes = elem.saturating_mul(n);
                        assert_in_heap("construct", b, len, p.as_ptr(), bytes);
                        assert_eq!(p.as_ptr() as usize % align, 0, "construct: misaligned");
                        touch(p, bytes, 0x5c);
                        if fail {
                            Err(interproc::Error::new(
                                interproc::ErrorKind::InvalidArgument,
                                "constructor failed",
                            ))
                        } else {
                            Ok(())
                        }
                    },
                );
                tally(&mut out, &res);
                if let Ok((info, _)) = res {
                    let bytes = info.elem_size.saturating_mul(info.count);
                    assert_in_heap("construct result", b, len, info.ptr.as_ptr(), bytes);
                    objects.push(info.ptr);
                }
            }
            5 => {
                let kind = r.kind();
                let name = r.name();
                let size = (r.byte() % 4 == 0).then(|| r.size() % 4096);
                let res = seg.find(kind, &name, size);
                tally(&mut out, &res);
                if let Ok(Some(info)) = res {
                    let bytes = info.elem_size.saturating_mul(info.count);
                    assert_in_heap("find", b, len, info.ptr.as_ptr(), bytes);
                    touch(info.ptr, bytes, 0x3e);
                    objects.push(info.ptr);
                }
            }
            6 => {
                let kind = r.kind();
                let name = r.name();
                let res = seg.destroy(kind, &name, None, &mut |p, n| {
                    let _ = (p, n);
                });
                tally(&mut out, &res);
            }
            7 => {
                if !objects.is_empty() {
                    let i = r.byte() as usize % objects.len();
                    let p = objects.swap_remove(i);
                    let res = seg.destroy_ptr(p.as_ptr(), &mut |_, _| {});
                    tally(&mut out, &res);
                }
            }
            8 => {
                let p = if !objects.is_empty() && r.byte() % 2 == 0 {
                    objects[r.byte() as usize % objects.len()].as_ptr()
                } else {
                    base.wrapping_add(r.u16() as usize * 8)
                };
                let res = seg.instance(p);
                tally(&mut out, &res);
                if let Ok((info, name, name_len)) = res {
                    let bytes = info.elem_size.saturating_mul(info.count);
                    assert_in_heap("instance", b, len, info.ptr.as_ptr(), bytes);
                    assert_in_mapping("instance name", b, len, name, name_len + 1);
                    read_all(name, name_len);
                }
            }
            9 => {
                for kind in [InstanceKind::Named, InstanceKind::Unique] {
                    let mut cursor = 0;
                    loop {
                        let res = seg.next_object(kind, cursor);
                        tally(&mut out, &res);
                        let Ok(Some((next, info, name, name_len))) = res else {
                            break;
                        };
                        assert!(next > cursor, "next_object: the cursor went back");
                        let bytes = info.elem_size.saturating_mul(info.count);
                        assert_in_heap("next_object", b, len, info.ptr.as_ptr(), bytes);
                        assert_in_mapping("next_object name", b, len, name, name_len + 1);
                        read_all(name, name_len);
                        cursor = next;
                    }
                }
            }
            10 => tally(&mut out, &seg.check_sanity()),
            11 => {
                tally(&mut out, &seg.free_memory());
                tally(&mut out, &seg.all_memory_deallocated());
                tally(&mut out, &seg.num_named_objects());
                tally(&mut out, &seg.num_unique_objects());
            }
            12 => tally(&mut out, &seg.zero_free_memory()),
            13 => {
                let n = r.size();
                tally(&mut out, &seg.reserve_named_objects(n));
            }
            14 => {
                let p = match allocations.len() {
                    0 => base.wrapping_add(r.u16() as usize),
                    n => allocations[r.byte() as usize % n].as_ptr(),
                };
                let res = seg.allocation_size(p);
                tally(&mut out, &res);
            }
            15 => {
                let extra = (r.byte() as usize * 16).min(image.len() + GROW_SLACK - seg.size());
                // SAFETY: the buffer holds `image.len() + GROW_SLACK` bytes, and the segment
                // never covers more than `len <= image.len() + GROW_SLACK - extra`.
                let res = unsafe { seg.grow(extra as u64) };
                tally(&mut out, &res);
                if res.is_ok() {
                    len = seg.size();
                }
            }
            16 => {
                if !objects.is_empty() {
                    let p = objects[r.byte() as usize % objects.len()];
                    // SAFETY: `p` was handed out by this segment as an object, and the
                    // segment is mapped.
                    let res = unsafe { SegmentManager::of_object(p.as_ptr()) };
                    tally(&mut out, &res);
                    if let Ok(m) = res {
                        assert_eq!(m.as_ptr(), base, "of_object: another segment");
                    }
                }
            }
            17 => {
                let h = r.u16() as u64 * 8;
                if let Ok(p) = seg.address_from_handle(h) {
                    assert_in_mapping("address_from_handle", b, len, p.as_ptr(), 1);
                    assert_eq!(seg.handle_from_address(p.as_ptr()).ok(), Some(h));
                }
                out.ops += 1;
            }
            18 => {
                let res = seg.atomic_func(|| 7);
                tally(&mut out, &res);
            }
            _ => {
                let p = base.wrapping_add(r.u16() as usize * 8);
                let res = seg.destroy_ptr(p, &mut |_, _| {});
                tally(&mut out, &res);
            }
        }
    }
    out
}

/// Lays the image over a message queue and runs the operations on it.
pub fn queue(data: &[u8]) -> Outcome {
    let mut out = Outcome::default();
    let (ops, image) = split(data);
    let mut bytes = image.to_vec();
    if bytes.len() < QUEUE_HEADER {
        bytes.resize(QUEUE_HEADER, 0);
    }
    bytes[QUEUE_LOCK].copy_from_slice(queue_lock_template());
    for lock in pool_locks(&bytes) {
        bytes[lock].fill(0);
    }
    let name = unique_name("q");
    let q = {
        let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default())
            .expect("creating the fuzz queue's memory");
        let written = shm
            .truncate(bytes.len() as u64)
            .and_then(|_| MappedRegion::new(&shm, Mode::ReadWrite, 0, 0))
            .and_then(|mut region| region.write_at(0, &bytes));
        let q = written.and_then(|_| MessageQueue::open(&name));
        // The mapping outlives the name.
        SharedMemoryObject::remove(&name);
        match q {
            Ok(q) => q,
            Err(_) => return out,
        }
    };
    out.opened = true;
    let max_size = q.max_msg_size();
    assert!(
        max_size <= bytes.len(),
        "a queue of {} bytes says it takes messages of {max_size} bytes",
        bytes.len()
    );
    let mut r = OpReader { bytes: ops, at: 0 };
    let mut buf = vec![0u8; max_size + 16];
    let payload: Vec<u8> = (0..=255u8).cycle().take(max_size + 16).collect();
    while r.more() {
        match r.byte() % 10 {
            0 | 1 => {
                let n = r.size() % (max_size + 2);
                let prio = u32::from(r.byte() % 8);
                tally(&mut out, &q.try_send(&payload[..n], prio));
            }
            2 | 3 => {
                let short = r.byte() % 8 == 0;
                let want = if short { max_size - 1 } else { max_size };
                tally_received(&mut out, &q.try_receive(&mut buf[..want]), max_size);
            }
            4 => {
                let wait = Duration::from_micros(u64::from(r.byte() % 4) * 100);
                let res = q.timed_receive(&mut buf[..max_size], Deadline::after(wait));
                tally_received(&mut out, &res, max_size);
            }
            5 => {
                let wait = Duration::from_micros(u64::from(r.byte() % 4) * 100);
                let n = r.size() % (max_size + 1);
                let res = q.timed_send(&payload[..n], 1, Deadline::after(wait));
                tally(&mut out, &res);
            }
            6 => {
                let _ = (q.num_msg(), q.max_msg());
                tally(&mut out, &q.check_loan_pool());
            }
            8 => {
                // A loan: written and sent, or given back unsent.
                let n = r.size() % (max_size + 2);
                let how = r.byte();
                match q.try_loan(n) {
                    Ok(Some(mut loan)) => {
                        loan.fill(how);
                        if how % 4 == 0 {
                            tally(&mut out, &loan.discard());
                        } else {
                            // Never `send`: it would wait on a full queue forever.
                            tally(&mut out, &loan.try_send(u32::from(how % 8)));
                        }
                    }
                    res => tally(&mut out, &res),
                }
            }
            9 => {
                // A receive in place: every byte read, then released.
                let res = q.try_receive_in_place();
                if let Ok(Some(m)) = &res {
                    assert!(
                        m.len() <= max_size,
                        "received {} bytes in place from a queue of {max_size}",
                        m.len()
                    );
                    std::hint::black_box(m.iter().fold(0u8, |a, b| a ^ b));
                }
                tally(&mut out, &res);
            }
            _ => {
                // Drain what can be drained.
                for _ in 0..q.max_msg().min(64) {
                    let res = q.try_receive(&mut buf[..max_size]);
                    tally(&mut out, &res);
                    if !matches!(res, Ok(Some(_))) {
                        break;
                    }
                }
            }
        }
    }
    out
}
