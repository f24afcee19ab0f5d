//! `interproc`: list, inspect, check and remove interproc objects in /dev/shm.
//!
//! ```text
//! interproc list [--json]
//! interproc inspect NAME [--json]
//! interproc check NAME [--json]
//! interproc remove NAME [--json]
//! interproc port [--check] [-I DIR]... PATH...
//! ```

mod port;

use interproc::{
    InstanceKind, LockHolder, ManagedSharedMemory, MessageQueue, ObjectKind, OpenMode, Permissions,
    SegmentManager, SharedMemoryObject,
};
use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt;
use std::process::ExitCode;

const SHM_DIR: &str = "/dev/shm";

const USAGE: &str = "usage: interproc <command> [--json]

commands:
  list            every object in /dev/shm: kind, size, owner, whether it validates
  inspect NAME    a managed segment's objects, free memory and lock holder;
                  a message queue's depth and limits; a named sync object's kind
                  and, for a mutex, its holder
  check NAME      check a managed segment's heap and name index, or that a queue or
                  named sync object validates (exit 1 if broken)
  remove NAME     remove the object NAME from /dev/shm
  port PATH...    port C and C++ sources from Boost.Interprocess to interproc
                  (interproc port --help)";

/// What the first bytes of an object say it is.
fn kind_of(name: &str) -> Result<ObjectKind, interproc::Error> {
    interproc::identify(name)
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn open_segment(name: &str) -> interproc::Result<ManagedSharedMemory> {
    ManagedSharedMemory::new(OpenMode::OpenReadOnly, name, 0, Permissions::default())
}

fn list(json: bool) -> ExitCode {
    let mut entries: Vec<_> = match std::fs::read_dir(SHM_DIR) {
        Ok(d) => d.filter_map(|e| e.ok()).collect(),
        Err(e) => {
            eprintln!("interproc: cannot read {SHM_DIR}: {e}");
            return ExitCode::FAILURE;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    let mut rows = Vec::new();
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(meta) = e.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let kind = kind_of(&name);
        let (valid, creator) = if kind == Ok(ObjectKind::ManagedSegment) {
            match open_segment(&name) {
                Ok(seg) => ("yes".to_string(), seg.creator_pid().to_string()),
                Err(err) => (format!("no: {}", err.message()), "-".into()),
            }
        } else {
            ("-".into(), "-".into())
        };
        let kind = kind.map_or("unreadable", |k| k.name()).to_string();
        rows.push((
            name,
            kind,
            meta.len(),
            meta.uid(),
            meta.mode() & 0o777,
            creator,
            valid,
        ));
    }
    if json {
        let items: Vec<String> = rows
            .iter()
            .map(|(n, k, size, uid, mode, creator, valid)| {
                format!(
                    "{{\"name\":{},\"kind\":{},\"size\":{size},\"uid\":{uid},\"mode\":\"{mode:o}\",\"creator_pid\":{},\"valid\":{}}}",
                    json_str(n),
                    json_str(k),
                    if creator == "-" { "null".to_string() } else { creator.clone() },
                    json_str(valid)
                )
            })
            .collect();
        println!("[{}]", items.join(","));
    } else {
        println!(
            "{:<32} {:<24} {:>12} {:>6} {:>5} {:>8}  valid",
            "NAME", "KIND", "SIZE", "UID", "MODE", "CREATOR"
        );
        for (n, k, size, uid, mode, creator, valid) in rows {
            println!("{n:<32} {k:<24} {size:>12} {uid:>6} {mode:>5o} {creator:>8}  {valid}");
        }
    }
    ExitCode::SUCCESS
}

struct ObjectRow {
    kind: &'static str,
    name: String,
    elem_size: usize,
    count: usize,
}

fn objects(m: &SegmentManager) -> interproc::Result<Vec<ObjectRow>> {
    let mut rows = Vec::new();
    for (kind, label) in [
        (InstanceKind::Named, "named"),
        (InstanceKind::Unique, "unique"),
    ] {
        let mut cursor = 0;
        while let Some((next, info, name, len)) = m.next_object(kind, cursor)? {
            // SAFETY: `name` points at `len` bytes inside the mapped segment.
            let bytes = unsafe { std::slice::from_raw_parts(name, len) };
            rows.push(ObjectRow {
                kind: label,
                name: String::from_utf8_lossy(bytes).into_owned(),
                elem_size: info.elem_size,
                count: info.count,
            });
            cursor = next;
        }
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

/// A message queue's limits and depth.
fn inspect_queue(name: &str, json: bool) -> ExitCode {
    let q = match MessageQueue::open(name) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("interproc: {name}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        println!(
            "{{\"name\":{},\"kind\":\"message_queue\",\"max_msg\":{},\"max_msg_size\":{},\"num_msg\":{}}}",
            json_str(name),
            q.max_msg(),
            q.max_msg_size(),
            q.num_msg()
        );
    } else {
        println!("message queue {name}");
        println!("  messages     {} of at most {}", q.num_msg(), q.max_msg());
        println!("  message size at most {} bytes", q.max_msg_size());
    }
    ExitCode::SUCCESS
}

/// The text for a lock word, as `inspect` prints it.
fn holder_text(lock: LockHolder) -> String {
    match lock {
        LockHolder::Free => "free".into(),
        LockHolder::Thread(tid) => format!("held by thread {tid}"),
        LockHolder::OwnerDied => {
            "free; its owner died holding it: the next process to lock recovers it".into()
        }
        LockHolder::Garbage(w) => format!("garbage (names thread {w}, which cannot exist)"),
    }
}

/// The JSON value for a lock word.
fn holder_json(lock: LockHolder) -> String {
    match lock {
        LockHolder::Free => "null".to_string(),
        LockHolder::OwnerDied => "{\"owner_died\":true}".to_string(),
        LockHolder::Thread(tid) => format!("{{\"owner_tid\":{tid}}}"),
        LockHolder::Garbage(w) => format!("{{\"garbage\":{w}}}"),
    }
}

/// A named sync object: its class and, for mutexes, its holder. `check` says only whether
/// it validates.
fn report_named(name: &str, json: bool, checking: bool) -> ExitCode {
    let report = interproc::sync::open_any_named(name);
    match (&report, json, checking) {
        (Err(e), false, false) => eprintln!("interproc: {name}: {e}"),
        (Err(e), false, true) => println!("{name}: BROKEN: {e}"),
        (Err(e), true, _) => println!(
            "{{\"name\":{},\"ok\":false,\"error\":{}}}",
            json_str(name),
            json_str(&e.to_string())
        ),
        (Ok(r), false, true) => println!("{name}: ok ({})", r.kind),
        (Ok(r), false, false) => {
            println!("{} {name}", r.kind);
            if let Some(lock) = r.holder {
                println!("  lock         {}", holder_text(lock));
            }
        }
        (Ok(r), true, _) => println!(
            "{{\"name\":{},\"kind\":{},\"ok\":true,\"lock\":{}}}",
            json_str(name),
            json_str(r.kind),
            r.holder.map_or("null".into(), holder_json)
        ),
    }
    if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn inspect(name: &str, json: bool) -> ExitCode {
    match kind_of(name) {
        Ok(ObjectKind::MessageQueue) => return inspect_queue(name, json),
        Ok(ObjectKind::NamedSync(_)) => return report_named(name, json, false),
        Ok(_) => {}
        Err(e) => {
            eprintln!("interproc: {name}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let seg = match open_segment(name) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("interproc: {name}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rows = match objects(&seg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("interproc: {name}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let free = seg.free_memory().unwrap_or(0);
    let lock = seg.lock_holder();
    let pools = seg.node_pools().unwrap_or_default();
    if json {
        let pools_json: Vec<String> = pools
            .iter()
            .map(|(n, r)| match r {
                Ok(r) => format!(
                    "{{\"name\":{},\"node_size\":{},\"nodes_per_block\":{},\"blocks\":{},\"free_nodes\":{}}}",
                    json_str(n),
                    r.node_size,
                    r.nodes_per_block,
                    r.blocks,
                    r.free_nodes
                ),
                Err(e) => format!(
                    "{{\"name\":{},\"error\":{}}}",
                    json_str(n),
                    json_str(&e.to_string())
                ),
            })
            .collect();
        let objs: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{{\"kind\":\"{}\",\"name\":{},\"element_size\":{},\"count\":{},\"bytes\":{}}}",
                    r.kind,
                    json_str(&r.name),
                    r.elem_size,
                    r.count,
                    r.elem_size * r.count
                )
            })
            .collect();
        let lock_json = holder_json(lock);
        println!(
            "{{\"name\":{},\"kind\":\"managed segment\",\"size\":{},\"max_size\":{},\"generation\":{},\"free_memory\":{free},\"creator_pid\":{},\"lock\":{lock_json},\"objects\":[{}],\"node_pools\":[{}]}}",
            json_str(name),
            seg.size(),
            seg.max_size(),
            seg.generation(),
            seg.creator_pid(),
            objs.join(","),
            pools_json.join(",")
        );
    } else {
        println!("managed segment {name}");
        println!("  size         {} bytes", seg.size());
        if seg.max_size() > seg.size() || seg.generation() > 0 {
            println!(
                "  grows        to {} bytes while mapped; grown {} times",
                seg.max_size(),
                seg.generation()
            );
        } else {
            println!("  grows        only offline (no maximum size)");
        }
        println!("  free memory  {free} bytes");
        println!("  creator pid  {}", seg.creator_pid());
        println!("  lock         {}", holder_text(lock));
        println!("  objects      {}", rows.len());
        for r in rows {
            println!(
                "    {:<7} {:<32} {} x {} bytes = {} bytes",
                r.kind,
                r.name,
                r.count,
                r.elem_size,
                r.count * r.elem_size
            );
        }
        if !pools.is_empty() {
            println!("  node pools   {}", pools.len());
        }
        for (n, r) in pools {
            match r {
                Ok(r) => println!(
                    "    {n}: nodes of {} bytes, {} blocks of {}, {} free",
                    r.node_size, r.blocks, r.nodes_per_block, r.free_nodes
                ),
                Err(e) => println!("    {n}: {e}"),
            }
        }
    }
    ExitCode::SUCCESS
}

fn check(name: &str, json: bool) -> ExitCode {
    let result = match kind_of(name) {
        Ok(ObjectKind::NamedSync(_)) => return report_named(name, json, true),
        // Opening a queue validates its header, layout and limits against its size; then
        // its loan pool's slots and the descriptors queued in it.
        Ok(ObjectKind::MessageQueue) => MessageQueue::open(name)
            .and_then(|q| q.check_loan_pool())
            .map(|_| ()),
        Ok(_) => open_segment(name).and_then(|seg| seg.check_sanity()),
        Err(e) => Err(e),
    };
    match (&result, json) {
        (Ok(()), false) => println!("{name}: ok"),
        (Err(e), false) => println!("{name}: BROKEN: {e}"),
        (Ok(()), true) => println!("{{\"name\":{},\"ok\":true}}", json_str(name)),
        (Err(e), true) => println!(
            "{{\"name\":{},\"ok\":false,\"error\":{}}}",
            json_str(name),
            json_str(&e.to_string())
        ),
    }
    if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn remove(name: &str, json: bool) -> ExitCode {
    let removed = SharedMemoryObject::remove(name);
    if json {
        println!("{{\"name\":{},\"removed\":{removed}}}", json_str(name));
    } else if removed {
        println!("removed {name}");
    } else {
        println!("{name}: nothing removed (no such object, or no permission)");
    }
    if removed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("port") {
        return port::main(&args[1..]);
    }
    let json = args.iter().any(|a| a == "--json");
    let words: Vec<&str> = args
        .iter()
        .filter(|a| *a != "--json")
        .map(String::as_str)
        .collect();
    match words.as_slice() {
        ["list"] => list(json),
        ["inspect", name] => inspect(name, json),
        ["check", name] => check(name, json),
        ["remove", name] => remove(name, json),
        ["help"] | ["--help"] | ["-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
