//! Processes in different PID namespaces (containers of one pod sharing /dev/shm, a sidecar)
//! see each other's thread ids as meaningless numbers. Nothing may judge a holder dead from
//! them: a holder in another namespace is waited for like any other (timed and try calls
//! time out), and only the kernel's mark says that it died. The other side runs under
//! `unshare --pid --fork`; where that is not permitted, the test says so and skips.

use interproc::sync::Deadline;
use interproc::{
    Creation, LockHolder, LockOutcome, ManagedSharedMemory, MessageQueue, NamedMutex,
    NamedSharableMutex, Permissions, SharedMemoryObject,
};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Names {
    mutex: String,
    sharable: String,
    segment: String,
    queue: String,
}

impl Names {
    fn new(tag: &str) -> Names {
        let base = format!("ipt_pidns_{tag}_{}", std::process::id());
        Names {
            mutex: format!("{base}_mx"),
            sharable: format!("{base}_sh"),
            segment: format!("{base}_seg"),
            queue: format!("{base}_mq"),
        }
    }

    fn all(&self) -> [&str; 4] {
        [&self.mutex, &self.sharable, &self.segment, &self.queue]
    }
}

impl Drop for Names {
    fn drop(&mut self) {
        for n in self.all() {
            SharedMemoryObject::remove(n);
        }
    }
}

/// Starts this binary's `holder` in a new PID namespace and waits until it holds its
/// locks (it says so through the queue it creates); `None` if this machine does not allow
/// a new PID namespace.
fn spawn_in_namespace(role: &str, names: &Names) -> Option<(Child, MessageQueue)> {
    let probe = Command::new("unshare")
        .args(["--pid", "--fork", "--kill-child", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: `unshare --pid --fork` is not permitted here");
        return None;
    }
    let mut child = Command::new("unshare")
        .args(["--pid", "--fork", "--kill-child"])
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", "holder", "--nocapture", "--test-threads=1"])
        .env("INTERPROC_PIDNS_ROLE", role)
        .env("INTERPROC_PIDNS_NAMES", names.all().join(","))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("running unshare");
    let limit = Instant::now() + Duration::from_secs(30);
    let q = loop {
        if let Ok(q) = MessageQueue::open(&names.queue) {
            break q;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the holder ended early"
        );
        assert!(Instant::now() < limit, "the holder never got going");
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut buf = [0u8; 32];
    let got = q
        .timed_receive(&mut buf, Deadline::after(Duration::from_secs(30)))
        .unwrap();
    assert_eq!(
        got,
        Some((9, 1)),
        "the holder did not say it holds its locks"
    );
    assert_eq!(&buf[..9], b"from ns 2");
    Some((child, q))
}

mod common;

fn wait_bounded(child: &mut Child) -> std::process::ExitStatus {
    common::wait_bounded(child, Duration::from_secs(30))
}

fn create(names: &Names) -> (NamedMutex, NamedSharableMutex, ManagedSharedMemory) {
    let p = Permissions::default();
    (
        NamedMutex::new(Creation::CreateOnly, &names.mutex, p).unwrap(),
        NamedSharableMutex::new(Creation::CreateOnly, &names.sharable, p).unwrap(),
        ManagedSharedMemory::create(&names.segment, 65536, p).unwrap(),
    )
}

#[test]
fn a_live_holder_in_another_pid_namespace_is_waited_for() {
    let names = Names::new("live");
    let (mx, sh, seg) = create(&names);
    let Some((mut child, _q)) = spawn_in_namespace("live", &names) else {
        return;
    };
    // The holder's locks are held, however its thread ids look from here.
    let t = Instant::now();
    assert!(mx.try_lock().unwrap().is_none());
    assert!(mx.lock_for(Duration::from_millis(600)).unwrap().is_none());
    assert!(
        sh.try_lock().unwrap().is_none(),
        "a writer got in beside a reader"
    );
    assert!(sh.lock_for(Duration::from_millis(600)).unwrap().is_none());
    assert!(sh.try_lock_sharable().unwrap().is_some(), "readers share");
    sh.unlock_sharable().unwrap();
    assert!(matches!(seg.lock_holder(), LockHolder::Thread(_)));
    assert!(t.elapsed() < Duration::from_secs(10));
    // Let it go: it releases everything, and nothing here was told of a death.
    child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    assert!(wait_bounded(&mut child).success());
    assert_eq!(mx.try_lock().unwrap(), Some(LockOutcome::Acquired));
    mx.unlock().unwrap();
    assert_eq!(sh.try_lock().unwrap(), Some(LockOutcome::Acquired));
    sh.unlock().unwrap();
    assert!(seg.allocate(100).is_ok());
}

#[test]
fn a_holder_killed_in_another_pid_namespace_is_recovered() {
    let names = Names::new("dead");
    let (mx, sh, seg) = create(&names);
    let Some((mut child, _q)) = spawn_in_namespace("dead", &names) else {
        return;
    };
    assert!(mx.try_lock().unwrap().is_none());
    assert!(sh.try_lock().unwrap().is_none());
    // Killing unshare kills the namespace's processes (--kill-child).
    child.kill().unwrap();
    wait_bounded(&mut child);
    let t = Instant::now();
    assert_eq!(
        mx.lock_for(Duration::from_secs(10)).unwrap(),
        Some(LockOutcome::OwnerDied)
    );
    mx.unlock().unwrap();
    // The dead reader's slot no longer counts.
    assert!(sh.lock_for(Duration::from_secs(10)).unwrap().is_some());
    sh.unlock().unwrap();
    assert!(seg.allocate(100).is_ok());
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

/// The other side (does nothing when run as an ordinary test): takes the named mutex, a
/// sharable lock and the segment lock, then creates a queue and sends a message through it
/// (which also shows that what it creates opens in the other namespace), and holds on
/// until told to go (`live`) or killed (`dead`).
#[test]
fn holder() {
    let (Ok(role), Ok(names)) = (
        std::env::var("INTERPROC_PIDNS_ROLE"),
        std::env::var("INTERPROC_PIDNS_NAMES"),
    ) else {
        return;
    };
    let n: Vec<&str> = names.split(',').collect();
    let p = Permissions::default();
    let mx = NamedMutex::new(Creation::OpenOnly, n[0], p).unwrap();
    let sh = NamedSharableMutex::new(Creation::OpenOnly, n[1], p).unwrap();
    let seg = ManagedSharedMemory::open(n[2]).unwrap();
    let _ = mx.lock().unwrap();
    let _ = sh.lock_sharable().unwrap();
    seg.atomic_func(|| {
        let q = MessageQueue::create(n[3], 2, 32, p).unwrap();
        q.send(b"from ns 2", 1).unwrap();
        let mut line = String::new();
        // `live`: until the parent writes; `dead`: until killed.
        let _ = std::io::stdin().read_line(&mut line);
    })
    .unwrap();
    assert_eq!(role, "live");
    sh.unlock_sharable().unwrap();
    mx.unlock().unwrap();
}
