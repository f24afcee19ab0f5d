//! Real processes sharing objects.
//!
//! The test binary re-executes itself (`current_exe`) with `--exact <child test>`; the
//! child test acts only when `INTERPROC_CHILD_ROLE` names it, and returns at once otherwise.
//! Every wait is bounded; a child that hangs is killed and the test fails.

use interproc::{ErrorKind, MappedRegion, Mode, Permissions, SharedMemoryObject};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ExitStatus};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod common;
use common::{Remove, child_name, dev_shm, page, perm_bits, spawn_captured, test_command};

fn unique(tag: &str) -> String {
    common::unique("ipt", tag)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8 ^ (i >> 16) as u8)
        .collect()
}

fn read_all(r: &MappedRegion) -> Vec<u8> {
    let mut v = vec![0u8; r.len()];
    r.read_at(0, &mut v).unwrap();
    v
}

/// The 32-bit atomic at byte `offset` (a multiple of 4) of `region`.
fn atomic_at(region: &MappedRegion, offset: usize) -> &AtomicU32 {
    assert!(offset % 4 == 0 && offset + 4 <= region.len());
    assert_eq!(region.as_ptr() as usize % 4, 0);
    // SAFETY: the four bytes lie inside the live mapping (checked above), are aligned for
    // `AtomicU32`, and are only ever accessed atomically by the processes of these tests. The
    // reference cannot outlive `region`.
    unsafe { &*region.as_ptr().add(offset).cast::<AtomicU32>() }
}

/// Polls `cond` until it holds or `limit` passes.
fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    cond()
}

const LIMIT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------
// Child processes.

const ARG_VAR: &str = "INTERPROC_CHILD_ARG";
const MARKER: &str = "interproc-child-done:";

fn child_arg() -> String {
    std::env::var(ARG_VAR).unwrap_or_default()
}

/// Fails the child with exit status 1 and a message (used where every byte is checked).
fn child_fail(msg: String) -> ! {
    eprintln!("child failure: {msg}");
    std::process::exit(1);
}

/// A running child test process; killed when dropped while still running.
struct ChildProc {
    role: String,
    child: Child,
    out: Option<JoinHandle<String>>,
    err: Option<JoinHandle<String>>,
}

struct Finished {
    status: ExitStatus,
    out: String,
    err: String,
}

impl Finished {
    fn describe(&self) -> String {
        format!(
            "status {}\nstdout:\n{}\nstderr:\n{}",
            self.status, self.out, self.err
        )
    }

    /// The child ran its test to the end and exited 0.
    fn assert_ok(&self, role: &str) {
        assert!(
            self.status.success(),
            "child {role} failed: {}",
            self.describe()
        );
        assert!(
            self.out.contains(&format!("{MARKER}{role}")),
            "child {role} did not run: {}",
            self.describe()
        );
    }

    /// The value the child printed after `key=` on its marker line.
    fn value(&self, key: &str) -> Option<String> {
        let prefix = format!("{key}=");
        self.out
            .lines()
            .filter_map(|l| l.find(MARKER).map(|at| &l[at..]))
            .flat_map(|l| l.split_whitespace())
            .find_map(|w| w.strip_prefix(&prefix).map(str::to_owned))
    }
}

fn spawn_child(role: &str, name: &str, arg: &str) -> ChildProc {
    let (child, out, err) = spawn_captured(test_command(role, role, name).env(ARG_VAR, arg));
    ChildProc {
        role: role.to_owned(),
        child,
        out: Some(out),
        err: Some(err),
    }
}

impl ChildProc {
    /// Waits at most `LIMIT` for the child to exit; kills it and fails otherwise.
    fn wait(mut self) -> Finished {
        let deadline = Instant::now() + LIMIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("child {} did not finish within {LIMIT:?}", self.role);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        self.collect(status)
    }

    /// Kills the child and reaps it.
    fn kill(mut self) -> Finished {
        self.child.kill().expect("kill");
        let status = self.child.wait().expect("wait");
        self.collect(status)
    }

    fn collect(&mut self, status: ExitStatus) -> Finished {
        Finished {
            status,
            out: self.out.take().unwrap().join().unwrap(),
            err: self.err.take().unwrap().join().unwrap(),
        }
    }
}

impl Drop for ChildProc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn run_child(role: &str, name: &str, arg: &str) -> Finished {
    spawn_child(role, name, arg).wait()
}

// ---------------------------------------------------------------------------------------
// Parent writes, child reads read-only.

const READER_LEN: usize = 3 * 4096 + 17;

#[test]
fn child_reader() {
    let Some(name) = child_name("child_reader") else {
        return;
    };
    let shm = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    assert!(!shm.created());
    let size = shm.size().unwrap();
    if size != READER_LEN as u64 {
        child_fail(format!("size {size}, expected {READER_LEN}"));
    }
    let mut r = MappedRegion::new(&shm, Mode::ReadOnly, 0, 0).unwrap();
    let want = pattern(READER_LEN, 42);
    let got = read_all(&r);
    if let Some(i) = (0..READER_LEN).find(|&i| got[i] != want[i]) {
        child_fail(format!(
            "byte {i} is {:#x}, expected {:#x}",
            got[i], want[i]
        ));
    }
    // Read-only really is read-only here too.
    assert_eq!(r.write_at(0, b"x").unwrap_err().kind(), ErrorKind::Mode);
    assert_eq!(shm.truncate(1).unwrap_err().kind(), ErrorKind::Mode);
    assert_eq!(
        MappedRegion::new(&shm, Mode::ReadWrite, 0, 0)
            .unwrap_err()
            .kind(),
        ErrorKind::Security
    );
    println!("{MARKER}child_reader");
}

#[test]
fn parent_writes_child_verifies_every_byte() {
    let name = unique("reader");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(READER_LEN as u64).unwrap();
    let mut w = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    w.write_at(0, &pattern(READER_LEN, 42)).unwrap();
    drop(w);
    run_child("child_reader", &name, "").assert_ok("child_reader");

    // The check can fail: one wrong byte makes the child exit with status 1.
    let mut w = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let mut last = [0u8; 1];
    w.read_at(READER_LEN - 1, &mut last).unwrap();
    w.write_at(READER_LEN - 1, &[!last[0]]).unwrap();
    let done = run_child("child_reader", &name, "");
    assert_eq!(done.status.code(), Some(1), "{}", done.describe());
    assert!(
        done.err.contains(&format!("byte {}", READER_LEN - 1)),
        "{}",
        done.describe()
    );
}

// ---------------------------------------------------------------------------------------
// Child writes, parent reads.

#[test]
fn child_writer() {
    let Some(name) = child_name("child_writer") else {
        return;
    };
    let shm = SharedMemoryObject::open(&name, Mode::ReadWrite).unwrap();
    let len = shm.size().unwrap() as usize;
    // An unaligned region, to the end.
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 100, 0).unwrap();
    assert_eq!(r.len(), len - 100);
    r.write_at(0, &pattern(len - 100, 7)).unwrap();
    r.flush(0, 0, false).unwrap();
    println!("{MARKER}child_writer");
}

#[test]
fn child_writes_parent_verifies() {
    let name = unique("writer");
    let _g = Remove(name.clone());
    let len = 2 * page() + 333;
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(len as u64).unwrap();
    // Mapped before the child runs: the child's writes show up in this live mapping.
    let live = MappedRegion::new(&shm, Mode::ReadOnly, 0, 0).unwrap();
    assert!(read_all(&live).iter().all(|&b| b == 0));
    run_child("child_writer", &name, "").assert_ok("child_writer");
    let got = read_all(&live);
    assert!(got[..100].iter().all(|&b| b == 0));
    assert_eq!(&got[100..], &pattern(len - 100, 7)[..]);
    // And in a fresh mapping at an unaligned offset.
    let fresh = MappedRegion::new(&shm, Mode::ReadOnly, 4097, 0).unwrap();
    assert_eq!(read_all(&fresh), &got[4097..]);
}

// ---------------------------------------------------------------------------------------
// Child creates, parent opens.

#[test]
fn child_creator() {
    let Some(name) = child_name("child_creator") else {
        return;
    };
    let shm =
        SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::from_mode(0o640)).unwrap();
    assert!(shm.created());
    shm.truncate(5000).unwrap();
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    r.write_at(0, &pattern(5000, 3)).unwrap();
    // Exits without removing: the object outlives its creator.
    println!("{MARKER}child_creator");
}

#[test]
fn child_creates_parent_opens() {
    let name = unique("creator");
    let _g = Remove(name.clone());
    run_child("child_creator", &name, "").assert_ok("child_creator");
    assert_eq!(perm_bits(&name), 0o640);
    let shm = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    assert!(!shm.created());
    assert_eq!(shm.size().unwrap(), 5000);
    let r = MappedRegion::new(&shm, Mode::ReadOnly, 0, 0).unwrap();
    assert_eq!(read_all(&r), pattern(5000, 3));
    let again =
        SharedMemoryObject::open_or_create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    assert!(!again.created());
    // A second creation in another process fails and leaves the object alone.
    let done = run_child("child_creator", &name, "");
    assert!(!done.status.success(), "{}", done.describe());
    assert!(
        done.err.contains("AlreadyExists") || done.err.contains("already_exists"),
        "{}",
        done.describe()
    );
    assert_eq!(read_all(&r), pattern(5000, 3));
    assert_eq!(shm.size().unwrap(), 5000);
}

// ---------------------------------------------------------------------------------------
// Different addresses, same data; links are offsets.

/// Layout of the linked-list object: a header word with the offset of the first node, nodes
/// of (next offset, value) as little-endian u64 pairs, a reply area at `REPLY`.
const LIST_NODES: usize = 50;
const REPLY: usize = 8;

fn list_node_offset(i: usize) -> usize {
    // Scattered, unaligned-to-page positions, in an order unlike memory order.
    64 + ((i * 37) % LIST_NODES) * 97
}

fn read_u64(r: &MappedRegion, at: usize) -> u64 {
    let mut b = [0u8; 8];
    r.read_at(at, &mut b).unwrap();
    u64::from_le_bytes(b)
}

#[test]
fn child_other_address() {
    let Some(name) = child_name("child_other_address") else {
        return;
    };
    let parent_addr: usize = child_arg().parse().unwrap();
    let shm = SharedMemoryObject::open(&name, Mode::ReadWrite).unwrap();
    let len = shm.size().unwrap() as usize;
    // Pick a free spot that is not where the parent has it.
    let mut region = None;
    for _ in 0..20 {
        let probe = MappedRegion::anonymous(len + 2 * page()).unwrap();
        let mut at = probe.as_ptr() as usize;
        if at == parent_addr {
            at += page();
        }
        drop(probe);
        let want = NonNull::new(at as *mut u8).unwrap();
        match MappedRegion::with_address(&shm, Mode::ReadWrite, 0, 0, Some(want)) {
            Ok(r) => {
                assert_eq!(r.as_ptr() as usize, at);
                region = Some(r);
                break;
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("{e}"),
        }
    }
    let mut r = region.expect("no free address in 20 tries");
    assert_ne!(r.as_ptr() as usize, parent_addr);
    // Walk the list by offsets.
    let mut sum = 0u64;
    let mut count = 0u64;
    let mut at = read_u64(&r, 0) as usize;
    while at != 0 {
        assert!(count < LIST_NODES as u64 + 1, "the list loops");
        sum += read_u64(&r, at + 8);
        count += 1;
        at = read_u64(&r, at) as usize;
    }
    r.write_at(REPLY, &sum.to_le_bytes()).unwrap();
    r.write_at(REPLY + 8, &count.to_le_bytes()).unwrap();
    println!(
        "{MARKER}child_other_address addr={} sum={sum} count={count}",
        r.as_ptr() as usize
    );
}

#[test]
fn mappings_at_different_addresses_see_the_same_data() {
    let name = unique("addr");
    let _g = Remove(name.clone());
    let len = 64 + LIST_NODES * 97 + 16;
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(len as u64).unwrap();
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let mut want_sum = 0u64;
    for i in 0..LIST_NODES {
        let here = list_node_offset(i);
        let next = if i + 1 < LIST_NODES {
            list_node_offset(i + 1) as u64
        } else {
            0
        };
        let value = (i as u64 + 1) * 1_000_003;
        want_sum += value;
        r.write_at(here, &next.to_le_bytes()).unwrap();
        r.write_at(here + 8, &value.to_le_bytes()).unwrap();
    }
    r.write_at(0, &(list_node_offset(0) as u64).to_le_bytes())
        .unwrap();
    let parent_addr = r.as_ptr() as usize;
    let done = run_child("child_other_address", &name, &parent_addr.to_string());
    done.assert_ok("child_other_address");
    let child_addr: usize = done.value("addr").unwrap().parse().unwrap();
    assert_ne!(child_addr, parent_addr);
    assert_eq!(done.value("sum"), Some(want_sum.to_string()));
    assert_eq!(done.value("count"), Some(LIST_NODES.to_string()));
    // The child's reply is visible through the parent's own mapping.
    assert_eq!(read_u64(&r, REPLY), want_sum);
    assert_eq!(read_u64(&r, REPLY + 8), LIST_NODES as u64);
}

// ---------------------------------------------------------------------------------------
// Both processes alive at once: a handshake through atomics in the object.

const HS_STATE: usize = 0;
const HS_DATA: usize = 64;
const HS_LEN: usize = 4096;

#[test]
fn child_handshake() {
    let Some(name) = child_name("child_handshake") else {
        return;
    };
    let shm = SharedMemoryObject::open(&name, Mode::ReadWrite).unwrap();
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let state = atomic_at(&r, HS_STATE);
    // 1: the child is here.
    state.store(1, Ordering::SeqCst);
    // Wait for 2: the parent has written its data.
    assert!(
        wait_until(LIMIT, || state.load(Ordering::SeqCst) == 2),
        "parent never answered"
    );
    let mut got = vec![0u8; 100];
    r.read_at(HS_DATA, &mut got).unwrap();
    assert_eq!(got, pattern(100, 1));
    let reply: Vec<u8> = got.iter().map(|b| !b).collect();
    r.write_at(HS_DATA + 100, &reply).unwrap();
    // 3: the reply is there.
    atomic_at(&r, HS_STATE).store(3, Ordering::SeqCst);
    println!("{MARKER}child_handshake");
}

#[test]
fn live_handshake_between_processes() {
    let name = unique("hs");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(HS_LEN as u64).unwrap();
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let child = spawn_child("child_handshake", &name, "");
    assert!(
        wait_until(LIMIT, || atomic_at(&r, HS_STATE).load(Ordering::SeqCst)
            == 1),
        "child never arrived"
    );
    r.write_at(HS_DATA, &pattern(100, 1)).unwrap();
    atomic_at(&r, HS_STATE).store(2, Ordering::SeqCst);
    assert!(
        wait_until(LIMIT, || atomic_at(&r, HS_STATE).load(Ordering::SeqCst)
            == 3),
        "child never replied"
    );
    let mut reply = vec![0u8; 100];
    r.read_at(HS_DATA + 100, &mut reply).unwrap();
    let want: Vec<u8> = pattern(100, 1).iter().map(|b| !b).collect();
    assert_eq!(reply, want);
    child.wait().assert_ok("child_handshake");
}

// ---------------------------------------------------------------------------------------
// Permissions under a restrictive umask, in a child.

#[test]
fn child_umask() {
    let Some(base) = child_name("child_umask") else {
        return;
    };
    // SAFETY: umask has no memory-safety preconditions; this process runs only this test.
    unsafe { libc::umask(0o077) };
    // SAFETY: as above; setting it again returns the mask now in effect.
    let now = unsafe { libc::umask(0o077) };
    assert_eq!(now, 0o077);
    let d = SharedMemoryObject::create(&format!("{base}_d"), Mode::ReadWrite, Permissions::DEFAULT)
        .unwrap();
    let u = SharedMemoryObject::open_or_create(
        &format!("{base}_u"),
        Mode::ReadWrite,
        Permissions::UNRESTRICTED,
    )
    .unwrap();
    assert!(d.created() && u.created());
    d.truncate(10).unwrap();
    u.truncate(20).unwrap();
    println!(
        "{MARKER}child_umask d={:o} u={:o}",
        perm_bits(&format!("{base}_d")),
        perm_bits(&format!("{base}_u"))
    );
}

#[test]
fn permissions_are_exact_under_umask_077_in_a_child() {
    let base = unique("umask");
    let _gd = Remove(format!("{base}_d"));
    let _gu = Remove(format!("{base}_u"));
    let done = run_child("child_umask", &base, "");
    done.assert_ok("child_umask");
    assert_eq!(done.value("d").as_deref(), Some("644"));
    assert_eq!(done.value("u").as_deref(), Some("666"));
    assert_eq!(perm_bits(&format!("{base}_d")), 0o644);
    assert_eq!(perm_bits(&format!("{base}_u")), 0o666);
    // Group/other bits are really there: the parent opens both and sees the sizes.
    let d = SharedMemoryObject::open(&format!("{base}_d"), Mode::ReadOnly).unwrap();
    let u = SharedMemoryObject::open(&format!("{base}_u"), Mode::ReadWrite).unwrap();
    assert_eq!(d.size().unwrap(), 10);
    assert_eq!(u.size().unwrap(), 20);
}

// ---------------------------------------------------------------------------------------
// open_or_create by many processes at once creates exactly once.

const RACERS: usize = 4;

#[test]
fn child_racer() {
    let Some(gate_name) = child_name("child_racer") else {
        return;
    };
    let arg = child_arg();
    let (target, index) = arg.split_once(' ').unwrap();
    let index: usize = index.parse().unwrap();
    let gate = SharedMemoryObject::open(&gate_name, Mode::ReadWrite).unwrap();
    let g = MappedRegion::new(&gate, Mode::ReadWrite, 0, 0).unwrap();
    // Announce, then wait for the start signal so that all racers go together.
    atomic_at(&g, 4 + 4 * index).store(1, Ordering::SeqCst);
    assert!(
        wait_until(LIMIT, || atomic_at(&g, 0).load(Ordering::SeqCst) == 1),
        "no start signal"
    );
    let shm = SharedMemoryObject::open_or_create(target, Mode::ReadWrite, Permissions::default())
        .unwrap();
    println!("{MARKER}child_racer created={}", shm.created());
}

#[test]
fn open_or_create_by_many_processes_creates_once() {
    for round in 0..3 {
        let gate_name = unique("gate");
        let target = unique("race");
        let _gg = Remove(gate_name.clone());
        let _gt = Remove(target.clone());
        let gate = SharedMemoryObject::create(&gate_name, Mode::ReadWrite, Permissions::default())
            .unwrap();
        gate.truncate(4096).unwrap();
        let g = MappedRegion::new(&gate, Mode::ReadWrite, 0, 0).unwrap();
        let children: Vec<ChildProc> = (0..RACERS)
            .map(|i| spawn_child("child_racer", &gate_name, &format!("{target} {i}")))
            .collect();
        assert!(
            wait_until(LIMIT, || (0..RACERS)
                .all(|i| atomic_at(&g, 4 + 4 * i).load(Ordering::SeqCst) == 1)),
            "not all racers arrived"
        );
        atomic_at(&g, 0).store(1, Ordering::SeqCst);
        let mut created = 0;
        for child in children {
            let done = child.wait();
            done.assert_ok("child_racer");
            match done.value("created").as_deref() {
                Some("true") => created += 1,
                Some("false") => {}
                other => panic!("racer said {other:?}: {}", done.describe()),
            }
        }
        assert_eq!(created, 1, "round {round}");
        assert!(dev_shm(&target).exists());
    }
}

// ---------------------------------------------------------------------------------------
// A process that dies mid-operation leaves the object intact.

#[test]
fn child_dies() {
    let Some(name) = child_name("child_dies") else {
        return;
    };
    let shm = SharedMemoryObject::open(&name, Mode::ReadWrite).unwrap();
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    r.write_at(8, &pattern(1000, 9)).unwrap();
    atomic_at(&r, 0).store(1, Ordering::SeqCst);
    // Hold the mapping until killed (bounded anyway).
    std::thread::sleep(LIMIT * 2);
    println!("{MARKER}child_dies (not killed)");
}

#[test]
fn a_killed_process_leaves_the_object_intact() {
    let name = unique("dies");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(2 * page() as u64).unwrap();
    let r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    let child = spawn_child("child_dies", &name, "");
    assert!(
        wait_until(LIMIT, || atomic_at(&r, 0).load(Ordering::SeqCst) == 1),
        "child never wrote"
    );
    let done = child.kill();
    assert_eq!(
        done.status.signal(),
        Some(libc::SIGKILL),
        "{}",
        done.describe()
    );
    let mut got = vec![0u8; 1000];
    r.read_at(8, &mut got).unwrap();
    assert_eq!(got, pattern(1000, 9));
    assert_eq!(shm.size().unwrap(), 2 * page() as u64);
    // Still fully usable.
    shm.truncate(3 * page() as u64).unwrap();
    let again = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    let r2 = MappedRegion::new(&again, Mode::ReadOnly, 8, 1000).unwrap();
    assert_eq!(read_all(&r2), pattern(1000, 9));
}

// ---------------------------------------------------------------------------------------
// Removal by another process.

#[test]
fn child_remover() {
    let Some(name) = child_name("child_remover") else {
        return;
    };
    let first = SharedMemoryObject::remove(&name);
    let second = SharedMemoryObject::remove(&name);
    println!("{MARKER}child_remover first={first} second={second}");
}

#[test]
fn removal_by_another_process_keeps_mappings_working() {
    let name = unique("rm");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(4096).unwrap();
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    r.write_at(0, b"before").unwrap();
    let done = run_child("child_remover", &name, "");
    done.assert_ok("child_remover");
    assert_eq!(done.value("first").as_deref(), Some("true"));
    assert_eq!(done.value("second").as_deref(), Some("false"));
    assert!(!dev_shm(&name).exists());
    assert_eq!(
        SharedMemoryObject::open(&name, Mode::ReadOnly)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    r.write_at(6, b" after").unwrap();
    let mut back = [0u8; 12];
    r.read_at(0, &mut back).unwrap();
    assert_eq!(&back, b"before after");
    assert_eq!(shm.size().unwrap(), 4096);
}

// ---------------------------------------------------------------------------------------
// Anonymous shared memory is shared with a forked child.

#[test]
fn anonymous_memory_is_shared_with_a_forked_child() {
    let len = 2 * page() + 10;
    let r = MappedRegion::anonymous(len).unwrap();
    let want = pattern(len, 99);
    let base = r.as_ptr();
    let src = want.as_ptr();
    // SAFETY: fork in a threaded process; the child only copies bytes between memory that
    // is mapped in it (the anonymous region and the already allocated `want`) and calls
    // `_exit`, both async-signal-safe, touching no lock or allocator.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        // SAFETY: see above; `base` and `src` are valid for `len` bytes and do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(src, base, len);
            libc::_exit(0);
        }
    }
    let deadline = Instant::now() + LIMIT;
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid out-parameter; `pid` is our child.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        assert!(rc >= 0, "waitpid: {}", std::io::Error::last_os_error());
        if rc == pid {
            break;
        }
        if Instant::now() > deadline {
            // SAFETY: `pid` is our unreaped child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            panic!("forked child did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    assert_eq!(read_all(&r), want);
}
