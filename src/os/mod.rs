//! The operating-system layer: the only module that calls `libc`.
//!
//! Each function is a thin, safe wrapper over one system call. Failures come back as
//! [`Errno`]; the layers above turn them into [`crate::Error`] with a message that says what
//! was being done. Nothing here knows about Boost semantics.

pub(crate) mod atomic;
pub(crate) mod clock;
pub(crate) mod file;
pub(crate) mod flock;
pub(crate) mod futex;
#[cfg(all(loom, test))]
pub(crate) mod loom_futex;
pub(crate) mod mem;
pub(crate) mod mmap;
pub(crate) mod robust;
pub(crate) mod spin;
pub(crate) mod sysv;

/// A raw `errno` value returned by a failed system call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Errno(pub i32);

impl Errno {
    /// The calling thread's current `errno`.
    pub(crate) fn last() -> Errno {
        Errno(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        )
    }

    /// `ENODEV` for an object that is not a regular file, carrying what it is: the
    /// object's `S_IFMT` bits lie above every errno value, so they are or-ed in for
    /// [`Errno::not_regular_type`] to give back. Converted into an error, the native code
    /// is plain `ENODEV` (what `mmap` says of such an object).
    pub(crate) fn not_regular(file_type: libc::mode_t) -> Errno {
        Errno(libc::ENODEV | (file_type & libc::S_IFMT) as i32)
    }

    /// The `S_IFMT` bits carried by an error made by [`Errno::not_regular`]; `None` for
    /// any other errno.
    pub(crate) fn not_regular_type(self) -> Option<libc::mode_t> {
        let file_type = (self.0 as libc::mode_t) & libc::S_IFMT;
        let errno = self.0 & !(libc::S_IFMT as i32);
        (file_type != 0 && errno == libc::ENODEV).then_some(file_type)
    }
}

pub(crate) type OsResult<T> = Result<T, Errno>;

/// Retries `f` while it fails with `EINTR`.
pub(crate) fn retry_eintr<T>(mut f: impl FnMut() -> OsResult<T>) -> OsResult<T> {
    loop {
        match f() {
            Err(Errno(libc::EINTR)) => continue,
            other => return other,
        }
    }
}

/// The largest name the OS accepts for one path component (`NAME_MAX`).
pub(crate) const NAME_MAX: usize = 255;

/// The number of CPUs online (read once). Not this process's affinity: a peer pinned to
/// another CPU can answer while this process spins.
pub(crate) fn cpu_count() -> usize {
    static CPUS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CPUS.get_or_init(|| {
        // SAFETY: sysconf has no preconditions. It reads a file in /sys, so only once.
        let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
        usize::try_from(online).unwrap_or(1).max(1)
    })
}
