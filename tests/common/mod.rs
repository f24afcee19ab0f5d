//! Helpers the integration tests share: unique object names, removal on drop (shared memory
//! objects, temporary files, System V segments), where an object lives in /dev/shm, waiting
//! for a child process with a bound, a test binary run again as a child with a role (its
//! output left alone or collected), 16-aligned buffers for segments in a test's memory, and
//! where C and C++ test programs find the freshly built library, and a small deterministic
//! random generator.
//!
//! Each test binary compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
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

/// A temporary file's path, removed when dropped.
pub struct FileGuard(pub PathBuf);

impl FileGuard {
    /// A path in the temporary directory that no other test uses.
    pub fn new(test: &str) -> FileGuard {
        FileGuard(std::env::temp_dir().join(unique("ipt", test)))
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for FileGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Removes a System V segment (by its id) when dropped.
pub struct XsiGuard(pub i32);

impl Drop for XsiGuard {
    fn drop(&mut self) {
        interproc::XsiSharedMemory::remove(self.0);
    }
}

/// Where the object `name` (with or without its leading `/`) lives.
pub fn dev_shm(name: &str) -> PathBuf {
    PathBuf::from("/dev/shm").join(name.strip_prefix('/').unwrap_or(name))
}

/// The permission bits of the object `name` in /dev/shm.
pub fn perm_bits(name: &str) -> u32 {
    std::fs::metadata(dev_shm(name))
        .expect("object in /dev/shm")
        .permissions()
        .mode()
        & 0o777
}

/// The system's page size.
pub fn page() -> usize {
    interproc::MappedRegion::page_size()
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

/// Runs this test binary's `child` test in a new process, which [`child_role`] tells its
/// `role` and the object `name` to work on.
pub fn spawn_child(role: &str, name: &str) -> Child {
    child_command(role, name)
        .spawn()
        .expect("starting a child process")
}

/// The command [`spawn_child`] runs, to adjust before spawning (its output, say).
pub fn child_command(role: &str, name: &str) -> Command {
    test_command("child", role, name)
}

/// The command that runs this test binary's test `test` alone in a new process, which
/// [`child_role`] tells its `role` and the object `name` to work on.
pub fn test_command(test: &str, role: &str, name: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env("INTERPROC_CHILD_ROLE", role)
        .env("INTERPROC_CHILD_NAME", name);
    command
}

/// In a process started by [`run_role`] for `role` (a test of its own), the object name it
/// was given; `None` in a normal run of the tests.
pub fn child_name(role: &str) -> Option<String> {
    child_role().and_then(|(r, name)| (r == role).then_some(name))
}

/// Starts `command` with no input and its stdout and stderr each read to the end by a
/// thread of its own (so a child that writes much never blocks): the child and the two
/// readers.
pub fn spawn_captured(command: &mut Command) -> (Child, JoinHandle<String>, JoinHandle<String>) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting a child process");
    let out = read_to_end(child.stdout.take().expect("piped stdout"));
    let err = read_to_end(child.stderr.take().expect("piped stderr"));
    (child, out, err)
}

/// A thread that reads `pipe` to its end, as text.
fn read_to_end(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = pipe.read_to_string(&mut s);
        s
    })
}

/// Runs this test binary's test `role` alone in a new process (which [`child_name`] tells
/// the object `name`), waiting at most `limit` as [`wait_bounded`] does: its exit status,
/// stdout and stderr.
pub fn run_role(role: &str, name: &str, limit: Duration) -> (ExitStatus, String, String) {
    let (mut child, out, err) = spawn_captured(&mut test_command(role, role, name));
    let status = wait_bounded(&mut child, limit);
    (status, out.join().unwrap(), err.join().unwrap())
}

/// In a process started by [`spawn_child`], its role and object name; `None` in a normal
/// run of the tests.
pub fn child_role() -> Option<(String, String)> {
    let role = std::env::var("INTERPROC_CHILD_ROLE").ok()?;
    let name = std::env::var("INTERPROC_CHILD_NAME").ok()?;
    Some((role, name))
}

/// Waits for a child started by [`spawn_child`] (at most a minute) and checks it succeeded.
pub fn wait_child_ok(mut child: Child) {
    let status = wait_bounded(&mut child, Duration::from_secs(60));
    assert!(status.success(), "a child failed: {status}");
}

/// A zeroed buffer of at least `bytes` bytes, 16-aligned (held as `u128`s), for segments
/// made in memory the test owns; [`bytes_of`] views it as bytes.
pub fn aligned_buffer(bytes: usize) -> Vec<u128> {
    vec![0u128; bytes.div_ceil(16)]
}

/// The memory of `buf` as bytes, borrowed for as long as the view lives.
pub fn bytes_of(buf: &mut [u128]) -> &mut [u8] {
    let len = std::mem::size_of_val(buf);
    // SAFETY: `buf` is `len` initialised bytes, every byte pattern is a valid u128, and the
    // view borrows `buf` mutably, so nothing else reaches the bytes meanwhile.
    unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<u8>(), len) }
}

/// `target/<profile>`, where cargo put `libinterproc.so` before running this test.
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

/// A directory holding `libinterproc.so` and its SONAME link `libinterproc.so.0` (cargo
/// builds only the former), which the test programs link and run against.
pub fn link_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = lib_dir().join("ctests").join("lib");
        std::fs::create_dir_all(&dir).expect("creating the library directory");
        // `cargo test` builds the cdylib into deps/ (only `cargo build` copies it up a
        // level), so deps/ always has the library of this very build.
        let so = lib_dir().join("deps").join("libinterproc.so");
        for name in ["libinterproc.so", "libinterproc.so.0"] {
            // Made aside and renamed over the old link: another test binary linking
            // against it meanwhile never finds it missing.
            let fresh = dir.join(format!("{name}.{}", std::process::id()));
            let _ = std::fs::remove_file(&fresh);
            std::os::unix::fs::symlink(&so, &fresh).expect("linking the shared library");
            std::fs::rename(&fresh, dir.join(name)).expect("placing the shared library link");
        }
        dir
    })
    .clone()
}

/// Writes `count` u64s `first, first + 1, ...` to a fresh object (an `init` for
/// `construct`).
pub fn write_u64s(ptr: std::ptr::NonNull<u8>, count: usize, first: u64) -> interproc::Result<()> {
    for i in 0..count {
        // SAFETY: `ptr` holds `count` u64 slots freshly allocated for this object.
        unsafe { ptr.as_ptr().cast::<u64>().add(i).write(first + i as u64) };
    }
    Ok(())
}

/// The `i`th u64 of an object of at least `i + 1` of them.
pub fn read_u64(ptr: std::ptr::NonNull<u8>, i: usize) -> u64 {
    // SAFETY: callers pass objects of at least `i + 1` u64 elements.
    unsafe { ptr.as_ptr().cast::<u64>().add(i).read() }
}

/// A small deterministic generator (xorshift64), for random but repeatable test runs. The
/// seed must not be zero.
pub struct Xorshift(pub u64);

impl Xorshift {
    /// The next value of the sequence (never zero).
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
