//! Hostile segments and queues: garbage written over headers, heap metadata, the name
//! index, object headers and a queue's indices, then used. The result must be an error or
//! a refusal, never a crash or a hang. Each round runs in a child process, so a crash fails
//! the test (with the seed that caused it) instead of killing the test runner.

use interproc::sync::Deadline;
use interproc::{
    ErrorKind, InstanceKind, ManagedSharedMemory, MappedRegion, MessageQueue, Mode, Permissions,
    SharedMemoryObject,
};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::{Remove, Xorshift as Rng};

const ROUNDS_PER_CHILD: u64 = 60;
const CHILDREN: u64 = 5;

/// Overwrites `n` random 8-byte words of the object `name` (sparing the `skip` ranges)
/// with garbage: random values, or offsets that point back into the object.
fn scribble(name: &str, rng: &mut Rng, n: u32, skip: &[(usize, usize)]) {
    let shm = SharedMemoryObject::open(name, Mode::ReadWrite).unwrap();
    let mut region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let len = region.len();
    for _ in 0..n {
        let at = (rng.next() as usize % (len / 8)) * 8;
        if skip.iter().any(|&(from, to)| at >= from && at < to) {
            continue;
        }
        let value = match rng.next() % 3 {
            0 => rng.next(),
            1 => rng.next() % len as u64,
            _ => (rng.next() % len as u64) & !15,
        };
        region.write_at(at, &value.to_ne_bytes()).unwrap();
    }
}

fn segment_round(name: &str, seed: u64) {
    let mut rng = Rng(seed | 1);
    SharedMemoryObject::remove(name);
    {
        let seg = ManagedSharedMemory::create(name, 1 << 16, Permissions::default()).unwrap();
        let mut blocks = Vec::new();
        for i in 0..20 {
            blocks.push(
                seg.allocate(16 + (rng.next() % 500) as usize)
                    .unwrap()
                    .unwrap(),
            );
            let n = format!("obj{i}");
            seg.construct(
                InstanceKind::Named,
                n.as_bytes(),
                8,
                8,
                1 + i % 3,
                false,
                &mut |_, _| Ok(()),
            )
            .unwrap();
        }
        for b in blocks.iter().step_by(2) {
            seg.deallocate(b.as_ptr()).unwrap();
        }
    }
    // Spare the lock word (40..80), tested on its own below, and the state word and creator
    // (16..24): an opener rightly waits its full timeout for a live "creator".
    let n = 1 + (rng.next() % 8) as u32;
    scribble(name, &mut rng, n, &[(16, 24), (40, 80)]);
    let Ok(seg) = ManagedSharedMemory::open(name) else {
        return;
    };
    for _ in 0..40 {
        match rng.next() % 8 {
            0 => {
                if let Ok(Some(p)) = seg.allocate((rng.next() % 2000) as usize) {
                    let _ = seg.deallocate(p.as_ptr());
                }
            }
            1 => {
                let n = format!("obj{}", rng.next() % 25);
                let _ = seg.find(InstanceKind::Named, n.as_bytes(), None);
            }
            2 => {
                let n = format!("obj{}", rng.next() % 25);
                let _ = seg.destroy(InstanceKind::Named, n.as_bytes(), None, &mut |_, _| ());
            }
            3 => {
                let n = format!("new{}", rng.next() % 25);
                let _ = seg.construct(
                    InstanceKind::Named,
                    n.as_bytes(),
                    16,
                    8,
                    2,
                    true,
                    &mut |_, _| Ok(()),
                );
            }
            4 => {
                let _ = seg.check_sanity();
            }
            5 => {
                let mut c = 0;
                while let Ok(Some((next, ..))) = seg.next_object(InstanceKind::Named, c) {
                    c = next;
                }
            }
            6 => {
                let p = seg
                    .address()
                    .wrapping_add((rng.next() % (1 << 16)) as usize & !15);
                let _ = seg.deallocate(p);
                let _ = seg.instance(p);
            }
            _ => {
                let _ = seg.free_memory();
                let _ = seg.zero_free_memory();
            }
        }
    }
}

fn queue_round(name: &str, seed: u64) {
    let mut rng = Rng(seed | 1);
    MessageQueue::remove(name);
    {
        let q = MessageQueue::create(name, 16, 40, Permissions::default()).unwrap();
        for i in 0..10u32 {
            q.send(&[i as u8; 20], i % 4).unwrap();
        }
    }
    // Spare the state word and creator (8..24) and the lock word (64..104).
    let n = 1 + (rng.next() % 6) as u32;
    scribble(name, &mut rng, n, &[(8, 24), (64, 104)]);
    let Ok(q) = MessageQueue::open(name) else {
        return;
    };
    let mut buf = [0u8; 40];
    for _ in 0..30 {
        if rng.next() % 2 == 0 {
            let _ = q.try_send(&[1; 10], (rng.next() % 5) as u32);
        } else {
            let _ = q.try_receive(&mut buf);
        }
    }
    let _ = q.timed_receive(&mut buf, Deadline::after(Duration::from_millis(1)));
}

/// The child side; does nothing in a normal run.
#[test]
fn child() {
    if let Ok(names) = std::env::var("INTERPROC_HOSTILE_TRYLOCK") {
        for n in names.split(',') {
            let m = interproc::NamedMutex::new(
                interproc::Creation::OpenOnly,
                n,
                Permissions::default(),
            )
            .unwrap();
            assert_eq!(
                m.try_lock().unwrap(),
                Some(interproc::LockOutcome::Acquired)
            );
            m.unlock().unwrap();
        }
        return;
    }
    let Ok(first) = std::env::var("INTERPROC_HOSTILE_SEED") else {
        return;
    };
    let first: u64 = first.parse().unwrap();
    let name = format!("ipt_hostile_{}", std::process::id());
    let _r = Remove(name.clone());
    for seed in first..first + ROUNDS_PER_CHILD {
        eprintln!("seed {seed}");
        segment_round(&name, seed);
        queue_round(&name, seed);
    }
}

#[test]
fn garbage_never_crashes_or_hangs() {
    for c in 0..CHILDREN {
        let first = 1000 + c * ROUNDS_PER_CHILD;
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child", "--nocapture", "--test-threads=1"])
            .env("INTERPROC_HOSTILE_SEED", first.to_string())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if start.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("rounds from seed {first} hung");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        let last_seed = err
            .lines()
            .rev()
            .find(|l| l.starts_with("seed "))
            .unwrap_or("none");
        assert!(
            status.success(),
            "crash or failure at {last_seed} ({status}):\n{err}"
        );
    }
}

#[test]
fn a_garbage_lock_word_is_reported_not_waited_for() {
    let name = format!("ipt_hostile_lock_{}", std::process::id());
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 16, Permissions::default()).unwrap();
    {
        let shm = SharedMemoryObject::open(&name, Mode::ReadWrite).unwrap();
        let mut region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
        // A lock word naming a thread id that cannot exist (above pid_max's ceiling).
        region.write_at(40, &0x3fff_fff0u32.to_ne_bytes()).unwrap();
    }
    let start = Instant::now();
    let e = seg.allocate(64).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupted, "{e}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

/// Private memory of this process that crafted links in a held lock aim at.
static VICTIM: [std::sync::atomic::AtomicU64; 4] =
    [const { std::sync::atomic::AtomicU64::new(7) }; 4];

/// Another process (here, a second mapping: the holder cannot tell) overwrites the
/// robust-list links of a lock this process holds, with garbage and with addresses of this
/// process's private memory. The holder's unlock reports it, writes nothing through them,
/// releases the lock, and every lock keeps working, alone or nested.
#[test]
fn crafted_list_links_in_a_held_lock_are_an_error_not_a_write() {
    use interproc::{Creation, NamedMutex};
    use std::sync::atomic::Ordering;
    let base = format!("ipt_hostile_links_{}", std::process::id());
    let names = [format!("{base}_a"), format!("{base}_b")];
    let _r: Vec<Remove> = names.iter().cloned().map(Remove).collect();
    let p = Permissions::default();
    let a = NamedMutex::new(Creation::CreateOnly, &names[0], p).unwrap();
    let b = NamedMutex::new(Creation::CreateOnly, &names[1], p).unwrap();
    // The mutex's lock is 64 bytes into the object: its `prev` at 24, `next` at 32.
    let peer = |name: &str| {
        let shm = SharedMemoryObject::open(name, Mode::ReadWrite).unwrap();
        MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap()
    };
    let (mut pa, mut pb) = (peer(&names[0]), peer(&names[1]));
    let victim = |i: usize| &raw const VICTIM[i] as usize;
    let crafted: [(u64, u64); 4] = [
        // Aimed at private memory: `next - 8` and `prev` are written by a trusting unlock.
        ((victim(0) + 8) as u64, victim(1) as u64),
        // Unmapped addresses.
        (0x10, 0xdead_0000),
        // Misaligned, and the very top of the address space.
        (victim(2) as u64 + 3, u64::MAX - 7),
        // One link left as it was (the head), the other aimed at private memory.
        (victim(3) as u64 + 8, 0),
    ];
    for (round, &(next, prev)) in crafted.iter().enumerate() {
        for nested in [false, true] {
            let _ = a.lock().unwrap();
            if nested {
                let _ = b.lock().unwrap();
            }
            // Overwrite the links of the lock locked last.
            let (target, region) = if nested { (&b, &mut pb) } else { (&a, &mut pa) };
            region.write_at(64 + 32, &next.to_ne_bytes()).unwrap();
            if prev != 0 {
                region.write_at(64 + 24, &prev.to_ne_bytes()).unwrap();
            }
            let e = target.unlock().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Corrupted, "round {round}: {e}");
            if nested {
                a.unlock().unwrap();
            }
            for v in &VICTIM {
                assert_eq!(
                    v.load(Ordering::Relaxed),
                    7,
                    "round {round}: private memory written"
                );
            }
            // Both locks were released and keep working, alone and nested.
            assert!(a.try_lock().unwrap().is_some());
            assert!(b.try_lock().unwrap().is_some());
            b.unlock().unwrap();
            a.unlock().unwrap();
        }
    }
    // Another process can take them.
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture"])
        .env("INTERPROC_HOSTILE_TRYLOCK", names.join(","))
        .status()
        .unwrap();
    assert!(status.success());
}
