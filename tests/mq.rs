//! The message queue through the Rust API: order, limits, errors, many processes at once,
//! and processes killed in the middle of sending and receiving.

use interproc::sync::Deadline;
use interproc::{ErrorKind, MessageQueue, Permissions, SharedMemoryObject};
use std::time::{Duration, Instant};

mod common;
use common::{Remove, child_role, spawn_child, wait_bounded};

fn unique(tag: &str) -> String {
    common::unique("ipt_mq", tag)
}

const PER_PRODUCER: u64 = 50_000;

/// A message: producer id, sequence number, and a checksum of both, which an odd message
/// repeats twice more: a queue keeps a message of 24 bytes in its slot header's cache line
/// and one of 40 after it, and both kinds cross between the processes.
fn encode(producer: u64, seq: u64) -> Vec<u8> {
    let check = (producer.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seq).to_le_bytes();
    let mut m = [producer.to_le_bytes(), seq.to_le_bytes()].concat();
    for _ in 0..if seq % 2 == 0 { 1 } else { 3 } {
        m.extend_from_slice(&check);
    }
    m
}

fn decode(m: &[u8]) -> (u64, u64) {
    assert!(m.len() == 24 || m.len() == 40, "message length {}", m.len());
    let p = u64::from_le_bytes(m[..8].try_into().unwrap());
    let s = u64::from_le_bytes(m[8..16].try_into().unwrap());
    assert_eq!(m.len(), if s % 2 == 0 { 24 } else { 40 }, "message length");
    for c in m[16..].chunks(8) {
        assert_eq!(
            u64::from_le_bytes(c.try_into().unwrap()),
            p.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ s,
            "damaged message"
        );
    }
    (p, s)
}

/// The child side of the multi-process tests; does nothing in a normal run.
#[test]
fn child() {
    let Some((role, name)) = child_role() else {
        return;
    };
    let q = MessageQueue::open(&name).unwrap();
    match role.as_str() {
        r if r.starts_with("producer") || r.starts_with("ringproducer") => {
            // Three priorities keep switching the queue between its modes; one keeps it in
            // ring mode.
            let ring = r.starts_with("ring");
            let id: u64 = r.trim_start_matches("ring")["producer".len()..]
                .parse()
                .unwrap();
            for seq in 0..PER_PRODUCER {
                let priority = if ring { 0 } else { (seq % 3) as u32 };
                q.send(&encode(id, seq), priority).unwrap();
            }
        }
        "consumer" => {
            // Receives until the sentinel, then writes what it got to a results queue.
            let results = MessageQueue::open(&format!("{name}_results")).unwrap();
            let mut buf = vec![0u8; q.max_msg_size()];
            let (mut count, mut sum) = (0u64, 0u64);
            loop {
                let (n, _) = q.receive(&mut buf).unwrap();
                if n == 1 {
                    break;
                }
                let (p, s) = decode(&buf[..n]);
                count += 1;
                sum = sum.wrapping_add(p * 1_000_000 + s);
            }
            let mut out = [0u8; 16];
            out[..8].copy_from_slice(&count.to_le_bytes());
            out[8..].copy_from_slice(&sum.to_le_bytes());
            results.send(&out, 0).unwrap();
        }
        "churn" | "ringchurn" => {
            // Sends and receives forever until killed.
            let levels = if role == "churn" { 5 } else { 1 };
            let mut buf = vec![0u8; q.max_msg_size()];
            let mut seq = 0;
            loop {
                let _ = q.try_send(&encode(9, seq), (seq % levels) as u32).unwrap();
                if let Some((n, _)) = q.try_receive(&mut buf).unwrap() {
                    decode(&buf[..n]);
                }
                seq += 1;
            }
        }
        other => panic!("unknown role {other}"),
    }
}

#[test]
fn priority_order_and_fifo_among_equals() {
    let name = unique("order");
    let _r = Remove(name.clone());
    let q = MessageQueue::create(&name, 16, 64, Permissions::default()).unwrap();
    assert!(q.created());
    assert_eq!((q.max_msg(), q.max_msg_size(), q.num_msg()), (16, 64, 0));
    let sends = [
        (1, "a"),
        (5, "b"),
        (1, "c"),
        (9, "d"),
        (5, "e"),
        (0, "f"),
        (9, "g"),
    ];
    for (p, m) in sends {
        q.send(m.as_bytes(), p).unwrap();
    }
    assert_eq!(q.num_msg(), 7);
    let other = MessageQueue::open(&name).unwrap();
    let mut buf = [0u8; 64];
    let mut got = Vec::new();
    while let Some((n, p)) = other.try_receive(&mut buf).unwrap() {
        got.push((p, String::from_utf8(buf[..n].to_vec()).unwrap()));
    }
    let want: Vec<(u32, String)> = [
        (9, "d"),
        (9, "g"),
        (5, "b"),
        (5, "e"),
        (1, "a"),
        (1, "c"),
        (0, "f"),
    ]
    .iter()
    .map(|(p, m)| (*p, m.to_string()))
    .collect();
    assert_eq!(got, want);
    // Empty messages and binary structs keep their exact bytes.
    q.send(&[], 3).unwrap();
    let blob: Vec<u8> = (0..64u8).collect();
    q.send(&blob, 3).unwrap();
    assert_eq!(q.receive(&mut buf).unwrap(), (0, 3));
    assert_eq!(q.receive(&mut buf).unwrap(), (64, 3));
    assert_eq!(&buf[..], &blob[..]);
}

#[test]
fn full_and_empty_with_try_and_timed() {
    let name = unique("full");
    let _r = Remove(name.clone());
    let q = MessageQueue::create(&name, 2, 8, Permissions::default()).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(q.try_receive(&mut buf).unwrap(), None);
    let t = Instant::now();
    assert_eq!(
        q.timed_receive(&mut buf, Deadline::after(Duration::from_millis(50)))
            .unwrap(),
        None
    );
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(45) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
    assert!(q.try_send(b"1", 0).unwrap());
    assert!(q.try_send(b"2", 0).unwrap());
    assert!(!q.try_send(b"3", 0).unwrap());
    let t = Instant::now();
    assert!(
        !q.timed_send(b"3", 0, Deadline::after(Duration::from_millis(50)))
            .unwrap()
    );
    assert!(t.elapsed() >= Duration::from_millis(45));
    assert!(
        !q.timed_send(b"3", 0, Deadline::now(interproc::sync::Clock::Realtime))
            .unwrap()
    );
    assert_eq!(q.num_msg(), 2);
    // A blocked sender wakes when a receiver makes room.
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            let mut b = [0u8; 8];
            q.receive(&mut b).unwrap();
        });
        assert!(
            q.timed_send(b"3", 0, Deadline::after(Duration::from_secs(10)))
                .unwrap()
        );
    });
    assert_eq!(q.num_msg(), 2);
}

/// Fills a queue of `cap` slots with try_send until it refuses, then drains it, for several
/// laps, with one priority for all (`mixed` false: the ring) or rising priorities (locked
/// mode). Exactly `cap` messages go in each lap, and they come out in Boost's order.
fn fill_and_drain(cap: usize, mixed: bool) {
    let name = unique(&format!("cap{cap}_{mixed}"));
    let _r = Remove(name.clone());
    let q = MessageQueue::create(&name, cap, 8, Permissions::default()).unwrap();
    let other = MessageQueue::open(&name).unwrap();
    let mut buf = [0u8; 8];
    for lap in 0..5u64 {
        let mut sent = Vec::new();
        for k in 0..cap as u64 + 2 {
            let m = lap * 100 + k;
            let prio = if mixed { k as u32 % 3 } else { 7 };
            let ok = q.try_send(&m.to_le_bytes(), prio).unwrap();
            assert_eq!(ok, k < cap as u64, "cap {cap} lap {lap}: send {k} -> {ok}");
            if ok {
                sent.push((prio, m));
            }
            assert_eq!(q.num_msg(), sent.len(), "cap {cap} lap {lap}");
        }
        assert!(
            !q.timed_send(b"x", 9, Deadline::after(Duration::from_millis(5)))
                .unwrap(),
            "cap {cap}: a timed send into a full queue"
        );
        // Highest priority first, FIFO among equals (a stable sort of what went in).
        sent.sort_by_key(|&(p, _)| std::cmp::Reverse(p));
        for (i, &(p, m)) in sent.iter().enumerate() {
            let r = if i % 2 == 0 { &q } else { &other };
            assert_eq!(r.try_receive(&mut buf).unwrap(), Some((8, p)), "cap {cap}");
            assert_eq!(u64::from_le_bytes(buf), m, "cap {cap} lap {lap}");
        }
        assert_eq!(other.try_receive(&mut buf).unwrap(), None, "cap {cap}");
        assert_eq!(q.num_msg(), 0);
    }
    // A sender blocked on the full queue is woken by a receive, and the queue holds exactly
    // what went in.
    for k in 0..cap as u64 {
        q.send(&k.to_le_bytes(), 1).unwrap();
    }
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(20));
            let mut b = [0u8; 8];
            assert_eq!(other.receive(&mut b).unwrap(), (8, 1));
            assert_eq!(u64::from_le_bytes(b), 0);
        });
        assert!(
            q.timed_send(
                &99u64.to_le_bytes(),
                1,
                Deadline::after(Duration::from_secs(10))
            )
            .unwrap()
        );
    });
    assert_eq!(q.num_msg(), cap);
    let mut rest = Vec::new();
    while let Some((8, 1)) = q.try_receive(&mut buf).unwrap() {
        rest.push(u64::from_le_bytes(buf));
    }
    let want: Vec<u64> = (1..cap as u64).chain([99]).collect();
    assert_eq!(rest, want, "cap {cap}");
}

#[test]
fn queues_of_one_two_and_three_slots_keep_boosts_semantics() {
    for cap in 1..=3 {
        fill_and_drain(cap, false);
        fill_and_drain(cap, true);
    }
}

/// A peer that holds the queue lock and never lets go (stopped, or a lock word naming a
/// live process that has nothing to do with the queue): try_ operations give up within a
/// few milliseconds and timed ones at their deadline, in both modes; the queue works again
/// once the lock is free.
#[test]
fn try_and_timed_operations_keep_their_limits_while_the_queue_lock_is_held() {
    use interproc::{MappedRegion, Mode};
    for locked_mode in [false, true] {
        let name = unique("held_lock");
        let _r = Remove(name.clone());
        let q = MessageQueue::create(&name, 4, 8, Permissions::default()).unwrap();
        if locked_mode {
            // A higher priority behind a queued message switches to locked mode.
            q.send(b"low", 1).unwrap();
            q.send(b"high", 2).unwrap();
        }
        let shm = SharedMemoryObject::open(&name, Mode::ReadWrite).unwrap();
        let mut region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
        // The queue lock's word (at 64 in the header) names process 1: alive, unrelated.
        region.write_at(64, &1u32.to_ne_bytes()).unwrap();
        let mut buf = [0u8; 8];
        let t = Instant::now();
        let sent = q.try_send(b"x", 3).unwrap();
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "try_send took {:?}",
            t.elapsed()
        );
        // Ring mode sends without the lock (a higher priority than queued needs it, and the
        // queue is empty here, so it does not); locked mode cannot.
        assert_eq!(sent, !locked_mode, "locked mode {locked_mode}");
        let t = Instant::now();
        let got = q
            .timed_receive(&mut buf, Deadline::after(Duration::from_millis(200)))
            .unwrap();
        let took = t.elapsed();
        assert!(took < Duration::from_secs(2), "timed_receive took {took:?}");
        if locked_mode {
            assert_eq!(got, None);
            assert!(took >= Duration::from_millis(190), "{took:?}");
            let t = Instant::now();
            assert!(
                !q.timed_send(b"y", 0, Deadline::after(Duration::from_millis(100)))
                    .unwrap()
            );
            assert!(t.elapsed() < Duration::from_secs(2));
            assert_eq!(q.try_receive(&mut buf).unwrap(), None);
        } else {
            assert_eq!(got, Some((1, 3)));
        }
        // Let go of it: everything queued is still there, in order.
        region.write_at(64, &0u32.to_ne_bytes()).unwrap();
        let mut got = Vec::new();
        while let Some((n, p)) = q.try_receive(&mut buf).unwrap() {
            got.push((p, buf[..n].to_vec()));
        }
        let want: Vec<(u32, Vec<u8>)> = if locked_mode {
            vec![(2, b"high".to_vec()), (1, b"low".to_vec())]
        } else {
            vec![]
        };
        assert_eq!(got, want);
        assert!(q.try_send(b"z", 0).unwrap());
    }
}

#[test]
fn bad_input_gives_errors_and_loses_nothing() {
    let name = unique("bad");
    let _r = Remove(name.clone());
    let q = MessageQueue::create(&name, 4, 16, Permissions::default()).unwrap();
    q.send(b"keep", 1).unwrap();
    assert_eq!(q.send(&[0u8; 17], 0).unwrap_err().kind(), ErrorKind::Size);
    assert_eq!(
        q.try_send(&[0u8; 100], 0).unwrap_err().kind(),
        ErrorKind::Size
    );
    let mut small = [0u8; 15];
    assert_eq!(
        q.try_receive(&mut small).unwrap_err().kind(),
        ErrorKind::Size
    );
    assert_eq!(q.num_msg(), 1);
    let mut buf = [0u8; 16];
    assert_eq!(q.receive(&mut buf).unwrap(), (4, 1));
    assert_eq!(&buf[..4], b"keep");

    let n2 = unique("bad2");
    let _r2 = Remove(n2.clone());
    for (m, s) in [(0, 10), (10, 0), (usize::MAX, 10), (1 << 30, 1 << 30)] {
        assert_eq!(
            MessageQueue::create(&n2, m, s, Permissions::default())
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
        assert!(
            !SharedMemoryObject::remove(&n2),
            "a failed create left an object behind"
        );
    }
    assert_eq!(
        MessageQueue::open(&n2).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        MessageQueue::create(&name, 4, 16, Permissions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        MessageQueue::create("a/b", 4, 16, Permissions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::Path
    );

    // A garbage object is refused.
    let shm = SharedMemoryObject::create(&n2, interproc::Mode::ReadWrite, Permissions::default())
        .unwrap();
    shm.truncate(4096).unwrap();
    let mut region = interproc::MappedRegion::new(&shm, interproc::Mode::ReadWrite, 0, 0).unwrap();
    region.write_at(0, &[0x42; 64]).unwrap();
    assert_eq!(
        MessageQueue::open(&n2).unwrap_err().kind(),
        ErrorKind::Corrupted
    );
    region.write_at(12, &0x5245_4459u32.to_ne_bytes()).unwrap();
    let e = MessageQueue::open(&n2).unwrap_err();
    assert!(e.message().contains("bad magic"), "{e}");
}

#[test]
fn two_producers_two_consumers_lose_and_duplicate_nothing() {
    mpmc("producer");
}

#[test]
fn two_producers_two_consumers_in_ring_mode_lose_and_duplicate_nothing() {
    mpmc("ringproducer");
}

/// Two producers of role `producer` (with their ids appended) and two consumers move
/// `PER_PRODUCER` messages each; the totals must come out exact.
fn mpmc(producer: &str) {
    let name = unique("mpmc");
    let results = format!("{name}_results");
    let _r = Remove(name.clone());
    let _r2 = Remove(results.clone());
    let q = MessageQueue::create(&name, 64, 48, Permissions::default()).unwrap();
    let res = MessageQueue::create(&results, 4, 16, Permissions::default()).unwrap();
    let consumers = [
        spawn_child("consumer", &name),
        spawn_child("consumer", &name),
    ];
    let producers = [
        spawn_child(&format!("{producer}1"), &name),
        spawn_child(&format!("{producer}2"), &name),
    ];
    for mut p in producers {
        assert!(
            wait_bounded(&mut p, Duration::from_secs(120)).success(),
            "a producer failed"
        );
    }
    q.send(&[0], 0).unwrap();
    q.send(&[0], 0).unwrap();
    for mut c in consumers {
        assert!(
            wait_bounded(&mut c, Duration::from_secs(120)).success(),
            "a consumer failed"
        );
    }
    let (mut count, mut sum) = (0u64, 0u64);
    let mut buf = [0u8; 16];
    for _ in 0..2 {
        let (n, _) = res
            .timed_receive(&mut buf, Deadline::after(Duration::from_secs(10)))
            .unwrap()
            .unwrap();
        assert_eq!(n, 16);
        count += u64::from_le_bytes(buf[..8].try_into().unwrap());
        sum = sum.wrapping_add(u64::from_le_bytes(buf[8..].try_into().unwrap()));
    }
    let expected_sum = (1..=2u64)
        .flat_map(|p| (0..PER_PRODUCER).map(move |s| p * 1_000_000 + s))
        .fold(0u64, u64::wrapping_add);
    assert_eq!(count, 2 * PER_PRODUCER, "messages lost or duplicated");
    assert_eq!(sum, expected_sum, "messages changed");
    assert_eq!(q.num_msg(), 0);
}

#[test]
fn a_process_killed_mid_operation_does_not_wedge_the_queue() {
    killed_mid_operation("churn");
}

#[test]
fn a_process_killed_mid_operation_in_ring_mode_does_not_wedge_the_queue() {
    killed_mid_operation("ringchurn");
}

fn killed_mid_operation(role: &str) {
    let name = unique("kill");
    let _r = Remove(name.clone());
    let q = MessageQueue::create(&name, 8, 48, Permissions::default()).unwrap();
    let mut buf = [0u8; 48];
    for round in 0..15 {
        let mut c = spawn_child(role, &name);
        std::thread::sleep(Duration::from_millis(20 + (round * 7) % 30));
        c.kill().unwrap();
        c.wait().unwrap();
        // The queue answers at once, every message in it is whole, and it still works.
        let start = Instant::now();
        while let Some((n, _)) = q.try_receive(&mut buf).unwrap() {
            decode(&buf[..n]);
        }
        assert_eq!(q.num_msg(), 0);
        assert!(q.try_send(&encode(1, round), 0).unwrap());
        let (n, _) = q
            .timed_receive(&mut buf, Deadline::after(Duration::from_secs(5)))
            .unwrap()
            .unwrap();
        assert_eq!(decode(&buf[..n]), (1, round));
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}
