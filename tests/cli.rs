//! The `interproc` command-line tool: list, inspect, check and remove, in text and JSON.

use interproc::{InstanceKind, ManagedSharedMemory, Mode, Permissions, SharedMemoryObject};
use std::process::Command;

mod common;
use common::Remove;

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
fn inspect_shows_a_segments_size_maximum_and_generation() {
    let name = format!("ipt_cli_grow_{}", std::process::id());
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::with_max_size(
        interproc::OpenMode::CreateOnly,
        &name,
        65536,
        1 << 20,
        Permissions::default(),
    )
    .unwrap();
    seg.grow(65536).unwrap();
    let (code, out) = tool(&["inspect", &name]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("size         131072 bytes"), "{out}");
    assert!(
        out.contains("grows        to 1048576 bytes while mapped; grown 1 times"),
        "{out}"
    );
    let (_, json) = tool(&["inspect", &name, "--json"]);
    assert!(
        json.contains("\"size\":131072,\"max_size\":1048576,\"generation\":1"),
        "{json}"
    );
    let (code, _) = tool(&["check", &name]);
    assert_eq!(code, 0);
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

/// `check` and `inspect` know every kind: named sync objects and queues are reported as what
/// they are, at once, never as broken segments.
#[test]
fn check_and_inspect_know_every_kind() {
    use interproc::{
        Creation, MessageQueue, NamedCondition, NamedMutex, NamedSemaphore, NamedUpgradableMutex,
    };
    use std::time::{Duration, Instant};
    let base = format!("ipt_cli_kinds_{}", std::process::id());
    let names: Vec<String> = ["mx", "sem", "cond", "upg", "mq"]
        .iter()
        .map(|k| format!("{base}_{k}"))
        .collect();
    let _r: Vec<Remove> = names.iter().cloned().map(Remove).collect();
    let p = Permissions::default();
    let mx = NamedMutex::new(Creation::CreateOnly, &names[0], p).unwrap();
    let _sem = NamedSemaphore::new(Creation::CreateOnly, &names[1], 3, p).unwrap();
    let _cond = NamedCondition::new(Creation::CreateOnly, &names[2], p).unwrap();
    let _upg = NamedUpgradableMutex::new(Creation::CreateOnly, &names[3], p).unwrap();
    let q = MessageQueue::create(&names[4], 5, 32, p).unwrap();
    q.send(b"one", 0).unwrap();
    let kinds = [
        "named_mutex",
        "named_semaphore",
        "named_condition",
        "named_upgradable_mutex",
    ];
    for (name, kind) in names.iter().zip(kinds) {
        let t = Instant::now();
        let (code, out) = tool(&["check", name]);
        assert_eq!(
            (code, out.trim()),
            (0, format!("{name}: ok ({kind})").as_str())
        );
        let (code, out) = tool(&["inspect", name]);
        assert_eq!(code, 0, "{out}");
        assert!(out.starts_with(&format!("{kind} {name}\n")), "{out}");
        let (code, json) = tool(&["check", name, "--json"]);
        assert_eq!(code, 0);
        assert!(
            json.contains(&format!("\"kind\":\"{kind}\",\"ok\":true")),
            "{json}"
        );
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "{name}: {:?}",
            t.elapsed()
        );
    }
    // A held named mutex: inspect names the holding thread.
    let _ = mx.lock().unwrap();
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    let (_, out) = tool(&["inspect", &names[0]]);
    assert!(
        out.contains(&format!("lock         held by thread {tid}\n")),
        "{out}"
    );
    mx.unlock().unwrap();
    let (_, out) = tool(&["inspect", &names[0]]);
    assert!(out.contains("lock         free\n"), "{out}");
    // A queue: check validates it; list names every kind.
    let (code, out) = tool(&["check", &names[4]]);
    assert_eq!(
        (code, out.trim()),
        (0, format!("{}: ok", names[4]).as_str())
    );
    let (_, list) = tool(&["list"]);
    for (name, kind) in names.iter().zip(kinds.iter().chain(&["message_queue"])) {
        let line = list.lines().find(|l| l.starts_with(name.as_str()));
        assert!(line.is_some_and(|l| l.contains(kind)), "{name}: {list}");
    }
    // A named object whose header names another kind is broken, and says why.
    let shm = SharedMemoryObject::open(&names[1], Mode::ReadWrite).unwrap();
    let mut region = interproc::MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    region.write_at(16, &[0xff; 4]).unwrap();
    let (code, out) = tool(&["check", &names[1]]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("BROKEN"), "{out}");
}

/// A FIFO planted at a name in /dev/shm (any local user can make one) is an error at once
/// for the library's opens and for the tool, never a hang.
#[test]
fn a_fifo_at_a_name_is_an_error_not_a_hang() {
    use interproc::{ErrorKind, OpenMode};
    use std::time::{Duration, Instant};
    let name = format!("ipt_cli_fifo_{}", std::process::id());
    let path = std::ffi::CString::new(format!("/dev/shm/{name}")).unwrap();
    SharedMemoryObject::remove(&name);
    // SAFETY: `path` is a valid NUL-terminated string.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o666) }, 0);
    let _r = Remove(name.clone());
    let t = Instant::now();
    for mode in [Mode::ReadOnly, Mode::ReadWrite] {
        let e = SharedMemoryObject::open(&name, mode).unwrap_err();
        assert_eq!(e.native_error(), libc::ENODEV, "{e}");
        assert!(e.message().contains("is a FIFO, not a regular file"), "{e}");
    }
    let e = ManagedSharedMemory::new(OpenMode::OpenReadOnly, &name, 0, Permissions::default())
        .unwrap_err();
    assert!(e.message().contains("not a regular file"), "{e}");
    let e = interproc::MessageQueue::open(&name).unwrap_err();
    assert!(e.message().contains("not a regular file"), "{e}");
    let e = ManagedSharedMemory::open_or_create(&name, 65536, Permissions::default()).unwrap_err();
    assert_ne!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    assert!(interproc::identify(&name).is_err());
    for cmd in ["inspect", "check"] {
        let (code, _) = tool(&[cmd, &name]);
        assert_eq!(code, 1, "{cmd}");
    }
    let (code, _) = tool(&["list"]);
    assert_eq!(code, 0);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

/// A file mapping or file lock over something that is not a regular file says what is
/// there, with `ENODEV` as the native error (what Boost's `mapped_region` gets from mmap).
#[test]
fn a_non_regular_file_is_named_for_what_it_is() {
    use interproc::{FileLock, FileMapping};
    let dir = std::env::temp_dir().join(format!("ipt_cli_nonregular_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).unwrap();
    let fifo = dir.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let socket = dir.join("socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let cases = [
        (dir.clone(), "is a directory"),
        (fifo, "is a FIFO"),
        (socket, "is a socket"),
        ("/dev/null".into(), "is a character device"),
    ];
    for (path, words) in &cases {
        let path = path.to_str().unwrap();
        let e = FileMapping::new(path, Mode::ReadOnly).unwrap_err();
        assert!(
            e.message()
                .ends_with(&format!("{words}, not a regular file")),
            "{e}"
        );
        assert_eq!(e.native_error(), libc::ENODEV, "{e}");
        let e = FileLock::new(path).unwrap_err();
        assert!(e.message().contains(words), "{e}");
    }
    // Writable, the directory is refused by open(2) itself, in the same words; either way
    // the kind is is_directory.
    for mode in [Mode::ReadOnly, Mode::ReadWrite] {
        let e = FileMapping::new(dir.to_str().unwrap(), mode).unwrap_err();
        assert!(e.message().to_lowercase().contains("is a directory"), "{e}");
        assert_eq!(e.kind(), interproc::ErrorKind::IsDirectory, "{e}");
    }
    std::fs::remove_dir_all(&dir).unwrap();

    // The same at a shared memory object's name in /dev/shm.
    let name = format!("ipt_cli_nonregular_{}", std::process::id());
    let path = std::path::Path::new("/dev/shm").join(&name);
    std::fs::create_dir(&path).unwrap();
    let e = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap_err();
    assert!(
        e.message().ends_with("is a directory, not a regular file"),
        "{e}"
    );
    std::fs::remove_dir(&path).unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let _r = Remove(name.clone());
    for mode in [Mode::ReadOnly, Mode::ReadWrite] {
        let e = SharedMemoryObject::open(&name, mode).unwrap_err();
        assert!(
            e.message().ends_with("is a socket, not a regular file"),
            "{e}"
        );
        assert_eq!(e.native_error(), libc::ENODEV, "{e}");
    }
}

/// `inspect` lists the segment's node pools with their counts; `check` checks them and
/// fails on a pool whose free list is garbage.
#[test]
fn inspect_and_check_see_node_pools() {
    use interproc::prelude::*;
    let name = format!("ipt_cli_pool_{}", std::process::id());
    let _r = Remove(name.clone());
    let seg = ManagedSharedMemory::create(&name, 1 << 20, Permissions::default()).unwrap();
    let pool = seg
        .construct("nodes", interproc::NodePool::new(32, 8).unwrap())
        .unwrap();
    let held: Vec<_> = (0..5).map(|_| pool.allocate(&seg).unwrap()).collect();
    let (code, out) = tool(&["inspect", &name]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("node pools   1"), "{out}");
    assert!(
        out.contains("nodes: nodes of 32 bytes, 1 blocks of 8, 3 free"),
        "{out}"
    );
    let (_, json) = tool(&["inspect", &name, "--json"]);
    assert!(
        json.contains(
            "\"node_pools\":[{\"name\":\"nodes\",\"node_size\":32,\"nodes_per_block\":8,\"blocks\":1,\"free_nodes\":3}]"
        ),
        "{json}"
    );
    assert_eq!(tool(&["check", &name]).0, 0);
    // A free node's link overwritten: check reports the segment as corrupted.
    pool.deallocate(&seg, held[0].as_ptr()).unwrap();
    // SAFETY: the freed node's link word, inside the segment; nothing else runs.
    unsafe { held[0].as_ptr().cast::<u64>().write(0x1234_5678) };
    let (code, out) = tool(&["check", &name]);
    assert_ne!(code, 0, "{out}");
}
