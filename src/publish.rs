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
//!    is ever looked up by PID). An `open_or_create` takes the half-built object over: it
//!    empties it and builds it anew under the lock. An `open_only` says so at once.
//!
//! The creator takes the lock with the same rule, so if an `open_or_create` took a name
//! over in the instant between the creator's create and its lock, the creator simply opens
//! what the other built. An `open_only` that comes in that instant would see a free lock
//! and an empty object; it looks again for [`GRACE`] before it reports a dead creator (an
//! object with any bytes in it had a builder, who took the lock before sizing it).

use crate::os::file;
use crate::os::flock::{self, FlockKind};
use crate::{Error, ErrorKind, Result};
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

/// How long an `open_only` keeps looking at an empty object with a free build lock before
/// it says the creator died (a live creator takes the lock one system call after creating).
const GRACE: Duration = Duration::from_millis(50);

/// Where an object's state word is and what it reads once the object is complete.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StateWord {
    /// Byte offset of the `u32` state word in the object.
    pub offset: u64,
    /// Its value once the object is published.
    pub ready: u32,
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
    file::read_u32_at(fd, state.offset)
        .map(|v| v == Some(state.ready))
        .map_err(|e| e.into_error("reading an object's state"))
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
            return Ok(Turn::Build(guard));
        }
        drop(guard);
        // A creator takes the lock before it sizes the object, so only an empty object
        // may be one whose creator has not taken the lock yet.
        let empty = file::size(fd).map_err(|e| e.into_error(format_args!("sizing {what}")))? == 0;
        let since = *first_free.get_or_insert_with(Instant::now);
        if !empty || since.elapsed() >= GRACE {
            return Err(Error::new(
                ErrorKind::Corrupted,
                format!(
                    "{what} was never finished: its creator died while creating it \
                     (open_or_create builds it anew)"
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
