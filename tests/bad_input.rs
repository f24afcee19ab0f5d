//! Bad input gets the documented error kind and leaves every other object intact.

use interproc::{
    Creation, Error, ErrorKind, FileMapping, MappedRegion, Mode, Permissions, SharedMemoryObject,
    XsiKey, XsiSharedMemory,
};
use std::path::PathBuf;
use std::ptr::NonNull;

mod common;
use common::{FileGuard, Remove, XsiGuard, dev_shm, page};

fn unique(tag: &str) -> String {
    common::unique("ipt", tag)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

/// A witness object: filled before the bad call, checked after it.
struct Witness {
    _guard: Remove,
    shm: SharedMemoryObject,
    data: Vec<u8>,
}

impl Witness {
    fn new(test: &str, len: usize) -> Witness {
        let name = unique(test);
        let guard = Remove(name.clone());
        let shm =
            SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
        shm.truncate(len as u64).unwrap();
        let data = pattern(len, len as u8);
        MappedRegion::new(&shm, Mode::ReadWrite, 0, 0)
            .unwrap()
            .write_at(0, &data)
            .unwrap();
        Witness {
            _guard: guard,
            shm,
            data,
        }
    }

    fn name(&self) -> &str {
        self.shm.name()
    }

    /// The object still has its size and content, through the old handle and a new one.
    fn check(&self) {
        assert_eq!(self.shm.size().unwrap(), self.data.len() as u64);
        let again = SharedMemoryObject::open(self.name(), Mode::ReadOnly).unwrap();
        assert_eq!(again.size().unwrap(), self.data.len() as u64);
        let r = MappedRegion::new(&again, Mode::ReadOnly, 0, 0).unwrap();
        let mut back = vec![0u8; r.len()];
        r.read_at(0, &mut back).unwrap();
        assert_eq!(back, self.data, "content of {}", self.name());
    }
}

#[track_caller]
fn assert_kind<T: std::fmt::Debug>(result: interproc::Result<T>, kind: ErrorKind) -> Error {
    let err = result.expect_err("expected an error");
    assert_eq!(err.kind(), kind, "{err}");
    assert!(!err.message().is_empty());
    assert!(
        err.to_string()
            .ends_with(&format!("({})", kind.boost_name())),
        "{err}"
    );
    err
}

// ---------------------------------------------------------------------------------------
// Names and creation.

#[test]
fn open_only_on_a_missing_name_is_not_found() {
    let w = Witness::new("nf_w", 1000);
    let name = unique("nf");
    for mode in [Mode::ReadOnly, Mode::ReadWrite] {
        let err = assert_kind(SharedMemoryObject::open(&name, mode), ErrorKind::NotFound);
        assert_eq!(err.native_error(), libc::ENOENT);
        assert!(err.message().contains(&name), "{err}");
    }
    assert!(!dev_shm(&name).exists());
    w.check();
}

#[test]
fn create_only_on_an_existing_name_is_already_exists() {
    let w = Witness::new("ae", 3000);
    for mode in [Mode::ReadWrite, Mode::ReadOnly] {
        let err = assert_kind(
            SharedMemoryObject::create(w.name(), mode, Permissions::UNRESTRICTED),
            ErrorKind::AlreadyExists,
        );
        assert_eq!(err.native_error(), libc::EEXIST);
    }
    w.check();
    // The failed creation did not touch the permissions either.
    use std::os::unix::fs::PermissionsExt;
    let bits = std::fs::metadata(dev_shm(w.name()))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(bits & 0o777, 0o644);
}

#[test]
fn bad_names_are_path_errors() {
    let w = Witness::new("path_w", 500);
    let long = "n".repeat(256);
    let long_slash = format!("/{}", "n".repeat(256));
    let bad = [
        "a/b",
        "/a/b",
        "a/",
        "",
        "/",
        ".",
        "..",
        "/..",
        "a\0b",
        long.as_str(),
        long_slash.as_str(),
    ];
    for name in bad {
        for creation in [
            Creation::CreateOnly,
            Creation::OpenOnly,
            Creation::OpenOrCreate,
        ] {
            let err = assert_kind(
                SharedMemoryObject::new(creation, name, Mode::ReadWrite, Permissions::default()),
                ErrorKind::Path,
            );
            assert_eq!(err.native_error(), 0, "{name:?}");
        }
        assert!(!SharedMemoryObject::remove(name), "{name:?}");
    }
    assert!(!dev_shm(&long).exists());
    w.check();
}

#[test]
fn copy_on_write_and_read_private_objects_are_mode_errors() {
    let w = Witness::new("mode_w", 700);
    for mode in [Mode::CopyOnWrite, Mode::ReadPrivate] {
        let name = unique("mode");
        let _g = Remove(name.clone());
        for creation in [
            Creation::CreateOnly,
            Creation::OpenOnly,
            Creation::OpenOrCreate,
        ] {
            assert_kind(
                SharedMemoryObject::new(creation, &name, mode, Permissions::default()),
                ErrorKind::Mode,
            );
            // Nothing was created.
            assert!(!dev_shm(&name).exists(), "{mode:?} {creation:?}");
        }
        // Also for an object that exists.
        assert_kind(SharedMemoryObject::open(w.name(), mode), ErrorKind::Mode);
    }
    w.check();
}

// ---------------------------------------------------------------------------------------
// Sizes.

#[test]
fn truncate_of_a_read_only_object_is_a_mode_error() {
    let w = Witness::new("trro", 2000);
    let ro = SharedMemoryObject::open(w.name(), Mode::ReadOnly).unwrap();
    for size in [0u64, 1, 2000, 4096] {
        assert_kind(ro.truncate(size), ErrorKind::Mode);
    }
    assert_eq!(ro.size().unwrap(), 2000);
    w.check();
}

#[test]
fn absurd_sizes_fail_now_and_keep_the_old_size() {
    let w = Witness::new("absurd", 4096);
    for size in [1u64 << 60, 1u64 << 62, i64::MAX as u64] {
        let err = w.shm.truncate(size).expect_err("absurd size accepted");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::OutOfSpace | ErrorKind::InvalidArgument
            ),
            "{size}: {err}"
        );
        assert_eq!(w.shm.size().unwrap(), 4096, "after {size}");
    }
    for size in [(i64::MAX as u64) + 1, u64::MAX] {
        assert_kind(w.shm.truncate(size), ErrorKind::InvalidArgument);
        assert_eq!(w.shm.size().unwrap(), 4096, "after {size}");
    }
    w.check();
    // The object is still usable: it grows and shrinks normally.
    w.shm.truncate(8192).unwrap();
    assert_eq!(w.shm.size().unwrap(), 8192);
    w.shm.truncate(4096).unwrap();
    w.check();
}

#[test]
fn mapping_an_empty_object_is_a_size_error() {
    let w = Witness::new("empty_w", 100);
    let name = unique("empty");
    let _g = Remove(name.clone());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()).unwrap();
    for mode in [
        Mode::ReadOnly,
        Mode::ReadWrite,
        Mode::CopyOnWrite,
        Mode::ReadPrivate,
    ] {
        for size in [0usize, 1, 4096] {
            assert_kind(MappedRegion::new(&shm, mode, 0, size), ErrorKind::Size);
        }
    }
    w.check();
}

#[test]
fn ranges_beyond_the_object_are_size_errors() {
    let w = Witness::new("range", 5000);
    let cases: [(u64, usize); 10] = [
        (5000, 0),
        (5000, 1),
        (5001, 0),
        (1 << 40, 0),
        (u64::MAX, 0),
        (u64::MAX, 1),
        (0, 5001),
        (4999, 2),
        (4096, 905),
        (1, usize::MAX),
    ];
    for (offset, size) in cases {
        for mode in [Mode::ReadOnly, Mode::ReadWrite, Mode::CopyOnWrite] {
            let err = assert_kind(
                MappedRegion::new(&w.shm, mode, offset, size),
                ErrorKind::Size,
            );
            assert_eq!(err.native_error(), 0);
        }
    }
    // The limits themselves are fine.
    assert_eq!(
        MappedRegion::new(&w.shm, Mode::ReadOnly, 4999, 1)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        MappedRegion::new(&w.shm, Mode::ReadOnly, 4096, 904)
            .unwrap()
            .len(),
        904
    );
    w.check();
}

#[test]
fn read_write_mapping_of_a_read_only_object_is_a_security_error() {
    let w = Witness::new("sec", 3000);
    let ro = SharedMemoryObject::open(w.name(), Mode::ReadOnly).unwrap();
    for (offset, size) in [(0u64, 0usize), (100, 10)] {
        assert_kind(
            MappedRegion::new(&ro, Mode::ReadWrite, offset, size),
            ErrorKind::Security,
        );
    }
    // The other modes work on it.
    for mode in [Mode::ReadOnly, Mode::CopyOnWrite, Mode::ReadPrivate] {
        assert_eq!(MappedRegion::new(&ro, mode, 0, 0).unwrap().len(), 3000);
    }
    w.check();
}

// ---------------------------------------------------------------------------------------
// Region accessors.

#[test]
fn writes_to_read_only_regions_are_mode_errors() {
    let w = Witness::new("wro", 3000);
    for mode in [Mode::ReadOnly, Mode::ReadPrivate] {
        let mut r = MappedRegion::new(&w.shm, mode, 0, 0).unwrap();
        assert_kind(r.write_at(0, b"x"), ErrorKind::Mode);
        assert_kind(r.write_at(10, &[]), ErrorKind::Mode);
        // Even out of range, the mode is what is wrong first.
        assert_kind(r.write_at(5000, b"x"), ErrorKind::Mode);
        let mut first = [0u8; 1];
        r.read_at(0, &mut first).unwrap();
        assert_eq!(first[0], w.data[0]);
    }
    w.check();
}

#[test]
fn out_of_range_reads_and_writes_are_size_errors() {
    let w = Witness::new("oor", 3000);
    let mut r = MappedRegion::new(&w.shm, Mode::ReadWrite, 1000, 1000).unwrap();
    let mut buf = [0u8; 8];
    for (offset, len) in [
        (1000usize, 1usize),
        (993, 8),
        (999, 2),
        (2000, 1),
        (usize::MAX, 1),
        (usize::MAX - 3, 8),
        (1, 1000),
    ] {
        let mut big = vec![0xEEu8; len];
        assert_kind(r.read_at(offset, &mut big), ErrorKind::Size);
        assert!(big.iter().all(|&b| b == 0xEE), "read_at filled the buffer");
        assert_kind(r.write_at(offset, &big), ErrorKind::Size);
    }
    // Nothing was written partially: the region and the object are unchanged.
    r.read_at(992, &mut buf).unwrap();
    assert_eq!(buf, w.data[1992..2000]);
    // Empty accesses at the very end are fine.
    r.read_at(1000, &mut []).unwrap();
    r.write_at(1000, &[]).unwrap();
    assert_kind(r.read_at(1001, &mut []), ErrorKind::Size);
    w.check();
}

#[test]
fn out_of_range_flush_and_shrink_are_size_errors() {
    let w = Witness::new("flsh", 3 * page());
    let mut r = MappedRegion::new(&w.shm, Mode::ReadWrite, 100, 1000).unwrap();
    let addr = r.as_ptr();
    assert_kind(r.flush(1001, 0, false), ErrorKind::Size);
    assert_kind(r.flush(0, 1001, true), ErrorKind::Size);
    assert_kind(r.flush(999, 2, false), ErrorKind::Size);
    assert_kind(r.flush(usize::MAX, 1, false), ErrorKind::Size);
    assert_kind(r.flush(1, usize::MAX, false), ErrorKind::Size);
    assert_kind(r.shrink_by(1001, true), ErrorKind::Size);
    assert_kind(r.shrink_by(usize::MAX, false), ErrorKind::Size);
    // The region is unchanged.
    assert_eq!(r.len(), 1000);
    assert_eq!(r.as_ptr(), addr);
    let mut back = vec![0u8; 1000];
    r.read_at(0, &mut back).unwrap();
    assert_eq!(back, w.data[100..1100]);
    w.check();
}

#[test]
fn placement_errors_leave_the_existing_mapping_alone() {
    let w = Witness::new("place", 3 * page());
    let existing = MappedRegion::new(&w.shm, Mode::ReadOnly, 0, 0).unwrap();
    let at = NonNull::new(existing.as_ptr()).unwrap();
    // Over an existing mapping: refused, never clobbered.
    let err = assert_kind(
        MappedRegion::with_address(&w.shm, Mode::ReadWrite, 0, page(), Some(at)),
        ErrorKind::AlreadyExists,
    );
    assert_eq!(err.native_error(), libc::EEXIST);
    assert_kind(
        MappedRegion::anonymous_at(page(), Some(at)),
        ErrorKind::AlreadyExists,
    );
    // An address whose page offset differs from the mapping offset's.
    // SAFETY: address arithmetic only, inside the existing mapping; nothing is accessed.
    let off_by_one = unsafe { NonNull::new_unchecked(existing.as_ptr().add(1)) };
    assert_kind(
        MappedRegion::with_address(&w.shm, Mode::ReadOnly, 0, 0, Some(off_by_one)),
        ErrorKind::InvalidArgument,
    );
    assert_kind(
        MappedRegion::with_address(&w.shm, Mode::ReadOnly, 2, 0, Some(off_by_one)),
        ErrorKind::InvalidArgument,
    );
    assert_kind(
        MappedRegion::anonymous_at(page(), Some(off_by_one)),
        ErrorKind::InvalidArgument,
    );
    let mut back = vec![0u8; existing.len()];
    existing.read_at(0, &mut back).unwrap();
    assert_eq!(back, w.data);
    w.check();
}

#[test]
fn anonymous_of_size_zero_is_a_size_error() {
    assert_kind(MappedRegion::anonymous(0), ErrorKind::Size);
    assert_kind(MappedRegion::anonymous_at(0, None), ErrorKind::Size);
    // A huge anonymous mapping fails cleanly.
    assert_kind(MappedRegion::anonymous(usize::MAX), ErrorKind::OutOfMemory);
}

// ---------------------------------------------------------------------------------------
// Files.

#[test]
fn file_mapping_errors() {
    let w = Witness::new("file_w", 100);
    let missing = FileGuard::new("missing");
    let err = assert_kind(
        FileMapping::new(missing.path(), Mode::ReadOnly),
        ErrorKind::NotFound,
    );
    assert_eq!(err.native_error(), libc::ENOENT);
    assert!(!missing.0.exists());
    assert_kind(FileMapping::new("", Mode::ReadOnly), ErrorKind::Path);
    assert_kind(FileMapping::new("a\0b", Mode::ReadOnly), ErrorKind::Path);
    assert!(!FileMapping::remove(missing.path()));
    assert!(!FileMapping::remove(""));

    let f = FileGuard::new("fileerr");
    std::fs::write(&f.0, b"").unwrap();
    for mode in [Mode::CopyOnWrite, Mode::ReadPrivate] {
        assert_kind(FileMapping::new(f.path(), mode), ErrorKind::Mode);
    }
    // An empty file cannot be mapped.
    let fm = FileMapping::new(f.path(), Mode::ReadWrite).unwrap();
    assert_kind(
        MappedRegion::new(&fm, Mode::ReadWrite, 0, 0),
        ErrorKind::Size,
    );
    // A read-only file mapping cannot be mapped read-write.
    std::fs::write(&f.0, b"content").unwrap();
    let ro = FileMapping::new(f.path(), Mode::ReadOnly).unwrap();
    assert_kind(
        MappedRegion::new(&ro, Mode::ReadWrite, 0, 0),
        ErrorKind::Security,
    );
    assert_kind(
        MappedRegion::new(&ro, Mode::ReadOnly, 7, 0),
        ErrorKind::Size,
    );
    assert_kind(
        MappedRegion::new(&ro, Mode::ReadOnly, 0, 8),
        ErrorKind::Size,
    );
    assert_eq!(std::fs::read(&f.0).unwrap(), b"content");
    // A directory is not a mappable file.
    let dir = std::env::temp_dir();
    let err = FileMapping::new(dir.to_str().unwrap(), Mode::ReadWrite).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IsDirectory, "{err}");
    w.check();
}

// ---------------------------------------------------------------------------------------
// System V.

#[test]
fn xsi_errors() {
    let w = Witness::new("xsi_w", 100);
    let f = FileGuard::new("xsierr");
    let missing = FileGuard::new("xsimissing");
    assert_kind(XsiKey::from_path(missing.path(), 1), ErrorKind::NotFound);
    assert_kind(XsiKey::from_path("", 1), ErrorKind::Path);

    std::fs::write(&f.0, b"k").unwrap();
    let key = XsiKey::from_path(f.path(), b'e').unwrap();
    assert_kind(
        XsiSharedMemory::new(Creation::OpenOnly, key, 0, Permissions::default()),
        ErrorKind::NotFound,
    );
    for creation in [Creation::CreateOnly, Creation::OpenOrCreate] {
        assert_kind(
            XsiSharedMemory::new(creation, key, 0, Permissions::default()),
            ErrorKind::Size,
        );
    }
    // Still nothing there.
    assert_kind(
        XsiSharedMemory::new(Creation::OpenOnly, key, 0, Permissions::default()),
        ErrorKind::NotFound,
    );

    // A private key names no existing segment; opening it creates nothing.
    assert_kind(
        XsiSharedMemory::new(
            Creation::OpenOnly,
            XsiKey::PRIVATE,
            0,
            Permissions::default(),
        ),
        ErrorKind::InvalidArgument,
    );

    let seg =
        XsiSharedMemory::new(Creation::CreateOnly, key, 8192, Permissions::default()).unwrap();
    let _xg = XsiGuard(seg.shmid());
    let data = pattern(8192, 77);
    MappedRegion::new(&seg, Mode::ReadWrite, 0, 0)
        .unwrap()
        .write_at(0, &data)
        .unwrap();
    assert_kind(
        XsiSharedMemory::new(Creation::CreateOnly, key, 8192, Permissions::default()),
        ErrorKind::AlreadyExists,
    );
    for offset in [1u64, 100, 4096, 8192, u64::MAX] {
        assert_kind(
            MappedRegion::new(&seg, Mode::ReadWrite, offset, 0),
            ErrorKind::InvalidArgument,
        );
    }
    for mode in [Mode::CopyOnWrite, Mode::ReadPrivate] {
        assert_kind(MappedRegion::new(&seg, mode, 0, 0), ErrorKind::Mode);
    }
    assert_kind(
        MappedRegion::new(&seg, Mode::ReadOnly, 0, 8193),
        ErrorKind::Size,
    );
    let mut r = MappedRegion::new(&seg, Mode::ReadWrite, 0, 0).unwrap();
    assert_kind(r.shrink_by(10, true), ErrorKind::InvalidArgument);
    assert_kind(r.shrink_by(10, false), ErrorKind::InvalidArgument);
    assert_kind(r.shrink_by(8193, false), ErrorKind::Size);
    assert_eq!(r.len(), 8192);
    let mut back = vec![0u8; 8192];
    r.read_at(0, &mut back).unwrap();
    assert_eq!(back, data);
    assert_kind(r.write_at(8190, b"xyz"), ErrorKind::Size);
    assert!(XsiSharedMemory::remove(seg.shmid()));
    drop(r);
    assert!(!XsiSharedMemory::remove(seg.shmid()));
    assert!(!XsiSharedMemory::remove(-1));
    w.check();
}

// ---------------------------------------------------------------------------------------
// The error type itself.

#[test]
fn error_kinds_and_messages() {
    let name = unique("msg");
    let err = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.kind().code(), 7);
    assert_eq!(err.kind().boost_name(), "not_found_error");
    assert_eq!(err.native_error(), libc::ENOENT);
    assert_eq!(
        err.to_string(),
        format!("{} (not_found_error)", err.message())
    );
    let path = SharedMemoryObject::open("a/b", Mode::ReadOnly).unwrap_err();
    assert_eq!(path.kind().code(), 6);
    assert_eq!(path.native_error(), 0);
    let e = Error::new(ErrorKind::Size, "too big");
    assert_eq!(e.to_string(), "too big (size_error)");
    let boxed: Box<dyn std::error::Error> = Box::new(e.clone());
    assert_eq!(boxed.to_string(), e.to_string());
}

#[test]
fn a_symbolic_link_in_dev_shm_is_not_followed() {
    let target = FileGuard::new("symtarget");
    std::fs::write(&target.0, b"secret").unwrap();
    let name = unique("symlink");
    let link = dev_shm(&name);
    std::os::unix::fs::symlink(&target.0, &link).unwrap();
    struct LinkGuard(PathBuf);
    impl Drop for LinkGuard {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let _lg = LinkGuard(link.clone());
    for mode in [Mode::ReadOnly, Mode::ReadWrite] {
        let err = SharedMemoryObject::open(&name, mode).unwrap_err();
        assert_eq!(err.native_error(), libc::ELOOP, "{err}");
        assert_eq!(err.kind(), ErrorKind::System, "{err}");
        let err =
            SharedMemoryObject::open_or_create(&name, mode, Permissions::default()).unwrap_err();
        assert_eq!(err.native_error(), libc::ELOOP, "{err}");
    }
    assert_kind(
        SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default()),
        ErrorKind::AlreadyExists,
    );
    assert_eq!(std::fs::read(&target.0).unwrap(), b"secret");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
