//! Loom models of the message queue's ring ([`super::ring`]): the claim of a position by a
//! compare-and-swap on an end, the copy into or out of its slot, the publication and the
//! freeing of the slot by a Release store of its `pos`, the consistent look at both ends
//! that tells full and empty from a peer half-way through its copy, and the sleep on a
//! full or empty ring against the wake that a claim sends (the store-load pair described at
//! `QueueHeader::tail`).
//!
//! Unlike the segment's and the robust lock's models, these do not run the library's
//! functions: `RingMode::send` and `receive` interleave these steps with the participant
//! entries and the loan pool, whose robust locks loom cannot model. The model is the ring's
//! steps written out with the same words, the same orderings and the same order of loads,
//! and it shares the position arithmetic ([`advance`], [`back`]) and the tail word's
//! encoding ([`tail_word`]) with the library. Which ring step each line follows is named
//! beside it; a change of an ordering in `ring.rs` must be made here too. Not modelled:
//! the entries and the mending of a dead claim (under the queue lock), the switch to
//! locked mode (under the queue lock, after freezing both ends), loans, and the spin
//! before a sleep (it only delays the sleep).
//!
//! loom 0.7 treats a SeqCst load, store or read-modify-write as AcqRel, so it cannot see
//! the store-load pair that keeps a sleeper from missing its wake-up: a claim's SeqCst
//! compare-and-swap on an end then the claimer's SeqCst load of `*_waiting`, against the
//! sleeper's SeqCst increment of `*_waiting` then its SeqCst loads of the ends. Under that
//! weakening the model deadlocks, as loom's documentation warns. The model keeps the
//! SeqCst accesses and adds a SeqCst fence between the store and the load on each side,
//! which loom does model and which gives the guarantee the library takes from the SeqCst
//! accesses: of the two, at least one sees the other's store. So these models check the
//! rest of the protocol given that pair, not the pair's own orderings (argued at
//! `QueueHeader::tail`).

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicU32, AtomicU64, fence};
use loom::thread;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};

use super::layout::{POS_MASK, tail_word};
use super::ring::{advance, back};
use crate::os::loom_futex::Futex;

/// Slots in the modelled ring: two, so that three messages fill it and wrap it.
const SLOTS: u32 = 2;
/// Positions on the modelled ring: two laps of the slots, the fewest that keep a slot's
/// free, published and previous-lap `pos` values apart.
const MODULUS: u32 = 2 * SLOTS;

/// A slot: its `pos` word, and what a sender writes before publishing it. The message is
/// a loom cell, so a copy out not ordered after the copy in is reported.
struct Slot {
    pos: AtomicU32,
    priority: AtomicU32,
    message: UnsafeCell<u32>,
}

/// A ring with its ends and its sleepers' words, as in `QueueHeader`.
struct Ring {
    tail: AtomicU64,
    head: AtomicU64,
    slots: Vec<Slot>,
    not_empty: AtomicU32,
    not_full: AtomicU32,
    receivers_waiting: AtomicU32,
    senders_waiting: AtomicU32,
    not_empty_futex: Futex,
    not_full_futex: Futex,
}

/// A sleeper's words: the futex word, the count of its sleepers, and the futex.
#[derive(Clone, Copy)]
struct Sleep<'a> {
    word: &'a AtomicU32,
    waiting: &'a AtomicU32,
    futex: &'a Futex,
}

/// What a send did.
#[derive(Debug, PartialEq)]
enum Sent {
    Done,
    /// The ring was full and the send was not to wait.
    Full,
    /// The priority is above the last message's and the ring is not empty: the library
    /// switches to locked mode.
    Switch,
}

/// What a look at a slot that was not ready found.
enum Look {
    /// Something moved meanwhile, or a peer is half-way through its copy: look again.
    Again,
    /// The ring is full (to a sender) or empty (to a receiver), seen at one state of it:
    /// the head and tail words of that state.
    Stuck(u64, u64),
}

impl Ring {
    fn new() -> Arc<Ring> {
        let slots = (0..SLOTS)
            .map(|i| Slot {
                pos: AtomicU32::new(i),
                priority: AtomicU32::new(0),
                message: UnsafeCell::new(u32::MAX),
            })
            .collect();
        Arc::new(Ring {
            tail: AtomicU64::new(tail_word(0, 0)),
            head: AtomicU64::new(0),
            slots,
            not_empty: AtomicU32::new(0),
            not_full: AtomicU32::new(0),
            receivers_waiting: AtomicU32::new(0),
            senders_waiting: AtomicU32::new(0),
            not_empty_futex: Futex::new(),
            not_full_futex: Futex::new(),
        })
    }

    fn slot(&self, pos: u32) -> &Slot {
        &self.slots[(pos % SLOTS) as usize]
    }

    fn receivers(&self) -> Sleep<'_> {
        Sleep {
            word: &self.not_empty,
            waiting: &self.receivers_waiting,
            futex: &self.not_empty_futex,
        }
    }

    fn senders(&self) -> Sleep<'_> {
        Sleep {
            word: &self.not_full,
            waiting: &self.senders_waiting,
            futex: &self.not_full_futex,
        }
    }

    /// `RingMode::send`, waiting for room if `wait`.
    fn send(&self, message: u32, priority: u32, wait: bool) -> Sent {
        loop {
            let t = self.tail.load(SeqCst);
            let pos = (t & POS_MASK) as u32;
            if priority > (t >> 32) as u32 && self.head.load(SeqCst) & POS_MASK != u64::from(pos) {
                return Sent::Switch;
            }
            let s = self.slot(pos);
            let c = s.pos.load(Acquire);
            if c != pos {
                match self.no_room(t, pos, s) {
                    Look::Again => thread::yield_now(),
                    Look::Stuck(..) if !wait => return Sent::Full,
                    Look::Stuck(hd, t) => self.sleep(self.senders(), hd, t),
                }
                continue;
            }
            let next = advance(MODULUS, pos, 1);
            if self
                .tail
                .compare_exchange(t, tail_word(next, priority), SeqCst, Relaxed)
                .is_err()
            {
                continue;
            }
            // SAFETY: the position is this thread's from its claim until it publishes; loom
            // checks the write is ordered after the last receiver's read.
            s.message.with_mut(|m| unsafe { *m = message });
            s.priority.store(priority, Relaxed);
            s.pos.store(next, Release);
            wake_if_waiting(self.receivers());
            return Sent::Done;
        }
    }

    /// `RingMode::no_room`: head, slot, tail again; full if the slot still holds the
    /// previous lap's message and the head is at it.
    fn no_room(&self, t: u64, pos: u32, s: &Slot) -> Look {
        let hd = self.head.load(SeqCst);
        let c = s.pos.load(Acquire);
        if self.tail.load(SeqCst) != t || c == pos {
            return Look::Again;
        }
        let prev = back(MODULUS, pos, SLOTS);
        assert!(
            c == prev || c == advance(MODULUS, prev, 1),
            "a slot's pos is its previous lap's"
        );
        if hd & POS_MASK == u64::from(prev) {
            return Look::Stuck(hd, t);
        }
        assert_ne!(c, prev, "a message taken before it was sent");
        // A receiver is copying the previous lap's message out (`outwait_copy`).
        Look::Again
    }

    /// `RingMode::receive`, waiting for a message if `wait`: the message and its priority.
    fn receive(&self, wait: bool) -> Option<(u32, u32)> {
        loop {
            let hd = self.head.load(SeqCst);
            let pos = (hd & POS_MASK) as u32;
            let next = advance(MODULUS, pos, 1);
            let s = self.slot(pos);
            let c = s.pos.load(Acquire);
            if c != next {
                match self.nothing_yet(hd, pos, s) {
                    Look::Again => thread::yield_now(),
                    Look::Stuck(..) if !wait => return None,
                    Look::Stuck(hd, t) => self.sleep(self.receivers(), hd, t),
                }
                continue;
            }
            if self
                .head
                .compare_exchange(hd, u64::from(next), SeqCst, Relaxed)
                .is_err()
            {
                continue;
            }
            let priority = s.priority.load(Relaxed);
            // SAFETY: the position is this thread's from its claim until it frees the slot;
            // loom checks the read is ordered after the sender's write.
            let message = s.message.with(|m| unsafe { *m });
            s.pos.store(advance(MODULUS, pos, SLOTS), Release);
            wake_if_waiting(self.senders());
            return Some((message, priority));
        }
    }

    /// `RingMode::nothing_yet`: tail, slot, head again; empty if the tail is at the head.
    fn nothing_yet(&self, hd: u64, pos: u32, s: &Slot) -> Look {
        let t = self.tail.load(SeqCst);
        let c = s.pos.load(Acquire);
        if self.head.load(SeqCst) != hd || c == advance(MODULUS, pos, 1) {
            return Look::Again;
        }
        if t & POS_MASK == u64::from(pos) {
            return Look::Stuck(hd, t);
        }
        assert_eq!(c, pos, "the slot at the head is this lap's");
        // A sender is copying its message in (`outwait_copy`).
        Look::Again
    }

    /// `RingMode::wait_for_ends` through `MessageQueue::wait_change`: sleeps until an end
    /// moves from `hd` or `t`.
    fn sleep(&self, sleep: Sleep<'_>, hd: u64, t: u64) {
        let moved = || self.head.load(SeqCst) != hd || self.tail.load(SeqCst) != t;
        if moved() {
            return;
        }
        let seen = sleep.word.load(SeqCst);
        sleep.waiting.fetch_add(1, SeqCst);
        // The store-load pair's stand-in (see the module's comment).
        fence(SeqCst);
        if !moved() {
            sleep.futex.wait(sleep.word, seen);
        }
        sleep.waiting.fetch_sub(1, SeqCst);
    }
}

/// `MessageQueue::wake_if_waiting`.
fn wake_if_waiting(sleep: Sleep<'_>) {
    // The store-load pair's stand-in (see the module's comment).
    fence(SeqCst);
    if sleep.waiting.load(SeqCst) > 0 {
        sleep.word.fetch_add(1, SeqCst);
        sleep.futex.wake_all();
    }
}

/// Runs `sender` on a thread of its own and `receiver` on the model's main thread, then
/// takes what the ring still holds and hands `check` what the sender sent and everything
/// received, in the order received. What the ring still holds (queued together) must never
/// rise in priority from head to tail.
fn model(
    sender: impl Fn(&Ring) -> Vec<u32> + Send + Sync + 'static,
    receiver: impl Fn(&Ring) -> Vec<(u32, u32)> + Send + Sync + 'static,
    check: impl Fn(Vec<u32>, Vec<u32>) + Send + Sync + 'static,
) {
    let sender = std::sync::Arc::new(sender);
    loom::model(move || {
        let ring = Ring::new();
        let theirs = {
            let (ring, sender) = (ring.clone(), std::sync::Arc::clone(&sender));
            thread::spawn(move || sender(&ring))
        };
        let mut got = receiver(&ring);
        let sent = theirs.join().unwrap();
        let queued: Vec<(u32, u32)> = std::iter::from_fn(|| ring.receive(false)).collect();
        for w in queued.windows(2) {
            assert!(
                w[0].1 >= w[1].1,
                "no message queued behind a lower priority"
            );
        }
        got.extend(queued);
        check(sent, got.into_iter().map(|(m, _)| m).collect());
    });
}

/// Every message sent received once, in the order sent.
fn in_send_order(sent: Vec<u32>, got: Vec<u32>) {
    assert_eq!(got, sent, "every message once, in order");
}

/// Three messages through two slots, the receiver waiting on an empty ring and the sender
/// on a full one: nothing lost, duplicated or reordered, every copy out ordered after its
/// copy in and every copy in after the last copy out, and no sleeper left unwoken.
#[test]
fn loom_ring_fifo_through_a_full_ring() {
    model(
        |ring| {
            for m in 0..3 {
                assert_eq!(ring.send(m, 1, true), Sent::Done);
            }
            vec![0, 1, 2]
        },
        |ring| (0..3).map(|_| ring.receive(true).expect("waits")).collect(),
        in_send_order,
    );
}

/// Both threads send, and one takes what it finds: the claims give the two senders
/// different positions, and each message is received once.
#[test]
fn loom_ring_two_senders_claim_in_turn() {
    model(
        |ring| {
            let sent = ring.send(10, 0, false);
            assert_eq!(sent, Sent::Done, "two slots hold both messages");
            vec![10]
        },
        |ring| {
            assert_eq!(ring.send(20, 0, false), Sent::Done);
            ring.receive(false).into_iter().collect()
        },
        |_, mut got| {
            got.sort_unstable();
            assert_eq!(got, [10, 20], "each message once");
        },
    );
}

/// A higher priority is appended only to an empty ring (otherwise the library switches to
/// locked mode): what the ring hands out never rises in priority while both were queued.
#[test]
fn loom_ring_higher_priority_only_into_an_empty_ring() {
    model(
        |ring| {
            assert_eq!(ring.send(0, 0, false), Sent::Done);
            match ring.send(1, 5, false) {
                Sent::Done => vec![0, 1],
                Sent::Switch => vec![0],
                Sent::Full => unreachable!("two slots"),
            }
        },
        |ring| ring.receive(false).into_iter().collect(),
        in_send_order,
    );
}
