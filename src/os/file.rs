//! File descriptors: POSIX shared memory objects and ordinary files.

use super::{Errno, OsResult, retry_eintr};
use std::ffi::{CStr, CString};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// How to open: the access wanted and whether to create.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpenFlags {
    pub writable: bool,
    /// Create the object; fail with `EEXIST` if it exists.
    pub create_exclusive: bool,
}

impl OpenFlags {
    fn bits(self) -> libc::c_int {
        // O_NONBLOCK: a FIFO planted at the name must not hang the open (see `regular`).
        let mut bits = libc::O_CLOEXEC | libc::O_NOFOLLOW | libc::O_NONBLOCK;
        bits |= if self.writable {
            libc::O_RDWR
        } else {
            libc::O_RDONLY
        };
        if self.create_exclusive {
            bits |= libc::O_CREAT | libc::O_EXCL;
        }
        bits
    }
}

fn owned(fd: libc::c_int) -> OsResult<OwnedFd> {
    if fd < 0 {
        Err(Errno::last())
    } else {
        // SAFETY: `fd` was just returned by a successful open call and is owned by nobody else.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }
}

fn check(ret: libc::c_int) -> OsResult<()> {
    if ret == 0 { Ok(()) } else { Err(Errno::last()) }
}

/// `fd` if it is a regular file. Anyone who may write the directory can plant a FIFO,
/// socket or device at a name, and a path may name a directory: such an object is refused
/// with `ENODEV` (what `mmap` says of it) carrying its type ([`Errno::not_regular`]), so
/// that the message names what is there. Opens pass `O_NONBLOCK`, so the open itself never
/// waits for a FIFO's other end.
fn regular(fd: OwnedFd) -> OsResult<OwnedFd> {
    match file_type(fd.as_fd())? {
        libc::S_IFREG => Ok(fd),
        other => Err(Errno::not_regular(other)),
    }
}

/// The `S_IFMT` bits of the object behind `fd`.
fn file_type(fd: BorrowedFd<'_>) -> OsResult<libc::mode_t> {
    Ok(stat(fd)?.st_mode & libc::S_IFMT)
}

/// `open(2)` refuses a socket with `ENXIO` before [`regular`] can see it; that errno
/// becomes the socket's "not a regular file" when `path` is a socket (any other `ENXIO`, a
/// device with no driver behind it, stays as it was).
fn named_open_error(path: &CStr, errno: Errno) -> Errno {
    if errno != Errno(libc::ENXIO) {
        return errno;
    }
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `path` is NUL-terminated; `st` is writable storage for one `struct stat`.
    if unsafe { libc::stat(path.as_ptr(), st.as_mut_ptr()) } != 0 {
        return errno;
    }
    // SAFETY: stat succeeded, so it filled `st`.
    let file_type = unsafe { st.assume_init() }.st_mode & libc::S_IFMT;
    if file_type == libc::S_IFSOCK {
        Errno::not_regular(file_type)
    } else {
        errno
    }
}

fn stat(fd: BorrowedFd<'_>) -> OsResult<libc::stat> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `st` is writable storage for one `struct stat`; `fd` is open.
    check(unsafe { libc::fstat(fd.as_raw_fd(), st.as_mut_ptr()) })?;
    // SAFETY: fstat succeeded, so it filled `st`.
    Ok(unsafe { st.assume_init() })
}

/// `shm_open(name)` of a regular object; `name` must start with `/` (glibc places it in
/// `/dev/shm`).
pub(crate) fn shm_open(name: &CStr, flags: OpenFlags, perm: u32) -> OsResult<OwnedFd> {
    let fd = retry_eintr(|| {
        // SAFETY: `name` is a valid NUL-terminated string for the duration of the call.
        owned(unsafe { libc::shm_open(name.as_ptr(), flags.bits(), perm as libc::mode_t) })
    })
    .map_err(|e| {
        let mut path = b"/dev/shm".to_vec();
        path.extend_from_slice(name.to_bytes());
        CString::new(path).map_or(e, |p| named_open_error(&p, e))
    })?;
    regular(fd)
}

/// `shm_unlink(name)`.
pub(crate) fn shm_unlink(name: &CStr) -> OsResult<()> {
    // SAFETY: `name` is a valid NUL-terminated string.
    check(unsafe { libc::shm_unlink(name.as_ptr()) })
}

/// `open(path)` for an existing regular file, following symbolic links as Boost does for
/// files (see [`regular`] for anything else).
pub(crate) fn open_file(path: &CStr, writable: bool) -> OsResult<OwnedFd> {
    let mode = if writable {
        libc::O_RDWR
    } else {
        libc::O_RDONLY
    };
    let fd = retry_eintr(|| {
        // SAFETY: `path` is a valid NUL-terminated string for the duration of the call.
        owned(unsafe { libc::open(path.as_ptr(), mode | libc::O_CLOEXEC | libc::O_NONBLOCK) })
    })
    .map_err(|e| named_open_error(path, e))?;
    regular(fd)
}

/// `unlink(path)`.
pub(crate) fn unlink(path: &CStr) -> OsResult<()> {
    // SAFETY: `path` is a valid NUL-terminated string.
    check(unsafe { libc::unlink(path.as_ptr()) })
}

/// The size in bytes of the object behind `fd`, from `fstat`.
pub(crate) fn size(fd: BorrowedFd<'_>) -> OsResult<u64> {
    Ok(stat(fd)?.st_size as u64)
}

/// `fchmod(fd, perm)`: sets the permission bits exactly, whatever the umask.
pub(crate) fn set_permissions(fd: BorrowedFd<'_>, perm: u32) -> OsResult<()> {
    // SAFETY: plain system call on an open descriptor.
    check(unsafe { libc::fchmod(fd.as_raw_fd(), perm as libc::mode_t) })
}

/// `ftruncate(fd, len)`.
pub(crate) fn set_len(fd: BorrowedFd<'_>, len: u64) -> OsResult<()> {
    let len = libc::off_t::try_from(len).map_err(|_| Errno(libc::EFBIG))?;
    retry_eintr(|| {
        // SAFETY: plain system call on an open descriptor.
        check(unsafe { libc::ftruncate(fd.as_raw_fd(), len) })
    })
}

/// `posix_fallocate(fd, offset, len)`: reserves the backing store so that later access
/// cannot fault with `SIGBUS` for want of space. `EOPNOTSUPP` means the file system cannot
/// reserve, which callers treat as "nothing reserved".
pub(crate) fn reserve(fd: BorrowedFd<'_>, offset: u64, len: u64) -> OsResult<()> {
    let offset = libc::off_t::try_from(offset).map_err(|_| Errno(libc::EFBIG))?;
    let len = libc::off_t::try_from(len).map_err(|_| Errno(libc::EFBIG))?;
    retry_eintr(|| {
        // SAFETY: plain call on an open descriptor; posix_fallocate returns the error number.
        match unsafe { libc::posix_fallocate(fd.as_raw_fd(), offset, len) } {
            0 => Ok(()),
            e => Err(Errno(e)),
        }
    })
}

/// Creates the file `path` exclusively (`O_CREAT | O_EXCL`), read-write, with `perm`.
pub(crate) fn create_file(path: &CStr, perm: u32) -> OsResult<OwnedFd> {
    retry_eintr(|| {
        // SAFETY: `path` is a valid NUL-terminated string for the duration of the call.
        owned(unsafe {
            libc::open(
                path.as_ptr(),
                libc::O_RDWR | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
                perm as libc::c_uint,
            )
        })
    })
}

/// Reads into `buf` from `offset` of the object behind `fd` (`pread`, retried until `buf`
/// is full or the object ends); returns how many bytes were read.
pub(crate) fn read_at(fd: BorrowedFd<'_>, offset: u64, buf: &mut [u8]) -> OsResult<usize> {
    let mut done = 0;
    while done < buf.len() {
        let at = libc::off_t::try_from(offset + done as u64).map_err(|_| Errno(libc::EFBIG))?;
        let rest = &mut buf[done..];
        let n = retry_eintr(|| {
            // SAFETY: `rest` is writable for `rest.len()` bytes; `fd` is open for the call.
            let n =
                unsafe { libc::pread(fd.as_raw_fd(), rest.as_mut_ptr().cast(), rest.len(), at) };
            if n < 0 {
                Err(Errno::last())
            } else {
                Ok(n as usize)
            }
        })?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// The native-endian `u32` at `offset` of the object behind `fd` (`pread`), or `None` if
/// the object ends before it.
pub(crate) fn read_u32_at(fd: BorrowedFd<'_>, offset: u64) -> OsResult<Option<u32>> {
    let mut buf = [0u8; 4];
    let n = read_at(fd, offset, &mut buf)?;
    Ok((n == 4).then(|| u32::from_ne_bytes(buf)))
}
