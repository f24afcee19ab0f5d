//! A thread's shadow: the robust-list nodes it linked itself, kept in private memory that
//! no other process can write (see `list`).

use std::sync::atomic::{AtomicUsize, Ordering};

/// The nodes one thread has linked, in private memory: only that thread reads or writes
/// `len` and `nodes` (the atomics are for `Sync`, all Relaxed: no other thread looks).
#[repr(C, align(128))]
pub(super) struct Shadow {
    /// The owning thread's list head address, with [`PROVEN`]; 0 while free. Written with
    /// a compare-and-swap by a thread claiming the entry and cleared at the thread's exit.
    pub(super) owner: AtomicUsize,
    /// How many of `nodes` are used; `OVERFLOWED` once more were linked than fit.
    pub(super) len: AtomicUsize,
    pub(super) nodes: [AtomicUsize; SHADOW_NODES],
}

/// Nodes one shadow records: a thread rarely holds more locks at once.
pub(super) const SHADOW_NODES: usize = 14;
/// `len` once a thread held more locks than its shadow records: nodes missing from it are
/// then checked the slow way instead of being refused.
pub(super) const OVERFLOWED: usize = usize::MAX;
/// Set in `owner` beside the head when [`claimed_identity`](super::thread::claimed_identity) gives the owning thread's true
/// identity: the fast paths then read it at constant offsets and take a match of this
/// entry as the proof (heads are 8-aligned, so the bit is free).
pub(super) const PROVEN: usize = 1;
/// Entries of the process-wide table (128 KiB, untouched until used).
pub(super) const SHADOWS: usize = 1024;

impl Shadow {
    pub(super) const fn new() -> Shadow {
        Shadow {
            owner: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
            nodes: [const { AtomicUsize::new(0) }; SHADOW_NODES],
        }
    }

    pub(super) fn push(&self, node: usize) {
        // Relaxed, all: the shadow is its thread's alone (see `Shadow`).
        let len = self.len.load(Ordering::Relaxed);
        if len < SHADOW_NODES {
            self.nodes[len].store(node, Ordering::Relaxed);
            self.len.store(len + 1, Ordering::Relaxed);
        } else {
            self.len.store(OVERFLOWED, Ordering::Relaxed);
        }
    }

    pub(super) fn used(&self) -> usize {
        // Relaxed, all: the shadow is its thread's alone (see `Shadow`).
        self.len.load(Ordering::Relaxed).min(SHADOW_NODES)
    }

    pub(super) fn contains(&self, node: usize) -> bool {
        // Relaxed, all: the shadow is its thread's alone (see `Shadow`).
        self.nodes[..self.used()]
            .iter()
            .any(|n| n.load(Ordering::Relaxed) == node)
    }

    pub(super) fn remove(&self, node: usize) {
        // Relaxed, all: the shadow is its thread's alone (see `Shadow`).
        let used = self.used();
        if let Some(i) = (0..used).find(|&i| self.nodes[i].load(Ordering::Relaxed) == node) {
            let last = self.nodes[used - 1].load(Ordering::Relaxed);
            self.nodes[i].store(last, Ordering::Relaxed);
            if self.len.load(Ordering::Relaxed) != OVERFLOWED {
                self.len.store(used - 1, Ordering::Relaxed);
            }
        }
    }
}
