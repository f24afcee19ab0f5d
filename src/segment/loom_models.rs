//! Loom models of the segment's lock-free algorithms: the size-class lists
//! ([`super::classes`]) and the index's sequence lock ([`super::lookup::IndexSeq`]).
//!
//! Each model runs the library's own functions, instantiated over loom's atomics instead of
//! the mapped segment's words, with two or three threads doing a few operations. Loom
//! explores every interleaving (up to `LOOM_MAX_PREEMPTIONS` preemptions) and every value
//! the C11 memory model lets each load return, so an ordering too weak for what the code
//! relies on makes a model fail here, where x86 hardware would hide it. Run them with
//! `scripts/loom.sh`; `docs/lock-free.md` says which model covers which atomic.

use loom::sync::Arc;
use loom::sync::atomic::{AtomicU32, AtomicU64};
use loom::thread;
use std::sync::atomic::Ordering::Relaxed;

use super::classes::{CLASSES, ListWords, Lists, class_of};
use super::heap::{HEADER, PARKED};
use super::lookup::IndexSeq;

/// The block size of the modelled class (the smallest).
const SIZE: u64 = 32;
/// The modelled blocks' offsets: three blocks of [`SIZE`] bytes, then the sentinel.
const BLOCKS: [u64; 3] = [64, 96, 128];
const END: u64 = 160;

/// A heap of [`BLOCKS`] in loom's atomics, laid out as the segment's: each block's header
/// is its back link then its size-and-flags word, then the payload, whose first word is the
/// list link and whose second word the models use as the user's data.
struct Model {
    heads: Vec<AtomicU64>,
    mem: Vec<AtomicU64>,
}

impl ListWords for Model {
    type Word = AtomicU64;
    fn head(&self, class: usize) -> &AtomicU64 {
        &self.heads[class]
    }
    fn flags(&self, off: u64) -> &AtomicU64 {
        &self.mem[(off / 8 + 1) as usize]
    }
    fn link(&self, off: u64) -> &AtomicU64 {
        &self.mem[((off + HEADER) / 8) as usize]
    }
    fn prev_phys(&self, off: u64) -> u64 {
        self.mem[(off / 8) as usize].load(Relaxed)
    }
}

type Heap = Lists<Model>;

/// The modelled lists, every block in use by the thread that builds them.
fn heap() -> Arc<Heap> {
    let mem: Vec<AtomicU64> = (0..END / 8 + 2).map(|_| AtomicU64::new(0)).collect();
    let mut prev = 0;
    for off in BLOCKS.into_iter().chain([END]) {
        mem[(off / 8) as usize].store(prev, Relaxed);
        mem[(off / 8 + 1) as usize].store(SIZE, Relaxed);
        prev = off;
    }
    let heads = (0..CLASSES).map(|_| AtomicU64::new(0)).collect();
    Arc::new(Lists::over(Model { heads, mem }, BLOCKS[0], END))
}

/// The user offset of a block.
fn user(block: u64) -> u64 {
    block + HEADER
}

/// The word of a block's payload the models write as the user's data.
fn data(h: &Heap, user: u64) -> &AtomicU64 {
    &h.words().mem[((user + 8) / 8) as usize]
}

fn class() -> usize {
    class_of(SIZE).expect("a class").0
}

/// Pops one block of the modelled class.
fn pop(h: &Heap) -> Option<u64> {
    h.pop(class(), SIZE).expect("no error")
}

/// Gives `user` back after writing `stamp` as its data: the pop that takes it must see it.
fn give_back(h: &Heap, user: u64, stamp: u64) -> bool {
    data(h, user).store(stamp, Relaxed);
    h.give_back(user).expect("no error")
}

/// Takes `user` as a popper would, checking the flag flip and the data the last user wrote.
fn took(h: &Heap, user: u64) {
    let flags = h.words().flags(user - HEADER).load(Relaxed);
    assert_eq!(flags, SIZE, "a block handed out is unparked");
    assert_eq!(
        h.words().link(user - HEADER).load(Relaxed),
        0,
        "its link cleared"
    );
    assert_eq!(
        data(h, user).load(Relaxed),
        user,
        "its last user's writes visible"
    );
}

/// Pops what is left, for the final count.
fn rest(h: &Heap) -> Vec<u64> {
    std::iter::from_fn(|| pop(h))
        .take(BLOCKS.len() + 1)
        .collect()
}

/// Every block exactly once in `got`, and the list not quarantined.
fn all_once(h: &Heap, mut got: Vec<u64>) {
    got.sort_unstable();
    let want: Vec<u64> = BLOCKS.iter().map(|&b| user(b)).collect();
    assert_eq!(got, want, "every block handed out once, none lost");
    assert!(h.quarantined().is_empty(), "nothing mistaken for garbage");
}

/// Parks `block`, which must park, with its own offset as its data.
fn park(h: &Heap, block: u64) {
    assert!(give_back(h, user(block), user(block)));
}

/// A thread that parks `block`, which must park.
fn spawn_park(h: &Arc<Heap>, block: u64) -> thread::JoinHandle<()> {
    let h = h.clone();
    thread::spawn(move || park(&h, block))
}

/// A thread that pops up to `n` blocks, checking each it took.
fn spawn_pops(h: &Arc<Heap>, n: usize) -> thread::JoinHandle<Vec<u64>> {
    let h = h.clone();
    thread::spawn(move || {
        let got: Vec<u64> = std::iter::from_fn(|| pop(&h)).take(n).collect();
        for &g in &got {
            took(&h, g);
        }
        got
    })
}

#[test]
fn loom_two_pops_take_distinct_blocks() {
    loom::model(|| {
        let h = heap();
        for b in BLOCKS {
            park(&h, b);
        }
        let t: Vec<_> = (0..2).map(|_| spawn_pops(&h, 1)).collect();
        let mut got: Vec<u64> = t.into_iter().flat_map(|t| t.join().unwrap()).collect();
        assert_eq!(got.len(), 2, "three parked, two pops");
        got.extend(rest(&h));
        all_once(&h, got);
    });
}

#[test]
fn loom_push_races_two_pops() {
    loom::model(|| {
        let h = heap();
        // One block parked, one about to be given back, one kept by this thread.
        park(&h, BLOCKS[0]);
        let pusher = spawn_park(&h, BLOCKS[1]);
        let popper = spawn_pops(&h, 2);
        pusher.join().unwrap();
        let mut got = popper.join().unwrap();
        got.extend(rest(&h));
        got.push(user(BLOCKS[2]));
        all_once(&h, got);
    });
}

#[test]
fn loom_three_threads_push_pop_pop() {
    loom::model(|| {
        let h = heap();
        park(&h, BLOCKS[0]);
        let pusher = spawn_park(&h, BLOCKS[1]);
        let poppers: Vec<_> = (0..2).map(|_| spawn_pops(&h, 1)).collect();
        pusher.join().unwrap();
        let mut got: Vec<u64> = poppers
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        got.extend(rest(&h));
        got.push(user(BLOCKS[2]));
        all_once(&h, got);
    });
}

/// The ABA race the change count guards against: a popper reads the top block and its
/// link, and meanwhile another thread pops that block and the next one and gives the first
/// back, so the same block is on top again with a stale link under it.
#[test]
fn loom_pop_pop_push_back_is_no_aba() {
    loom::model(|| {
        let h = heap();
        for b in &BLOCKS[..2] {
            park(&h, *b);
        }
        let churn = {
            let h = h.clone();
            thread::spawn(move || {
                let first = pop(&h);
                let second = pop(&h);
                let mut kept = Vec::new();
                if let Some(f) = first {
                    took(&h, f);
                    assert!(give_back(&h, f, f));
                }
                if let Some(s) = second {
                    took(&h, s);
                    kept.push(s);
                }
                kept
            })
        };
        let popper = spawn_pops(&h, 1);
        let mut got = churn.join().unwrap();
        got.extend(popper.join().unwrap());
        got.extend(rest(&h));
        got.push(user(BLOCKS[2]));
        all_once(&h, got);
    });
}

/// A list whose second link is garbage: the pop that meets it quarantines the class while
/// another thread gives a block back. The quarantine sticks, no block is handed out twice,
/// and a block the pusher is told was not parked is unflagged, the caller's for the heap.
#[test]
fn loom_quarantine_races_a_push() {
    loom::model(|| {
        let h = heap();
        park(&h, BLOCKS[0]);
        // The parked block's link names a position far outside the heap.
        h.words().link(BLOCKS[0]).store(1 << 20, Relaxed);
        let pusher = {
            let h = h.clone();
            thread::spawn(move || give_back(&h, user(BLOCKS[1]), user(BLOCKS[1])))
        };
        let popper = {
            let h = h.clone();
            thread::spawn(move || {
                let got: Vec<u64> = std::iter::from_fn(|| pop(&h)).take(3).collect();
                got
            })
        };
        let parked = pusher.join().unwrap();
        let mut got = popper.join().unwrap();
        got.extend(rest(&h));
        assert_eq!(
            h.quarantined(),
            vec![(class(), SIZE)],
            "the class is quarantined"
        );
        for &g in &got {
            took(&h, g);
        }
        // The good block, and the pushed one unless the quarantine gave it up (or the
        // push was refused): each once.
        got.sort_unstable();
        let (b0, b1) = (user(BLOCKS[0]), user(BLOCKS[1]));
        assert!(got == [b0] || (parked && got == [b0, b1]), "{got:?}");
        if !parked {
            let flags = h.words().flags(BLOCKS[1]).load(Relaxed);
            assert_eq!(flags, SIZE, "a block not parked stays the caller's");
        }
        assert!(
            !give_back(&h, user(BLOCKS[2]), 0),
            "the class parks no more"
        );
        assert_eq!(h.words().flags(BLOCKS[2]).load(Relaxed) & PARKED, 0);
    });
}

/// A writer changes a two-word entry under the sequence word, twice; a reader either sees
/// a whole entry (both words from the same change) or is told to retry.
#[test]
fn loom_seqlock_reader_sees_a_whole_entry_or_retries() {
    loom::model(|| {
        let seq = Arc::new(AtomicU32::new(0));
        let entry = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
        let writer = {
            let (seq, entry) = (seq.clone(), entry.clone());
            thread::spawn(move || {
                let seq = IndexSeq(&*seq);
                for k in 1..=2 {
                    assert!(seq.begin_write());
                    // The index's writes are plain stores under the segment lock: Relaxed
                    // is the weakest a model can make them.
                    entry[0].store(k, Relaxed);
                    entry[1].store(k, Relaxed);
                    seq.end_write();
                }
            })
        };
        let seq_r = IndexSeq(&*seq);
        if let Some((a, b)) = seq_r.read(|| (entry[0].load(Relaxed), entry[1].load(Relaxed))) {
            assert_eq!(a, b, "a read the sequence accepted is a whole entry");
        }
        writer.join().unwrap();
        // Once the writer is done, a read succeeds and sees the last change.
        assert_eq!(seq_r.read(|| entry[1].load(Relaxed)), Some(2));
    });
}

/// The same, with the writer's change published by the even sequence: a reader that
/// starts after seeing the end of a change sees all of it.
#[test]
fn loom_seqlock_even_word_publishes_the_change() {
    loom::model(|| {
        let seq = Arc::new(AtomicU32::new(0));
        let entry = Arc::new(AtomicU64::new(0));
        let writer = {
            let (seq, entry) = (seq.clone(), entry.clone());
            thread::spawn(move || {
                let seq = IndexSeq(&*seq);
                assert!(seq.begin_write());
                entry.store(7, Relaxed);
                seq.end_write();
            })
        };
        let seq_r = IndexSeq(&*seq);
        if let Some((s, v)) = seq_r.read(|| (seq.load(Relaxed), entry.load(Relaxed))) {
            if s == 2 {
                assert_eq!(v, 7, "the change the even word ends is visible");
            } else {
                assert_eq!(v, 0, "a read before the change sees none of it");
            }
        }
        writer.join().unwrap();
    });
}
