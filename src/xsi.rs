//! System V shared memory: Boost's `xsi_key` and `xsi_shared_memory`.

use crate::access::{Creation, Permissions};
use crate::name::c_path;
use crate::os::{Errno, sysv};
use crate::region::{Mappable, MappingSource};
use crate::{Error, ErrorKind, Result};

/// A System V IPC key: from a path and an id (`ftok`), or private.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XsiKey(i32);

impl XsiKey {
    /// `IPC_PRIVATE`: every creation makes a new segment only reachable by its id.
    pub const PRIVATE: XsiKey = XsiKey(libc::IPC_PRIVATE);

    /// A key from an existing path and a one-byte id, as `ftok` computes it.
    pub fn from_path(path: &str, id: u8) -> Result<XsiKey> {
        let c = c_path(path)?;
        sysv::key_from_path(&c, id)
            .map(XsiKey)
            .map_err(|e| e.into_error(format_args!("making an XSI key from {path:?}")))
    }

    /// A key from its raw value.
    pub fn from_raw(key: i32) -> XsiKey {
        XsiKey(key)
    }

    /// The raw key value.
    pub fn raw(self) -> i32 {
        self.0
    }
}

/// A System V shared memory segment. Dropping it does not remove the segment: call
/// [`XsiSharedMemory::remove`] with its id.
#[derive(Debug)]
pub struct XsiSharedMemory {
    shmid: i32,
    key: XsiKey,
    created: bool,
}

impl XsiSharedMemory {
    /// Opens or creates the segment of `key`. `size` and `perm` are used only when creating;
    /// `size` must then be above 0.
    pub fn new(creation: Creation, key: XsiKey, size: usize, perm: Permissions) -> Result<Self> {
        let what = format!("System V segment with key {:#x}", key.0);
        let check_size = || {
            if size == 0 {
                Err(Error::new(
                    ErrorKind::Size,
                    format!("cannot create {what} of size 0"),
                ))
            } else {
                Ok(())
            }
        };
        let (shmid, created) = match creation {
            Creation::CreateOnly => {
                check_size()?;
                (create(key, size, perm, &what)?, true)
            }
            Creation::OpenOnly => (
                sysv::get(key.0, 0, false, 0)
                    .map_err(|e| e.into_error(format_args!("opening {what}")))?,
                false,
            ),
            Creation::OpenOrCreate => {
                check_size()?;
                loop {
                    match create(key, size, perm, &what) {
                        Ok(id) => break (id, true),
                        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(e),
                    }
                    match sysv::get(key.0, 0, false, 0) {
                        Ok(id) => break (id, false),
                        Err(Errno(libc::ENOENT)) => continue,
                        Err(e) => return Err(e.into_error(format_args!("opening {what}"))),
                    }
                }
            }
        };
        Ok(XsiSharedMemory {
            shmid,
            key,
            created,
        })
    }

    /// Opens the existing segment `shmid` (Boost's `xsi_shared_memory(open_only, shmid)`).
    pub fn open_id(shmid: i32) -> Result<Self> {
        let key = sysv::key_of(shmid)
            .map_err(|e| e.into_error(format_args!("opening System V segment {shmid}")))?;
        Ok(XsiSharedMemory {
            shmid,
            key: XsiKey(key),
            created: false,
        })
    }

    /// The segment id (`shmid`).
    pub fn shmid(&self) -> i32 {
        self.shmid
    }

    /// The key it was opened with.
    pub fn key(&self) -> XsiKey {
        self.key
    }

    /// Whether this call created the segment.
    pub fn created(&self) -> bool {
        self.created
    }

    /// The segment size in bytes.
    pub fn size(&self) -> Result<usize> {
        sysv::size(self.shmid)
            .map_err(|e| e.into_error(format_args!("reading the size of segment {}", self.shmid)))
    }

    /// Marks segment `shmid` for removal (it goes once every process has detached).
    /// Returns false if there is no such segment (any more) or no right to remove it;
    /// while attachments remain, Linux accepts the removal again and this returns true.
    pub fn remove(shmid: i32) -> bool {
        sysv::remove(shmid).is_ok()
    }
}

fn create(key: XsiKey, size: usize, perm: Permissions, what: &str) -> Result<i32> {
    let id = sysv::get(key.0, size, true, perm.mode())
        .map_err(|e| e.into_error(format_args!("creating {what}")))?;
    if let Err(e) = sysv::set_permissions(id, perm.mode()) {
        let _ = sysv::remove(id);
        return Err(e.into_error(format_args!("setting permissions of {what}")));
    }
    Ok(id)
}

impl Mappable for XsiSharedMemory {
    fn mapping_source(&self) -> MappingSource<'_> {
        MappingSource::Xsi { shmid: self.shmid }
    }
}
