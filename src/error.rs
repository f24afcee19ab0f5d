//! The error model shared by the three languages.
//!
//! Every fallible operation returns [`Result<T>`]. An [`Error`] carries a kind that mirrors
//! Boost.Interprocess's `error_code_t` (the numeric values are identical, so the C status
//! codes and the C++ `get_error_code()` agree with Boost), the native `errno` when the
//! operating system produced the error, and a message that names what was being done.

use std::fmt;

/// What went wrong, with the numbering of Boost.Interprocess's `error_code_t`.
///
/// The discriminants are a stable promise: the C ABI returns them as `interproc_status_t`
/// and the C++ wrapper casts them to `interproc::error_code_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An operating-system error with no more specific kind; see [`Error::native_error`].
    System = 1,
    /// A library-generated error with no more specific kind.
    Other = 2,
    /// Access rights or permissions forbid the operation (`EACCES`, `EPERM`).
    Security = 3,
    /// The file system is read-only (`EROFS`).
    ReadOnly = 4,
    /// An input/output error (`EIO`).
    Io = 5,
    /// A name or path is not acceptable (too long, contains a separator, empty).
    Path = 6,
    /// The object does not exist.
    NotFound = 7,
    /// The resource is busy; trying again may succeed.
    Busy = 8,
    /// The object already exists.
    AlreadyExists = 9,
    /// A directory is not empty.
    NotEmpty = 10,
    /// A path names a directory.
    IsDirectory = 11,
    /// The file system or the shared-memory file system is full.
    OutOfSpace = 12,
    /// Memory could not be allocated (a segment is full, or the OS refused).
    OutOfMemory = 13,
    /// A resource limit was hit (too many open files, too many mappings).
    OutOfResource = 14,
    /// A lock operation failed.
    Lock = 15,
    /// A semaphore operation failed.
    Semaphore = 16,
    /// The access mode is not valid for the call (for example `truncate` on a
    /// read-only object, or `copy_on_write` for a shared memory object).
    Mode = 17,
    /// A size or offset is out of range (mapping past the end, an empty object, an
    /// absurd size, a buffer too small).
    Size = 18,
    /// An object in shared memory does not validate.
    Corrupted = 19,
    /// No such file or directory (kept for Boost compatibility; interproc reports a
    /// missing object as [`ErrorKind::NotFound`]).
    NoSuchFileOrDirectory = 20,
    /// An argument is invalid.
    InvalidArgument = 21,
    /// A timed lock expired.
    TimeoutWhenLocking = 22,
    /// A timed wait expired.
    TimeoutWhenWaiting = 23,
    /// The previous owner of a lock died while holding it; the lock is now held by the
    /// caller and the protected data may be inconsistent.
    OwnerDead = 24,
}

impl ErrorKind {
    /// The stable numeric code (Boost's `error_code_t` value, the C status value).
    pub fn code(self) -> u32 {
        self as u32
    }

    /// Every kind, in code order.
    pub const ALL: [ErrorKind; 24] = [
        ErrorKind::System,
        ErrorKind::Other,
        ErrorKind::Security,
        ErrorKind::ReadOnly,
        ErrorKind::Io,
        ErrorKind::Path,
        ErrorKind::NotFound,
        ErrorKind::Busy,
        ErrorKind::AlreadyExists,
        ErrorKind::NotEmpty,
        ErrorKind::IsDirectory,
        ErrorKind::OutOfSpace,
        ErrorKind::OutOfMemory,
        ErrorKind::OutOfResource,
        ErrorKind::Lock,
        ErrorKind::Semaphore,
        ErrorKind::Mode,
        ErrorKind::Size,
        ErrorKind::Corrupted,
        ErrorKind::NoSuchFileOrDirectory,
        ErrorKind::InvalidArgument,
        ErrorKind::TimeoutWhenLocking,
        ErrorKind::TimeoutWhenWaiting,
        ErrorKind::OwnerDead,
    ];

    /// The kind with the stable numeric `code`, if there is one.
    pub fn from_code(code: u32) -> Option<ErrorKind> {
        Self::ALL
            .get(usize::try_from(code).ok()?.checked_sub(1)?)
            .copied()
    }

    /// Boost's spelling of this kind (`"not_found_error"`, ...), for messages and the C API.
    pub fn boost_name(self) -> &'static str {
        self.boost_cname().to_str().expect("the names are ASCII")
    }

    /// [`Self::boost_name`] as a C string: the one table of names, which the C API's
    /// `interproc_status_name` hands out too.
    pub(crate) fn boost_cname(self) -> &'static std::ffi::CStr {
        match self {
            ErrorKind::System => c"system_error",
            ErrorKind::Other => c"other_error",
            ErrorKind::Security => c"security_error",
            ErrorKind::ReadOnly => c"read_only_error",
            ErrorKind::Io => c"io_error",
            ErrorKind::Path => c"path_error",
            ErrorKind::NotFound => c"not_found_error",
            ErrorKind::Busy => c"busy_error",
            ErrorKind::AlreadyExists => c"already_exists_error",
            ErrorKind::NotEmpty => c"not_empty_error",
            ErrorKind::IsDirectory => c"is_directory_error",
            ErrorKind::OutOfSpace => c"out_of_space_error",
            ErrorKind::OutOfMemory => c"out_of_memory_error",
            ErrorKind::OutOfResource => c"out_of_resource_error",
            ErrorKind::Lock => c"lock_error",
            ErrorKind::Semaphore => c"sem_error",
            ErrorKind::Mode => c"mode_error",
            ErrorKind::Size => c"size_error",
            ErrorKind::Corrupted => c"corrupted_error",
            ErrorKind::NoSuchFileOrDirectory => c"not_such_file_or_directory",
            ErrorKind::InvalidArgument => c"invalid_argument",
            ErrorKind::TimeoutWhenLocking => c"timeout_when_locking_error",
            ErrorKind::TimeoutWhenWaiting => c"timeout_when_waiting_error",
            ErrorKind::OwnerDead => c"owner_dead_error",
        }
    }

    /// The kind Boost assigns to an `errno` value (its `ec_table` on POSIX), extended with
    /// the cases Boost leaves as a bare `system_error` but that have an obvious meaning.
    pub fn from_errno(errno: i32) -> ErrorKind {
        match errno {
            libc::EACCES | libc::EPERM => ErrorKind::Security,
            libc::EROFS => ErrorKind::ReadOnly,
            libc::EIO => ErrorKind::Io,
            libc::ENAMETOOLONG => ErrorKind::Path,
            libc::ENOENT => ErrorKind::NotFound,
            libc::EAGAIN | libc::EBUSY | libc::ETXTBSY => ErrorKind::Busy,
            libc::EEXIST => ErrorKind::AlreadyExists,
            libc::ENOTEMPTY => ErrorKind::NotEmpty,
            libc::EISDIR => ErrorKind::IsDirectory,
            libc::ENOSPC | libc::EFBIG => ErrorKind::OutOfSpace,
            libc::ENOMEM => ErrorKind::OutOfMemory,
            libc::EMFILE | libc::ENFILE => ErrorKind::OutOfResource,
            libc::EINVAL => ErrorKind::InvalidArgument,
            // A lock word naming a thread that does not exist: garbage over the mutex.
            libc::ENOTRECOVERABLE => ErrorKind::Corrupted,
            _ => ErrorKind::System,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.boost_name())
    }
}

/// An interproc error: a kind, the native `errno` (0 when the library produced the error
/// itself) and a message saying what was being done.
///
/// One pointer wide, so that a `Result` of a pointer or of nothing travels in registers
/// through every call of the fast paths; the error itself is boxed, as errors are rare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Box<Details>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Details {
    kind: ErrorKind,
    native: i32,
    message: String,
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error produced by the library, with no native error code.
    #[cold]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Details {
            kind,
            native: 0,
            message: message.into(),
        }))
    }

    /// An error reported by the operating system; `context` says what was being done.
    #[cold]
    pub fn from_errno(errno: i32, context: impl fmt::Display) -> Error {
        let message = if errno == libc::ENODEV {
            // What the OS layer says of a FIFO, socket or device where a file should be
            // (and what mmap says of one): "No such device" would mislead.
            format!("{context}: not a regular file (a FIFO, socket or device is at that name)")
        } else {
            format!("{context}: {}", std::io::Error::from_raw_os_error(errno))
        };
        Error(Box::new(Details {
            kind: ErrorKind::from_errno(errno),
            native: errno,
            message,
        }))
    }

    /// The kind, comparable with Boost's `error_code_t`.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The `errno` value behind this error, or 0 when the library produced it.
    pub fn native_error(&self) -> i32 {
        self.0.native
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

/// The OS layer reports bare errnos and knows nothing above itself; the conversion into the
/// library's error lives here, on the error side of the boundary.
impl crate::os::Errno {
    /// This errno as an [`Error`] with `context` saying what was being done.
    pub(crate) fn into_error(self, context: impl fmt::Display) -> Error {
        let Some(file_type) = self.not_regular_type() else {
            return Error::from_errno(self.0, context);
        };
        let what = match file_type {
            libc::S_IFDIR => "is a directory",
            libc::S_IFIFO => "is a FIFO",
            libc::S_IFSOCK => "is a socket",
            libc::S_IFCHR => "is a character device",
            libc::S_IFBLK => "is a block device",
            libc::S_IFLNK => "is a symbolic link",
            _ => "is of an unknown file type",
        };
        // A directory is `is_directory` whichever way it was opened (open(2) itself
        // refuses one for writing with EISDIR); anything else is what mmap says of it.
        let kind = if file_type == libc::S_IFDIR {
            ErrorKind::IsDirectory
        } else {
            ErrorKind::from_errno(libc::ENODEV)
        };
        Error(Box::new(Details {
            kind,
            native: libc::ENODEV,
            message: format!("{context}: {what}, not a regular file"),
        }))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0.message, self.0.kind)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_boost_error_code_t() {
        // Boost 1.74 errors.hpp: no_error = 0, then in this order.
        assert_eq!(ErrorKind::System.code(), 1);
        assert_eq!(ErrorKind::NotFound.code(), 7);
        assert_eq!(ErrorKind::AlreadyExists.code(), 9);
        assert_eq!(ErrorKind::Mode.code(), 17);
        assert_eq!(ErrorKind::Size.code(), 18);
        assert_eq!(ErrorKind::InvalidArgument.code(), 21);
        assert_eq!(ErrorKind::OwnerDead.code(), 24);
    }

    #[test]
    fn errno_translation_follows_boost_table() {
        assert_eq!(ErrorKind::from_errno(libc::ENOENT), ErrorKind::NotFound);
        assert_eq!(
            ErrorKind::from_errno(libc::EEXIST),
            ErrorKind::AlreadyExists
        );
        assert_eq!(ErrorKind::from_errno(libc::EACCES), ErrorKind::Security);
        assert_eq!(
            ErrorKind::from_errno(libc::EINVAL),
            ErrorKind::InvalidArgument
        );
        assert_eq!(ErrorKind::from_errno(libc::ENOTSUP), ErrorKind::System);
        let e = Error::from_errno(libc::ENOENT, "opening \"x\"");
        assert_eq!(e.native_error(), libc::ENOENT);
        assert!(e.message().starts_with("opening \"x\": "));
        assert!(e.to_string().ends_with("(not_found_error)"));
    }

    #[test]
    fn codes_and_names_form_one_table() {
        let mut names = std::collections::HashSet::new();
        for (i, k) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(k.code() as usize, i + 1, "{k:?} out of code order");
            assert_eq!(ErrorKind::from_code(k.code()), Some(*k));
            assert!(names.insert(k.boost_name()), "{k:?}: a name twice");
        }
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::from_code(25), None);
        assert_eq!(ErrorKind::from_code(u32::MAX), None);
    }

    /// The C++ `error_code_t` names every kind, in code order, by its Boost name and the C
    /// constant of its code (which the generated C header takes from this table).
    #[test]
    fn cpp_error_codes_follow_the_table() {
        let hpp = include_str!("../include/interproc/errors.hpp");
        let body = &hpp[hpp.find("enum error_code_t {").expect("the enum")..];
        let body = &body[..body.find("};").expect("its end")];
        let entries: Vec<(&str, &str)> = body
            .lines()
            .filter_map(|l| l.trim().trim_end_matches(',').split_once(" = "))
            .collect();
        assert_eq!(entries[0], ("no_error", "INTERPROC_OK"));
        assert_eq!(entries.len(), ErrorKind::ALL.len() + 1);
        for (k, (name, constant)) in ErrorKind::ALL.iter().zip(&entries[1..]) {
            assert_eq!(*name, k.boost_name(), "{k:?}");
            assert_eq!(
                *constant,
                format!("INTERPROC_{}", k.boost_name().to_uppercase()),
                "{k:?}"
            );
        }
    }

    #[test]
    fn not_a_regular_file_is_worded_plainly() {
        let e = Error::from_errno(libc::ENODEV, "opening \"x\"");
        assert!(e.message().contains("not a regular file"), "{e}");
        assert_eq!(e.native_error(), libc::ENODEV);
    }

    #[test]
    fn a_non_regular_file_is_named_for_what_it_is() {
        use crate::os::Errno;
        for (file_type, words) in [
            (libc::S_IFDIR, "is a directory, not a regular file"),
            (libc::S_IFIFO, "is a FIFO, not a regular file"),
            (libc::S_IFSOCK, "is a socket, not a regular file"),
            (libc::S_IFCHR, "is a character device, not a regular file"),
            (libc::S_IFBLK, "is a block device, not a regular file"),
        ] {
            let e = Errno::not_regular(file_type).into_error("opening \"x\"");
            assert_eq!(e.message(), format!("opening \"x\": {words}"));
            assert_eq!(e.native_error(), libc::ENODEV, "{e}");
            let directory = file_type == libc::S_IFDIR;
            assert_eq!(e.kind() == ErrorKind::IsDirectory, directory, "{e}");
        }
        assert_eq!(Errno(libc::ENODEV).not_regular_type(), None);
        assert_eq!(Errno(libc::ENOENT).not_regular_type(), None);
    }
}
