//! Managed segments in System V shared memory (`managed_xsi_shared_memory`).

use super::{Mapped, OpenMode, SegmentManager, attach, format_new, needs_size, wait_published};
use crate::{Creation, MappedRegion, Mode, Permissions, XsiKey, XsiSharedMemory};
use crate::{Error, ErrorKind, Result};
use std::ops::Deref;

/// A managed segment in System V shared memory: Boost's `managed_xsi_shared_memory`.
#[derive(Debug)]
pub struct ManagedXsiSharedMemory {
    seg: Mapped,
    xsi: XsiSharedMemory,
}

impl ManagedXsiSharedMemory {
    /// Opens or creates the segment of `key` as `mode` says. `OpenReadOnly` attaches an
    /// existing segment read-only (`shmat` with `SHM_RDONLY`); `OpenCopyOnWrite` is not
    /// available for System V memory, which has no private mappings.
    pub fn new(mode: OpenMode, key: XsiKey, size: u64, perm: Permissions) -> Result<Self> {
        needs_size(mode, size)?;
        let creation = match mode {
            OpenMode::CreateOnly => Creation::CreateOnly,
            OpenMode::OpenOrCreate => Creation::OpenOrCreate,
            OpenMode::OpenOnly | OpenMode::OpenReadOnly => Creation::OpenOnly,
            other => {
                return Err(Error::new(
                    ErrorKind::Mode,
                    format!("{other:?} is not possible for System V memory"),
                ));
            }
        };
        let usize_size =
            usize::try_from(size).map_err(|_| Error::new(ErrorKind::Size, "size too large"))?;
        let xsi = XsiSharedMemory::new(creation, key, usize_size, perm)?;
        let what = format!("managed System V segment {}", xsi.shmid());
        let seg = if xsi.created() {
            let made = MappedRegion::new(&xsi, Mode::ReadWrite, 0, 0)
                .and_then(|region| format_new(region, size, None));
            if made.is_err() {
                XsiSharedMemory::remove(xsi.shmid());
            }
            made?
        } else {
            wait_published(&xsi, &what)?;
            attach(&xsi, &what, mode, None)?
        };
        Ok(ManagedXsiSharedMemory { seg, xsi })
    }

    /// The System V segment id.
    pub fn shmid(&self) -> i32 {
        self.xsi.shmid()
    }

    /// Whether this call created the segment.
    pub fn created(&self) -> bool {
        self.seg.created
    }
}

impl Deref for ManagedXsiSharedMemory {
    type Target = SegmentManager;
    fn deref(&self) -> &SegmentManager {
        &self.seg.manager
    }
}
