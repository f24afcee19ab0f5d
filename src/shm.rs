//! POSIX shared memory objects: Boost's `shared_memory_object`.

use crate::access::{Creation, Mode, Permissions};
use crate::name::os_name;
use crate::os::Errno;
use crate::os::file::{self, OpenFlags};
use crate::region::{Mappable, MappingSource};
use crate::{Error, ErrorKind, Result};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// A named POSIX shared memory object, living at `/dev/shm/<name>` as Boost's does.
///
/// It owns a file descriptor; dropping it closes the descriptor but does not remove the
/// object (call [`SharedMemoryObject::remove`]). Map it with [`crate::MappedRegion`].
#[derive(Debug)]
pub struct SharedMemoryObject {
    fd: OwnedFd,
    name: String,
    mode: Mode,
    created: bool,
}

impl SharedMemoryObject {
    /// Opens or creates `name` as `creation` says, with `mode` `ReadOnly` or `ReadWrite`.
    /// `perm` applies only when the object is created.
    pub fn new(creation: Creation, name: &str, mode: Mode, perm: Permissions) -> Result<Self> {
        let os = os_name(name)?;
        let writable = mode.read_or_write(|m| {
            format!(
                "shared memory object {name:?}: mode {m} is not valid here (use read_only or read_write)"
            )
        })?;
        let open = OpenFlags {
            writable,
            create_exclusive: false,
        };
        let create = OpenFlags {
            writable,
            create_exclusive: true,
        };
        let what = |verb: &str| format!("{verb} shared memory object {name:?}");
        let (fd, created) = match creation {
            Creation::CreateOnly => (
                file::shm_open(&os, create, perm.mode())
                    .map_err(|e| e.into_error(what("creating")))?,
                true,
            ),
            Creation::OpenOnly => (
                file::shm_open(&os, open, 0).map_err(|e| e.into_error(what("opening")))?,
                false,
            ),
            Creation::OpenOrCreate => open_or_create(&os, open, create, perm)
                .map_err(|e| e.into_error(what("opening or creating")))?,
        };
        if created {
            if let Err(e) = file::set_permissions(fd.as_fd(), perm.mode()) {
                // Leave nothing behind: the object was ours and is unusable as asked.
                let _ = file::shm_unlink(&os);
                return Err(e.into_error(what("setting permissions of")));
            }
        }
        Ok(SharedMemoryObject {
            fd,
            name: name.to_owned(),
            mode,
            created,
        })
    }

    /// `create_only`: creates `name`; fails with `AlreadyExists` if it exists.
    pub fn create(name: &str, mode: Mode, perm: Permissions) -> Result<Self> {
        Self::new(Creation::CreateOnly, name, mode, perm)
    }

    /// `open_only`: opens an existing `name`; fails with `NotFound` if it is missing.
    pub fn open(name: &str, mode: Mode) -> Result<Self> {
        Self::new(Creation::OpenOnly, name, mode, Permissions::DEFAULT)
    }

    /// `open_or_create`: opens `name`, creating it if it is missing.
    pub fn open_or_create(name: &str, mode: Mode, perm: Permissions) -> Result<Self> {
        Self::new(Creation::OpenOrCreate, name, mode, perm)
    }

    /// Sets the size. Growth reserves the memory at once (`posix_fallocate`), so a size the
    /// system cannot hold fails here with `OutOfSpace` rather than with `SIGBUS` on first
    /// touch; the object keeps its old size then. Needs `ReadWrite`.
    pub fn truncate(&self, size: u64) -> Result<()> {
        if self.mode != Mode::ReadWrite {
            return Err(Error::new(
                ErrorKind::Mode,
                format!(
                    "cannot truncate shared memory object {:?}: it was opened read_only",
                    self.name
                ),
            ));
        }
        let what = || {
            format!(
                "resizing shared memory object {:?} to {size} bytes",
                self.name
            )
        };
        if size > i64::MAX as u64 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{}: larger than the largest offset", what()),
            ));
        }
        let old = file::size(self.fd.as_fd()).map_err(|e| e.into_error(what()))?;
        if size > old {
            match file::reserve(self.fd.as_fd(), old, size - old) {
                Ok(()) | Err(Errno(libc::EOPNOTSUPP)) => {}
                Err(e) => {
                    // A partial reservation may have moved the size: put it back.
                    let _ = file::set_len(self.fd.as_fd(), old);
                    return Err(e.into_error(what()));
                }
            }
        }
        file::set_len(self.fd.as_fd(), size).map_err(|e| e.into_error(what()))
    }

    /// The current size in bytes.
    pub fn size(&self) -> Result<u64> {
        file::size(self.fd.as_fd())
            .map_err(|e| e.into_error(format!("reading the size of {:?}", self.name)))
    }

    /// The name as given when opening.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The access mode it was opened with.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether this call created the object (always true for `create_only`, false for
    /// `open_only`, and tells which happened for `open_or_create`).
    pub fn created(&self) -> bool {
        self.created
    }

    /// Removes `name` from the system. Processes that have it open or mapped keep using it.
    /// Returns false when there was nothing to remove or the name is invalid; never fails
    /// otherwise, as Boost's.
    pub fn remove(name: &str) -> bool {
        os_name(name).is_ok_and(|os| file::shm_unlink(&os).is_ok())
    }

    /// Exchanges two objects.
    pub fn swap(&mut self, other: &mut SharedMemoryObject) {
        std::mem::swap(self, other);
    }
}

/// Boost's loop: create exclusively; if it exists, open; if it vanished meanwhile, retry.
fn open_or_create(
    os: &std::ffi::CStr,
    open: OpenFlags,
    create: OpenFlags,
    perm: Permissions,
) -> std::result::Result<(OwnedFd, bool), Errno> {
    loop {
        match file::shm_open(os, create, perm.mode()) {
            Ok(fd) => return Ok((fd, true)),
            Err(Errno(libc::EEXIST)) => {}
            Err(e) => return Err(e),
        }
        match file::shm_open(os, open, 0) {
            Ok(fd) => return Ok((fd, false)),
            Err(Errno(libc::ENOENT)) => continue,
            Err(e) => return Err(e),
        }
    }
}

impl AsFd for SharedMemoryObject {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Mappable for SharedMemoryObject {
    fn mapping_source(&self) -> MappingSource<'_> {
        MappingSource::Fd {
            fd: self.fd.as_fd(),
            mode: self.mode,
            what: &self.name,
        }
    }
}
