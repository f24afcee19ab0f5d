//! Memory mappings: `mmap`, `munmap`, `msync`, `madvise`, prefaulting.

use super::{Errno, OsResult};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr::NonNull;
use std::sync::OnceLock;

/// The page size, read once.
pub(crate) fn page_size() -> usize {
    static PAGE: OnceLock<usize> = OnceLock::new();
    *PAGE.get_or_init(|| {
        // SAFETY: sysconf has no preconditions.
        let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if p > 0 { p as usize } else { 4096 }
    })
}

/// Protection and sharing of a mapping.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MapKind {
    pub writable: bool,
    /// `MAP_SHARED` when true, `MAP_PRIVATE` (copy on write) when false.
    pub shared: bool,
}

impl MapKind {
    fn prot(self) -> libc::c_int {
        if self.writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        }
    }
    fn flags(self) -> libc::c_int {
        if self.shared {
            libc::MAP_SHARED
        } else {
            libc::MAP_PRIVATE
        }
    }
}

/// Where to place a mapping.
fn placement(at: Option<NonNull<u8>>) -> (*mut libc::c_void, libc::c_int) {
    match at {
        // MAP_FIXED_NOREPLACE never clobbers an existing mapping (Boost's MAP_FIXED does).
        Some(p) => (p.as_ptr().cast(), libc::MAP_FIXED_NOREPLACE),
        None => (std::ptr::null_mut(), 0),
    }
}

fn finish(p: *mut libc::c_void, at: Option<NonNull<u8>>, len: usize) -> OsResult<NonNull<u8>> {
    if p == libc::MAP_FAILED {
        return Err(Errno::last());
    }
    if let Some(want) = at {
        if p.cast::<u8>() != want.as_ptr() {
            // An old kernel treated MAP_FIXED_NOREPLACE as a hint and put it elsewhere.
            // SAFETY: `p` is the mapping of `len` bytes just created, used by nobody.
            unsafe { libc::munmap(p, len) };
            return Err(Errno(libc::EEXIST));
        }
    }
    NonNull::new(p.cast::<u8>()).ok_or(Errno(libc::ENOMEM))
}

/// Maps `len` bytes of `fd` from the page-aligned `offset`.
pub(crate) fn map_fd(
    fd: BorrowedFd<'_>,
    offset: u64,
    len: usize,
    kind: MapKind,
    at: Option<NonNull<u8>>,
) -> OsResult<NonNull<u8>> {
    let off = libc::off_t::try_from(offset).map_err(|_| Errno(libc::EOVERFLOW))?;
    let (addr, extra) = placement(at);
    // SAFETY: a fresh mapping; with MAP_FIXED_NOREPLACE the kernel refuses to replace
    // anything already mapped, so no existing memory is touched.
    let p = unsafe {
        libc::mmap(
            addr,
            len,
            kind.prot(),
            kind.flags() | extra,
            fd.as_raw_fd(),
            off,
        )
    };
    finish(p, at, len)
}

/// Maps `len` bytes of anonymous memory shared with children created by `fork`.
pub(crate) fn map_anonymous_shared(len: usize, at: Option<NonNull<u8>>) -> OsResult<NonNull<u8>> {
    let (addr, extra) = placement(at);
    // SAFETY: a fresh anonymous mapping; see `map_fd` for the placement.
    let p = unsafe {
        libc::mmap(
            addr,
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS | extra,
            -1,
            0,
        )
    };
    finish(p, at, len)
}

/// Asks the kernel to zero `[addr, addr + len)` in every child of this process, however
/// the child is made (`MADV_WIPEONFORK`: Linux 4.14 and later, private anonymous memory
/// only); an error where it cannot.
///
/// # Safety
/// The range must be page-aligned, lie in private anonymous memory of this process, and
/// hold only data for which zeros are a valid value in a child.
pub(crate) unsafe fn wipe_on_fork(addr: *const u8, len: usize) -> OsResult<()> {
    // SAFETY: guaranteed by the caller; the advice changes nothing in this process.
    if unsafe { libc::madvise(addr.cast_mut().cast(), len, libc::MADV_WIPEONFORK) } == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

/// Unmaps `[addr, addr + len)`.
///
/// # Safety
/// The range must be (part of) a mapping this process owns, and nothing may use it after.
pub(crate) unsafe fn unmap(addr: *mut u8, len: usize) -> OsResult<()> {
    // SAFETY: guaranteed by the caller.
    if unsafe { libc::munmap(addr.cast(), len) } == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

/// Grows the mapping `[addr, addr + old_len)` to `new_len` bytes where it is (`mremap`
/// without `MREMAP_MAYMOVE`): `ENOMEM` when the addresses after it are taken.
///
/// # Safety
/// The range must be a whole mapping this process owns, `addr` page-aligned.
pub(crate) unsafe fn grow_in_place(addr: *mut u8, old_len: usize, new_len: usize) -> OsResult<()> {
    // SAFETY: guaranteed by the caller; without MREMAP_MAYMOVE the mapping stays where it
    // is and only takes free addresses after its end, or fails.
    let p = unsafe { libc::mremap(addr.cast(), old_len, new_len, 0) };
    if p == libc::MAP_FAILED {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// Writes modified pages of `[addr, addr + len)` back to the object; `addr` page-aligned.
///
/// # Safety
/// The range must lie inside a live mapping.
pub(crate) unsafe fn sync(addr: *mut u8, len: usize, asynchronous: bool) -> OsResult<()> {
    let flags = if asynchronous {
        libc::MS_ASYNC
    } else {
        libc::MS_SYNC
    };
    // SAFETY: guaranteed by the caller; msync does not change the memory's contents.
    if unsafe { libc::msync(addr.cast(), len, flags) } == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

/// Maps the pages of `[addr, addr + len)` into this process's page tables writable, as the
/// first write to each would, in one call instead of one fault per page; the memory's
/// contents do not change. A page that starts before `addr` is left out (its first bytes
/// may not be the caller's to map ahead). A hint: failures (a kernel before 5.14, memory
/// that cannot be populated) are ignored, and after the kernel refuses the advice once it
/// is not asked again.
///
/// # Safety
/// The range must lie inside a live writable mapping of this process.
pub(crate) unsafe fn prefault(addr: *mut u8, len: usize) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static REFUSED: AtomicBool = AtomicBool::new(false);
    let skip = addr.align_offset(page_size()).min(len);
    // Relaxed, both: a flag that only saves calls; a stale value costs one more refusal.
    if len == skip || REFUSED.load(Ordering::Relaxed) {
        return;
    }
    // SAFETY: the range, from its first page boundary, lies inside a live writable mapping
    // (this fn's contract; the kernel rounds the length up to the page, which the mapping
    // holds whole); populating page tables changes no byte of it.
    if unsafe { libc::madvise(addr.add(skip).cast(), len - skip, libc::MADV_POPULATE_WRITE) } != 0
        && Errno::last().0 == libc::EINVAL
    {
        REFUSED.store(true, Ordering::Relaxed);
    }
}

/// Which pages of `[addr, addr + len)` this process has in memory (`mincore`), one bool per
/// page; for tests of [`prefault`]. Panics if the kernel refuses.
///
/// # Safety
/// `addr` is page-aligned and the range lies inside a live mapping of this process.
#[cfg(test)]
pub(crate) unsafe fn resident(addr: *mut u8, len: usize) -> Vec<bool> {
    let mut v = vec![0u8; len.div_ceil(page_size())];
    // SAFETY: the range lies in a live mapping, page-aligned (this fn's contract); `v` has
    // a byte per page.
    assert_eq!(
        unsafe { libc::mincore(addr.cast(), len, v.as_mut_ptr()) },
        0
    );
    v.iter().map(|b| b & 1 != 0).collect()
}

/// Access-pattern advice for a mapping.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Advice {
    Normal,
    Sequential,
    Random,
    WillNeed,
    DontNeed,
}

/// `madvise(addr, len, advice)`; `addr` page-aligned.
///
/// # Safety
/// The range must lie inside a live mapping. `DontNeed` on a private mapping discards
/// its modified pages, which the caller must intend.
pub(crate) unsafe fn advise(addr: *mut u8, len: usize, advice: Advice) -> OsResult<()> {
    let a = match advice {
        Advice::Normal => libc::MADV_NORMAL,
        Advice::Sequential => libc::MADV_SEQUENTIAL,
        Advice::Random => libc::MADV_RANDOM,
        Advice::WillNeed => libc::MADV_WILLNEED,
        Advice::DontNeed => libc::MADV_DONTNEED,
    };
    // SAFETY: guaranteed by the caller.
    if unsafe { libc::madvise(addr.cast(), len, a) } == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}
