//! Helpers the integration tests share: unique object names, removal on drop, and waiting
//! for a child process with a bound.
//!
//! Each test binary compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use std::process::{Child, ExitStatus};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A name no other test (in this process or another run) uses: `prefix`, `tag`, this
/// process's id and a counter.
pub fn unique(prefix: &str, tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}_{tag}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Removes the shared memory object (segment, queue or named object) when dropped.
pub struct Remove(pub String);

impl Drop for Remove {
    fn drop(&mut self) {
        interproc::SharedMemoryObject::remove(&self.0);
    }
}

/// Waits for `child` at most `limit`; kills it and panics if it is still running then.
pub fn wait_bounded(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for a child") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("a child process did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
