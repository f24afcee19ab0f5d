//! The `interproc` command-line tool: list, inspect, check and remove, in text and JSON.

use interproc::{InstanceKind, ManagedSharedMemory, Mode, Permissions, SharedMemoryObject};
use std::process::Command;

fn tool(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_interproc"))
        .args(args)
        .output()
        .expect("running interproc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

struct Remove(String);
impl Drop for Remove {
    fn drop(&mut self) {
        SharedMemoryObject::remove(&self.0);
    }
}

#[test]
fn list_inspect_check_remove() {
    let name = format!("ipt_cli_{}", std::process::id());
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 65536, Permissions::default()).unwrap();
    seg.construct(
        InstanceKind::Named,
        b"counters",
        8,
        8,
        4,
        false,
        &mut |_, _| Ok(()),
    )
    .unwrap();
    seg.construct(
        InstanceKind::Unique,
        b"Config",
        16,
        8,
        1,
        false,
        &mut |_, _| Ok(()),
    )
    .unwrap();
    let raw = format!("ipt_cli_raw_{}", std::process::id());
    let _r2 = Remove(raw.clone());
    SharedMemoryObject::create(&raw, Mode::ReadWrite, Permissions::default())
        .unwrap()
        .truncate(100)
        .unwrap();

    let (code, out) = tool(&["list"]);
    assert_eq!(code, 0);
    let line = out
        .lines()
        .find(|l| l.starts_with(&name))
        .expect("segment listed");
    assert!(
        line.contains("managed segment") && line.contains("65536") && line.ends_with("yes"),
        "{line}"
    );
    assert!(line.contains(&std::process::id().to_string()), "{line}");
    let raw_line = out
        .lines()
        .find(|l| l.starts_with(&raw))
        .expect("raw object listed");
    assert!(
        raw_line.contains("shared memory") && raw_line.contains("100"),
        "{raw_line}"
    );
    let (_, json) = tool(&["list", "--json"]);
    assert!(
        json.starts_with('[') && json.contains(&format!("\"name\":\"{name}\"")),
        "{json}"
    );

    let (code, out) = tool(&["inspect", &name]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("lock         free"), "{out}");
    assert!(
        out.contains("named   counters") && out.contains("4 x 8 bytes = 32 bytes"),
        "{out}"
    );
    assert!(out.contains("unique  Config"), "{out}");
    let (_, json) = tool(&["inspect", &name, "--json"]);
    assert!(
        json.contains("\"name\":\"counters\",\"element_size\":8,\"count\":4,\"bytes\":32"),
        "{json}"
    );
    assert!(json.contains("\"lock\":null"), "{json}");

    // While this thread holds the segment lock, inspect names it as the holder (by its
    // thread id, without judging whether it lives: the kernel marks a dead holder).
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    let held = seg.atomic_func(|| tool(&["inspect", &name])).unwrap();
    assert!(
        held.1
            .contains(&format!("lock         held by thread {tid}\n")),
        "{}",
        held.1
    );

    let (code, out) = tool(&["check", &name]);
    assert_eq!((code, out.trim()), (0, format!("{name}: ok").as_str()));
    drop(seg);

    // A damaged segment: check reports it and fails.
    let shm = SharedMemoryObject::open(&name, Mode::ReadWrite).unwrap();
    let mut region = interproc::MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    region.write_at(0, b"XXXXXXXX").unwrap();
    let (code, out) = tool(&["check", &name, "--json"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("\"ok\":false") && out.contains("bad magic"),
        "{out}"
    );
    let (code, _) = tool(&["inspect", &name]);
    assert_eq!(code, 1);

    let (code, out) = tool(&["remove", &name]);
    assert_eq!((code, out.trim()), (0, format!("removed {name}").as_str()));
    let (code, _) = tool(&["remove", &name]);
    assert_eq!(code, 1);
    let (code, _) = tool(&["bogus"]);
    assert_eq!(code, 2);
}

#[test]
fn inspect_shows_a_queues_depth_and_limits() {
    let name = format!("ipt_cli_mq_{}", std::process::id());
    let _r = Remove(name.clone());
    let q = interproc::MessageQueue::create(&name, 8, 100, Permissions::default()).unwrap();
    q.send(b"one", 1).unwrap();
    q.send(b"two", 2).unwrap();
    let (code, out) = tool(&["list"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with(&name) && l.contains("message_queue")),
        "{out}"
    );
    let (code, out) = tool(&["inspect", &name]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("messages     2 of at most 8") && out.contains("at most 100 bytes"),
        "{out}"
    );
    let (_, json) = tool(&["inspect", &name, "--json"]);
    assert!(
        json.contains("\"max_msg\":8,\"max_msg_size\":100,\"num_msg\":2"),
        "{json}"
    );
}
