//! Messages of every length in one queue: a message of at most 32 bytes lies in its slot's
//! header line and a longer one after it, so lengths on both sides of that bound (and 0)
//! must keep their bytes, their priority order and FIFO among equals, in ring mode and in
//! locked mode, sent by copy or from a loan, received by copy or in place.

mod common;

use common::{Remove, Xorshift, unique};
use interproc::{MessageQueue, Permissions};
use std::collections::VecDeque;

/// The most bytes a slot keeps in its header's cache line.
const INLINE: usize = 32;

fn queue(tag: &str, max_msg: usize, size: usize) -> (MessageQueue, Remove) {
    let name = unique("ipt_mqs", tag);
    MessageQueue::remove(&name);
    let q = MessageQueue::create(&name, max_msg, size, Permissions::default()).unwrap();
    (q, Remove(name))
}

/// Message `serial` of `len` bytes: every byte depends on both, so a message read from the
/// wrong place, or cut short, or a neighbour's, does not pass for it.
fn message(serial: u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (serial.wrapping_mul(0x9E37_79B9) as usize + i * 7 + len) as u8)
        .collect()
}

/// Receives the next message by copy (`in_place` false) or in place.
fn take(q: &MessageQueue, in_place: bool) -> Option<(Vec<u8>, u32)> {
    if in_place {
        let r = q.try_receive_in_place().unwrap()?;
        Some((r.to_vec(), r.priority()))
    } else {
        let mut buf = vec![0u8; q.max_msg_size()];
        let (n, p) = q.try_receive(&mut buf).unwrap()?;
        buf.truncate(n);
        Some((buf, p))
    }
}

/// Sends by copy, or (`loan`) from a loan.
fn put(q: &MessageQueue, data: &[u8], priority: u32, loan: bool) {
    if loan {
        let mut l = q.loan(data.len()).unwrap();
        l.copy_from_slice(data);
        l.send(priority).unwrap();
    } else {
        assert!(q.try_send(data, priority).unwrap());
    }
}

#[test]
fn lengths_around_the_header_line_keep_their_bytes_in_both_modes() {
    let lengths = [0, 1, INLINE - 1, INLINE, INLINE + 1, 64, 100];
    let (q, _r) = queue("edges", 16, 100);
    for locked in [false, true] {
        for in_place in [false, true] {
            // Ring mode: one priority. Locked mode: a higher priority behind a queued
            // message switches the queue, and the first message then comes out last.
            for (k, &len) in lengths.iter().enumerate() {
                let p = if locked && k == 0 { 0 } else { 1 };
                put(&q, &message(k as u64, len), p, false);
            }
            let mut order: Vec<usize> = (1..lengths.len()).collect();
            if locked {
                order.push(0);
            } else {
                order.insert(0, 0);
            }
            for k in order {
                let (bytes, _) = take(&q, in_place).expect("a queued message");
                assert_eq!(
                    bytes,
                    message(k as u64, lengths[k]),
                    "length {}",
                    lengths[k]
                );
            }
            assert!(take(&q, in_place).is_none());
        }
    }
}

#[test]
fn a_message_one_byte_over_the_header_line_fills_its_own_lines() {
    // In a queue whose limit is the header line's capacity, every message is kept there;
    // in one a byte larger, the longest message is kept after the header.
    for size in [INLINE, INLINE + 1] {
        let (q, _r) = queue(&format!("over{size}"), 4, size);
        for serial in 0..8u64 {
            let m = message(serial, size);
            q.send(&m, 0).unwrap();
            q.send(&[], 0).unwrap();
            assert_eq!(take(&q, false).unwrap().0, m);
            assert_eq!(take(&q, true).unwrap().0, Vec::<u8>::new());
        }
        assert!(q.try_send(&message(0, size + 1), 0).is_err());
    }
}

#[test]
fn mixed_lengths_keep_priority_order_and_fifo_against_a_model() {
    let (q, _r) = queue("model", 7, 80);
    // Per priority, the messages queued in arrival order.
    let mut model: [VecDeque<Vec<u8>>; 4] = Default::default();
    let mut rng = Xorshift(0x2545_f491_4f6c_dd1d);
    let mut next = || rng.next();
    let mut queued = 0;
    for serial in 0..20_000u64 {
        let r = next();
        // Lengths cluster around the header line's capacity, with 0 and the limit.
        let len = match r >> 40 & 7 {
            0 => 0,
            1 => 80,
            2..=4 => INLINE - 2 + (r >> 44) as usize % 5,
            _ => (r >> 44) as usize % 81,
        };
        // Mostly one priority, so the queue spends long spells in ring mode.
        let prio = if r >> 50 & 3 == 0 {
            (r >> 52) as u32 % 4
        } else {
            1
        };
        if r % 2 == 0 && queued < 7 {
            let m = message(serial, len);
            put(&q, &m, prio, r >> 20 & 3 == 0);
            model[prio as usize].push_back(m);
            queued += 1;
        } else if let Some((bytes, p)) = take(&q, r >> 24 & 1 == 0) {
            let want = model[p as usize]
                .pop_front()
                .expect("a message of that priority");
            assert!(
                model[p as usize + 1..].iter().all(VecDeque::is_empty),
                "priority order"
            );
            assert_eq!(bytes, want);
            queued -= 1;
        } else {
            assert_eq!(queued, 0);
        }
        assert_eq!(q.num_msg(), queued);
    }
}
