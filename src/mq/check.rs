//! A read-only check of a queue's loan pool, for `interproc check`: every pool slot's state
//! and lock, and every queued descriptor against the slot it names. It takes no lock and
//! writes nothing, so on a queue in use it reads one moment of each part; it is exact on a
//! queue at rest.

use super::handle::{MessageQueue, corrupted};
use super::layout::{
    Descriptor, MODE_LOCKED, MODE_RING, POOL_FREE, POOL_HELD, POOL_LOANED, POOL_QUEUED, POS_MASK,
    SLOT_QUEUED, Stored,
};
use crate::{LockHolder, Result};
use std::sync::atomic::Ordering;

/// What [`MessageQueue::check_loan_pool`] found: how many pool slots are in each state, and
/// how many queued messages name a pool slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoanPoolCheck {
    /// Pool slots nobody has.
    pub free: usize,
    /// Pool slots lent to a sender writing its message.
    pub loaned: usize,
    /// Pool slots holding a sent message that no receiver has taken yet.
    pub queued: usize,
    /// Pool slots held by a receiver reading their message in place.
    pub held: usize,
    /// Pool slots whose holder died (taken back by the next loan that finds the pool full).
    pub dead_holders: usize,
    /// Queued messages sent from loans (descriptors), of which `stale` name a slot taken
    /// back or lent again since (receivers skip them).
    pub descriptors: usize,
    /// See `descriptors`.
    pub stale: usize,
}

impl MessageQueue {
    /// Checks the loan pool without changing anything: each pool slot's state and lock,
    /// and each queued descriptor (a message sent from a loan) against the slot it names.
    /// `Corrupted`, naming the first problem, if a state is unknown, a lock names a thread
    /// id no kernel hands out, a descriptor names a slot outside the pool or longer than
    /// the queue's messages, two queued descriptors name one lending of a slot, or a
    /// queued slot no descriptor names has no holder (it could never come free). Exact on
    /// a queue at rest; on a queue in use each part is read at one moment.
    pub fn check_loan_pool(&self) -> Result<LoanPoolCheck> {
        let mut c = LoanPoolCheck::default();
        let pool = self.pool();
        let n = self.layout.max_msg as u32;
        let bad = |what: String| corrupted(format!("message queue {:?}: {what}", self.name));
        let mut named = vec![false; n as usize];
        for d in self.queued_descriptors()? {
            let (d, len) = d;
            c.descriptors += 1;
            if d.pool >= n {
                return Err(bad(format!(
                    "a queued message names loan-pool slot {}, beyond the pool's {n}",
                    d.pool
                )));
            }
            if u64::from(len) > self.layout.max_msg_size {
                return Err(bad(format!(
                    "a queued message in loan-pool slot {} is {len} bytes long",
                    d.pool
                )));
            }
            if !pool.current(d)? {
                c.stale += 1;
                continue;
            }
            if std::mem::replace(&mut named[d.pool as usize], true) {
                return Err(bad(format!(
                    "two queued messages name loan-pool slot {} (generation {})",
                    d.pool, d.generation
                )));
            }
        }
        for i in 0..n {
            let p = pool.header(i)?;
            let holder = p.owner.holder();
            if let LockHolder::Garbage(tid) = holder {
                return Err(bad(format!(
                    "loan-pool slot {i}'s lock names thread id {tid}, which no kernel hands out"
                )));
            }
            if holder == LockHolder::OwnerDied {
                c.dead_holders += 1;
            }
            // Relaxed: a snapshot (see the module's documentation).
            match p.state.load(Ordering::Relaxed) {
                POOL_FREE => c.free += 1,
                POOL_LOANED => c.loaned += 1,
                POOL_HELD => c.held += 1,
                POOL_QUEUED => {
                    c.queued += 1;
                    if !named[i as usize] && holder == LockHolder::Free {
                        return Err(bad(format!(
                            "loan-pool slot {i} is queued, but no queued message names it"
                        )));
                    }
                }
                s => return Err(bad(format!("loan-pool slot {i} has unknown state {s}"))),
            }
        }
        Ok(c)
    }

    /// The descriptors (and message lengths) of the messages queued now, in either mode.
    fn queued_descriptors(&self) -> Result<Vec<(Descriptor, u32)>> {
        let h = self.queue_header();
        let max = self.layout.max_msg_size;
        let mut out = Vec::new();
        // The message length of a `len` word that marks a descriptor.
        let take = |word| match Stored::of(word, max) {
            Some(Stored::Indirect(len)) => Some(len),
            _ => None,
        };
        // Acquire, all: pair with the Release stores of the mode, the ends' claims and the
        // slots' `pos` (see `num_msg`); a snapshot.
        match h.mode.load(Ordering::Acquire) {
            MODE_RING => {
                let ring = self.ring();
                let head = ring.ring_pos(h.head.load(Ordering::Acquire) & POS_MASK)?;
                let tail = ring.ring_pos(h.tail.load(Ordering::Acquire) & POS_MASK)?;
                let count = ring.distance(head, tail).min(self.layout.max_msg as u32);
                for k in 0..count {
                    let pos = ring.advance(head, k);
                    let s = ring.slot_at(pos)?;
                    let published = s.pos.load(Ordering::Acquire) == ring.advance(pos, 1);
                    // Relaxed: ordered by the Acquire load of `pos`.
                    if let Some(len) = take(s.len.load(Ordering::Relaxed)).filter(|_| published) {
                        out.push((self.descriptor(s), len));
                    }
                }
            }
            MODE_LOCKED => {
                for i in 0..self.layout.max_msg as u32 {
                    let s = self.slot(i)?;
                    // Relaxed: a snapshot; the lock's holder orders these.
                    if s.state.load(Ordering::Relaxed) == SLOT_QUEUED {
                        if let Some(len) = take(s.len.load(Ordering::Relaxed)) {
                            out.push((self.descriptor(s), len));
                        }
                    }
                }
            }
            // Switching: the slots are moving between the modes; the pool alone is checked.
            _ => {}
        }
        Ok(out)
    }
}
