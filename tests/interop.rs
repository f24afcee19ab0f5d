//! `examples/interop.rs` as a test: Rust, C++ and C processes on one managed segment, one
//! robust mutex and one message queue, with exact totals (the C and C++ peers are built
//! with g++ and gcc, which the test machine has).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn rust_cpp_and_c_processes_share_a_segment_a_lock_and_a_queue() {
    // `cargo test` builds the examples next to the test binaries' directory.
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("examples/interop");
    assert!(example.exists(), "{} was not built", example.display());
    let mut child = Command::new(&example)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let limit = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > limit {
            let _ = child.kill();
            panic!("the interop example hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = std::io::read_to_string(child.stdout.take().unwrap()).unwrap();
    assert!(status.success(), "{status}\n{out}");
    assert!(
        out.contains("reports through the queue: c (10000 rounds), c++ (10000 rounds), rust (10000 rounds), rust (10000 rounds)"),
        "{out}"
    );
    assert!(
        out.contains("every update arrived: 40000 of 40000"),
        "{out}"
    );
}
