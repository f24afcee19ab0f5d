//! This process's hold on a segment that grows while mapped: the object's file, which
//! says how much of the mapping is backed and reserves more (see `growth.rs`).

use crate::Result;
use crate::os::{Errno, file};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};

/// This process's hold on a segment that grows while mapped: the object, to reserve memory
/// in it and to check its size, and how much of the mapping is known to be backed.
#[derive(Debug)]
pub(crate) struct GrowthBacking {
    fd: OwnedFd,
    /// Bytes mapped at the segment's base: the segment's maximum size.
    pub(super) mapped: u64,
    /// Bytes of the object this process has seen exist (by `fstat`, or because it reserved
    /// them itself): the bound for every offset. It only rises. Relaxed suffices wherever
    /// it is read or written: it stands for a fact about the kernel's object, settled
    /// before it is stored, and publishes no memory contents (those come through the
    /// segment lock or the user's own synchronisation).
    pub(super) backed: AtomicU64,
    /// The object was opened read-write: this process may grow it.
    pub(super) writable: bool,
}

impl GrowthBacking {
    /// A hold on the object open at `fd`, mapped `mapped` bytes long, of which `backed`
    /// bytes were checked to exist.
    pub(crate) fn new(fd: OwnedFd, mapped: u64, backed: u64, writable: bool) -> Box<Self> {
        Box::new(GrowthBacking {
            fd,
            mapped,
            backed: AtomicU64::new(backed),
            writable,
        })
    }

    /// Raises the bound to `size`, the header's word, if the object really holds that
    /// many bytes and they are mapped; returns the bound. A header that claims more than
    /// the object holds leaves it where it was (the caller reports the lie).
    #[cold]
    pub(super) fn refresh(&self, size: u64) -> u64 {
        let held = file::size(self.fd.as_fd()).unwrap_or(0);
        // Relaxed, both: see `backed`.
        if size <= held && size <= self.mapped {
            self.backed.fetch_max(size, Ordering::Relaxed);
        }
        self.backed.load(Ordering::Relaxed)
    }

    /// Makes the object hold `[from, to)` for real, and whatever lies between its real
    /// length and `from` too: a `from` past the object's end (a header's size word that
    /// lies) would leave a hole that faults on first use when the file system is full. On
    /// failure the object keeps the size it had.
    ///
    /// Callers pass the heap's end as `from`, not the size word: the heap hands out what
    /// lies past its end, so that is what must be reserved, whatever a size word (or an
    /// object sized by `ftruncate` alone, which reserves nothing) says.
    pub(super) fn reserve(&self, from: u64, to: u64) -> Result<()> {
        let fd = self.fd.as_fd();
        let what = || format!("growing the segment from {from} to {to} bytes");
        let before = file::size(fd).map_err(|e| e.into_error(what()))?;
        let from = from.min(before);
        match file::reserve(fd, from, to - from) {
            Ok(()) => Ok(()),
            // The file system cannot reserve: size it, as `truncate` does there.
            Err(Errno(libc::EOPNOTSUPP)) if before < to => {
                file::set_len(fd, to).map_err(|e| e.into_error(what()))
            }
            Err(Errno(libc::EOPNOTSUPP)) => Ok(()),
            Err(e) => {
                // A partial reservation may have moved the size: put it back.
                if file::size(fd).is_ok_and(|now| now != before) {
                    let _ = file::set_len(fd, before);
                }
                Err(e.into_error(what()))
            }
        }
    }
}
