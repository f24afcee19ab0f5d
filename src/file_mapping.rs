//! Files to be mapped into memory: Boost's `file_mapping`.

use crate::Result;
use crate::access::Mode;
use crate::name::c_path;
use crate::os::file;
use crate::region::{Mappable, MappingSource};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// An open file that can be mapped with [`crate::MappedRegion`].
#[derive(Debug)]
pub struct FileMapping {
    fd: OwnedFd,
    path: String,
    mode: Mode,
}

impl FileMapping {
    /// Opens the existing file `path` with `mode` `ReadOnly` or `ReadWrite`.
    pub fn new(path: &str, mode: Mode) -> Result<Self> {
        let writable = mode.read_or_write(|m| {
            format!(
                "file mapping {path:?}: mode {m} is not valid here (use read_only or read_write)"
            )
        })?;
        let c = c_path(path)?;
        let fd = file::open_file(&c, writable)
            .map_err(|e| e.into_error(format_args!("opening file {path:?} for mapping")))?;
        Ok(FileMapping {
            fd,
            path: path.to_owned(),
            mode,
        })
    }

    /// The file name as given.
    pub fn name(&self) -> &str {
        &self.path
    }

    /// The access mode it was opened with.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The current size of the file in bytes.
    pub fn size(&self) -> Result<u64> {
        file::size(self.fd.as_fd())
            .map_err(|e| e.into_error(format_args!("reading the size of {:?}", self.path)))
    }

    /// Removes the file `path`. Returns false if it could not be removed.
    pub fn remove(path: &str) -> bool {
        c_path(path).is_ok_and(|c| file::unlink(&c).is_ok())
    }

    /// Exchanges two file mappings.
    pub fn swap(&mut self, other: &mut FileMapping) {
        std::mem::swap(self, other);
    }
}

impl AsFd for FileMapping {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Mappable for FileMapping {
    fn mapping_source(&self) -> MappingSource<'_> {
        MappingSource::Fd {
            fd: self.fd.as_fd(),
            mode: self.mode,
            what: &self.path,
        }
    }
}
