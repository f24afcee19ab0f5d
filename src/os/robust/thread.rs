//! Who the calling thread is, for the robust lock: its kernel thread id and the robust-list
//! head the kernel walks when it dies, read from glibc's thread descriptor where that is
//! known to be safe (two loads) and found with system calls once per thread otherwise.

use super::kernel::{FUTEX_OFFSET, OwnHead, RobustHead};
use super::private::{self, private};
use crate::os::{Errno, OsResult};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The calling thread's id and robust-list head, found once per thread. Outside this module
/// it is opaque: a caller that takes several short holds in one operation (a queue's
/// participant entry) looks it up once ([`super::identity`]) and hands it back.
#[derive(Clone, Copy)]
pub(crate) struct ThreadIdentity {
    pub(super) tid: u32,
    pub(super) head: *const RobustHead,
}

thread_local! {
    static IDENTITY: Cell<ThreadIdentity> = const { Cell::new(ThreadIdentity { tid: 0, head: std::ptr::null() }) };
}

extern "C" fn forget_identity_in_child() {
    // The child of fork runs with a new TID; its robust list was emptied by glibc.
    private().forget();
    IDENTITY.with(|m| {
        m.set(ThreadIdentity {
            tid: 0,
            head: std::ptr::null(),
        })
    });
}

#[cold]
fn identify_thread() -> OsResult<ThreadIdentity> {
    private::install(forget_identity_in_child);
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::syscall(libc::SYS_gettid) } as u32;
    let mut head: *const RobustHead = std::ptr::null();
    let mut len: libc::size_t = 0;
    // SAFETY: asks for the calling thread's list head; both out-parameters are valid.
    let r = unsafe {
        libc::syscall(
            libc::SYS_get_robust_list,
            0,
            &mut head as *mut *const RobustHead,
            &mut len as *mut libc::size_t,
        )
    };
    if r != 0 {
        return Err(Errno::last());
    }
    if head.is_null() {
        let own = Box::leak(Box::new(OwnHead {
            before: AtomicUsize::new(0),
            head: RobustHead {
                list: AtomicUsize::new(0),
                futex_offset: FUTEX_OFFSET,
                pending: AtomicUsize::new(0),
            },
        }));
        let h: *const RobustHead = &own.head;
        // Relaxed: the head is private to this thread until the system call below hands it
        // to the kernel, which the call orders.
        own.head.list.store(h as usize, Ordering::Relaxed);
        // SAFETY: registers a head that lives as long as the process (leaked on purpose,
        // 32 bytes for each thread that had no list).
        let r = unsafe {
            libc::syscall(
                libc::SYS_set_robust_list,
                h,
                std::mem::size_of::<RobustHead>(),
            )
        };
        if r != 0 {
            return Err(Errno::last());
        }
        head = h;
    } else {
        // SAFETY: the kernel returned the head registered for this thread.
        let off = unsafe { (*head).futex_offset };
        if off != FUTEX_OFFSET {
            // A C library whose robust list puts the lock word elsewhere: our nodes could not
            // share its list.
            return Err(Errno(libc::ENOTSUP));
        }
        // SAFETY: pthread_self has no preconditions.
        let me_addr = unsafe { libc::pthread_self() } as isize;
        let off = (head as isize).wrapping_sub(me_addr);
        // The fast read of the descriptor must agree with glibc's.
        let off = if thread_self() == me_addr { off } else { -1 };
        // glibc's thread descriptor (pthread_self() points to it) holds the head; check that
        // it also holds this thread's TID where `identity_from_glibc` reads it, then let every thread use it.
        if (0..4096).contains(&off) {
            // SAFETY: both addresses are inside this thread's descriptor (the head is, and
            // the TID slot precedes it within the checked distance from its start).
            let there =
                unsafe { *head.cast::<u8>().sub(TID_BEFORE_HEAD).cast::<libc::pid_t>() } as u32;
            if there == tid && off >= TID_BEFORE_HEAD as isize {
                // Relaxed: a constant of glibc's layout, not a publication; a thread that
                // still reads 0 takes the slow way, which finds the same answer.
                private().head_offset.store(off, Ordering::Relaxed);
            }
        }
    }
    let me = ThreadIdentity { tid, head };
    IDENTITY.with(|m| m.set(me));
    // Relaxed: read only by threads of this process to trust their own cached identity,
    // which each of them wrote itself.
    private().identified.store(true, Ordering::Relaxed);
    Ok(me)
}

// Where glibc keeps a thread's robust-list head, relative to `pthread_self()`, is
// `private().head_offset`, 0 until checked. glibc's thread descriptor holds the thread's
// TID 16 bytes before the head (`tid`, then `robust_prev`, then `robust_head`);
// [`identify_thread`] checks both facts on the first thread that locks before anyone
// relies on them, and every glibc thread shares the layout. Reading them costs two loads,
// where a thread-local variable in a shared library costs a call.
/// glibc's `pthread_self()`: the address of the calling thread's descriptor. On x86_64 it
/// is read straight from the thread control block, where glibc's own `pthread_self` reads
/// it (`%fs:0x10`, the TCB's `self` field).
#[inline(always)]
fn thread_self() -> isize {
    #[cfg(target_arch = "x86_64")]
    {
        let me: isize;
        // SAFETY: reads one word of the calling thread's TCB, which glibc sets up for every
        // thread before it runs; no memory is written.
        unsafe {
            std::arch::asm!("mov {}, qword ptr fs:[0x10]", out(reg) me,
                options(nostack, readonly, preserves_flags, pure))
        };
        me
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: pthread_self has no preconditions.
    unsafe {
        libc::pthread_self() as isize
    }
}

/// Where glibc for x86_64 (every release of the last years) keeps the robust-list head in
/// its thread descriptor, relative to the thread pointer: [`claimed_identity`] reads the
/// TID and the head at constant offsets from it.
#[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
const GLIBC_HEAD_OFFSET: isize = 0x2e0;

/// What the calling thread's id and head are if glibc's descriptor has the layout of
/// [`GLIBC_HEAD_OFFSET`]: two loads at constant offsets from the thread pointer, nothing
/// checked (nothing else to wait for before a compare-and-swap uses the TID). Only as good
/// as a proof that the layout is that one: the fast paths take it as proven when this
/// thread's shadow entry says so (`list::proven_entry`), which
/// [`claimed_identity_holds`] decided when the thread claimed it. On other targets, what
/// [`identity_from_glibc`] reads (before that is known, an identity no entry names).
#[inline(always)]
pub(super) fn claimed_identity() -> ThreadIdentity {
    #[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
    {
        let (tid, me): (u32, isize);
        // SAFETY: glibc's thread descriptor sits at the thread pointer of every thread (its
        // `self` field is `fs:0x10`) and is larger than these offsets on every release, so
        // both loads read the calling thread's own descriptor; nothing is written.
        unsafe {
            std::arch::asm!(
                "mov {t:e}, dword ptr fs:[{tid_at}]",
                "mov {me}, qword ptr fs:[0x10]",
                tid_at = const GLIBC_HEAD_OFFSET - TID_BEFORE_HEAD as isize,
                t = out(reg) tid,
                me = out(reg) me,
                options(nostack, readonly, preserves_flags, pure)
            )
        };
        ThreadIdentity {
            tid,
            head: me.wrapping_add(GLIBC_HEAD_OFFSET) as *const RobustHead,
        }
    }
    // Elsewhere: glibc's descriptor at the offset checked once per process, if it was.
    #[cfg(not(all(target_arch = "x86_64", target_env = "gnu")))]
    identity_from_glibc().unwrap_or(ThreadIdentity {
        tid: 0,
        head: std::ptr::null(),
    })
}

/// Whether [`claimed_identity`] gives the calling thread's true identity `me` (found by
/// [`thread_identity`]): its TID, and the head the kernel has registered for it.
pub(super) fn claimed_identity_holds(me: ThreadIdentity) -> bool {
    let c = claimed_identity();
    !c.head.is_null() && c.head == me.head && c.tid == me.tid
}

/// Where glibc keeps the TID, relative to the head.
const TID_BEFORE_HEAD: usize = 16;

/// The calling thread's id and head read from glibc's thread descriptor, once
/// [`identify_thread`] has checked where they are; `None` before (or without glibc).
#[inline(always)]
pub(super) fn identity_from_glibc() -> Option<ThreadIdentity> {
    // Relaxed: see the store in `identify_thread`.
    let off = private().head_offset.load(Ordering::Relaxed);
    if off == 0 {
        return None;
    }
    let head = thread_self().wrapping_add(off) as *const RobustHead;
    // SAFETY: checked by `identify_thread`: glibc's descriptor holds the TID at this place.
    let tid = unsafe { *head.cast::<u8>().sub(TID_BEFORE_HEAD).cast::<libc::pid_t>() } as u32;
    Some(ThreadIdentity { tid, head })
}

#[inline(always)]
pub(super) fn thread_identity() -> OsResult<ThreadIdentity> {
    if let Some(me) = identity_from_glibc() {
        return Ok(me);
    }
    let me = IDENTITY.with(|m| m.get());
    // Relaxed: see the store in `identify_thread`. In a child whose private state the
    // kernel wiped, the cached identity is the parent thread's: it does not count.
    if me.tid != 0 && private().identified.load(Ordering::Relaxed) {
        Ok(me)
    } else {
        identify_thread()
    }
}

impl ThreadIdentity {
    /// The thread's id.
    #[inline(always)]
    pub(crate) fn tid(self) -> u32 {
        self.tid
    }
}

/// [`thread_identity`] for the fast paths: glibc's descriptor inline, anything else out of line.
#[inline(always)]
pub(super) fn thread_identity_fast() -> OsResult<ThreadIdentity> {
    match identity_from_glibc() {
        Some(me) => Ok(me),
        None => thread_identity_cold(),
    }
}

/// [`thread_identity`] out of line, for the fast paths that only need it before the glibc layout is
/// known: inlined, its thread-local lookup (a call, in a shared library) is hoisted to the
/// top of the caller and paid on every call.
#[cold]
#[inline(never)]
fn thread_identity_cold() -> OsResult<ThreadIdentity> {
    thread_identity()
}
