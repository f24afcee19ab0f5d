//! Integration tests for `SharedMemoryObject`: creation tags, permissions, sizes, names,
//! removal and swapping.

use interproc::{Creation, ErrorKind, MappedRegion, Mode, Permissions, SharedMemoryObject};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use std::time::Duration;

mod common;
use common::{Remove, child_name, dev_shm, perm_bits, run_role};

fn unique(tag: &str) -> String {
    common::unique("ipt", tag)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Child-process support (for the umask test: umask is process-wide).

const MARKER: &str = "interproc-child-done:";

// ---------------------------------------------------------------------------------------

#[test]
fn create_makes_an_empty_object_in_dev_shm() {
    let name = unique("create");
    let _g = Remove(name.clone());
    assert!(!dev_shm(&name).exists());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    assert!(shm.created());
    assert_eq!(shm.name(), name);
    assert_eq!(shm.mode(), Mode::ReadWrite);
    assert_eq!(shm.size().unwrap(), 0);
    let meta = std::fs::metadata(dev_shm(&name)).unwrap();
    assert!(meta.is_file());
    assert_eq!(meta.len(), 0);
    assert_eq!(meta.permissions().mode() & 0o777, 0o644);
}

#[test]
fn create_with_new_and_creation_tags() {
    let name = unique("tags");
    let _g = Remove(name.clone());
    let a = SharedMemoryObject::new(
        Creation::CreateOnly,
        &name,
        Mode::ReadWrite,
        Permissions::DEFAULT,
    )
    .unwrap();
    assert!(a.created());
    let b = SharedMemoryObject::new(
        Creation::OpenOnly,
        &name,
        Mode::ReadOnly,
        Permissions::DEFAULT,
    )
    .unwrap();
    assert!(!b.created());
    assert_eq!(b.mode(), Mode::ReadOnly);
    let c = SharedMemoryObject::new(
        Creation::OpenOrCreate,
        &name,
        Mode::ReadWrite,
        Permissions::DEFAULT,
    )
    .unwrap();
    assert!(!c.created());
    a.truncate(777).unwrap();
    assert_eq!(b.size().unwrap(), 777);
    assert_eq!(c.size().unwrap(), 777);
}

#[test]
fn open_sees_the_existing_object() {
    let name = unique("open");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(8192).unwrap();
    let data = pattern(8192, 5);
    {
        let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
        r.write_at(0, &data).unwrap();
    }
    drop(shm);

    let ro = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    assert!(!ro.created());
    assert_eq!(ro.mode(), Mode::ReadOnly);
    assert_eq!(ro.name(), name);
    assert_eq!(ro.size().unwrap(), 8192);
    let r = MappedRegion::new(&ro, Mode::ReadOnly, 0, 0).unwrap();
    let mut back = vec![0u8; 8192];
    r.read_at(0, &mut back).unwrap();
    assert_eq!(back, data);

    let rw = SharedMemoryObject::open(&name, Mode::ReadWrite).unwrap();
    assert!(!rw.created());
    assert_eq!(rw.mode(), Mode::ReadWrite);
    assert_eq!(rw.size().unwrap(), 8192);
}

#[test]
fn open_or_create_tells_which_happened() {
    let name = unique("ooc");
    let _g = Remove(name.clone());
    let first =
        SharedMemoryObject::open_or_create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    assert!(first.created());
    assert_eq!(perm_bits(&name), 0o644);
    first.truncate(4096).unwrap();

    let second =
        SharedMemoryObject::open_or_create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    assert!(!second.created());
    assert_eq!(second.size().unwrap(), 4096);

    // Same object: a write through one is seen through the other.
    let mut w = MappedRegion::new(&first, Mode::ReadWrite, 0, 0).unwrap();
    w.write_at(4000, b"shared").unwrap();
    let r = MappedRegion::new(&second, Mode::ReadOnly, 4000, 6).unwrap();
    let mut back = [0u8; 6];
    r.read_at(0, &mut back).unwrap();
    assert_eq!(&back, b"shared");

    // Read-only open_or_create of an existing object.
    let third =
        SharedMemoryObject::open_or_create(&name, Mode::ReadOnly, Permissions::default()).unwrap();
    assert!(!third.created());
    assert_eq!(third.mode(), Mode::ReadOnly);
}

#[test]
fn open_or_create_keeps_the_permissions_of_an_existing_object() {
    let name = unique("oocperm");
    let _g = Remove(name.clone());
    let _a =
        SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::from_mode(0o600)).unwrap();
    assert_eq!(perm_bits(&name), 0o600);
    let b = SharedMemoryObject::open_or_create(&name, Mode::ReadWrite, Permissions::UNRESTRICTED)
        .unwrap();
    assert!(!b.created());
    assert_eq!(perm_bits(&name), 0o600);
}

#[test]
fn permissions_are_applied_exactly() {
    for (perm, want) in [
        (Permissions::DEFAULT, 0o644),
        (Permissions::default(), 0o644),
        (Permissions::UNRESTRICTED, 0o666),
        (Permissions::from_mode(0o640), 0o640),
        (Permissions::from_mode(0o600), 0o600),
        (Permissions::from_mode(0o777), 0o777),
    ] {
        let name = unique("perm");
        let _g = Remove(name.clone());
        let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, perm).unwrap();
        assert!(shm.created());
        assert_eq!(perm_bits(&name), want, "{perm:?}");
    }
    // open_or_create applies them too when it creates.
    let name = unique("permooc");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::open_or_create(&name, Mode::ReadWrite, Permissions::UNRESTRICTED)
        .unwrap();
    assert!(shm.created());
    assert_eq!(perm_bits(&name), 0o666);
}

#[test]
fn permissions_value_type() {
    assert_eq!(Permissions::DEFAULT.mode(), 0o644);
    assert_eq!(Permissions::UNRESTRICTED.mode(), 0o666);
    assert_eq!(Permissions::default(), Permissions::DEFAULT);
    assert_eq!(Permissions::from_mode(0o4755).mode(), 0o755);
    assert_eq!(Permissions::from_mode(0o7777).mode(), 0o777);
    let mut p = Permissions::from_mode(0o600);
    p.set_unrestricted();
    assert_eq!(p.mode(), 0o666);
    p.set_default();
    assert_eq!(p.mode(), 0o644);
}

#[test]
fn mode_codes_match_boost() {
    let all = [
        (Mode::ReadOnly, 0, "read_only"),
        (Mode::ReadWrite, 1, "read_write"),
        (Mode::CopyOnWrite, 2, "copy_on_write"),
        (Mode::ReadPrivate, 3, "read_private"),
    ];
    for (mode, code, name) in all {
        assert_eq!(mode.code(), code);
        assert_eq!(Mode::from_code(code), Some(mode));
        assert_eq!(mode.boost_name(), name);
    }
    assert_eq!(Mode::from_code(4), None);
    assert_eq!(Mode::from_code(u32::MAX), None);
}

/// Runs in a child process: with umask 077 the permissions asked for must still be exact.
#[test]
fn umask_child() {
    let Some(base) = child_name("umask_child") else {
        return;
    };
    // SAFETY: umask has no memory-safety preconditions; this process runs only this test.
    unsafe { libc::umask(0o077) };

    // Sanity: the umask really narrows an ordinary file created without fchmod.
    let probe = std::env::temp_dir().join(format!("{base}_probe"));
    let _ = std::fs::remove_file(&probe);
    std::fs::File::create(&probe).unwrap();
    let probe_bits = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    std::fs::remove_file(&probe).unwrap();
    assert_eq!(probe_bits, 0o600, "umask 077 is not in effect");

    let cases = [
        (format!("{base}_d"), Permissions::default(), 0o644),
        (format!("{base}_u"), Permissions::UNRESTRICTED, 0o666),
        (format!("{base}_m"), Permissions::from_mode(0o660), 0o660),
    ];
    for (name, perm, want) in &cases {
        let shm = SharedMemoryObject::create(name, Mode::ReadWrite, *perm).unwrap();
        assert!(shm.created());
        assert_eq!(perm_bits(name), *want, "{name}");
    }
    let name = format!("{base}_o");
    let shm = SharedMemoryObject::open_or_create(&name, Mode::ReadWrite, Permissions::UNRESTRICTED)
        .unwrap();
    assert!(shm.created());
    assert_eq!(perm_bits(&name), 0o666);
    println!("{MARKER}umask_child");
}

#[test]
fn default_and_unrestricted_permissions_survive_a_restrictive_umask() {
    let base = unique("umask");
    let guards: Vec<Remove> = ["_d", "_u", "_m", "_o"]
        .iter()
        .map(|s| Remove(format!("{base}{s}")))
        .collect();
    let (status, out, err) = run_role("umask_child", &base, Duration::from_secs(30));
    assert!(
        status.success(),
        "child failed: {status}\nstdout:\n{out}\nstderr:\n{err}"
    );
    assert!(
        out.contains(&format!("{MARKER}umask_child")),
        "child did not run the test:\n{out}"
    );
    // The parent sees the same exact bits.
    assert_eq!(perm_bits(&guards[0].0), 0o644);
    assert_eq!(perm_bits(&guards[1].0), 0o666);
    assert_eq!(perm_bits(&guards[2].0), 0o660);
    assert_eq!(perm_bits(&guards[3].0), 0o666);
}

#[test]
fn truncate_sets_the_size_and_keeps_content() {
    let name = unique("trunc");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(10_000).unwrap();
    assert_eq!(shm.size().unwrap(), 10_000);
    assert_eq!(std::fs::metadata(dev_shm(&name)).unwrap().len(), 10_000);
    let data = pattern(10_000, 9);
    {
        let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
        // A fresh object is all zeros.
        let mut zero = vec![0xffu8; 10_000];
        r.read_at(0, &mut zero).unwrap();
        assert!(zero.iter().all(|&b| b == 0));
        r.write_at(0, &data).unwrap();
    }
    // Shrink, then grow: the kept prefix survives, the regrown tail is zero.
    shm.truncate(100).unwrap();
    assert_eq!(shm.size().unwrap(), 100);
    shm.truncate(5000).unwrap();
    assert_eq!(shm.size().unwrap(), 5000);
    let r = MappedRegion::new(&shm, Mode::ReadOnly, 0, 0).unwrap();
    assert_eq!(r.len(), 5000);
    let mut back = vec![0u8; 5000];
    r.read_at(0, &mut back).unwrap();
    assert_eq!(&back[..100], &data[..100]);
    assert!(back[100..].iter().all(|&b| b == 0));
    drop(r);
    // Same size again is fine; zero is fine.
    shm.truncate(5000).unwrap();
    assert_eq!(shm.size().unwrap(), 5000);
    shm.truncate(0).unwrap();
    assert_eq!(shm.size().unwrap(), 0);
    assert_eq!(std::fs::metadata(dev_shm(&name)).unwrap().len(), 0);
}

#[test]
fn remove_returns_true_then_false() {
    let name = unique("remove");
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(4096).unwrap();
    let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
    r.write_at(0, b"still here").unwrap();
    assert!(dev_shm(&name).exists());
    assert!(SharedMemoryObject::remove(&name));
    assert!(!dev_shm(&name).exists());
    assert!(!SharedMemoryObject::remove(&name));
    assert_eq!(
        SharedMemoryObject::open(&name, Mode::ReadOnly)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    // The open handle and the mapping keep working after removal.
    let mut back = [0u8; 10];
    r.read_at(0, &mut back).unwrap();
    assert_eq!(&back, b"still here");
    assert_eq!(shm.size().unwrap(), 4096);
    // A new object of the same name is a different, empty object.
    let _g = Remove(name.clone());
    let fresh = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    assert!(fresh.created());
    assert_eq!(fresh.size().unwrap(), 0);
    assert_eq!(shm.size().unwrap(), 4096);
    // Invalid names remove nothing.
    assert!(!SharedMemoryObject::remove("a/b"));
    assert!(!SharedMemoryObject::remove(""));
}

#[test]
fn dropping_does_not_remove() {
    let name = unique("drop");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(123).unwrap();
    drop(shm);
    assert!(dev_shm(&name).exists());
    let again = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    assert_eq!(again.size().unwrap(), 123);
}

#[test]
fn leading_slash_names_the_same_object() {
    let bare = unique("slash");
    let slashed = format!("/{bare}");
    let _g = Remove(bare.clone());
    let a = SharedMemoryObject::create(&slashed, Mode::ReadWrite, Permissions::default()).unwrap();
    assert_eq!(a.name(), slashed);
    assert!(PathBuf::from(format!("/dev/shm/{bare}")).exists());
    a.truncate(42).unwrap();
    let b = SharedMemoryObject::open(&bare, Mode::ReadOnly).unwrap();
    assert_eq!(b.name(), bare);
    assert_eq!(b.size().unwrap(), 42);
    assert_eq!(
        SharedMemoryObject::create(&bare, Mode::ReadWrite, Permissions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::AlreadyExists
    );
    assert!(SharedMemoryObject::remove(&slashed));
    assert!(!SharedMemoryObject::remove(&bare));
}

#[test]
fn longest_name_is_accepted() {
    let prefix = unique("long");
    let name = format!("{prefix}{}", "x".repeat(255 - prefix.len()));
    assert_eq!(name.len(), 255);
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    assert!(dev_shm(&name).exists());
    shm.truncate(1).unwrap();
    // With one leading slash the name is still 255 bytes long.
    let again = SharedMemoryObject::open(&format!("/{name}"), Mode::ReadOnly).unwrap();
    assert_eq!(again.size().unwrap(), 1);
    assert!(SharedMemoryObject::remove(&name));
}

#[test]
fn swap_exchanges_everything() {
    let na = unique("swapa");
    let nb = unique("swapb");
    let _ga = Remove(na.clone());
    let _gb = Remove(nb.clone());
    let mut a = SharedMemoryObject::create(&na, Mode::ReadWrite, Permissions::default()).unwrap();
    a.truncate(100).unwrap();
    {
        let w = SharedMemoryObject::create(&nb, Mode::ReadWrite, Permissions::default()).unwrap();
        w.truncate(200).unwrap();
    }
    let mut b = SharedMemoryObject::open(&nb, Mode::ReadOnly).unwrap();
    a.swap(&mut b);
    assert_eq!(a.name(), nb);
    assert_eq!(a.mode(), Mode::ReadOnly);
    assert!(!a.created());
    assert_eq!(a.size().unwrap(), 200);
    assert_eq!(b.name(), na);
    assert_eq!(b.mode(), Mode::ReadWrite);
    assert!(b.created());
    assert_eq!(b.size().unwrap(), 100);
    // The mode travelled with the descriptor: the read-only one still refuses to resize.
    assert_eq!(a.truncate(1).unwrap_err().kind(), ErrorKind::Mode);
    b.truncate(300).unwrap();
    assert_eq!(std::fs::metadata(dev_shm(&na)).unwrap().len(), 300);
    assert_eq!(std::fs::metadata(dev_shm(&nb)).unwrap().len(), 200);
}

#[test]
fn descriptor_is_the_object() {
    use std::os::fd::{AsFd, AsRawFd};
    let name = unique("fd");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    shm.truncate(3333).unwrap();
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `st` is storage for one `struct stat`; the descriptor is open while `shm` lives.
    let rc = unsafe { libc::fstat(shm.as_fd().as_raw_fd(), st.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: fstat succeeded and filled `st`.
    let st = unsafe { st.assume_init() };
    assert_eq!(st.st_size, 3333);
    assert_eq!(st.st_mode & 0o777, 0o644);
    let meta = std::fs::metadata(dev_shm(&name)).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(meta.ino(), st.st_ino);
}
