//! Status codes and the per-thread last error.

use crate::{Error, ErrorKind, Result};
use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The result of a fallible call: 0 on success, otherwise Boost's `error_code_t` value.
/// The numbers are stable and never reused.
pub type interproc_status_t = u32;
/// Success.
pub const INTERPROC_OK: interproc_status_t = 0;
/// An OS error with no more specific code; see `interproc_last_error_native()`.
pub const INTERPROC_SYSTEM_ERROR: interproc_status_t = 1;
/// A library error with no more specific code (also: an internal panic was caught).
pub const INTERPROC_OTHER_ERROR: interproc_status_t = 2;
/// Permission denied.
pub const INTERPROC_SECURITY_ERROR: interproc_status_t = 3;
/// Read-only file system.
pub const INTERPROC_READ_ONLY_ERROR: interproc_status_t = 4;
/// Input/output error.
pub const INTERPROC_IO_ERROR: interproc_status_t = 5;
/// Invalid name or path.
pub const INTERPROC_PATH_ERROR: interproc_status_t = 6;
/// The object does not exist.
pub const INTERPROC_NOT_FOUND_ERROR: interproc_status_t = 7;
/// Busy; trying again may succeed.
pub const INTERPROC_BUSY_ERROR: interproc_status_t = 8;
/// The object already exists.
pub const INTERPROC_ALREADY_EXISTS_ERROR: interproc_status_t = 9;
/// Directory not empty.
pub const INTERPROC_NOT_EMPTY_ERROR: interproc_status_t = 10;
/// The path is a directory.
pub const INTERPROC_IS_DIRECTORY_ERROR: interproc_status_t = 11;
/// No space left (file system, shared-memory file system).
pub const INTERPROC_OUT_OF_SPACE_ERROR: interproc_status_t = 12;
/// Out of memory (a full segment, or the OS refused).
pub const INTERPROC_OUT_OF_MEMORY_ERROR: interproc_status_t = 13;
/// A resource limit was hit.
pub const INTERPROC_OUT_OF_RESOURCE_ERROR: interproc_status_t = 14;
/// A lock operation failed.
pub const INTERPROC_LOCK_ERROR: interproc_status_t = 15;
/// A semaphore operation failed.
pub const INTERPROC_SEM_ERROR: interproc_status_t = 16;
/// The access mode is not valid for the call.
pub const INTERPROC_MODE_ERROR: interproc_status_t = 17;
/// A size or offset is out of range.
pub const INTERPROC_SIZE_ERROR: interproc_status_t = 18;
/// A shared object does not validate.
pub const INTERPROC_CORRUPTED_ERROR: interproc_status_t = 19;
/// No such file or directory (Boost compatibility).
pub const INTERPROC_NOT_SUCH_FILE_OR_DIRECTORY: interproc_status_t = 20;
/// An argument is invalid (including a NULL pointer where one is required).
pub const INTERPROC_INVALID_ARGUMENT: interproc_status_t = 21;
/// A timed lock expired.
pub const INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR: interproc_status_t = 22;
/// A timed wait expired.
pub const INTERPROC_TIMEOUT_WHEN_WAITING_ERROR: interproc_status_t = 23;
/// The previous lock owner died; the caller now holds the lock.
pub const INTERPROC_OWNER_DEAD_ERROR: interproc_status_t = 24;

struct LastError {
    status: interproc_status_t,
    native: i32,
    message: CString,
}

thread_local! {
    static LAST: RefCell<LastError> = RefCell::new(LastError {
        status: INTERPROC_OK,
        native: 0,
        message: CString::default(),
    });
}

/// Stores `e` as this thread's last error and returns its status.
pub(crate) fn record(e: &Error) -> interproc_status_t {
    let status = e.kind().code();
    let message = CString::new(e.message().replace('\0', " ")).unwrap_or_default();
    LAST.with(|l| {
        *l.borrow_mut() = LastError {
            status,
            native: e.native_error(),
            message,
        }
    });
    status
}

/// Runs `body` inside the panic boundary and turns its result into a status.
pub(crate) fn boundary(body: impl FnOnce() -> Result<()>) -> interproc_status_t {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => INTERPROC_OK,
        Ok(Err(e)) => record(&e),
        Err(_) => record(&Error::new(
            ErrorKind::Other,
            "internal error: a panic was caught at the C boundary",
        )),
    }
}

/// Runs `body` inside the panic boundary for functions that return a plain value;
/// `fallback` is returned if it panics.
pub(crate) fn boundary_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The message of the last error on this thread, or `""` if there was none. Success does
/// not clear it. The string stays valid until the next failing call on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn interproc_last_error_message() -> *const c_char {
    boundary_value(c"".as_ptr(), || LAST.with(|l| l.borrow().message.as_ptr()))
}

/// The status of the last error on this thread (`INTERPROC_OK` if there was none).
#[unsafe(no_mangle)]
pub extern "C" fn interproc_last_error_code() -> interproc_status_t {
    boundary_value(INTERPROC_OTHER_ERROR, || LAST.with(|l| l.borrow().status))
}

/// The `errno` behind the last error on this thread, or 0 if the library produced it.
#[unsafe(no_mangle)]
pub extern "C" fn interproc_last_error_native() -> i32 {
    boundary_value(0, || LAST.with(|l| l.borrow().native))
}

/// Boost's name of a status (`"not_found_error"`); `"no_error"` for 0, `"unknown_error"`
/// for a number that is not a status. The string is static.
#[unsafe(no_mangle)]
pub extern "C" fn interproc_status_name(status: interproc_status_t) -> *const c_char {
    let name = match status {
        INTERPROC_OK => c"no_error",
        s => crate::ErrorKind::from_code(s).map_or(c"unknown_error", |k| k.boost_cname()),
    };
    name.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::ffi::CStr;

    /// Every status constant equals the Rust kind's code and carries Boost's name.
    #[test]
    fn statuses_agree_with_error_kinds() {
        let kinds = [
            (INTERPROC_SYSTEM_ERROR, ErrorKind::System),
            (INTERPROC_OTHER_ERROR, ErrorKind::Other),
            (INTERPROC_SECURITY_ERROR, ErrorKind::Security),
            (INTERPROC_READ_ONLY_ERROR, ErrorKind::ReadOnly),
            (INTERPROC_IO_ERROR, ErrorKind::Io),
            (INTERPROC_PATH_ERROR, ErrorKind::Path),
            (INTERPROC_NOT_FOUND_ERROR, ErrorKind::NotFound),
            (INTERPROC_BUSY_ERROR, ErrorKind::Busy),
            (INTERPROC_ALREADY_EXISTS_ERROR, ErrorKind::AlreadyExists),
            (INTERPROC_NOT_EMPTY_ERROR, ErrorKind::NotEmpty),
            (INTERPROC_IS_DIRECTORY_ERROR, ErrorKind::IsDirectory),
            (INTERPROC_OUT_OF_SPACE_ERROR, ErrorKind::OutOfSpace),
            (INTERPROC_OUT_OF_MEMORY_ERROR, ErrorKind::OutOfMemory),
            (INTERPROC_OUT_OF_RESOURCE_ERROR, ErrorKind::OutOfResource),
            (INTERPROC_LOCK_ERROR, ErrorKind::Lock),
            (INTERPROC_SEM_ERROR, ErrorKind::Semaphore),
            (INTERPROC_MODE_ERROR, ErrorKind::Mode),
            (INTERPROC_SIZE_ERROR, ErrorKind::Size),
            (INTERPROC_CORRUPTED_ERROR, ErrorKind::Corrupted),
            (
                INTERPROC_NOT_SUCH_FILE_OR_DIRECTORY,
                ErrorKind::NoSuchFileOrDirectory,
            ),
            (INTERPROC_INVALID_ARGUMENT, ErrorKind::InvalidArgument),
            (
                INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR,
                ErrorKind::TimeoutWhenLocking,
            ),
            (
                INTERPROC_TIMEOUT_WHEN_WAITING_ERROR,
                ErrorKind::TimeoutWhenWaiting,
            ),
            (INTERPROC_OWNER_DEAD_ERROR, ErrorKind::OwnerDead),
        ];
        for (status, kind) in kinds {
            assert_eq!(status, kind.code());
            // SAFETY: interproc_status_name returns a static NUL-terminated string.
            let name = unsafe { CStr::from_ptr(interproc_status_name(status)) };
            assert_eq!(name.to_str().unwrap(), kind.boost_name());
        }
        for (status, name) in [
            (0, "no_error"),
            (25, "unknown_error"),
            (u32::MAX, "unknown_error"),
        ] {
            // SAFETY: `interproc_status_name` returns a static NUL-terminated string for any
            // status, known or not.
            let got = unsafe { CStr::from_ptr(interproc_status_name(status)) };
            assert_eq!(got.to_str().unwrap(), name);
        }
    }
}
