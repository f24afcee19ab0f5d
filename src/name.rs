//! Validation of the names of objects that live in `/dev/shm`.

use crate::os::NAME_MAX;
use crate::{Error, ErrorKind, Result};
use std::ffi::CString;

/// Checks a shared-memory name and returns the OS form (`"/name"`).
///
/// As in Boost, one leading `/` is accepted and ignored. The rest must be a single path
/// component: not empty, no `/`, no NUL, not `.` or `..`, at most `NAME_MAX` bytes, so the
/// object can only ever be `/dev/shm/<name>`.
pub(crate) fn os_name(name: &str) -> Result<CString> {
    let bare = name.strip_prefix('/').unwrap_or(name);
    let bad = |why: &str| Error::new(ErrorKind::Path, format!("invalid name {name:?}: {why}"));
    if bare.is_empty() {
        return Err(bad("the name is empty"));
    }
    if bare.contains('/') {
        return Err(bad(
            "a name may not contain '/' (objects live directly in /dev/shm)",
        ));
    }
    if bare == "." || bare == ".." {
        return Err(bad("'.' and '..' are not object names"));
    }
    if bare.len() > NAME_MAX {
        return Err(bad(&format!(
            "{} bytes is longer than the limit of {NAME_MAX}",
            bare.len()
        )));
    }
    CString::new(format!("/{bare}")).map_err(|_| bad("a name may not contain a NUL byte"))
}

/// A path as a C string, refusing interior NUL bytes.
pub(crate) fn c_path(path: &str) -> Result<CString> {
    if path.is_empty() {
        return Err(Error::new(ErrorKind::Path, "the path is empty"));
    }
    CString::new(path).map_err(|_| {
        Error::new(
            ErrorKind::Path,
            format!("path {path:?} contains a NUL byte"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_leading_slash() {
        assert_eq!(os_name("abc").unwrap().to_str().unwrap(), "/abc");
        assert_eq!(os_name("/abc").unwrap().to_str().unwrap(), "/abc");
        assert!(os_name(&"x".repeat(NAME_MAX)).is_ok());
    }

    #[test]
    fn rejects_escapes_and_limits() {
        for bad in ["", "/", "a/b", "/a/b", "..", ".", "a\0b"] {
            assert_eq!(os_name(bad).unwrap_err().kind(), ErrorKind::Path, "{bad:?}");
        }
        let long = "x".repeat(NAME_MAX + 1);
        assert_eq!(os_name(&long).unwrap_err().kind(), ErrorKind::Path);
    }
}
