//! Readers-writer locks in C (Boost's `interprocess_sharable_mutex` and
//! `interprocess_upgradable_mutex`).
//!
//! Exclusive, sharable (reader) and upgradable ownership, and the transfers between them.
//! An exclusive or upgradable owner that dies is reported to the next locker with
//! `INTERPROC_OWNER_DEAD_ERROR` (the lock is then held); a dead reader's share is reclaimed
//! when a writer waits for it (for up to 64 reading processes at once).

use super::error::interproc_status_t;
use super::sync::{deadline_arg, interproc_deadline_t, timed_lock_at};
use super::sync_obj::{destroy_obj, init_obj, lock_at, owner_died_at, try_lock_at, with_obj};
use crate::sync::InterprocessUpgradableMutex;
use crate::{Error, ErrorKind, Result};

/// A process-shared upgradable mutex (Boost's `interprocess_upgradable_mutex`): 1152 bytes,
/// 8-byte aligned, placed anywhere (typically in shared memory) and set up with
/// `interproc_upgradable_mutex_init`. Its contents are private. It is also Boost's
/// `interprocess_sharable_mutex`, used through the exclusive and sharable functions only.
#[repr(C)]
pub struct interproc_upgradable_mutex_t {
    _opaque: [u64; 144],
}

const _: () = {
    assert!(size_of::<interproc_upgradable_mutex_t>() == size_of::<InterprocessUpgradableMutex>());
    assert!(
        align_of::<interproc_upgradable_mutex_t>() == align_of::<InterprocessUpgradableMutex>()
    );
};

/// Runs `op` on the upgradable mutex at `m` inside the panic boundary (see `with_obj`).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct for the whole call.
#[inline(always)]
unsafe fn on_mutex(
    m: *mut interproc_upgradable_mutex_t,
    op: impl FnOnce(&InterprocessUpgradableMutex) -> Result<()>,
) -> interproc_status_t {
    // SAFETY: as this fn's contract.
    unsafe { with_obj(m, "m", op) }
}

/// Runs the transfer `transfer` on the upgradable mutex at `m`, which does it at once or
/// refuses: a refusal is an `INTERPROC_BUSY_ERROR` naming the call `what`.
///
/// # Safety
/// As [`on_mutex`].
#[inline(always)]
unsafe fn try_transfer(
    m: *mut interproc_upgradable_mutex_t,
    what: &str,
    transfer: impl FnOnce(&InterprocessUpgradableMutex) -> Result<bool>,
) -> interproc_status_t {
    let done_or_busy = |m: &InterprocessUpgradableMutex| {
        if transfer(m)? {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Busy,
                format!("{what}: not possible at once"),
            ))
        }
    };
    // SAFETY: as this fn's contract.
    unsafe { on_mutex(m, done_or_busy) }
}

/// Initialises the upgradable mutex at `m`. Call it once, before any other process uses it.
///
/// # Safety
/// `m` must be NULL or point to writable memory for the struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_init(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to writable memory for the struct, unused (this fn's
    // `# Safety` contract), as `init_obj` requires; the two types have the same layout.
    unsafe { init_obj(m, "m", InterprocessUpgradableMutex::init_at) }
}

/// Destroys the upgradable mutex; no one may hold or wait for it.
///
/// # Safety
/// `m` must be NULL or point to the struct; no one may use it afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_destroy(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to the struct for the whole call, and no one uses it
    // afterwards (this fn's `# Safety` contract), as `destroy_obj` requires.
    unsafe { destroy_obj(m, InterprocessUpgradableMutex::destroy) }
}

/// Whether the current exclusive or upgradable holder got the lock from an owner that died.
/// Meaningful only to that holder; false for NULL.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_previous_owner_died(
    m: *const interproc_upgradable_mutex_t,
) -> bool {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `owner_died_at` requires.
    unsafe { owner_died_at(m, InterprocessUpgradableMutex::previous_owner_died) }
}

/// Takes exclusive ownership, waiting as long as it takes. Waits for the readers to leave.
/// Returns `INTERPROC_OK` or `INTERPROC_OWNER_DEAD_ERROR` (held; see above).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_lock(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `lock_at` requires.
    unsafe { lock_at(m, InterprocessUpgradableMutex::lock) }
}

/// Takes exclusive ownership if possible at once: `INTERPROC_OK`, `INTERPROC_BUSY_ERROR`,
/// or `INTERPROC_OWNER_DEAD_ERROR` (held).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_try_lock(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `try_lock_at` requires.
    unsafe { try_lock_at(m, InterprocessUpgradableMutex::try_lock) }
}

/// Takes exclusive ownership, waiting at most until the absolute `deadline`:
/// `INTERPROC_OK`, `INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR`, or `INTERPROC_OWNER_DEAD_ERROR`
/// (held).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_timed_lock(
    m: *mut interproc_upgradable_mutex_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call, `deadline`
    // NULL or readable (this fn's `# Safety` contract), as `timed_lock_at` requires.
    unsafe { timed_lock_at(m, deadline, InterprocessUpgradableMutex::lock_until) }
}

/// Releases exclusive ownership; `INTERPROC_LOCK_ERROR` if not held.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_unlock(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `on_mutex` requires.
    unsafe { on_mutex(m, |m| m.unlock()) }
}

/// Takes sharable (reader) ownership, waiting as long as it takes. `INTERPROC_OWNER_DEAD_ERROR` here means a writer
/// had died holding the lock and this call recovered it.
/// Returns `INTERPROC_OK` or `INTERPROC_OWNER_DEAD_ERROR` (held; see above).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_lock_sharable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `lock_at` requires.
    unsafe { lock_at(m, InterprocessUpgradableMutex::lock_sharable) }
}

/// Takes sharable (reader) ownership if possible at once: `INTERPROC_OK`, `INTERPROC_BUSY_ERROR`,
/// or `INTERPROC_OWNER_DEAD_ERROR` (held).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_try_lock_sharable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `try_lock_at` requires.
    unsafe { try_lock_at(m, InterprocessUpgradableMutex::try_lock_sharable) }
}

/// Takes sharable (reader) ownership, waiting at most until the absolute `deadline`:
/// `INTERPROC_OK`, `INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR`, or `INTERPROC_OWNER_DEAD_ERROR`
/// (held).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_timed_lock_sharable(
    m: *mut interproc_upgradable_mutex_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call, `deadline`
    // NULL or readable (this fn's `# Safety` contract), as `timed_lock_at` requires.
    unsafe {
        timed_lock_at(
            m,
            deadline,
            InterprocessUpgradableMutex::lock_sharable_until,
        )
    }
}

/// Releases sharable (reader) ownership; `INTERPROC_LOCK_ERROR` if not held.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_unlock_sharable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `on_mutex` requires.
    unsafe { on_mutex(m, |m| m.unlock_sharable()) }
}

/// Takes upgradable ownership, waiting as long as it takes. Readers may still enter; other upgraders and
/// writers may not.
/// Returns `INTERPROC_OK` or `INTERPROC_OWNER_DEAD_ERROR` (held; see above).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_lock_upgradable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `lock_at` requires.
    unsafe { lock_at(m, InterprocessUpgradableMutex::lock_upgradable) }
}

/// Takes upgradable ownership if possible at once: `INTERPROC_OK`, `INTERPROC_BUSY_ERROR`,
/// or `INTERPROC_OWNER_DEAD_ERROR` (held).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_try_lock_upgradable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `try_lock_at` requires.
    unsafe { try_lock_at(m, InterprocessUpgradableMutex::try_lock_upgradable) }
}

/// Takes upgradable ownership, waiting at most until the absolute `deadline`:
/// `INTERPROC_OK`, `INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR`, or `INTERPROC_OWNER_DEAD_ERROR`
/// (held).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_timed_lock_upgradable(
    m: *mut interproc_upgradable_mutex_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call, `deadline`
    // NULL or readable (this fn's `# Safety` contract), as `timed_lock_at` requires.
    unsafe {
        timed_lock_at(
            m,
            deadline,
            InterprocessUpgradableMutex::lock_upgradable_until,
        )
    }
}

/// Releases upgradable ownership; `INTERPROC_LOCK_ERROR` if not held.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_unlock_upgradable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `on_mutex` requires.
    unsafe { on_mutex(m, |m| m.unlock_upgradable()) }
}

/// Exclusive → upgradable (readers may enter again).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_unlock_and_lock_upgradable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `on_mutex` requires.
    unsafe { on_mutex(m, |m| m.unlock_and_lock_upgradable()) }
}

/// Exclusive → sharable.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_unlock_and_lock_sharable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `on_mutex` requires.
    unsafe { on_mutex(m, |m| m.unlock_and_lock_sharable()) }
}

/// Upgradable → sharable.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_unlock_upgradable_and_lock_sharable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `on_mutex` requires.
    unsafe { on_mutex(m, |m| m.unlock_upgradable_and_lock_sharable()) }
}

/// Upgradable → exclusive, waiting for the readers to leave.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_unlock_upgradable_and_lock(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `on_mutex` requires.
    unsafe { on_mutex(m, |m| m.unlock_upgradable_and_lock()) }
}

/// Upgradable → exclusive if there are no readers; `INTERPROC_BUSY_ERROR` (still
/// upgradable) otherwise.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_try_unlock_upgradable_and_lock(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `try_transfer` requires.
    unsafe {
        try_transfer(
            m,
            "try_unlock_upgradable_and_lock",
            InterprocessUpgradableMutex::try_unlock_upgradable_and_lock,
        )
    }
}

/// Sharable → exclusive if the caller is the only reader and no one holds the
/// writer side; `INTERPROC_BUSY_ERROR` (still sharable) otherwise.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_try_unlock_sharable_and_lock(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `try_transfer` requires.
    unsafe {
        try_transfer(
            m,
            "try_unlock_sharable_and_lock",
            InterprocessUpgradableMutex::try_unlock_sharable_and_lock,
        )
    }
}

/// Sharable → upgradable if no one holds the writer side; `INTERPROC_BUSY_ERROR`
/// (still sharable) otherwise.
///
/// # Safety
/// `m` must be NULL or point to an initialised struct.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_try_unlock_sharable_and_lock_upgradable(
    m: *mut interproc_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `try_transfer` requires.
    unsafe {
        try_transfer(
            m,
            "try_unlock_sharable_and_lock_upgradable",
            InterprocessUpgradableMutex::try_unlock_sharable_and_lock_upgradable,
        )
    }
}

/// Upgradable → exclusive, waiting at most until `deadline` for the readers:
/// `INTERPROC_OK` or `INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR` (still upgradable).
///
/// # Safety
/// `m` must be NULL or point to an initialised struct; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_upgradable_mutex_timed_unlock_upgradable_and_lock(
    m: *mut interproc_upgradable_mutex_t,
    deadline: *const interproc_deadline_t,
) -> interproc_status_t {
    // SAFETY: `m` is NULL or points to an initialised struct for the whole call (this fn's
    // `# Safety` contract), as `on_mutex` requires.
    unsafe {
        on_mutex(m, |m| {
            let d = deadline_arg(deadline)?;
            if m.unlock_upgradable_and_lock_until(d)? {
                Ok(())
            } else {
                Err(Error::new(
                    ErrorKind::TimeoutWhenLocking,
                    "the readers did not leave before the deadline",
                ))
            }
        })
    }
}
