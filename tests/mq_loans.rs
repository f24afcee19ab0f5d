//! Zero-copy messages on the queue: loans written in place and messages received in place,
//! mixed with copies, their limits and errors, and processes killed while they hold them.

mod common;

use common::{Remove, Xorshift, child_role, spawn_child, unique, wait_bounded};
use interproc::sync::Deadline;
use interproc::{ErrorKind, MappedRegion, MessageQueue, Mode, Permissions, SharedMemoryObject};
use std::process::Child;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn queue(tag: &str, max_msg: usize, size: usize) -> (MessageQueue, Remove) {
    let name = unique("ipt_mql", tag);
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, max_msg, size, Permissions::default()).unwrap();
    (q, Remove(name))
}

/// Sends `data` with `priority` through a loan.
fn loan_send(q: &MessageQueue, data: &[u8], priority: u32) {
    let mut l = q.loan(data.len()).unwrap();
    l.copy_from_slice(data);
    l.send(priority).unwrap();
}

/// Receives by copy (`copy`) or in place: the bytes and the priority.
fn take(q: &MessageQueue, copy: bool) -> (Vec<u8>, u32) {
    if copy {
        let mut buf = vec![0u8; q.max_msg_size()];
        let (n, p) = q.receive(&mut buf).unwrap();
        buf.truncate(n);
        (buf, p)
    } else {
        let r = q.receive_in_place().unwrap();
        (r.to_vec(), r.priority())
    }
}

#[test]
fn a_loan_is_sent_and_received_in_place() {
    let (q, _r) = queue("basic", 4, 64);
    let mut l = q.loan(5).unwrap();
    assert_eq!(l.len(), 5);
    l.copy_from_slice(b"hello");
    assert_eq!(q.num_msg(), 0, "a loan is not a message until sent");
    l.send(7).unwrap();
    assert_eq!(q.num_msg(), 1);
    let r = q.receive_in_place().unwrap();
    assert_eq!(&*r, b"hello");
    assert_eq!(r.priority(), 7);
    assert_eq!(q.num_msg(), 0);
    r.release().unwrap();
    // Empty loans and messages work too.
    q.loan(0).unwrap().send(1).unwrap();
    assert_eq!(q.receive_in_place().unwrap().len(), 0);
}

#[test]
fn loans_and_copies_mix_in_priority_and_fifo_order() {
    for copy_receiver in [false, true] {
        let (q, _r) = queue("mix", 8, 16);
        // A loan taken first but sent last goes after the messages sent before it.
        let mut early = q.loan(1).unwrap();
        early[0] = b'e';
        q.send(b"a", 1).unwrap();
        loan_send(&q, b"b", 1);
        q.send(b"c", 2).unwrap();
        loan_send(&q, b"d", 2);
        early.send(1).unwrap();
        q.send(b"f", 0).unwrap();
        loan_send(&q, b"g", 3);
        let mut got = Vec::new();
        for i in 0..7 {
            // Alternate the two ways of receiving, or copy them all.
            let (m, p) = take(&q, copy_receiver || i % 2 == 0);
            got.push((m[0], p));
        }
        let want: Vec<(u8, u32)> = vec![
            (b'g', 3),
            (b'c', 2),
            (b'd', 2),
            (b'a', 1),
            (b'b', 1),
            (b'e', 1),
            (b'f', 0),
        ];
        assert_eq!(got, want, "copy receiver: {copy_receiver}");
        assert!(q.try_receive_in_place().unwrap().is_none());
    }
}

#[test]
fn a_copying_queue_keeps_working_after_loans() {
    let (q, _r) = queue("after", 4, 16);
    loan_send(&q, b"x", 0);
    assert_eq!(take(&q, false).0, b"x");
    // Many copies in order, as a queue without loans sees them.
    let mut buf = [0u8; 16];
    for i in 0..100u8 {
        q.send(&[i], 0).unwrap();
        q.send(&[i, i], 0).unwrap();
        assert_eq!(q.receive(&mut buf).unwrap(), (1, 0));
        assert_eq!(buf[0], i);
        assert_eq!(q.receive(&mut buf).unwrap(), (2, 0));
    }
    loan_send(&q, b"y", 0);
    assert_eq!(take(&q, true).0, b"y");
}

#[test]
fn full_and_empty_with_try_and_timed() {
    let (q, _r) = queue("full", 2, 8);
    assert!(q.try_receive_in_place().unwrap().is_none());
    let t = Instant::now();
    assert!(
        q.timed_receive_in_place(Deadline::after(Duration::from_millis(30)))
            .unwrap()
            .is_none()
    );
    assert!(t.elapsed() >= Duration::from_millis(25));
    // The loan pool holds `max_num_msg` loans.
    let a = q.try_loan(8).unwrap().expect("a free pool slot");
    let mut b = q
        .timed_loan(8, Deadline::after(Duration::from_secs(1)))
        .unwrap()
        .expect("a free pool slot");
    assert!(q.try_loan(1).unwrap().is_none());
    let t = Instant::now();
    assert!(
        q.timed_loan(1, Deadline::after(Duration::from_millis(30)))
            .unwrap()
            .is_none()
    );
    assert!(t.elapsed() >= Duration::from_millis(25));
    // Loans take no room in the queue itself until sent.
    assert!(q.try_send(b"y", 0).unwrap());
    assert!(q.try_send(b"z", 0).unwrap());
    assert!(!q.try_send(b"x", 0).unwrap());
    // A dropped loan gives its pool slot back.
    drop(a);
    let c = q.try_loan(3).unwrap().expect("the dropped loan's slot");
    c.discard().unwrap();
    // Sending a loan waits for room in the queue like a copy.
    b.copy_from_slice(b"12345678");
    std::thread::scope(|sc| {
        sc.spawn(|| {
            std::thread::sleep(Duration::from_millis(20));
            assert_eq!(take(&q, true).0, b"y");
        });
        b.send(0).unwrap();
    });
    assert_eq!(q.num_msg(), 2);
    assert_eq!(take(&q, false).0, b"z");
    // A view of a message sent from a loan holds its pool slot until released.
    let v = q.try_receive_in_place().unwrap().unwrap();
    assert_eq!(&*v, b"12345678");
    let d = q.try_loan(1).unwrap().expect("one pool slot is free");
    assert!(q.try_loan(1).unwrap().is_none());
    drop(v);
    assert!(q.try_loan(1).unwrap().is_some());
    drop(d);
}

#[test]
fn a_blocked_loan_gets_the_slot_a_receiver_frees() {
    let (q, _r) = queue("block", 1, 8);
    loan_send(&q, b"1", 0);
    std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut l = q.loan(1).unwrap();
            l[0] = b'2';
            l.send(0).unwrap();
        });
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(take(&q, false).0, b"1");
        h.join().unwrap();
    });
    assert_eq!(take(&q, false).0, b"2");
}

#[test]
fn bad_sizes_are_errors_and_change_nothing() {
    let (q, _r) = queue("bad", 2, 8);
    let e = q.loan(9).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Size, "{e}");
    assert!(q.try_loan(usize::MAX).is_err());
    assert_eq!(q.num_msg(), 0);
    // A loan cast to a type of another size goes back unsent.
    let e = q.loan(3).unwrap().cast::<u32>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Size, "{e}");
    assert_eq!(q.try_loan(8).unwrap().map(|l| l.len()), Some(8));
    // A received message of the wrong size is consumed with the error.
    loan_send(&q, b"abc", 0);
    let e = q.receive_value_in_place::<u64>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Size, "{e}");
    assert_eq!(q.num_msg(), 0);
    assert!(q.try_send(b"12345678", 0).unwrap());
    assert!(q.try_send(b"12345678", 0).unwrap());
}

#[test]
fn typed_loans_and_views() {
    let (q, _r) = queue("typed", 4, 16);
    let mut l = q.loan_value::<u64>().unwrap();
    *l = 0x0123_4567_89ab_cdef;
    l.send(2).unwrap();
    q.send_value(&[1u32, 2, 3], 1).unwrap();
    let r = q.receive_value_in_place::<u64>().unwrap();
    assert_eq!((*r, r.priority()), (0x0123_4567_89ab_cdef, 2));
    drop(r);
    let r = q.receive_in_place().unwrap().cast::<[u32; 3]>().unwrap();
    assert_eq!(*r, [1, 2, 3]);
    let e = q.loan_value::<[u64; 3]>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Size, "{e}");
}

#[test]
fn a_thread_that_dies_holding_a_loan_or_a_view_loses_only_that() {
    let (q, _r) = queue("thread", 3, 8);
    loan_send(&q, b"v", 0);
    loan_send(&q, b"k", 0);
    std::thread::scope(|s| {
        s.spawn(|| {
            // Never given back: the kernel marks the slots' locks when the thread ends.
            std::mem::forget(q.loan(4).unwrap());
            std::mem::forget(q.receive_in_place().unwrap());
        })
        .join()
        .unwrap();
    });
    // One message is queued, two slots are held by a dead thread: a sender takes them
    // back rather than waiting for them.
    let start = Instant::now();
    assert!(q.try_send(b"1", 0).unwrap());
    assert!(q.try_send(b"2", 0).unwrap());
    assert!(!q.try_send(b"3", 0).unwrap());
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(take(&q, true).0, b"k");
    assert_eq!(take(&q, false).0, b"1");
    assert_eq!(take(&q, true).0, b"2");
    assert!(q.try_receive_in_place().unwrap().is_none());
}

// ----- processes killed while they hold loans and views -----

const PRODUCERS: usize = 2;
const CONSUMERS: usize = 2;
const PER_PRODUCER: u64 = 4_000;

/// Shared bookkeeping: per producer, the next sequence number it takes and how many it
/// finished sending; per consumer, whether it is inside a receive; per message, how many
/// times it was received.
struct Board {
    _region: MappedRegion,
    words: *const AtomicU64,
    seen: *const AtomicU8,
}

const WORDS: usize = 2 * PRODUCERS + CONSUMERS;

impl Board {
    fn open(name: &str, create: bool) -> Board {
        let size = WORDS * 8 + PRODUCERS * PER_PRODUCER as usize;
        let shm = if create {
            let s =
                SharedMemoryObject::create(name, Mode::ReadWrite, Permissions::default()).unwrap();
            s.truncate(size as u64).unwrap();
            s
        } else {
            SharedMemoryObject::open(name, Mode::ReadWrite).unwrap()
        };
        let region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
        assert!(region.len() >= size);
        let base = region.as_ptr();
        Board {
            words: base.cast(),
            // `WORDS * 8` bytes in: past the words.
            seen: base.wrapping_add(WORDS * 8).cast(),
            _region: region,
        }
    }

    fn word(&self, i: usize) -> &AtomicU64 {
        assert!(i < WORDS);
        // SAFETY: the mapping holds `WORDS` zero-initialised, 8-aligned u64s at its start,
        // alive as long as `self`; atomics are valid for any bits.
        unsafe { &*self.words.add(i) }
    }

    fn next(&self, p: usize) -> &AtomicU64 {
        self.word(2 * p)
    }

    fn done(&self, p: usize) -> &AtomicU64 {
        self.word(2 * p + 1)
    }

    fn receiving(&self, c: usize) -> &AtomicU64 {
        self.word(2 * PRODUCERS + c)
    }

    fn seen(&self, p: usize, seq: u64) -> &AtomicU8 {
        assert!(p < PRODUCERS && seq < PER_PRODUCER);
        // SAFETY: the mapping holds one byte per message after the words (checked at open).
        unsafe { &*self.seen.add(p * PER_PRODUCER as usize + seq as usize) }
    }
}

/// A message: producer, sequence number, and a check word, padded with a pattern.
fn encode(buf: &mut [u8], p: u64, seq: u64) {
    buf[..8].copy_from_slice(&p.to_le_bytes());
    buf[8..16].copy_from_slice(&seq.to_le_bytes());
    buf[16..24].copy_from_slice(&(p.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seq).to_le_bytes());
    for (i, b) in buf[24..].iter_mut().enumerate() {
        *b = (seq as u8).wrapping_add(i as u8);
    }
}

fn decode(buf: &[u8]) -> (u64, u64) {
    let p = u64::from_le_bytes(buf[..8].try_into().unwrap());
    let seq = u64::from_le_bytes(buf[8..16].try_into().unwrap());
    let check = u64::from_le_bytes(buf[16..24].try_into().unwrap());
    assert_eq!(
        check,
        p.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seq,
        "damaged"
    );
    for (i, &b) in buf[24..].iter().enumerate() {
        assert_eq!(b, (seq as u8).wrapping_add(i as u8), "damaged payload");
    }
    (p, seq)
}

/// Spins a little (a few microseconds), so kills land while loans and views are held.
fn dawdle(seed: u64) {
    for _ in 0..(seed % 2000) {
        std::hint::spin_loop();
    }
}

/// The child side of the kill test; does nothing in a normal run.
#[test]
fn child() {
    let Some((role, name)) = child_role() else {
        return;
    };
    let q = MessageQueue::open(&name).unwrap();
    let board = Board::open(&format!("{name}_board"), false);
    let id: usize = role[1..].parse().unwrap();
    if role.starts_with('p') {
        loop {
            let seq = board.next(id).load(Ordering::SeqCst);
            if seq >= PER_PRODUCER {
                return;
            }
            let mut l = q.loan(q.max_msg_size()).unwrap();
            encode(&mut l, id as u64, seq);
            dawdle(seq.wrapping_mul(7919));
            // In flight from here until `done` says sent.
            board.next(id).store(seq + 1, Ordering::SeqCst);
            l.send((seq % 3) as u32).unwrap();
            board.done(id).store(seq + 1, Ordering::SeqCst);
        }
    }
    let mut n = 0u64;
    loop {
        board.receiving(id).store(1, Ordering::SeqCst);
        let r = q.receive_in_place().unwrap();
        if r.len() == 1 {
            board.receiving(id).store(0, Ordering::SeqCst);
            return;
        }
        let (p, seq) = decode(&r);
        n += 1;
        dawdle(n.wrapping_mul(104_729));
        board.seen(p as usize, seq).fetch_add(1, Ordering::SeqCst);
        drop(r);
        board.receiving(id).store(0, Ordering::SeqCst);
    }
}

#[test]
fn processes_killed_holding_loans_and_views_lose_only_their_message_in_flight() {
    let (q, _r) = queue("kill", 4, 64);
    let name = q.name().to_owned();
    let board_name = format!("{name}_board");
    SharedMemoryObject::remove(&board_name);
    let _rb = Remove(board_name.clone());
    let board = Board::open(&board_name, true);
    let roles: Vec<String> = (0..PRODUCERS)
        .map(|p| format!("p{p}"))
        .chain((0..CONSUMERS).map(|c| format!("c{c}")))
        .collect();
    let mut children: Vec<Child> = roles.iter().map(|r| spawn_child(r, &name)).collect();
    let seed = u64::from(std::process::id()) ^ 0x5DEE_CE66;
    let mut rng = Xorshift(seed);
    let mut next_rand = move || rng.next();
    // Messages a killed consumer may have taken and not counted.
    let mut may_lose = 0u64;
    // Messages a killed producer was sending: queued or not.
    let mut in_flight = std::collections::HashSet::new();
    let mut kills = 0;
    for _ in 0..24 {
        std::thread::sleep(Duration::from_millis(5 + next_rand() % 25));
        let k = (next_rand() % roles.len() as u64) as usize;
        let c = &mut children[k];
        if c.try_wait().unwrap().is_some() {
            continue;
        }
        c.kill().unwrap();
        c.wait().unwrap();
        kills += 1;
        if k >= PRODUCERS && board.receiving(k - PRODUCERS).swap(0, Ordering::SeqCst) == 1 {
            may_lose += 1;
        }
        if k < PRODUCERS {
            let next = board.next(k).load(Ordering::SeqCst);
            if board.done(k).load(Ordering::SeqCst) < next {
                in_flight.insert((k, next - 1));
            }
        }
        *c = spawn_child(&roles[k], &name);
    }
    for c in &mut children[..PRODUCERS] {
        assert!(
            wait_bounded(c, Duration::from_secs(120)).success(),
            "a producer failed (seed {seed:#x})"
        );
    }
    for _ in 0..CONSUMERS {
        q.send(&[0], 0).unwrap();
    }
    for c in &mut children[PRODUCERS..] {
        assert!(
            wait_bounded(c, Duration::from_secs(120)).success(),
            "a consumer failed (seed {seed:#x})"
        );
    }
    assert_eq!(q.num_msg(), 0);
    // Exact totals: every message was sent and received once, or lost by a consumer killed
    // in a receive, or was being sent by a producer killed then (received once or never).
    let (mut sent, mut received, mut lost, mut in_flight_received) = (0, 0, 0, 0);
    for p in 0..PRODUCERS {
        let (done, next) = (
            board.done(p).load(Ordering::SeqCst),
            board.next(p).load(Ordering::SeqCst),
        );
        assert_eq!(done, PER_PRODUCER, "producer {p} finished");
        assert!(next >= done);
        for seq in 0..PER_PRODUCER {
            let n = board.seen(p, seq).load(Ordering::SeqCst);
            assert!(
                n <= 1,
                "message {p}/{seq} received {n} times (seed {seed:#x})"
            );
            if in_flight.contains(&(p, seq)) {
                in_flight_received += u64::from(n);
            } else {
                sent += 1;
                received += u64::from(n);
                lost += u64::from(1 - n);
            }
        }
    }
    assert!(in_flight_received <= in_flight.len() as u64);
    assert_eq!(sent, received + lost);
    assert!(
        lost <= may_lose,
        "{lost} messages lost, {may_lose} consumers killed in a receive (seed {seed:#x})"
    );
    assert!(kills > 0);
    // Every slot came back: the queue fills to its size and drains.
    for i in 0..q.max_msg() {
        assert!(
            q.try_send(&[i as u8; 2], 0).unwrap(),
            "slot {i} did not come back"
        );
    }
    for _ in 0..q.max_msg() {
        assert_eq!(take(&q, false).0.len(), 2);
    }
    eprintln!(
        "{kills} kills: {sent} sent, {received} received, {lost} lost by killed consumers, \
         {in_flight_received} of {} in flight at a producer's death received",
        in_flight.len()
    );
}
