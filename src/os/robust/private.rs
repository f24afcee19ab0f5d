//! What this process knows about its own threads that no child may inherit: the shadow
//! table, where glibc's thread descriptor keeps the robust-list head, and whether a thread
//! of this process was identified at all.
//!
//! A child made by glibc's `fork` runs the atfork handler that forgets all this. A child
//! made without glibc (a raw `clone(SIGCHLD)`, as some runtimes and sandboxes make them)
//! runs no handler, keeps its parent's glibc descriptor (whose TID is the parent's) and has
//! no robust list registered with the kernel. So the state lives in pages of its own, which
//! the kernel is asked to zero in every child, however made (`MADV_WIPEONFORK`): in the
//! child, no shadow entry proves an identity and no thread counts as identified, so the
//! first lock takes the slow path, which asks the kernel for the true TID and registers a
//! list. The pages are a page-aligned static in zero-filled (anonymous) memory, so the fast
//! paths reach it at a constant address, as before. Where the kernel cannot wipe (before
//! Linux 4.14), only children of glibc's `fork` are told apart.

use super::shadow::{SHADOWS, Shadow};
use crate::os::mmap;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

/// The state itself; all zeros is its empty value (as the kernel's wipe leaves it). Pages
/// of its own: page-aligned, and a whole number of pages long (a size is a multiple of
/// the alignment).
#[repr(C, align(4096))]
pub(super) struct Private {
    /// The threads' shadows, each at its home entry (see `list`); first, so the fast paths
    /// find an entry at the static's address plus the entry's offset.
    pub(super) table: [Shadow; SHADOWS],
    /// Whether a thread of this process found its identity (`thread::identify_thread`):
    /// a thread's cached identity counts only while this is set.
    pub(super) identified: AtomicBool,
    /// Where glibc keeps a thread's robust-list head, relative to `pthread_self()`; 0 until
    /// checked (see `thread::identify_thread`).
    pub(super) head_offset: AtomicIsize,
}

impl Private {
    const fn new() -> Private {
        Private {
            table: [const { Shadow::new() }; SHADOWS],
            identified: AtomicBool::new(false),
            head_offset: AtomicIsize::new(0),
        }
    }

    /// Forgets every thread's shadow and identity: in a child of `fork`, whose one thread is
    /// running this (so Relaxed throughout: no other thread looks).
    pub(super) fn forget(&self) {
        for e in &self.table {
            e.len.store(0, Ordering::Relaxed);
            e.owner.store(0, Ordering::Relaxed);
        }
        self.identified.store(false, Ordering::Relaxed);
    }
}

/// This process's state: all zeros, so it lies in zero-filled memory, which is anonymous.
static PRIVATE: Private = Private::new();

/// This process's private state.
#[inline(always)]
pub(super) fn private() -> &'static Private {
    &PRIVATE
}

/// Once per process, before any thread is identified: asks the kernel to wipe the state in
/// children, and registers the atfork handler `forget_in_child` (for children of glibc's
/// `fork` where the kernel cannot wipe).
pub(super) fn install(forget_in_child: extern "C" fn()) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a handler that only resets this process's private state.
        unsafe { libc::pthread_atfork(None, None, Some(forget_in_child)) };
        // SAFETY: PRIVATE is page-aligned, a whole number of pages, all-zero initialised (so
        // in anonymous memory), and zeros are its empty value. A kernel that cannot wipe
        // says so, and the atfork handler above is what remains.
        let _ = unsafe {
            mmap::wipe_on_fork((&raw const PRIVATE).cast(), std::mem::size_of::<Private>())
        };
    });
}
