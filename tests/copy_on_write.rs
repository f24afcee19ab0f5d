//! A copy-on-write opener never waits on a lock no one can release: its private copy of the
//! segment lock is its own, reset when it opens, even while another process holds the
//! shared segment's lock. What it writes stays private.
//!
//! The holder is a real process: this test binary run again with `--exact holder`.

use interproc::{InstanceKind, ManagedSharedMemory, OpenMode, Permissions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr::NonNull;
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;
use common::Remove;

const NAME_VAR: &str = "INTERPROC_COW_HOLDER";
const BOUND: Duration = Duration::from_secs(20);

/// The marker files the parent and the holder talk through.
fn marker(name: &str, what: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{name}.{what}"))
}

/// Waits at most [`BOUND`] for `path` to exist.
fn wait_for(path: &Path) -> bool {
    let start = Instant::now();
    while !path.exists() {
        if start.elapsed() > BOUND {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    true
}

/// The holder (does nothing when run as an ordinary test): constructs an object whose
/// initialisation, which runs under the segment lock, says "held" and waits for "go".
#[test]
fn holder() {
    let Ok(name) = std::env::var(NAME_VAR) else {
        return;
    };
    let seg = ManagedSharedMemory::open(&name).unwrap();
    let mut init = |_: NonNull<u8>, _: usize| {
        std::fs::write(marker(&name, "held"), b"").unwrap();
        assert!(
            wait_for(&marker(&name, "go")) || wait_for(&marker(&name, "go")),
            "no go"
        );
        Ok(())
    };
    seg.construct(InstanceKind::Named, b"slow", 8, 8, 1, false, &mut init)
        .unwrap();
}

#[test]
fn a_copy_on_write_opener_never_waits_on_the_holders_lock() {
    let name = common::unique("ipt_cow", "held");
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 20, Permissions::default()).unwrap();
    let mut zeros = |_: NonNull<u8>, _: usize| Ok(());
    seg.construct(InstanceKind::Named, b"before", 8, 8, 1, false, &mut zeros)
        .unwrap();
    let mut holder = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "holder", "--nocapture", "--test-threads=1"])
        .env(NAME_VAR, &name)
        .spawn()
        .unwrap();
    let go = marker(&name, "go");
    let held = marker(&name, "held");
    assert!(wait_for(&held), "the holder did not take the lock");

    // The copy-on-write opener, in a thread so that a hang fails the test instead of
    // hanging it.
    let (tx, rx) = mpsc::channel();
    let opener_name = name.clone();
    std::thread::spawn(move || {
        let cow = ManagedSharedMemory::new(
            OpenMode::OpenCopyOnWrite,
            &opener_name,
            0,
            Permissions::default(),
        )
        .unwrap();
        let mut zeros = |_: NonNull<u8>, _: usize| Ok(());
        let made = cow
            .construct(InstanceKind::Named, b"private", 8, 8, 1, false, &mut zeros)
            .is_ok();
        let seen = cow
            .find(InstanceKind::Named, b"before", Some(8))
            .unwrap()
            .is_some();
        let own = cow
            .find(InstanceKind::Named, b"private", Some(8))
            .unwrap()
            .is_some();
        let _ = tx.send((made, seen, own));
        // Kept mapped until the test is done with the shared segment.
        std::thread::sleep(Duration::from_secs(1));
    });
    let outcome = rx.recv_timeout(BOUND);
    std::fs::write(&go, b"").unwrap();
    let status = common::wait_bounded(&mut holder, BOUND);
    let _ = std::fs::remove_file(&held);
    let _ = std::fs::remove_file(&go);
    assert_eq!(
        outcome.expect("the copy-on-write opener waited on the holder's lock"),
        (true, true, true)
    );
    assert!(status.success(), "the holder failed: {status}");
    // The holder's object is in the shared segment; the private one is not.
    assert!(
        seg.find(InstanceKind::Named, b"slow", Some(8))
            .unwrap()
            .is_some()
    );
    assert!(
        seg.find(InstanceKind::Named, b"private", Some(8))
            .unwrap()
            .is_none()
    );
    assert!(seg.check_sanity().is_ok());
}
