//! Unlocks that failed in a [`super::SharedMutexGuard`]'s `Drop`, kept in this process until
//! the next lock of the same mutex reports them: a `Drop` cannot return an error, and a
//! silently failed unlock would leave the mutex held for good.

use crate::Error;
use crate::sync::InterprocessMutex;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether `RECORDS` holds anything: lets every lock skip the table with one load.
static ANY: AtomicBool = AtomicBool::new(false);
/// The failures not yet reported, by the address of the mutex in this process.
static RECORDS: Mutex<Vec<(usize, Error)>> = Mutex::new(Vec::new());

fn key(mutex: &InterprocessMutex) -> usize {
    std::ptr::from_ref(mutex) as usize
}

fn records() -> std::sync::MutexGuard<'static, Vec<(usize, Error)>> {
    // A panic while the table was locked leaves it consistent (a push or a remove).
    RECORDS.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records that unlocking `mutex` failed with `error`; then, in a debug build and unless
/// the thread is already unwinding, panics with it.
#[cold]
#[inline(never)]
pub(super) fn failed(mutex: &InterprocessMutex, error: Error) {
    let error = Error::new(
        error.kind(),
        format!(
            "an earlier unlock of this mutex (in a guard's drop) failed, so it may still be \
             held: {}",
            error.message()
        ),
    );
    record(mutex, error.clone());
    if cfg!(debug_assertions) && !std::thread::panicking() {
        panic!("{error}");
    }
}

/// Keeps `error` for the next lock of `mutex`.
fn record(mutex: &InterprocessMutex, error: Error) {
    let mut r = records();
    r.push((key(mutex), error));
    // Under the table's lock, so it never disagrees with the table: `take_slow` clears it
    // under the same lock. Relaxed: the table's lock orders the entries, and the flag is
    // only a hint that makes the common case one load.
    ANY.store(true, Ordering::Relaxed);
}

/// The recorded failure of `mutex`, taken out of the table (reported once).
#[inline]
pub(super) fn take(mutex: &InterprocessMutex) -> Option<Error> {
    // Relaxed: a thread sees its own records in program order; a record made by another
    // thread is reported to a lock that is ordered after it by whatever ordered the two
    // threads (a join, a channel), which makes the store visible too.
    if !ANY.load(Ordering::Relaxed) {
        return None;
    }
    take_slow(key(mutex))
}

#[cold]
fn take_slow(key: usize) -> Option<Error> {
    let mut r = records();
    let at = r.iter().position(|(k, _)| *k == key)?;
    let (_, error) = r.swap_remove(at);
    if r.is_empty() {
        ANY.store(false, Ordering::Relaxed);
    }
    Some(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    /// A recorded failure is reported once, to its own mutex only; in a release build the
    /// guard's drop does exactly this, without the panic.
    #[test]
    fn a_record_is_reported_once_to_its_mutex() {
        let m = crate::typed::SharedMutex::new(5u32);
        let other = crate::typed::SharedMutex::new(6u32);
        record(m.raw(), Error::new(ErrorKind::Lock, "not the owner"));
        assert!(other.lock().is_ok(), "another mutex is not told");
        match m.lock() {
            Err(crate::LockError::Failed(e)) => assert!(e.message().contains("not the owner")),
            Err(e) => panic!("expected the recorded failure, got {e}"),
            Ok(_) => panic!("expected the recorded failure, got the lock"),
        }
        assert_eq!(*m.lock().unwrap(), 5, "reported once");
        assert!(take(m.raw()).is_none());
    }
}
