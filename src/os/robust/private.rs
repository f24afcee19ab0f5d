//! What this process knows about its own threads that no child may inherit: the shadow
//! table, where glibc's thread descriptor keeps the robust-list head, and whether a thread
//! of this process was identified at all.
//!
//! A child made by glibc's `fork` runs the atfork handler that forgets all this. A child
//! made without glibc (a raw `clone(SIGCHLD)`, as some runtimes and sandboxes make them)
//! runs no handler, keeps its parent's glibc descriptor (whose TID is the parent's) and has
//! no robust list registered with the kernel. So the state lives in a private mapping that
//! the kernel zeroes in every child, however made (`MADV_WIPEONFORK`): in the child, no
//! shadow entry proves an identity and no thread counts as identified, so the first lock
//! takes the slow path, which asks the kernel for the true TID and registers a list. Where
//! the kernel cannot wipe (before Linux 4.14), a static copy serves, and only children of
//! glibc's `fork` are told apart.

use super::shadow::{SHADOWS, Shadow};
use crate::os::mmap;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicPtr, Ordering};

/// The state itself; all zeros is its empty value (as the kernel's wipe leaves it).
pub(super) struct Private {
    /// Whether a thread of this process found its identity (`thread::identify_thread`):
    /// a thread's cached identity counts only while this is set.
    pub(super) identified: AtomicBool,
    /// Where glibc keeps a thread's robust-list head, relative to `pthread_self()`; 0 until
    /// checked (see `thread::identify_thread`).
    pub(super) head_offset: AtomicIsize,
    /// The threads' shadows, each at its home entry (see `list`).
    pub(super) table: [Shadow; SHADOWS],
}

impl Private {
    const fn new() -> Private {
        Private {
            identified: AtomicBool::new(false),
            head_offset: AtomicIsize::new(0),
            table: [const { Shadow::new() }; SHADOWS],
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

/// The copy used where the kernel cannot wipe memory on fork, and before [`install`].
static FALLBACK: Private = Private::new();
/// The copy in use: [`FALLBACK`] until [`install`] maps one the kernel wipes.
static IN_USE: AtomicPtr<Private> = AtomicPtr::new(&raw const FALLBACK as *mut Private);

/// This process's private state.
#[inline(always)]
pub(super) fn private() -> &'static Private {
    // Acquire: pairs with the Release store in `install`; a thread that sees the new copy
    // sees it as the kernel made it (zeros). A thread sees the switch before it uses the
    // table: it uses the table only with an identity, found after `install` ran (through
    // its `Once`, which orders the store before) or read from `head_offset`, which is in
    // the copy it loaded (0 in `FALLBACK`, which sends it to the slow path and the `Once`).
    let p = IN_USE.load(Ordering::Acquire);
    // SAFETY: `p` is FALLBACK or the mapping made by `install`, which is never unmapped;
    // `Private` holds only atomics, for which zeros are valid values.
    unsafe { &*p }
}

/// Once per process, before any thread is identified: moves the state to memory the
/// kernel wipes in children, and registers the atfork handler `forget_in_child`.
pub(super) fn install(forget_in_child: extern "C" fn()) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a handler that only resets this process's private state.
        unsafe { libc::pthread_atfork(None, None, Some(forget_in_child)) };
        if let Ok(p) = mmap::map_private_wiped_on_fork(std::mem::size_of::<Private>()) {
            // Release: pairs with the Acquire load in `private`.
            IN_USE.store(p.as_ptr().cast(), Ordering::Release);
        }
    });
}
