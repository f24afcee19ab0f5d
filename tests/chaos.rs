//! Chaos: worker processes share one managed segment and one message queue (allocating and
//! freeing, from the heap, the size-class lists and a node pool, constructing, finding
//! (without the lock) and destroying named objects, counting under the segment lock,
//! sending and receiving) while the supervisor kills random workers with SIGKILL and starts
//! new ones. After every round: nobody is stuck, the segment checks sane, the locked counter
//! agrees with the workers' own tallies within the documented guarantee, and no message
//! whose send returned is lost (beyond what killed receivers had taken) or duplicated.
//! The figures are printed.

use interproc::sync::Deadline;
use interproc::{
    InstanceKind, ManagedSharedMemory, MessageQueue, NodePool, Permissions, SegmentManager,
};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod common;
use common::{Remove, Xorshift, child_command, child_role, wait_bounded};

const WORKERS: usize = 6;
const ROUNDS: u64 = 8;
const MAX_SEQ: u64 = 1 << 15;

/// The shared state the workers and the supervisor agree on, constructed in the segment.
#[repr(C)]
struct Board {
    stop: AtomicU64,
    /// Incremented under the segment lock by every worker.
    counter: AtomicU64,
    /// Each worker's own count of its increments (also under the lock).
    tallies: [AtomicU64; WORKERS],
    /// Messages each producer has sent (after `send` returned).
    sent: [AtomicU64; WORKERS],
    /// One more than the sequence number a producer is sending right now (0: none), so a
    /// restarted producer never sends a number twice.
    inflight: [AtomicU64; WORKERS],
    /// One bit per (producer, sequence number) received.
    received: [AtomicU64; WORKERS * (MAX_SEQ as usize / 64)],
    duplicates: AtomicU64,
    operations: AtomicU64,
    /// How many priorities producers send with this round: 1 keeps the queue in ring mode,
    /// more switch it to locked mode and back.
    levels: AtomicU64,
}

fn board(seg: &SegmentManager) -> &Board {
    let info = seg
        .find(
            InstanceKind::Named,
            b"board",
            Some(std::mem::size_of::<Board>()),
        )
        .unwrap()
        .expect("the board exists");
    // SAFETY: the board was constructed (zeroed: all-atomic, all-zero is valid) by the
    // supervisor and lives as long as the segment mapping `seg` views.
    unsafe { &*info.ptr.as_ptr().cast::<Board>() }
}

fn mark(b: &Board, producer: u64, seq: u64) {
    let bit = producer * MAX_SEQ + seq;
    let old = b.received[(bit / 64) as usize].fetch_or(1 << (bit % 64), Ordering::AcqRel);
    if old & (1 << (bit % 64)) != 0 {
        b.duplicates.fetch_add(1, Ordering::AcqRel);
    }
}

fn decode(buf: &[u8]) -> (u64, u64) {
    let v = u64::from_le_bytes(buf[..8].try_into().unwrap());
    (v >> 32, v & 0xffff_ffff)
}

/// The worker side; does nothing in a normal run.
#[test]
fn child() {
    let Some((id, name)) = child_role() else {
        return;
    };
    let id: u64 = id.parse().unwrap();
    let seg = ManagedSharedMemory::open(&name).unwrap();
    let q = MessageQueue::open(&format!("{name}_q")).unwrap();
    let b = board(&seg);
    let producer = id % 2 == 0;
    let mut seq = b.sent[id as usize]
        .load(Ordering::Acquire)
        .max(b.inflight[id as usize].load(Ordering::Acquire));
    let mut buf = vec![0u8; q.max_msg_size()];
    let mut rng = Xorshift(id.wrapping_mul(0x9E37_79B9) | 1);
    while b.stop.load(Ordering::Acquire) == 0 {
        let x = rng.next();
        match x % 4 {
            0 => {
                let tally = &b.tallies[id as usize];
                seg.atomic_func(|| {
                    b.counter.fetch_add(1, Ordering::Relaxed);
                    tally.fetch_add(1, Ordering::Relaxed);
                })
                .unwrap();
            }
            1 if x & 8 != 0 => {
                // A node of the shared pool, taken and given back without any lock.
                let pool = interproc::ManagedSegment::find::<NodePool>(&seg, "pool")
                    .unwrap()
                    .expect("the supervisor made it");
                let n = pool.allocate(&seg).unwrap();
                pool.deallocate(&seg, n.as_ptr()).unwrap();
            }
            1 => {
                if let Some(p) = seg.allocate(16 + (x % 3000) as usize).unwrap() {
                    seg.deallocate(p.as_ptr()).unwrap();
                }
            }
            2 => {
                let n = format!("obj_{}_{}", id, x % 8);
                let made = seg.construct(
                    InstanceKind::Named,
                    n.as_bytes(),
                    8,
                    8,
                    4,
                    true,
                    &mut |_, _| Ok(()),
                );
                if made.is_ok() && x % 3 == 0 {
                    seg.destroy(InstanceKind::Named, n.as_bytes(), None, &mut |_, _| ())
                        .unwrap();
                }
                // Another worker's name, without the lock, while its owner may be creating
                // or destroying it (or be killed doing so): found whole, or not found.
                let other = format!("obj_{}_{}", (id + 1) % WORKERS as u64, x % 8);
                if let Some(info) = seg
                    .find(InstanceKind::Named, other.as_bytes(), Some(8))
                    .unwrap()
                {
                    assert_eq!(info.count, 4, "a name found with another's shape");
                }
            }
            _ => {
                if producer && seq < MAX_SEQ {
                    let msg = ((id << 32) | seq).to_le_bytes();
                    b.inflight[id as usize].store(seq + 1, Ordering::Release);
                    if q.timed_send(
                        &msg,
                        (x % b.levels.load(Ordering::Acquire).max(1)) as u32,
                        Deadline::after(Duration::from_millis(5)),
                    )
                    .unwrap()
                    {
                        seq += 1;
                        b.sent[id as usize].store(seq, Ordering::Release);
                    }
                } else if !producer {
                    if let Some((n, _)) = q
                        .timed_receive(&mut buf, Deadline::after(Duration::from_millis(5)))
                        .unwrap()
                    {
                        let (p, s) = decode(&buf[..n]);
                        mark(b, p, s);
                    }
                }
            }
        }
        b.operations.fetch_add(1, Ordering::Relaxed);
    }
}

/// Starts worker `id` on the segment `name`, its test harness's report silenced.
fn spawn(name: &str, id: usize) -> Child {
    child_command(&id.to_string(), name)
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn workers_survive_random_kills() {
    let name = format!("ipt_chaos_{}", std::process::id());
    let _r = Remove(name.clone());
    let _rq = Remove(format!("{name}_q"));
    let seg = ManagedSharedMemory::create(&name, 4 << 20, Permissions::default()).unwrap();
    let q = MessageQueue::create(&format!("{name}_q"), 64, 16, Permissions::default()).unwrap();
    seg.construct(
        InstanceKind::Named,
        b"board",
        std::mem::size_of::<Board>(),
        8,
        1,
        false,
        &mut |_, _| Ok(()),
    )
    .unwrap();
    interproc::ManagedSegment::construct(&seg, "pool", NodePool::new(48, 32).unwrap()).unwrap();
    let b = board(&seg);
    let mut rng = Xorshift(0x1234_5678_9abc_def1);
    let mut next = move || rng.next();
    let (mut kills, mut receiver_kills, mut sender_kills) = (0u64, 0u64, 0u64);
    b.levels.store(1, Ordering::Release);
    let mut workers: Vec<Child> = (0..WORKERS).map(|i| spawn(&name, i)).collect();
    for round in 0..ROUNDS {
        // Let them work, killing and restarting a random worker a few times.
        for _ in 0..3 {
            std::thread::sleep(Duration::from_millis(40 + next() % 60));
            let victim = (next() % WORKERS as u64) as usize;
            workers[victim].kill().unwrap();
            workers[victim].wait().unwrap();
            kills += 1;
            if victim % 2 == 1 {
                receiver_kills += 1;
            } else {
                sender_kills += 1;
            }
            workers[victim] = spawn(&name, victim);
        }
        // Stop everyone; nobody may be stuck.
        b.stop.store(1, Ordering::Release);
        let start = Instant::now();
        for w in &mut workers {
            let left = Duration::from_secs(30).saturating_sub(start.elapsed());
            let st = wait_bounded(w, left);
            assert!(st.success(), "round {round}: a worker failed ({st})");
        }
        seg.check_sanity()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        // The counter and the tallies are updated together under the lock; a worker killed
        // between the two updates leaves them one apart (see the README).
        let tallies: u64 = b.tallies.iter().map(|t| t.load(Ordering::Acquire)).sum();
        let counter = b.counter.load(Ordering::Acquire);
        assert!(
            counter.abs_diff(tallies) <= kills,
            "round {round}: counter {counter}, tallies {tallies}"
        );
        // Drain the queue, then every message whose send returned must have arrived, except
        // those killed receivers had taken (and the one a killed sender was sending, whose
        // number its successor skips); none twice; none that was never sent (a killed
        // sender may have sent one more than it recorded).
        let mut buf = [0u8; 16];
        while let Some((n, _)) = q.try_receive(&mut buf).unwrap() {
            let (p, s) = decode(&buf[..n]);
            mark(b, p, s);
        }
        let mut lost = 0;
        for p in (0..WORKERS as u64).step_by(2) {
            let sent = b.sent[p as usize].load(Ordering::Acquire);
            for s in 0..MAX_SEQ {
                let bit = p * MAX_SEQ + s;
                let got = b.received[(bit / 64) as usize].load(Ordering::Acquire)
                    & (1 << (bit % 64))
                    != 0;
                if s < sent && !got {
                    lost += 1;
                }
                assert!(
                    !got || s <= sent,
                    "round {round}: producer {p} message {s} arrived but was never sent"
                );
            }
        }
        let duplicates = b.duplicates.load(Ordering::Acquire);
        assert_eq!(duplicates, 0, "round {round}: duplicated messages");
        assert!(
            lost <= receiver_kills + sender_kills,
            "round {round}: {lost} messages missing, {receiver_kills} receivers and {sender_kills} senders killed"
        );
        eprintln!(
            "chaos round {round} ({} priorities): kills {kills}, operations {}, counter {counter} (tallies {tallies}), lost {lost}, duplicated {duplicates}",
            b.levels.load(Ordering::Acquire),
            b.operations.load(Ordering::Acquire)
        );
        b.stop.store(0, Ordering::Release);
        b.levels
            .store(if round % 2 == 0 { 4 } else { 1 }, Ordering::Release);
        workers = (0..WORKERS).map(|i| spawn(&name, i)).collect();
    }
    b.stop.store(1, Ordering::Release);
    for w in &mut workers {
        wait_bounded(w, Duration::from_secs(30));
    }
    println!(
        "chaos: {ROUNDS} rounds, {WORKERS} workers, {kills} kills, {} operations, nothing duplicated, segment sane",
        b.operations.load(Ordering::Acquire)
    );
}
