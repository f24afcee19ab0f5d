//! `interprocess_sharable_mutex` and `interprocess_upgradable_mutex`: readers-writer locks
//! that survive crashed owners.
//!
//! - The exclusive side (exclusive and upgradable ownership) is a robust lock (`os::robust`),
//!   `writer`, held for as long as that ownership lasts. When its holder dies, the kernel
//!   hands it to the next locker with the news, exactly as for `interprocess_mutex`.
//! - `exclusive` says the writer has shut readers out. Only the `writer` holder sets it, and
//!   it clears it before letting go, so a set flag with a dead `writer` holder means the
//!   owner died: whoever finds that (a writer through `EOWNERDEAD`, a waiting reader
//!   through a `try_lock` of `writer`) clears it.
//! - Readers are counted in a table of slots, one per reading thread. Each slot is a robust
//!   lock that its thread holds while it has sharable locks, plus the count of them. When a
//!   reading thread dies (its process killed, in whatever PID namespace), the kernel marks
//!   its slot's lock word, and from that moment the slot's count no longer counts: nothing
//!   asks whether a process exists. More reading threads than slots are counted without a
//!   slot and cannot be reclaimed. A sharable lock belongs to the thread that took it, as a
//!   `pthread_rwlock_t` read lock does: another thread cannot release it.
//! - `guard`, a second robust mutex, is held only for a few instructions to update those
//!   words. Every update is a single store, so a process killed inside leaves them
//!   consistent.
//! - Sleepers wait on `seq`, a futex word bumped by every release. A reader waiting for a
//!   writer re-checks every few milliseconds whether the writer is still alive, because
//!   the kernel does not wake futex waiters when a process dies.

use super::mutex::LockOutcome;
use super::tag;
use super::{Deadline, spin_until};
use crate::os::Errno;
use crate::os::futex::{self, Woken};
use crate::os::robust::{self, Acquired, RobustLock};
use crate::{Error, ErrorKind, Result};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// `magic` of an initialised upgradable mutex ("UPG2": the reader slots are robust locks;
/// "UPGR" had slots tagged with process ids).
const MAGIC: u32 = 0x5550_4732;
/// Reader slots: this many threads reading at once are tracked and reclaimable.
pub(crate) const READER_SLOTS: usize = 21;
/// How often a sleeper re-checks for dead owners and readers.
const POLL: Duration = Duration::from_millis(10);

/// One reading thread: a robust lock it holds while it reads, and how many sharable locks
/// it holds (48 bytes).
#[repr(C, align(8))]
struct ReaderSlot {
    lock: RobustLock,
    count: AtomicU32,
    _reserved: u32,
}

impl ReaderSlot {
    /// Whether a live thread holds this slot (a dead holder's word carries no thread id:
    /// the kernel cleared it). Only the count of a held slot counts.
    fn live(&self) -> bool {
        self.lock.owner_tid().is_some()
    }
}

/// Boost's `interprocess_upgradable_mutex` (and, using only its exclusive and sharable
/// operations, `interprocess_sharable_mutex`), placed inside shared memory: 1152 bytes,
/// 8-byte aligned.
///
/// Guarantees: an exclusive or upgradable owner that dies is detected by the kernel and
/// reported to the next exclusive, upgradable or sharable locker ([`LockOutcome::OwnerDied`]);
/// a reader that dies is reclaimed (without a report) when a writer waits for it, as long as
/// at most 64 processes read at once.
#[repr(C, align(8))]
pub struct InterprocessUpgradableMutex {
    writer: RobustLock,
    guard: RobustLock,
    magic: AtomicU32,
    /// 1 while the writer holds exclusive ownership (readers are shut out).
    ///
    /// `exclusive`, `overflow` and the slots' counts are read and written only under
    /// `guard` (`with_guard`), so they are Relaxed: the guard's Acquire on lock and Release
    /// on unlock order them, and order the data the mutex protects for a reader that enters
    /// after a writer cleared `exclusive`.
    exclusive: AtomicU32,
    /// Bumped by every release; the futex word sleepers wait on.
    seq: AtomicU32,
    /// Readers beyond the slot table (untracked).
    overflow: AtomicU32,
    /// 1 while the current exclusive/upgradable holder got it from a dead owner. Written and
    /// read by the `writer` holder only (Relaxed; the `writer` lock orders it).
    owner_died: AtomicU32,
    /// 1 when a reader recovered the lock from a dead writer and no writer has been told.
    /// Stored by a reader holding `writer`, swapped by the next `writer` holder: Relaxed,
    /// ordered by `writer`'s Release and Acquire.
    death_pending: AtomicU32,
    /// Threads sleeping on `seq` (a killed sleeper leaves it too high: harmless). `seq` and
    /// `sleepers` are SeqCst for one store-load pair (see `bump` and `nap`).
    sleepers: AtomicU32,
    _reserved: [u32; 5],
    slots: [ReaderSlot; READER_SLOTS],
    _tail: [u64; 2],
}

/// The sharable mutex has the upgradable mutex's layout and uses a subset of it.
pub type InterprocessSharableMutex = InterprocessUpgradableMutex;

// SAFETY: the shared state is robust locks made for concurrent use and atomics.
unsafe impl Sync for InterprocessUpgradableMutex {}
// SAFETY: nothing in it is tied to a thread.
unsafe impl Send for InterprocessUpgradableMutex {}

/// How long an acquisition may wait.
#[derive(Clone, Copy)]
enum Wait {
    Forever,
    No,
    Until(Deadline),
}

impl Wait {
    fn passed(self) -> bool {
        match self {
            Wait::Forever => false,
            Wait::No => true,
            Wait::Until(d) => d.has_passed(),
        }
    }
}

fn os_err(e: Errno, what: &str) -> Error {
    let e = e.into_error(what);
    if e.kind() == ErrorKind::Security {
        Error::new(
            ErrorKind::Lock,
            format!("{what}: the calling thread does not hold it"),
        )
    } else {
        e
    }
}

impl InterprocessUpgradableMutex {
    /// Initialises the mutex in place and returns a reference to it.
    ///
    /// # Safety
    /// `ptr` must be valid, 8-byte aligned and writable for `size_of::<Self>()` bytes, no
    /// one may be using a mutex there, and the memory must outlive `'a`.
    pub unsafe fn init_at<'a>(ptr: *mut Self) -> Result<&'a Self> {
        // SAFETY: `ptr` is valid, aligned and writable for one `Self`, used by no one, and
        // outlives `'a` (this fn's contract); all zeroes is a valid `Self` (atomics and
        // robust locks), so the reference is to an initialised value.
        unsafe {
            std::ptr::write_bytes(ptr, 0, 1);
            let m = &*ptr;
            m.writer.init(false);
            m.guard.init(false);
            for s in &m.slots {
                s.lock.init(false);
            }
            tag::mark(&m.magic, MAGIC);
            Ok(m)
        }
    }

    /// Destroys the mutex; no one may hold or wait for it.
    ///
    /// # Safety
    /// No thread or process may use the mutex during or after this call.
    pub unsafe fn destroy(&self) -> Result<()> {
        tag::retire(&self.magic, MAGIC, "interprocess_upgradable_mutex")?;
        let _ = self.guard.destroy();
        self.writer
            .destroy()
            .map_err(|e| os_err(e, "destroying an upgradable mutex"))
    }

    #[inline]
    fn check(&self) -> Result<()> {
        tag::check(&self.magic, MAGIC, "interprocess_upgradable_mutex")
    }

    // ----- the guard and the reader table -----

    fn with_guard<T>(&self, f: impl FnOnce() -> T) -> Result<T> {
        // A guard left by a dead process is fine to take over: every update under it is a
        // single store.
        self.guard
            .lock()
            .map_err(|e| os_err(e, "locking an upgradable mutex's guard"))?;
        let held = robust::RobustGuard::adopt(&self.guard);
        let r = f();
        held.unlock()
            .map_err(|e| os_err(e, "unlocking an upgradable mutex's guard"))?;
        Ok(r)
    }

    fn readers(&self) -> u32 {
        self.slots
            .iter()
            .filter(|s| s.live())
            // Relaxed: called under the guard (see `exclusive`).
            .map(|s| s.count.load(Ordering::Relaxed))
            .sum::<u32>()
            + self.overflow.load(Ordering::Relaxed)
    }

    /// The slot the calling thread holds, if any.
    fn my_slot(&self) -> Option<&ReaderSlot> {
        self.slots.iter().find(|s| s.lock.held_by_me())
    }

    /// Under the guard: counts one more sharable lock for the calling thread.
    fn reader_add(&self) -> Result<()> {
        // Relaxed, every count here and in `reader_remove`: under the guard.
        if let Some(s) = self.my_slot() {
            s.count.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        for s in &self.slots {
            // A free slot, or one whose reader died (the kernel marked it): take it. Its
            // old count is void either way. Under the guard no one else takes slots.
            if s.lock
                .try_lock()
                .map_err(|e| os_err(e, "taking a reader slot"))?
                .is_some()
            {
                s.count.store(1, Ordering::Relaxed);
                return Ok(());
            }
        }
        self.overflow.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Under the guard: counts one sharable lock less for the calling thread; false if it
    /// holds none.
    fn reader_remove(&self) -> Result<bool> {
        if let Some(s) = self.my_slot() {
            if s.count.load(Ordering::Relaxed) <= 1 {
                s.count.store(0, Ordering::Relaxed);
                s.lock
                    .unlock()
                    .map_err(|e| os_err(e, "releasing a reader slot"))?;
            } else {
                s.count.fetch_sub(1, Ordering::Relaxed);
            }
            Ok(true)
        } else if self.overflow.load(Ordering::Relaxed) > 0 {
            self.overflow.fetch_sub(1, Ordering::Relaxed);
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn bump(&self) -> Result<()> {
        // SeqCst, both: the store-load pair with `nap`, which registers in `sleepers` and
        // then has the kernel compare `seq` (the futex wait). Either this load sees the
        // sleeper, or the sleeper's futex wait sees the bumped `seq` and does not sleep.
        self.seq.fetch_add(1, Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            futex::wake(&self.seq, i32::MAX).map_err(|e| e.into_error("waking lock waiters"))?;
        }
        Ok(())
    }

    /// Sleeps while `seq == ticket`, at most `POLL` and at most until `wait`'s deadline.
    fn nap(&self, ticket: u32, wait: Wait) -> Result<()> {
        // Acquire: pairs with the release side of `bump`'s SeqCst add; the caller looks at
        // the state again under the guard either way.
        if spin_until(|| self.seq.load(Ordering::Acquire) != ticket) {
            return Ok(());
        }
        let mut until = Deadline::after(POLL);
        if let Wait::Until(d) = wait {
            if d.clock() == until.clock()
                && (d.seconds(), d.nanoseconds()) < (until.seconds(), until.nanoseconds())
            {
                until = d;
            }
        }
        // SeqCst: the store of the pair with `bump`. The decrement stays SeqCst like every
        // access of `sleepers`; a stale count costs a spare wake call only.
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        let r = futex::wait(&self.seq, ticket, Some(until.os()));
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
        r.map(|_: Woken| ())
            .map_err(|e| e.into_error("waiting for an upgradable mutex"))
    }

    /// What the exclusive side's lock word says of its holder right now (for reports).
    pub fn holder(&self) -> super::LockHolder {
        self.writer.holder()
    }

    // ----- the writer side -----

    fn writer_take(&self, wait: Wait) -> Result<Option<LockOutcome>> {
        self.check()?;
        let w = &self.writer;
        let got = match wait {
            Wait::Forever => w.lock().map(Some),
            Wait::No => w.try_lock(),
            Wait::Until(d) => {
                let (clock, sec, nsec) = d.os();
                w.lock_until(clock, &robust::timespec(sec.max(0), nsec))
            }
        }
        .map_err(|e| os_err(e, "locking an upgradable mutex"))?;
        let Some(got) = got else { return Ok(None) };
        // Relaxed, this and `owner_died` below: this thread holds `writer` (see the fields).
        let pending = self.death_pending.swap(0, Ordering::Relaxed) != 0;
        let died = got == Acquired::OwnerDied || pending;
        if got == Acquired::OwnerDied {
            // The dead owner may have shut readers out; let them in again (Relaxed under the
            // guard, as every store of `exclusive`).
            self.with_guard(|| self.exclusive.store(0, Ordering::Relaxed))?;
            self.bump()?;
        }
        self.owner_died.store(u32::from(died), Ordering::Relaxed);
        Ok(Some(if died {
            LockOutcome::OwnerDied
        } else {
            LockOutcome::Acquired
        }))
    }

    fn writer_release(&self) -> Result<()> {
        // A robust lock refuses an unlock by a non-holder (EPERM).
        self.writer
            .unlock()
            .map_err(|e| os_err(e, "unlocking an upgradable mutex"))
    }

    /// Holding `writer`: shuts readers out and waits for those inside to leave. On
    /// timeout, lets readers in again and returns false (the writer is still held).
    fn drain_readers(&self, wait: Wait, me_reading: bool) -> Result<bool> {
        let own = u32::from(me_reading);
        loop {
            // Readers that died stop counting the moment the kernel marks their slots; the
            // naps below bound how long a writer takes to notice.
            let (n, ticket) = self.with_guard(|| {
                // Relaxed under the guard. The ticket is read under the guard too, so a
                // reader that leaves after this section bumps `seq` after this load and
                // the nap below does not sleep on it.
                self.exclusive.store(1, Ordering::Relaxed);
                (self.readers(), self.seq.load(Ordering::SeqCst))
            })?;
            if n <= own {
                return Ok(true);
            }
            if wait.passed() {
                self.with_guard(|| self.exclusive.store(0, Ordering::Relaxed))?;
                self.bump()?;
                return Ok(false);
            }
            self.nap(ticket, wait)?;
        }
    }

    fn lock_exclusive(&self, wait: Wait) -> Result<Option<LockOutcome>> {
        let Some(o) = self.writer_take(wait)? else {
            return Ok(None);
        };
        if self.drain_readers(wait, false)? {
            Ok(Some(o))
        } else {
            self.writer_release()?;
            Ok(None)
        }
    }

    /// Exclusive lock, waiting as long as it takes.
    pub fn lock(&self) -> Result<LockOutcome> {
        self.lock_exclusive(Wait::Forever)
            .map(|o| o.expect("an unbounded wait always locks"))
    }

    /// Exclusive lock if possible at once (no writer, no reader).
    pub fn try_lock(&self) -> Result<Option<LockOutcome>> {
        self.lock_exclusive(Wait::No)
    }

    /// Exclusive lock, waiting at most until `deadline`.
    pub fn lock_until(&self, deadline: Deadline) -> Result<Option<LockOutcome>> {
        self.lock_exclusive(Wait::Until(deadline))
    }

    /// Exclusive lock, waiting at most `timeout`.
    pub fn lock_for(&self, timeout: Duration) -> Result<Option<LockOutcome>> {
        self.lock_until(Deadline::after(timeout))
    }

    /// Releases exclusive ownership.
    pub fn unlock(&self) -> Result<()> {
        self.check()?;
        self.with_guard(|| self.exclusive.store(0, Ordering::Relaxed))?;
        self.writer_release()?;
        self.bump()
    }

    /// Upgradable lock (excludes writers and upgraders, admits readers), waiting as long as
    /// it takes.
    pub fn lock_upgradable(&self) -> Result<LockOutcome> {
        self.writer_take(Wait::Forever)
            .map(|o| o.expect("an unbounded wait always locks"))
    }

    /// Upgradable lock if possible at once.
    pub fn try_lock_upgradable(&self) -> Result<Option<LockOutcome>> {
        self.writer_take(Wait::No)
    }

    /// Upgradable lock, waiting at most until `deadline`.
    pub fn lock_upgradable_until(&self, deadline: Deadline) -> Result<Option<LockOutcome>> {
        self.writer_take(Wait::Until(deadline))
    }

    /// Releases upgradable ownership.
    pub fn unlock_upgradable(&self) -> Result<()> {
        self.check()?;
        self.writer_release()?;
        self.bump()
    }

    // ----- the reader side -----

    fn reader_take(&self, wait: Wait) -> Result<Option<LockOutcome>> {
        self.check()?;
        let mut outcome = LockOutcome::Acquired;
        loop {
            let (entered, ticket) = self.with_guard(|| {
                // Relaxed under the guard; the ticket as in `drain_readers`.
                if self.exclusive.load(Ordering::Relaxed) == 0 {
                    self.reader_add().map(|_| (true, 0))
                } else {
                    Ok((false, self.seq.load(Ordering::SeqCst)))
                }
            })??;
            if entered {
                return Ok(Some(outcome));
            }
            // A writer shuts us out. Is it alive? A robust try_lock says, without waiting.
            match self
                .writer
                .try_lock()
                .map_err(|e| os_err(e, "checking an upgradable mutex's writer"))?
            {
                Some(got) => {
                    if got == Acquired::OwnerDied {
                        // Relaxed: `exclusive` under the guard, `death_pending` holding
                        // `writer` (see the fields).
                        self.with_guard(|| self.exclusive.store(0, Ordering::Relaxed))?;
                        self.death_pending.store(1, Ordering::Relaxed);
                        outcome = LockOutcome::OwnerDied;
                    }
                    self.writer_release()?;
                    self.bump()?;
                    continue;
                }
                None => {
                    if wait.passed() {
                        return Ok(None);
                    }
                    self.nap(ticket, wait)?;
                }
            }
        }
    }

    /// Sharable lock, waiting as long as it takes. `OwnerDied` means a writer had died
    /// holding the lock and this call recovered it.
    pub fn lock_sharable(&self) -> Result<LockOutcome> {
        self.reader_take(Wait::Forever)
            .map(|o| o.expect("an unbounded wait always locks"))
    }

    /// Sharable lock if possible at once.
    pub fn try_lock_sharable(&self) -> Result<Option<LockOutcome>> {
        self.reader_take(Wait::No)
    }

    /// Sharable lock, waiting at most until `deadline`.
    pub fn lock_sharable_until(&self, deadline: Deadline) -> Result<Option<LockOutcome>> {
        self.reader_take(Wait::Until(deadline))
    }

    /// Releases a sharable lock of the calling thread.
    pub fn unlock_sharable(&self) -> Result<()> {
        self.check()?;
        if !self.with_guard(|| self.reader_remove())?? {
            return Err(Error::new(
                ErrorKind::Lock,
                "unlock_sharable: the calling thread holds no sharable lock",
            ));
        }
        self.bump()
    }

    // ----- transfers -----

    /// Exclusive → upgradable: readers may enter again; no one else can write.
    pub fn unlock_and_lock_upgradable(&self) -> Result<()> {
        self.check()?;
        self.with_guard(|| self.exclusive.store(0, Ordering::Relaxed))?;
        self.bump()
    }

    /// Exclusive → sharable.
    pub fn unlock_and_lock_sharable(&self) -> Result<()> {
        self.check()?;
        self.with_guard(|| {
            self.exclusive.store(0, Ordering::Relaxed);
            self.reader_add()
        })??;
        self.writer_release()?;
        self.bump()
    }

    /// Upgradable → sharable.
    pub fn unlock_upgradable_and_lock_sharable(&self) -> Result<()> {
        self.check()?;
        self.with_guard(|| self.reader_add())??;
        self.writer_release()?;
        self.bump()
    }

    /// Upgradable → exclusive, waiting for the readers to leave.
    pub fn unlock_upgradable_and_lock(&self) -> Result<()> {
        self.check()?;
        self.drain_readers(Wait::Forever, false).map(|_| ())
    }

    /// Upgradable → exclusive if there are no readers; otherwise stays upgradable.
    pub fn try_unlock_upgradable_and_lock(&self) -> Result<bool> {
        self.check()?;
        self.drain_readers(Wait::No, false)
    }

    /// Upgradable → exclusive, waiting at most until `deadline` for the readers; on
    /// timeout stays upgradable.
    pub fn unlock_upgradable_and_lock_until(&self, deadline: Deadline) -> Result<bool> {
        self.check()?;
        self.drain_readers(Wait::Until(deadline), false)
    }

    /// Sharable → exclusive if this is the only reader and no one holds the writer side;
    /// otherwise stays sharable.
    pub fn try_unlock_sharable_and_lock(&self) -> Result<bool> {
        if self.try_lock_upgradable()?.is_none() {
            return Ok(false);
        }
        if self.drain_readers(Wait::No, true)? {
            self.with_guard(|| self.reader_remove())??;
            Ok(true)
        } else {
            self.writer_release()?;
            self.bump()?;
            Ok(false)
        }
    }

    /// Sharable → upgradable if no one holds the writer side; otherwise stays sharable.
    pub fn try_unlock_sharable_and_lock_upgradable(&self) -> Result<bool> {
        if self.try_lock_upgradable()?.is_none() {
            return Ok(false);
        }
        self.with_guard(|| self.reader_remove())??;
        Ok(true)
    }

    /// Whether the current exclusive or upgradable holder got the lock from an owner that
    /// died. Meaningful only to that holder.
    pub fn previous_owner_died(&self) -> bool {
        // Relaxed: meaningful to the `writer` holder, which stored it.
        self.owner_died.load(Ordering::Relaxed) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::MaybeUninit;

    fn fresh() -> Box<MaybeUninit<InterprocessUpgradableMutex>> {
        Box::new(MaybeUninit::uninit())
    }

    #[test]
    fn layout_is_pinned() {
        assert_eq!(size_of::<InterprocessUpgradableMutex>(), 1152);
        assert_eq!(align_of::<InterprocessUpgradableMutex>(), 8);
        assert_eq!(std::mem::offset_of!(InterprocessUpgradableMutex, guard), 40);
        assert_eq!(std::mem::offset_of!(InterprocessUpgradableMutex, magic), 80);
        assert_eq!(
            std::mem::offset_of!(InterprocessUpgradableMutex, slots),
            128
        );
        assert_eq!(size_of::<ReaderSlot>(), 48);
    }

    #[test]
    fn readers_share_writers_exclude_and_transfers_work() {
        let mut mem = fresh();
        // SAFETY: fresh, aligned, exclusive memory that outlives the reference.
        let m = unsafe { InterprocessUpgradableMutex::init_at(mem.as_mut_ptr()) }.unwrap();
        let _ = m.lock_sharable().unwrap();
        let _ = m.lock_sharable().unwrap();
        assert_eq!(m.readers(), 2);
        std::thread::scope(|s| {
            s.spawn(|| {
                assert!(m.try_lock().unwrap().is_none());
                assert!(m.lock_for(Duration::from_millis(20)).unwrap().is_none());
                // Readers may still enter after a writer timed out.
                assert!(m.try_lock_sharable().unwrap().is_some());
                m.unlock_sharable().unwrap();
            });
        });
        // Upgradable alongside readers; promotion waits for them.
        let _ = m.lock_upgradable().unwrap();
        assert!(!m.try_unlock_upgradable_and_lock().unwrap());
        m.unlock_sharable().unwrap();
        m.unlock_sharable().unwrap();
        assert!(m.try_unlock_upgradable_and_lock().unwrap());
        std::thread::scope(|s| {
            s.spawn(|| {
                assert!(m.try_lock_sharable().unwrap().is_none());
            });
        });
        m.unlock_and_lock_upgradable().unwrap();
        m.unlock_upgradable_and_lock_sharable().unwrap();
        assert!(m.try_unlock_sharable_and_lock().unwrap());
        m.unlock_and_lock_sharable().unwrap();
        assert!(m.try_unlock_sharable_and_lock_upgradable().unwrap());
        m.unlock_upgradable_and_lock().unwrap();
        m.unlock().unwrap();
        assert!(m.unlock_sharable().is_err());
        assert_eq!(m.readers(), 0);
        // A writer waiting for a reader is let in when the reader leaves.
        let _ = m.lock_sharable().unwrap();
        std::thread::scope(|s| {
            s.spawn(|| {
                let _ = m.lock().unwrap();
                m.unlock().unwrap();
            });
            std::thread::sleep(Duration::from_millis(20));
            m.unlock_sharable().unwrap();
        });
        // SAFETY: no one uses it any more.
        unsafe { m.destroy() }.unwrap();
    }
}
