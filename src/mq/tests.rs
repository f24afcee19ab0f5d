use super::layout::*;
use super::wait::watch_pace;
use super::*;
use std::mem::{offset_of, size_of};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[test]
fn shared_layout_is_pinned() {
    assert_eq!(LAYOUT_VERSION, 10);
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
    assert_eq!(offset_of!(SlotHeader, descriptor), 24);
    assert_eq!(offset_of!(SlotHeader, inline), 32);
    assert_eq!(INLINE, 32);
    assert_eq!(size_of::<Entry>(), 128);
    assert_eq!(offset_of!(Entry, intent), 40);
    let l = Layout::new(10, 100).unwrap();
    assert_eq!(
        (
            l.slot_size,
            l.entries,
            l.index,
            l.free,
            l.slots,
            l.pool,
            l.total
        ),
        (256, 512, 8704, 8864, 8960, 8960 + 2560, 8960 + 2 * 2560)
    );
    assert_eq!(size_of::<PoolHeader>(), 64);
    assert_eq!(offset_of!(PoolHeader, generation), 4);
    assert_eq!(offset_of!(PoolHeader, owner), 16);
    assert_eq!(INDIRECT, 1 << 31);
    assert_eq!(l.modulus, 2_147_483_640);
    assert_eq!(size_of::<IndexEntry>(), 16);
}

#[test]
fn a_one_slot_queue_left_in_ring_mode_goes_to_locked_mode() {
    let name = format!("ip_mq_unit_one_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, 1, 8, Permissions::DEFAULT).unwrap();
    let h = q.queue_header();
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
fn a_short_message_lies_in_its_slot_header_line_and_a_longer_one_after_it() {
    let name = format!("ip_mq_unit_inline_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, 4, 100, Permissions::DEFAULT).unwrap();
    let line = |s: &SlotHeader, len: usize| {
        (q.payload(s, len) as usize - std::ptr::from_ref(s) as usize) / 64
    };
    let s = q.slot(0).unwrap();
    assert_eq!(
        (
            line(s, 0),
            line(s, INLINE),
            line(s, INLINE + 1),
            line(s, 100)
        ),
        (0, 0, 1, 1)
    );
    let mut buf = [0u8; 100];
    for (len, first_line) in [(0, 0), (1, 0), (INLINE, 0), (INLINE + 1, 1), (100, 1)] {
        let m: Vec<u8> = (1..=len as u8).collect();
        assert!(q.try_send(&m, 0).unwrap());
        let s = q
            .ring()
            .slot_at(
                q.ring().back(
                    q.ring()
                        .ring_pos(q.queue_header().tail.load(Ordering::SeqCst) & POS_MASK)
                        .unwrap(),
                    1,
                ),
            )
            .unwrap();
        // SAFETY: the slot holds the message just sent, `len` bytes where `payload` says.
        let stored = unsafe { std::slice::from_raw_parts(q.payload(s, len), len) };
        assert_eq!((stored, line(s, len)), (&m[..], first_line));
        assert_eq!(q.try_receive(&mut buf).unwrap(), Some((len, 0)));
        assert_eq!(&buf[..len], &m[..]);
    }
    drop(q);
    assert!(MessageQueue::remove(&name));
}

#[test]
fn a_queue_of_an_older_layout_is_a_clear_error() {
    let name = format!("ip_mq_unit_older_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, 4, 16, Permissions::DEFAULT).unwrap();
    // SAFETY: this thread alone uses the queue; the version is a plain word of the header.
    unsafe { (*q.queue_header_ptr()).layout_version = LAYOUT_VERSION - 1 };
    let e = MessageQueue::open(&name).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupted);
    let want = format!(
        "layout version {}, this library reads {LAYOUT_VERSION}",
        LAYOUT_VERSION - 1
    );
    assert!(e.message().contains(&want), "{}", e.message());
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
    assert_eq!(q.ring().advance(m - 1, 1), 0);
    assert_eq!(q.ring().advance(m - 2, 3), 1);
    assert_eq!(q.ring().back(1, 3), m - 2);
    assert_eq!(q.ring().distance(m - 2, 1), 3);
    // Start the ring just before the wrap and run messages across it.
    let h = q.queue_header();
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
            let h = q.queue_header();
            let end = if recv { &h.head } else { &h.tail };
            let word = end.load(Ordering::SeqCst);
            let pos = q.ring().ring_pos(word).unwrap();
            let me = q.ring().take_entry(Wait::Never).unwrap().unwrap();
            let (intent, next) = if recv {
                (INTENT_RECV, u64::from(q.ring().advance(pos, 1)))
            } else {
                (INTENT_SEND, tail_word(q.ring().advance(pos, 1), 0))
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
            .filter(|&i| q.entry(i).lock.owner_died())
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
    q.ring().free_dead_entries(Wait::Never).unwrap();
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
    assert_eq!(watch_pace(1), (1, 4));
    assert_eq!(watch_pace(64), (1, 4));
    assert_eq!(watch_pace(1024), (16, 32));
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

/// Sends `data` through a loan.
fn loan_send(q: &MessageQueue, data: &[u8]) {
    let mut l = q.loan(data.len()).unwrap();
    l.copy_from_slice(data);
    l.send(0).unwrap();
}

/// Takes the pool slot of the descriptor at the head, as a receiver does before its claim,
/// and lets the thread end there, as if it died.
fn take_head_pool_slot_and_vanish(q: &MessageQueue) {
    std::thread::scope(|sc| {
        sc.spawn(|| {
            let h = q.queue_header();
            let pos = q.ring().ring_pos(h.head.load(Ordering::SeqCst)).unwrap();
            let d = q.descriptor(q.ring().slot_at(pos).unwrap());
            assert!(matches!(
                q.pool().try_take(d).unwrap(),
                super::pool::Taken::Mine { died: false }
            ));
        })
        .join()
        .unwrap();
    });
}

#[test]
fn loans_keep_ring_mode() {
    let name = format!("ip_mq_unit_loan_ring_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, 4, 64, Permissions::DEFAULT).unwrap();
    for i in 0..20u8 {
        loan_send(&q, &[i; 3]);
        q.send(&[i], 0).unwrap();
        assert_eq!(&*q.receive_in_place().unwrap(), &[i; 3]);
        assert_eq!(&*q.receive_in_place().unwrap(), &[i]);
    }
    assert!(q.in_ring_mode());
    drop(q);
    assert!(MessageQueue::remove(&name));
}

#[test]
fn a_receiver_that_died_taking_a_pool_slot_leaves_its_message() {
    let name = format!("ip_mq_unit_pool_died_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, 3, 8, Permissions::DEFAULT).unwrap();
    loan_send(&q, b"m");
    take_head_pool_slot_and_vanish(&q);
    // The next receiver takes the slot over from the dead one.
    assert_eq!(&*q.receive_in_place().unwrap(), b"m");
    assert!(q.try_receive_in_place().unwrap().is_none());
    // Every pool slot is free again.
    let loans: Vec<_> = (0..3).map(|_| q.try_loan(1).unwrap().unwrap()).collect();
    assert!(q.try_loan(1).unwrap().is_none());
    drop(loans);
    drop(q);
    assert!(MessageQueue::remove(&name));
}

#[test]
fn a_message_whose_pool_slot_was_taken_back_is_skipped() {
    let name = format!("ip_mq_unit_pool_back_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, 3, 8, Permissions::DEFAULT).unwrap();
    loan_send(&q, b"a");
    loan_send(&q, b"b");
    take_head_pool_slot_and_vanish(&q);
    // A loan that found the pool full would take it back: "a" is lost, "b" is not.
    assert!(q.pool().reclaim().unwrap());
    let mut buf = [0u8; 8];
    assert_eq!(q.try_receive(&mut buf).unwrap(), Some((1, 0)));
    assert_eq!(&buf[..1], b"b");
    assert_eq!(q.try_receive(&mut buf).unwrap(), None);
    // Lent again, the slot's old descriptor names an older generation: skipped too.
    loan_send(&q, b"c");
    take_head_pool_slot_and_vanish(&q);
    assert!(q.pool().reclaim().unwrap());
    let l = q.try_loan(2).unwrap().unwrap();
    loan_send(&q, b"d");
    assert_eq!(&*q.receive_in_place().unwrap(), b"d");
    drop(l);
    assert_eq!(q.num_msg(), 0);
    drop(q);
    assert!(MessageQueue::remove(&name));
}

#[test]
fn a_loan_takes_back_a_slot_whose_holder_died_where_it_looks_first() {
    let name = format!("ip_mq_unit_pool_eager_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, 2, 8, Permissions::DEFAULT).unwrap();
    std::thread::scope(|sc| {
        sc.spawn(|| std::mem::forget(q.try_loan(1).unwrap().unwrap()))
            .join()
            .unwrap();
    });
    let dead = q.lend_next.load(Ordering::Relaxed) + 1;
    let dead = dead % 2;
    assert!(q.pool().header(dead).unwrap().owner.owner_died());
    assert_eq!(q.check_loan_pool().unwrap().dead_holders, 1);
    // The next loan looks at the dead holder's slot first and takes it back.
    q.lend_next.store(dead, Ordering::Relaxed);
    let l = q.try_loan(1).unwrap().unwrap();
    assert!(format!("{l:?}").contains(&format!("pool_slot: {dead}")));
    let c = q.check_loan_pool().unwrap();
    assert_eq!((c.free, c.loaned, c.dead_holders), (1, 1, 0));
    drop(l);
    drop(q);
    assert!(MessageQueue::remove(&name));
}

#[test]
fn the_loan_pool_check_counts_slots_and_descriptors_in_both_modes() {
    let name = format!("ip_mq_unit_pool_check_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, 4, 16, Permissions::DEFAULT).unwrap();
    assert_eq!(
        q.check_loan_pool().unwrap(),
        LoanPoolCheck {
            free: 4,
            ..LoanPoolCheck::default()
        }
    );
    loan_send(&q, b"a");
    q.send(b"b", 0).unwrap();
    loan_send(&q, b"c");
    let kept = q.try_loan(2).unwrap().unwrap();
    let c = q.check_loan_pool().unwrap();
    assert!(q.in_ring_mode());
    assert_eq!(
        (c.free, c.loaned, c.queued, c.held, c.descriptors, c.stale),
        (1, 1, 2, 0, 2, 0)
    );
    // Locked mode: a higher priority overtakes.
    q.send(b"d", 5).unwrap();
    assert!(!q.in_ring_mode());
    let view = q.receive_in_place().unwrap();
    assert_eq!(&*view, b"d");
    let first = q.receive_in_place().unwrap();
    assert_eq!(&*first, b"a");
    let c = q.check_loan_pool().unwrap();
    assert_eq!(
        (c.free, c.loaned, c.queued, c.held, c.descriptors),
        (1, 1, 1, 1, 1)
    );
    drop((view, first, kept));
    // Broken on purpose: an unknown state, then a queued slot nobody names.
    let p = q.pool().header(3).unwrap();
    p.state.store(77, Ordering::Relaxed);
    let e = q.check_loan_pool().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupted);
    assert!(e.to_string().contains("unknown state 77"), "{e}");
    p.state.store(POOL_QUEUED, Ordering::Relaxed);
    let e = q.check_loan_pool().unwrap_err();
    assert!(e.to_string().contains("no queued message names it"), "{e}");
    p.state.store(POOL_FREE, Ordering::Relaxed);
    assert!(q.check_loan_pool().is_ok());
    drop(q);
    assert!(MessageQueue::remove(&name));
}

#[test]
fn a_loan_sent_to_a_full_queue_comes_back_from_try_and_timed_sends() {
    let name = format!("ip_mq_unit_loan_full_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, 2, 8, Permissions::DEFAULT).unwrap();
    q.send(b"a", 0).unwrap();
    q.send(b"b", 0).unwrap();
    let mut l = q.try_loan(1).unwrap().unwrap();
    l[0] = b'c';
    let l = q_full_back(l.try_send(0).unwrap());
    let soon = crate::sync::Deadline::after(Duration::from_millis(5));
    let l = q_full_back(l.timed_send(0, soon).unwrap());
    let mut buf = [0u8; 8];
    assert_eq!(q.try_receive(&mut buf).unwrap(), Some((1, 0)));
    assert!(l.try_send(0).unwrap().is_none());
    assert_eq!(q.try_receive(&mut buf).unwrap(), Some((1, 0)));
    assert_eq!(&*q.receive_in_place().unwrap(), b"c");
    assert_eq!(q.check_loan_pool().unwrap().free, 2);
    drop(q);
    assert!(MessageQueue::remove(&name));
}

/// The loan a send to a full queue gave back.
fn q_full_back(back: Option<Loan<'_>>) -> Loan<'_> {
    back.expect("a full queue gives the loan back")
}

#[test]
fn one_slot_queues_hand_off_between_threads_and_timed_waits_stay_bounded() {
    // Locked mode: a waiter looks with the lock let go before it sleeps.
    let (na, nb) = (
        format!("ip_mq_unit_la_{}", std::process::id()),
        format!("ip_mq_unit_lb_{}", std::process::id()),
    );
    MessageQueue::remove(&na);
    MessageQueue::remove(&nb);
    let a = MessageQueue::create(&na, 1, 8, Permissions::DEFAULT).unwrap();
    let b = MessageQueue::create(&nb, 1, 8, Permissions::DEFAULT).unwrap();
    assert_eq!(a.queue_header().mode.load(Ordering::Relaxed), MODE_LOCKED);
    const ROUNDS: u64 = 5_000;
    let echoed = std::thread::scope(|s| {
        let echo = s.spawn(|| {
            let mut buf = [0u8; 8];
            let mut sum = 0;
            for _ in 0..ROUNDS {
                let (len, prio) = a.receive(&mut buf).unwrap();
                sum += u64::from_le_bytes(buf);
                b.send(&buf[..len], prio).unwrap();
            }
            sum
        });
        let mut buf = [0u8; 8];
        let mut back = 0;
        for i in 1..=ROUNDS {
            a.send(&i.to_le_bytes(), 0).unwrap();
            assert_eq!(b.receive(&mut buf).unwrap(), (8, 0));
            back += u64::from_le_bytes(buf);
        }
        assert_eq!(echo.join().unwrap(), back);
        back
    });
    assert_eq!(echoed, ROUNDS * (ROUNDS + 1) / 2);
    // Nothing comes: the timed receive returns at its deadline, having looked and slept.
    let start = Instant::now();
    let mut buf = [0u8; 8];
    let got = a
        .timed_receive(&mut buf, Deadline::after(Duration::from_millis(30)))
        .unwrap();
    assert!(got.is_none());
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(29) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert!(MessageQueue::remove(&na));
    assert!(MessageQueue::remove(&nb));
}
