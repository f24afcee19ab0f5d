//! `file_lock`: an advisory whole-file lock, exclusive or sharable, between processes.

use super::Deadline;
use crate::name::c_path;
use crate::os::file;
use crate::os::flock::{self, FlockKind};
use crate::os::spin::Naps;
use crate::{Error, ErrorKind, Result};
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

/// Boost's `file_lock`: an advisory lock on an existing file (`flock`).
///
/// The lock belongs to this handle: two handles exclude each other even in one process. The
/// kernel releases it when the holder dies, so a crashed owner never blocks anyone (and,
/// unlike a mutex, there is no "owner died" report: the file's contents are the caller's
/// concern). Timed locks poll with a short back-off, as the OS has no timed `flock`.
#[derive(Debug)]
pub struct FileLock {
    fd: OwnedFd,
    path: String,
}

impl FileLock {
    /// Opens the existing file `path` for locking; `NotFound` if it is missing.
    pub fn new(path: &str) -> Result<FileLock> {
        let c = c_path(path)?;
        let fd = file::open_file(&c, false)
            .map_err(|e| e.into_error(format!("opening {path:?} for a file lock")))?;
        Ok(FileLock {
            fd,
            path: path.to_owned(),
        })
    }

    /// The path given when opening.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn take(&self, kind: FlockKind, wait: bool) -> Result<bool> {
        flock::lock(self.fd.as_fd(), kind, wait)
            .map_err(|e| e.into_error(format!("locking file {:?}", self.path)))
    }

    fn take_until(&self, kind: FlockKind, deadline: Deadline) -> Result<bool> {
        let mut naps = Naps::sleeping(Duration::from_micros(100), Duration::from_millis(10));
        loop {
            if self.take(kind, false)? {
                return Ok(true);
            }
            if deadline.has_passed() {
                return Ok(false);
            }
            naps.take();
        }
    }

    /// Exclusive lock, waiting as long as it takes.
    pub fn lock(&self) -> Result<()> {
        self.take(FlockKind::Exclusive, true).map(|_| ())
    }

    /// Exclusive lock if possible at once.
    pub fn try_lock(&self) -> Result<bool> {
        self.take(FlockKind::Exclusive, false)
    }

    /// Exclusive lock, waiting at most until `deadline`.
    pub fn lock_until(&self, deadline: Deadline) -> Result<bool> {
        self.take_until(FlockKind::Exclusive, deadline)
    }

    /// Sharable lock, waiting as long as it takes.
    pub fn lock_sharable(&self) -> Result<()> {
        self.take(FlockKind::Shared, true).map(|_| ())
    }

    /// Sharable lock if possible at once.
    pub fn try_lock_sharable(&self) -> Result<bool> {
        self.take(FlockKind::Shared, false)
    }

    /// Sharable lock, waiting at most until `deadline`.
    pub fn lock_sharable_until(&self, deadline: Deadline) -> Result<bool> {
        self.take_until(FlockKind::Shared, deadline)
    }

    /// Releases the lock (exclusive or sharable). Releasing an unlocked file does nothing.
    pub fn unlock(&self) -> Result<()> {
        flock::unlock(self.fd.as_fd()).map_err(|e| {
            let e = e.into_error(format!("unlocking file {:?}", self.path));
            Error::new(ErrorKind::Lock, e.message().to_owned())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_exclude_each_other_and_readers_share() {
        let path = std::env::temp_dir().join(format!("ipsync_flock_{}", std::process::id()));
        std::fs::write(&path, b"x").unwrap();
        let p = path.to_str().unwrap();
        let a = FileLock::new(p).unwrap();
        let b = FileLock::new(p).unwrap();
        a.lock().unwrap();
        assert!(!b.try_lock().unwrap());
        assert!(
            !b.lock_until(Deadline::after(Duration::from_millis(20)))
                .unwrap()
        );
        a.unlock().unwrap();
        assert!(a.try_lock_sharable().unwrap());
        assert!(b.try_lock_sharable().unwrap());
        a.unlock().unwrap();
        b.unlock().unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(FileLock::new(p).unwrap_err().kind(), ErrorKind::NotFound);
    }
}
