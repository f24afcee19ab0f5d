//! Three languages on one managed segment, one lock and one queue.
//!
//! This program creates a managed segment holding a struct of atomics ("board") and a
//! counter behind a process-shared mutex ("counter"), and a message queue. Then peers
//! count: two more Rust processes (copies of this program), a C++ program and a C program
//! (built here with g++ and gcc when they are installed, against this build of interproc).
//! Each peer adds to the atomics and, under the mutex, to the counter, then reports through
//! the queue. The totals must come out exact.
//!
//! Run with `cargo run --example interop`.

use interproc::prelude::*;
use interproc::{ManagedSharedMemory, MessageQueue, Permissions, SharedMutex};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

interproc::shareable! {
    /// Plain atomics every peer updates (C++: `std::atomic<...>`, C: `_Atomic`).
    pub struct Board {
        pub visits: AtomicU64,
        pub peers_done: AtomicU32,
        pub reserved: u32,
    }
}

interproc::shareable! {
    /// What a peer reports through the queue.
    pub struct Note {
        pub from: [u8; 8],
        pub pid: u32,
        pub rounds: u32,
    }
}

const ROUNDS: u32 = 10_000;

/// One Rust peer: the same work as the C++ and C peers.
fn peer(segment: &str, queue: &str) -> interproc::Result<()> {
    let seg = ManagedSharedMemory::open(segment)?;
    let board = seg.find::<Board>("board")?.expect("the board");
    let counter = seg
        .find::<SharedMutex<u64>>("counter")?
        .expect("the counter");
    for _ in 0..ROUNDS {
        board.visits.fetch_add(1, Ordering::Relaxed);
        *counter.lock().expect("locking the counter") += 1;
    }
    board.peers_done.fetch_add(1, Ordering::Relaxed);
    let note = Note {
        from: *b"rust\0\0\0\0",
        pid: std::process::id(),
        rounds: ROUNDS,
    };
    MessageQueue::open(queue)?.send_value(&note, 0)
}

/// Where this build's `libinterproc.so` is (the newest copy), with the `libinterproc.so.0` name programs
/// look for at run time: a directory of links made for the C and C++ peers.
fn library_dir(work: &Path) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile = exe.parent()?.parent()?;
    let so = [
        profile.join("libinterproc.so"),
        profile.join("deps/libinterproc.so"),
    ]
    .into_iter()
    // The newer of the two: `cargo test` refreshes only `deps/`, `cargo build` both.
    .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
    .max()?
    .1;
    for name in ["libinterproc.so", "libinterproc.so.0"] {
        let link = work.join(name);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&so, &link).ok()?;
    }
    Some(work.to_path_buf())
}

/// Builds a peer from `examples/interop/` with `compiler`; `None` if it is not installed.
fn build(compiler: &str, source: &str, std: &str, work: &Path, lib: &Path) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = work.join(source.replace('.', "_"));
    let status = Command::new(compiler)
        .arg(format!("-std={std}"))
        .args(["-Wall", "-Wextra", "-Werror", "-O1", "-I"])
        .arg(root.join("include"))
        .arg(root.join("examples/interop").join(source))
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib.display()))
        .arg("-linterproc")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .status();
    match status {
        Ok(s) if s.success() => Some(exe),
        Ok(_) => panic!("{compiler} could not build {source}"),
        Err(_) => {
            println!("({compiler} is not installed: no {source} peer)");
            None
        }
    }
}

fn wait(mut child: Child, what: &str) {
    let limit = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("waiting for a peer") {
            assert!(status.success(), "the {what} peer failed: {status}");
            return;
        }
        assert!(Instant::now() < limit, "the {what} peer hangs");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "peer" {
        return Ok(peer(&args[2], &args[3])?);
    }
    let base = format!("interproc_interop_{}", std::process::id());
    let (seg_name, queue_name) = (format!("{base}_segment"), format!("{base}_queue"));
    let seg = ManagedSharedMemory::create(&seg_name, 1 << 16, Permissions::default())?;
    let _cleanup = Cleanup(seg_name.clone(), queue_name.clone());
    let board = seg.construct(
        "board",
        Board {
            visits: AtomicU64::new(0),
            peers_done: AtomicU32::new(0),
            reserved: 0,
        },
    )?;
    let counter = seg.construct("counter", SharedMutex::new(0u64))?;
    let queue = MessageQueue::create(
        &queue_name,
        8,
        std::mem::size_of::<Note>(),
        Permissions::default(),
    )?;
    println!("created /dev/shm/{seg_name} (board, counter) and /dev/shm/{queue_name}");

    let work = std::env::temp_dir().join(&base);
    std::fs::create_dir_all(&work)?;
    let mut peers: Vec<(Child, &str)> = Vec::new();
    for _ in 0..2 {
        let child = Command::new(&args[0])
            .args(["peer", &seg_name, &queue_name])
            .spawn()?;
        peers.push((child, "Rust"));
    }
    if let Some(lib) = library_dir(&work) {
        for (compiler, source, std, what) in [
            ("g++", "peer.cpp", "c++17", "C++"),
            ("gcc", "peer.c", "c11", "C"),
        ] {
            if let Some(exe) = build(compiler, source, std, &work, &lib) {
                // The library found above, not one that `LD_LIBRARY_PATH` (which `cargo
                // test` sets to the target directory) names first.
                let child = Command::new(exe)
                    .args([&seg_name, &queue_name, &ROUNDS.to_string()])
                    .env("LD_LIBRARY_PATH", &lib)
                    .spawn()?;
                peers.push((child, what));
            }
        }
    } else {
        println!("(no libinterproc.so found next to this program: Rust peers only)");
    }
    let n = peers.len();
    for (child, what) in peers {
        wait(child, what);
    }
    let _ = std::fs::remove_dir_all(&work);

    let mut reports = Vec::new();
    for _ in 0..n {
        let (note, _) = queue
            .recv_timeout::<Note>(Duration::from_secs(30))?
            .ok_or("a peer did not report")?;
        let from = String::from_utf8_lossy(&note.from);
        reports.push(format!(
            "{} ({} rounds)",
            from.trim_end_matches('\0'),
            note.rounds
        ));
    }
    reports.sort();
    println!("reports through the queue: {}", reports.join(", "));
    let expected = u64::from(ROUNDS) * n as u64;
    let visits = board.visits.load(Ordering::Relaxed);
    let locked = *counter.lock().expect("locking the counter");
    println!("{n} peers: {visits} visits counted with atomics, {locked} under the shared mutex");
    assert_eq!(board.peers_done.load(Ordering::Relaxed) as usize, n);
    assert_eq!((visits, locked), (expected, expected), "lost updates");
    println!("every update arrived: {expected} of {expected}");
    Ok(())
}

/// Removes the segment and the queue when the demo ends, however it ends.
struct Cleanup(String, String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        interproc::SharedMemoryObject::remove(&self.0);
        MessageQueue::remove(&self.1);
    }
}
