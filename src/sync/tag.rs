//! The magic word by which a sync primitive placed in shared memory knows it was
//! initialised and not yet destroyed: a tag against misuse (a primitive used before
//! `init_at`, after `destroy`, or overwritten), not a publication.

use crate::{Error, ErrorKind, Result};
use std::sync::atomic::{AtomicU32, Ordering};

/// Tags a primitive whose other fields `init_at` has just written as the kind `magic`.
pub(super) fn mark(tag: &AtomicU32, magic: u32) {
    // Relaxed: the tag is no publication. The primitive reaches other threads and processes
    // through the memory that holds it (a named object's ready state, a segment's construct
    // under its lock), whose own Release and Acquire order these stores.
    tag.store(magic, Ordering::Relaxed);
}

/// Fails with `InvalidArgument` unless the primitive `what` is tagged as the kind `magic`.
#[inline]
pub(super) fn check(tag: &AtomicU32, magic: u32, what: &str) -> Result<()> {
    // Relaxed: a tag check (see `mark`).
    if tag.load(Ordering::Relaxed) == magic {
        Ok(())
    } else {
        Err(not_tagged(what))
    }
}

#[cold]
fn not_tagged(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("{what}: not initialised, destroyed, or overwritten"),
    )
}

/// Checks the tag as [`check`] does, then clears it: later use of the primitive fails.
pub(super) fn retire(tag: &AtomicU32, magic: u32, what: &str) -> Result<()> {
    check(tag, magic, what)?;
    // Relaxed: a tag (see `mark`); destroying needs everyone to have stopped using it.
    tag.store(0, Ordering::Relaxed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_checks_while_marked_and_fails_once_retired() {
        let tag = AtomicU32::new(0);
        let err = check(&tag, 7, "thing").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            err.message(),
            "thing: not initialised, destroyed, or overwritten"
        );
        mark(&tag, 7);
        assert!(check(&tag, 7, "thing").is_ok());
        assert!(check(&tag, 8, "thing").is_err());
        retire(&tag, 7, "thing").unwrap();
        assert!(check(&tag, 7, "thing").is_err());
        assert!(retire(&tag, 7, "thing").is_err());
    }
}
