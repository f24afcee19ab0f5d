//! Whole-file advisory locks (`flock`), for Boost's `file_lock`.
//!
//! `flock` locks belong to the open file description, so two handles in one process exclude
//! each other like two processes do, and the kernel drops a lock when its holder dies.

use super::{Errno, OsResult, retry_eintr};
use std::os::fd::{AsRawFd, BorrowedFd};

/// The kind of lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FlockKind {
    Exclusive,
    Shared,
}

/// Takes the lock, waiting if `wait`; `Ok(false)` if `!wait` and someone else holds it.
pub(crate) fn lock(fd: BorrowedFd<'_>, kind: FlockKind, wait: bool) -> OsResult<bool> {
    let mut op = match kind {
        FlockKind::Exclusive => libc::LOCK_EX,
        FlockKind::Shared => libc::LOCK_SH,
    };
    if !wait {
        op |= libc::LOCK_NB;
    }
    let r = retry_eintr(|| {
        // SAFETY: flock only reads the descriptor number, which is open for the call.
        if unsafe { libc::flock(fd.as_raw_fd(), op) } == 0 {
            Ok(())
        } else {
            Err(Errno::last())
        }
    });
    match r {
        Ok(()) => Ok(true),
        Err(Errno(libc::EWOULDBLOCK)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Releases the lock.
pub(crate) fn unlock(fd: BorrowedFd<'_>) -> OsResult<()> {
    // SAFETY: as in `lock`.
    if unsafe { libc::flock(fd.as_raw_fd(), libc::LOCK_UN) } == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}
