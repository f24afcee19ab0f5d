//! The one protocol by which segments, message queues and named sync objects come into
//! being: create, size, build, publish; openers wait and validate.
//!
//! Each such object is a file (in `/dev/shm` or elsewhere) whose header holds a state word
//! that reads a kind's `READY` value once the object is complete. Whoever builds it holds an
//! exclusive `flock` on the object for as long as building lasts:
//!
//! 1. The process whose exclusive create succeeded takes the lock first (it is one system
//!    call after the create), builds, stores `READY` and lets go.
//! 2. An opener that finds the object not ready asks for the lock. If the builder holds it,
//!    the opener sleeps in the kernel until the builder lets go: a slow builder, even one
//!    stopped for minutes, is waited for, never declared dead.
//! 3. If the lock is free and the object still is not ready, its builder died half-way (the
//!    kernel drops a dead process's `flock`s, whatever PID namespace it ran in: no process
//!    is ever looked up by PID). An `open_or_create` takes the half-built object over and
//!    builds it anew under the lock, but only when the object shows that it is interproc's
//!    own: it is empty, all zeros, or its state word reads [`BUILDING`] (a builder's first
//!    store) under the kind's magic or none. Anything else was not built by interproc, or
//!    its header was damaged: it is an error, and the object stays byte for byte as it
//!    was. An `open_only` says so at once.
//!
//! Every kind keeps the same two values in its state word ([`BUILDING`], then [`READY`]),
//! stored by [`mark_building`] and [`mark_ready`] and checked after mapping by
//! [`check_published`].
//!
//! The creator takes the lock with the same rule, so if an `open_or_create` took a name
//! over in the instant between the creator's create and its lock, the creator simply opens
//! what the other built. An `open_only` that comes in that instant would see a free lock
//! and an empty object; it looks again for [`GRACE`] before it reports a dead creator (an
//! object with any bytes in it had a builder, who took the lock before sizing it).

use crate::os::file;
use crate::os::flock::{self, FlockKind};
use crate::os::spin::Naps;
use crate::{Error, ErrorKind, Result};
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long an `open_only` keeps looking at an empty object with a free build lock before
/// it says the creator died (a live creator takes the lock one system call after creating).
const GRACE: Duration = Duration::from_millis(50);
/// How long an `open_only` sleeps between two looks during the [`GRACE`].
const GRACE_NAP: Duration = Duration::from_millis(1);

/// What every kind's state word reads once its object is published ("YDAER" read as
/// bytes on a little-endian machine: unlikely in bytes that interproc did not write).
pub(crate) const READY: u32 = 0x5245_4459;
/// What a builder stores in the state word before it writes anything else ("GDLB"), by
/// which a half-built object is known to be interproc's own.
pub(crate) const BUILDING: u32 = 0x424C_4447;

/// How much of an object's beginning is read to judge whether it may be taken over: more
/// than any kind's magic and state word.
const HEAD: usize = 64;

/// Where an object's kind keeps its magic and its state word. Every kind's magic is the
/// 8 bytes at offset 0.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StateWord {
    /// The kind's magic, as the bytes at offset 0 of a published object.
    magic: [u8; 8],
    /// Byte offset of the `u32` state word in the object.
    offset: usize,
}

impl StateWord {
    /// The state word at byte `offset` of objects whose first 8 bytes are `magic`.
    pub(crate) const fn new(magic: [u8; 8], offset: usize) -> StateWord {
        assert!(offset >= 8 && offset + 4 <= HEAD && offset % 4 == 0);
        StateWord { magic, offset }
    }
}

/// The builder's first store into a new (or taken-over) object's mapping, before anything
/// else it writes.
pub(crate) fn mark_building(state: &AtomicU32) {
    // Relaxed: no opener reads past a state word that is not READY, and a process that
    // takes a half-built object over reads it only after the builder died (its build lock
    // was released by the kernel), when every store of the builder's is in the page.
    state.store(BUILDING, Ordering::Relaxed);
}

/// The builder's last store: publishes the object.
pub(crate) fn mark_ready(state: &AtomicU32) {
    // Release: publishes every store the builder made before; pairs with the Acquire load
    // in `is_published` (and `check_published`) by every opener.
    state.store(READY, Ordering::Release);
}

/// Whether the state word of a mapped object says that it is published; when it does,
/// everything its builder wrote is visible.
#[inline]
pub(crate) fn is_published(state: &AtomicU32) -> bool {
    // Acquire: pairs with the Release store in `mark_ready`.
    state.load(Ordering::Acquire) == READY
}

/// The check after mapping an object: it must be published. `what` names it in the error.
pub(crate) fn check_published(state: &AtomicU32, what: &str) -> Result<()> {
    if is_published(state) {
        return Ok(());
    }
    // Relaxed: only printed.
    let s = state.load(Ordering::Relaxed);
    Err(Error::new(
        ErrorKind::Corrupted,
        format!("{what} is not a published interproc object (state word {s:#x})"),
    ))
}

/// What the caller is to do with the object.
#[must_use]
pub(crate) enum Turn<'a> {
    /// Build it (from nothing: the caller empties it first), store the ready state, then
    /// drop the guard.
    Build(BuildLock<'a>),
    /// It is published: map and validate it.
    Open,
}

/// The exclusive build lock; released when dropped (or by the kernel if this process dies).
pub(crate) struct BuildLock<'a> {
    fd: BorrowedFd<'a>,
}

impl Drop for BuildLock<'_> {
    fn drop(&mut self) {
        let _ = flock::unlock(self.fd);
    }
}

fn is_ready(fd: BorrowedFd<'_>, state: StateWord) -> Result<bool> {
    file::read_u32_at(fd, state.offset as u64)
        .map(|v| v == Some(READY))
        .map_err(|e| e.into_error("reading an object's state"))
}

/// Whether the object at `fd`, whose builder is gone, is interproc's own half-built one of
/// the kind `state` describes: empty, all zeros, or marked [`BUILDING`] under the kind's
/// magic or none. Anything else is an error that names what was found; nothing is written.
fn check_ours(fd: BorrowedFd<'_>, state: StateWord, what: &str) -> Result<()> {
    let read_err = |e: crate::os::Errno| e.into_error(format_args!("reading {what}"));
    let len = file::size(fd).map_err(read_err)?;
    let mut head = [0u8; HEAD];
    let n = file::read_at(fd, 0, &mut head).map_err(read_err)?;
    let head = &head[..n];
    let word = head
        .get(state.offset..state.offset + 4)
        .map(|w| u32::from_ne_bytes(w.try_into().expect("4 bytes")));
    let magic_ours = head
        .get(..8)
        .is_some_and(|m| m == state.magic || m == [0; 8]);
    if len == 0 || (word == Some(BUILDING) && magic_ours) || all_zeros(fd, len).map_err(read_err)? {
        return Ok(());
    }
    let found = match word {
        Some(w) => format!("state word {w:#x}"),
        None => format!("{len} bytes"),
    };
    Err(Error::new(
        ErrorKind::Corrupted,
        format!(
            "{what} exists but is neither a published interproc object nor one that interproc \
             was building ({found}): it was made by something else or damaged, and is left as \
             it is"
        ),
    ))
}

/// Whether the `len` bytes of the object at `fd` are all zeros.
fn all_zeros(fd: BorrowedFd<'_>, len: u64) -> crate::os::OsResult<bool> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut at = 0;
    while at < len {
        let n = file::read_at(fd, at, &mut buf)?;
        if n == 0 {
            break;
        }
        if buf[..n].iter().any(|&b| b != 0) {
            return Ok(false);
        }
        at += n as u64;
    }
    Ok(true)
}

/// Decides, for the object open at `fd`, whether the caller builds it or opens it (see the
/// module documentation). `may_build`: the caller was asked to create if need be (it
/// created the object, or opens with `open_or_create`). `what` names the object in errors.
pub(crate) fn take_turn<'a>(
    fd: BorrowedFd<'a>,
    state: StateWord,
    may_build: bool,
    what: &str,
) -> Result<Turn<'a>> {
    let lock_err = |e: crate::os::Errno| e.into_error(format_args!("locking {what} to build it"));
    let mut first_free = None;
    let mut naps = Naps::every(GRACE_NAP);
    loop {
        if is_ready(fd, state)? {
            return Ok(Turn::Open);
        }
        if !flock::lock(fd, FlockKind::Exclusive, false).map_err(lock_err)? {
            // A builder is at work: sleep until it lets go (or dies), then look again.
            flock::lock(fd, FlockKind::Shared, true).map_err(lock_err)?;
            flock::unlock(fd).map_err(lock_err)?;
            continue;
        }
        let guard = BuildLock { fd };
        // The builder's last store before letting go is the ready state, so a free lock and
        // no ready state means nobody finished it.
        if is_ready(fd, state)? {
            return Ok(Turn::Open);
        }
        if may_build {
            check_ours(fd, state, what)?;
            return Ok(Turn::Build(guard));
        }
        drop(guard);
        // A creator takes the lock before it sizes the object, so only an empty object
        // may be one whose creator has not taken the lock yet.
        let empty = file::size(fd).map_err(|e| e.into_error(format_args!("sizing {what}")))? == 0;
        let since = *first_free.get_or_insert_with(Instant::now);
        if !empty || since.elapsed() >= GRACE {
            // Something that interproc never built is named as such.
            check_ours(fd, state, what)?;
            return Err(Error::new(
                ErrorKind::Corrupted,
                format!(
                    "{what} was never finished: its creator died while creating it \
                     (open_or_create builds it anew)"
                ),
            ));
        }
        naps.take();
    }
}
