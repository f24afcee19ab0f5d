//! The fuzz targets on a stable toolchain, without cargo-fuzz: every file of the committed
//! corpus (`fuzz/corpus/<target>/`) and every seed the generator makes runs through the
//! same function the fuzz target calls (`fuzz/targets.rs`), then a few thousand inputs
//! mutated from them with a fixed seed. Each job runs in a child process, so a crash or a
//! hang fails the test and names the input instead of killing the test runner.
//!
//! `INTERPROC_WRITE_FUZZ_SEEDS=1 cargo test --test fuzz_corpus write_seeds` rewrites the
//! generated seed files (`seed-*`) of the corpus. For triage,
//! `INTERPROC_FUZZ_JOB=mutate INTERPROC_FUZZ_KEEP_GOING=1 cargo test --test fuzz_corpus --
//! --exact child --nocapture` lists every failing mutation instead of stopping at the first
//! (`INTERPROC_FUZZ_MUTATIONS=n` sets how many, `INTERPROC_FUZZ_SEED=n` another sequence).

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use targets::{Outcome, Rng};

const TARGETS: [&str; 2] = ["segment", "queue"];
/// Mutated inputs per target.
const MUTATIONS: u64 = 10_000;
const MUTATION_SEED: u64 = 0x1234_5678_9abc_def1;
const CHILD_TIMEOUT: Duration = Duration::from_secs(240);

fn run(target: &str, data: &[u8]) -> Outcome {
    match target {
        "segment" => targets::segment(data),
        "queue" => targets::queue(data),
        other => panic!("no fuzz target {other}"),
    }
}

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

/// The committed corpus of `target`, sorted by file name.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Every committed input and every generated seed of `target`.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut all = corpus(target);
    all.extend(
        targets::seeds()
            .into_iter()
            .filter(|(t, ..)| *t == target)
            .map(|(_, name, data)| (format!("generated {name}"), data)),
    );
    all
}

/// One mutation of `data`: bytes, bits and 8-byte words of the image overwritten with
/// values that matter to a segment (offsets inside it, sizes, zero, all ones), pieces
/// copied, the image cut or lengthened, the operations changed.
fn mutate(data: &[u8], rng: &mut Rng) -> Vec<u8> {
    let (ops, image) = targets::split(data);
    let (mut ops, mut image) = (ops.to_vec(), image.to_vec());
    let rounds = 1 + rng.next() % 4;
    for _ in 0..rounds {
        let len = image.len().max(1) as u64;
        // Headers and the first blocks are where most decisions are read.
        let span = if rng.next() % 2 == 0 {
            len.min(3072)
        } else {
            len
        };
        match rng.next() % 8 {
            0 if !image.is_empty() => {
                let at = (rng.next() % len) as usize;
                image[at] ^= 1 << (rng.next() % 8);
            }
            1 if !image.is_empty() => {
                let at = (rng.next() % len) as usize;
                image[at] = [0, 1, 0x7f, 0x80, 0xff, rng.next() as u8][rng.next() as usize % 6];
            }
            2 | 3 if image.len() >= 8 => {
                let at = ((rng.next() % span) as usize & !7).min(image.len() - 8);
                let old = u64::from_ne_bytes(image[at..at + 8].try_into().unwrap());
                let value = match rng.next() % 9 {
                    0 => 0,
                    1 => u64::MAX,
                    2 => rng.next() % len,
                    3 => (rng.next() % len) & !15,
                    4 => old.wrapping_add(16),
                    5 => old.wrapping_sub(16),
                    6 => old ^ (1 << (rng.next() % 64)),
                    7 => len + rng.next() % 64,
                    _ => rng.next(),
                };
                image[at..at + 8].copy_from_slice(&value.to_ne_bytes());
            }
            4 if image.len() >= 32 => {
                let n = 8 << (rng.next() % 2);
                let from = (rng.next() % (len - n)) as usize & !7;
                let to = (rng.next() % (span.min(len - n))) as usize & !7;
                image.copy_within(from..from + n as usize, to);
            }
            5 => {
                if rng.next() % 2 == 0 {
                    image.truncate((rng.next() % len) as usize);
                } else {
                    image.resize(image.len() + (rng.next() % 512) as usize, 0);
                }
            }
            6 if !ops.is_empty() => {
                let at = rng.next() as usize % ops.len();
                ops[at] = rng.next() as u8;
            }
            _ => {
                let n = rng.next() % 16;
                ops.extend((0..n).map(|_| rng.next() as u8));
            }
        }
    }
    targets::join(&ops, &image)
}

/// The `i`-th mutated input of `target` (deterministic), with a description.
fn mutation(target: &str, bases: &[(String, Vec<u8>)], i: u64) -> (String, Vec<u8>) {
    let seed =
        std::env::var("INTERPROC_FUZZ_SEED").map_or(MUTATION_SEED, |s| s.parse().expect("a seed"));
    let mut rng = Rng(seed ^ (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let (name, base) = &bases[rng.next() as usize % bases.len()];
    let data = mutate(base, &mut rng);
    (format!("{target} mutation {i} of {name}"), data)
}

/// Rewrites the generated seed files when asked to; otherwise checks nothing here.
#[test]
fn write_seeds() {
    if std::env::var_os("INTERPROC_WRITE_FUZZ_SEEDS").is_none() {
        return;
    }
    for (target, name, data) in targets::seeds() {
        let dir = corpus_dir(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), data).unwrap();
    }
}

/// The child side: runs the job named by `INTERPROC_FUZZ_JOB`; nothing in a normal run.
#[test]
fn child() {
    let Ok(job) = std::env::var("INTERPROC_FUZZ_JOB") else {
        return;
    };
    let start = Instant::now();
    for target in TARGETS {
        let all = inputs(target);
        let mut total = Outcome::default();
        let mut opened = 0;
        let count = match job.as_str() {
            "replay" => {
                for (name, data) in &all {
                    eprintln!("input {target} {name}");
                    let o = run(target, data);
                    opened += u32::from(o.opened);
                    total.ops += o.ops;
                    total.errors += o.errors;
                }
                all.len() as u64
            }
            "mutate" => {
                let keep_going = std::env::var_os("INTERPROC_FUZZ_KEEP_GOING").is_some();
                let n = std::env::var("INTERPROC_FUZZ_MUTATIONS")
                    .map_or(MUTATIONS, |n| n.parse().expect("a number of mutations"));
                for i in 0..n {
                    let (name, data) = mutation(target, &all, i);
                    eprintln!("input {name}");
                    let o = if keep_going {
                        // Triage: list every failing input instead of stopping at the first.
                        match std::panic::catch_unwind(|| run(target, &data)) {
                            Ok(o) => o,
                            Err(_) => {
                                println!("FAILED {name}");
                                continue;
                            }
                        }
                    } else {
                        run(target, &data)
                    };
                    opened += u32::from(o.opened);
                    total.ops += o.ops;
                    total.errors += o.errors;
                }
                n
            }
            other => panic!("unknown job {other}"),
        };
        println!(
            "{job} {target}: {count} inputs, {opened} opened, {} operations, {} errors",
            total.ops, total.errors
        );
    }
    println!("{job}: {:.1} s", start.elapsed().as_secs_f64());
}

/// Runs `job` in a child process and fails with the last input it started if it crashed,
/// hung or failed.
fn run_child(job: &str) -> String {
    let log = std::env::temp_dir().join(format!("interproc_fuzz_{job}_{}.log", std::process::id()));
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env("INTERPROC_FUZZ_JOB", job)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if start.elapsed() > CHILD_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    let err = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let last = err
        .lines()
        .rev()
        .find(|l| l.starts_with("input "))
        .unwrap_or("input none");
    // The panic message, without the backtrace.
    let tail: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.contains("panicked at"))
        .take_while(|l| !l.contains("stack backtrace"))
        .take(8)
        .collect();
    match status {
        None => panic!("{job} hung at {last}"),
        Some(st) if !st.success() => {
            panic!("{job} failed at {last} ({st}):\n{}", tail.join("\n"))
        }
        Some(_) => out,
    }
}

#[test]
fn committed_corpus_runs_cleanly() {
    for target in TARGETS {
        let files = corpus(target);
        let seeds = files.iter().filter(|(n, _)| n.starts_with("seed-")).count();
        assert!(
            seeds >= 10,
            "fuzz/corpus/{target} holds {seeds} seed files: run INTERPROC_WRITE_FUZZ_SEEDS=1 cargo test --test fuzz_corpus write_seeds"
        );
    }
    // A committed seed that no longer opens where the generator's version of it does means
    // the layout changed under the corpus: regenerate it.
    for (target, name, data) in targets::seeds() {
        let Some((_, committed)) = corpus(target).into_iter().find(|(n, _)| *n == name) else {
            panic!("fuzz/corpus/{target}/{name} is missing: regenerate the seeds");
        };
        assert_eq!(
            run(target, &committed).opened,
            run(target, &data).opened,
            "fuzz/corpus/{target}/{name} is stale: regenerate the seeds"
        );
    }
    let out = run_child("replay");
    print!("{out}");
    assert!(
        out.contains("replay segment:") && out.contains("replay queue:"),
        "{out}"
    );
}

#[test]
fn mutated_inputs_fail_cleanly() {
    let out = run_child("mutate");
    print!("{out}");
    assert!(
        out.contains("mutate segment:") && out.contains("mutate queue:"),
        "{out}"
    );
}

/// Segment header fields (offsets pinned by `shared_layout_is_pinned` in the library).
const INDEX_LIVE: usize = 96;
const HEAP_END: usize = 128;
const HEAP_FREE_BYTES: usize = 136;
/// Queue header field.
const QUEUE_NEXT_SEQ: usize = 112;

/// Operation scripts (see the op decoding in `fuzz/targets.rs`).
const ALLOCATE_64: [u8; 4] = [0, 0, 64, 0];
const GROW_512: [u8; 2] = [15, 32];
const CONSTRUCT_NAME1: [u8; 12] = [4, 0, 25, 0, 8, 0, 3, 0, 2, 0, 1, 1];
const CHECK_AND_COUNT: [u8; 2] = [10, 11];
const FIND_OBJ1: [u8; 4] = [5, 0, 1, 1];
const OF_OBJECT: [u8; 2] = [16, 0];
const SEND_5: [u8; 5] = [0, 0, 5, 0, 1];
const RECEIVE: [u8; 2] = [2, 1];

fn read_u64(image: &[u8], at: usize) -> u64 {
    u64::from_ne_bytes(image[at..at + 8].try_into().unwrap())
}

/// What fuzzing found (each panicked or read outside the segment before its fix) must stay
/// an error or a success.
#[test]
fn what_fuzzing_found_stays_fixed() {
    let size = (interproc::MIN_SEGMENT_SIZE as usize).next_multiple_of(4096);
    let image = targets::segment_image(size, |seg| {
        targets::construct_named(seg, interproc::InstanceKind::Named, "obj1", 2);
    });
    let end = read_u64(&image, HEAP_END);
    let ops = |parts: &[&[u8]]| parts.concat();
    let cases: Vec<(&str, usize, u64, Vec<u8>)> = vec![
        // Growing read the block before the sentinel at an unaligned heap end.
        (
            "unaligned heap end",
            HEAP_END,
            end - 5,
            ops(&[&GROW_512, &ALLOCATE_64]),
        ),
        // ... and followed the sentinel's back link without checking it.
        (
            "garbage sentinel back link",
            end as usize - 16,
            0x1111_9093_5511_4e00,
            ops(&[&GROW_512]),
        ),
        // The free count underflowed on allocation.
        (
            "free count 0",
            HEAP_FREE_BYTES,
            0,
            ops(&[&ALLOCATE_64, &CHECK_AND_COUNT]),
        ),
        // ... and overflowed in all_memory_deallocated.
        (
            "free count max",
            HEAP_FREE_BYTES,
            u64::MAX,
            ops(&[&CHECK_AND_COUNT]),
        ),
        // The live count overflowed when the index reserved room.
        (
            "index live max",
            INDEX_LIVE,
            u64::MAX,
            ops(&[&CONSTRUCT_NAME1, &CHECK_AND_COUNT]),
        ),
        // A block size near 2^64 overflowed the block check.
        (
            "huge block",
            targets::heap_start_of(&image) + 8,
            !15,
            ops(&[&ALLOCATE_64, &CHECK_AND_COUNT]),
        ),
    ];
    for (what, at, value, script) in cases {
        let mut bad = image.clone();
        targets::poke(&mut bad, at, value);
        let o = targets::segment(&targets::join(&script, &bad));
        assert!(o.opened && o.ops > 0, "{what}: {o:?}");
    }
    // The distance before an object led of_object outside the segment (a stale pointer or
    // garbage there made it read any address). Since layout 7 the object's header lies
    // right before it (16 bytes: magic; kind, padding and name length; element size and
    // count): garbage in the magic, the name length, the padding or the sizes must be an
    // error.
    let object = {
        let mut buf = targets::AlignedBuf::new(image.len());
        buf.bytes().copy_from_slice(&image);
        let seg = interproc::ManagedExternalBuffer::open(buf.bytes()).unwrap();
        let info = seg
            .find(interproc::InstanceKind::Named, b"obj1", None)
            .unwrap()
            .unwrap();
        info.ptr.as_ptr() as usize - seg.as_ptr() as usize
    };
    const MAGIC: u64 = 0x4F42_4A32;
    for (at, garbage) in [
        (object - 16, 0x1000_0000_0000u64),
        // A name of 65 535 bytes; then a padding past the segment's start.
        (object - 16, MAGIC | 0xFFFF_0001 << 32),
        (object - 16, MAGIC | 0x0000_FFF1 << 32),
        (object - 8, u64::MAX / 2),
    ] {
        let mut bad = image.clone();
        targets::poke(&mut bad, at, garbage);
        let o = targets::segment(&targets::join(&ops(&[&FIND_OBJ1, &OF_OBJECT]), &bad));
        assert!(
            o.opened && o.ops == 2 && o.errors == 1,
            "of_object: {at} {garbage}: {o:?}"
        );
    }
    // The queue's sequence counter (locked mode) overflowed at 2^64 - 1.
    let mut q = targets::queue_image(4, 16, 2, 0, 2);
    targets::poke(&mut q, QUEUE_NEXT_SEQ, u64::MAX);
    let o = targets::queue(&targets::join(
        &ops(&[&SEND_5, &SEND_5, &RECEIVE, &RECEIVE]),
        &q,
    ));
    assert!(
        o.opened && o.ops == 4 && o.errors == 0,
        "next_seq max: {o:?}"
    );
}

/// The segment seeds and a few mutations of them, in this process. This is the part that
/// also runs under Miri (no child process, no shared memory object):
/// `cargo +nightly miri test --test fuzz_corpus segment_seeds_in_process`.
#[test]
fn segment_seeds_in_process() {
    let seeds: Vec<(String, Vec<u8>)> = targets::segment_seeds()
        .into_iter()
        .map(|(_, name, data)| (name, data))
        .collect();
    let mut opened = 0;
    for (name, data) in &seeds {
        let o = targets::segment(data);
        assert!(o.opened || name == "seed-truncated", "{name}: {o:?}");
        opened += u32::from(o.opened);
    }
    assert_eq!(opened as usize, seeds.len() - 1);
    let n = if cfg!(miri) { 20 } else { 500 };
    for i in 0..n {
        let (_, data) = mutation("segment", &seeds, i);
        targets::segment(&data);
    }
}
