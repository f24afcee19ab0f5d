use super::kernel::FUTEX_OFFSET;
use super::private::private;
use super::word::WAITERS;
use super::*;
use crate::os::clock::later;
use std::time::Instant;

fn fresh(recursive: bool) -> *mut RobustLock {
    let m: *mut RobustLock =
        Box::into_raw(Box::new(std::mem::MaybeUninit::<RobustLock>::zeroed())).cast();
    // SAFETY: zeroed heap memory is a valid (free) lock, owned by the test.
    unsafe { &*m }.init(recursive);
    m
}

#[test]
fn layout_matches_glibc_list_offsets() {
    assert_eq!(size_of::<RobustLock>(), 40);
    assert_eq!(align_of::<RobustLock>(), 8);
    assert_eq!(std::mem::offset_of!(RobustLock, prev), 24);
    assert_eq!(
        std::mem::offset_of!(RobustLock, next) as isize + FUTEX_OFFSET,
        std::mem::offset_of!(RobustLock, word) as isize
    );
}

#[test]
fn recursive_lock_counts_and_times_out_elsewhere() {
    let m = fresh(true);
    // SAFETY: `m` is a live lock, freed at the end of the test.
    unsafe {
        assert_eq!(lock(m).unwrap(), Acquired::Clean);
        assert_eq!(try_lock(m).unwrap(), Some(Acquired::Clean));
        unlock(m).unwrap();
        let addr = m as usize;
        let other = std::thread::spawn(move || {
            let m = addr as *mut RobustLock;
            let now = now(Clock::Monotonic);
            let (s, n) = later(&now, Duration::from_millis(20));
            (
                try_lock(m).unwrap(),
                lock_until(m, Clock::Monotonic, &timespec(s, n)).unwrap(),
                unlock(m).unwrap_err(),
            )
        })
        .join()
        .unwrap();
        assert_eq!(other, (None, None, Errno(libc::EPERM)));
        unlock(m).unwrap();
        assert_eq!(unlock(m).unwrap_err(), Errno(libc::EPERM));
        destroy(m).unwrap();
        drop(Box::from_raw(m.cast::<std::mem::MaybeUninit<RobustLock>>()));
    }
}

#[test]
fn plain_lock_refuses_relock_and_hands_over_to_a_sleeper() {
    let m = fresh(false);
    // SAFETY: `m` is a live lock, freed at the end of the test.
    unsafe {
        lock(m).unwrap();
        assert_eq!(try_lock(m).unwrap(), None);
        assert_eq!(lock(m).unwrap_err(), Errno(libc::EDEADLK));
        let t = Instant::now();
        let (s, n) = later(&now(Clock::Realtime), Duration::from_millis(20));
        assert_eq!(
            lock_until(m, Clock::Realtime, &timespec(s, n)).unwrap(),
            None
        );
        assert!(t.elapsed() >= Duration::from_millis(15));
        let addr = m as usize;
        let sleeper = std::thread::spawn(move || lock(addr as *mut RobustLock).unwrap());
        std::thread::sleep(Duration::from_millis(50));
        assert_ne!((*m).word.load(Ordering::Relaxed) & WAITERS, 0);
        unlock(m).unwrap();
        assert_eq!(sleeper.join().unwrap(), Acquired::Clean);
        drop(Box::from_raw(m.cast::<std::mem::MaybeUninit<RobustLock>>()));
    }
}

#[test]
fn a_thread_that_exits_holding_the_lock_releases_it_as_owner_died() {
    let m = fresh(false);
    let addr = m as usize;
    // SAFETY: `m` is a live lock for the whole test.
    unsafe {
        // A thread takes two locks (to exercise the list) and exits holding one.
        let other = fresh(false);
        let oaddr = other as usize;
        std::thread::spawn(move || {
            lock(addr as *mut RobustLock).unwrap();
            lock(oaddr as *mut RobustLock).unwrap();
            unlock(oaddr as *mut RobustLock).unwrap();
        })
        .join()
        .unwrap();
        assert_eq!(lock(m).unwrap(), Acquired::OwnerDied);
        unlock(m).unwrap();
        assert_eq!(lock(m).unwrap(), Acquired::Clean);
        unlock(m).unwrap();
        assert_eq!(lock(other).unwrap(), Acquired::Clean);
        unlock(other).unwrap();
    }
}

#[test]
fn fast_paths_keep_the_list_and_leave_the_rest_to_the_full_calls() {
    let a = fresh(false);
    let b = fresh(true);
    let (aa, ba) = (a as usize, b as usize);
    // SAFETY: both locks are live for the whole test.
    unsafe {
        // The first full call finds where glibc keeps the TID; from then on the fast
        // paths work (a glibc whose layout changed would silently lose them).
        lock(a).unwrap();
        unlock(a).unwrap();
        assert_ne!(
            private().head_offset.load(Ordering::Relaxed),
            0,
            "the fast paths are not in use"
        );
        std::thread::spawn(move || {
            let (a, b) = (aa as *mut RobustLock, ba as *mut RobustLock);
            // A thread's first lock takes the full call, which claims its shadow entry
            // (and with it the proof of its identity the fast paths need).
            lock(a).unwrap();
            unlock(a).unwrap();
            assert!(lock_fast(a));
            assert!(lock_fast(b));
            assert!(!lock_fast(b), "a relock is the full call's business");
            assert_eq!(lock(b).unwrap(), Acquired::Clean);
            assert!(unlock_fast(b), "one level of a recursive lock");
            assert!(
                !unlock_fast(a),
                "off the middle of the list: the full call checks the links"
            );
            unlock(a).unwrap();
            // The thread exits holding `b`.
        })
        .join()
        .unwrap();
        let dead = (*b).word.load(Ordering::Relaxed);
        assert!(!unlock_fast(b));
        assert_eq!((*b).word.load(Ordering::Relaxed), dead, "left untouched");
        assert_eq!(lock(b).unwrap(), Acquired::OwnerDied);
        assert!(lock_fast(a));
        assert!(!unlock_fast(b), "not alone in the list");
        unlock(b).unwrap();
        // A sleeper sets its bit: the fast unlock sees it in the compare-and-swap and
        // wakes the sleeper.
        let sleeper = std::thread::spawn(move || lock(aa as *mut RobustLock).unwrap());
        let t = Instant::now();
        while (*a).word.load(Ordering::Relaxed) & WAITERS == 0 {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "the sleeper never slept"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(unlock_fast(a));
        assert_eq!(sleeper.join().unwrap(), Acquired::Clean);
        assert_eq!(
            lock(a).unwrap(),
            Acquired::OwnerDied,
            "the sleeper exited holding it"
        );
        unlock(a).unwrap();
        assert_eq!((*a).word.load(Ordering::Relaxed), 0);
        assert_eq!((*b).word.load(Ordering::Relaxed), 0);
    }
}

#[test]
fn glibc_robust_mutexes_share_the_list() {
    // Interleave glibc robust mutexes with ours on one thread, unlocking out of order,
    // then let the thread die holding one of each: both must come back owner-died.
    let ours = [fresh(false), fresh(false)];
    let theirs: Vec<*mut libc::pthread_mutex_t> = (0..2)
        .map(|_| {
            let p = Box::into_raw(Box::new(
                std::mem::MaybeUninit::<libc::pthread_mutex_t>::zeroed(),
            ))
            .cast::<libc::pthread_mutex_t>();
            // SAFETY: fresh memory; attributes are local and destroyed after use.
            unsafe {
                let mut a = std::mem::MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
                libc::pthread_mutexattr_init(a.as_mut_ptr());
                libc::pthread_mutexattr_setrobust(a.as_mut_ptr(), 1);
                assert_eq!(libc::pthread_mutex_init(p, a.as_ptr()), 0);
                libc::pthread_mutexattr_destroy(a.as_mut_ptr());
            }
            p
        })
        .collect();
    let o = [ours[0] as usize, ours[1] as usize];
    let t = [theirs[0] as usize, theirs[1] as usize];
    std::thread::spawn(move || {
        // SAFETY: all four locks outlive the thread.
        unsafe {
            lock(o[0] as *mut RobustLock).unwrap();
            assert_eq!(libc::pthread_mutex_lock(t[0] as *mut _), 0);
            lock(o[1] as *mut RobustLock).unwrap();
            assert_eq!(libc::pthread_mutex_lock(t[1] as *mut _), 0);
            unlock(o[0] as *mut RobustLock).unwrap();
            assert_eq!(libc::pthread_mutex_unlock(t[0] as *mut _), 0);
        }
    })
    .join()
    .unwrap();
    // SAFETY: the locks are live.
    unsafe {
        assert_eq!(lock(ours[0]).unwrap(), Acquired::Clean);
        assert_eq!(lock(ours[1]).unwrap(), Acquired::OwnerDied);
        assert_eq!(libc::pthread_mutex_lock(theirs[0]), 0);
        assert_eq!(libc::pthread_mutex_lock(theirs[1]), libc::EOWNERDEAD);
    }
}

#[test]
fn threads_relocking_in_a_loop_back_off_and_count_exactly() {
    // Two threads hammer one lock through the backing-off lock: every increment lands, and
    // a contended win is remembered until a condition-style wait forgets it.
    let m = fresh(false);
    let counter = Box::into_raw(Box::new(0u64)) as usize;
    let addr = m as usize;
    let n = 200_000;
    let workers: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(move || {
                let m = addr as *mut RobustLock;
                for _ in 0..n {
                    // SAFETY: the lock and the counter outlive the threads; the counter is
                    // only touched under the lock.
                    unsafe {
                        if !lock_fast(m) {
                            lock_backing_off(m, Duration::from_micros(10)).unwrap();
                        }
                        *(counter as *mut u64) += 1;
                        unlock(m).unwrap();
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    // SAFETY: both threads are done; the counter and the lock are still live.
    unsafe {
        assert_eq!(*(counter as *const u64), 2 * n);
        drop(Box::from_raw(counter as *mut u64));
        // A fresh contended win is remembered; forgetting it ends that.
        let holder = std::thread::spawn(move || {
            let m = addr as *mut RobustLock;
            lock(m).unwrap();
            std::thread::sleep(Duration::from_millis(20));
            unlock(m).unwrap();
        });
        std::thread::sleep(Duration::from_millis(5));
        lock_backing_off(m, Duration::ZERO).unwrap();
        assert!(wait::since_won(m).is_some());
        forget_contention();
        assert!(wait::since_won(m).is_none());
        unlock(m).unwrap();
        holder.join().unwrap();
        drop(Box::from_raw(m.cast::<std::mem::MaybeUninit<RobustLock>>()));
    }
}

#[test]
fn a_word_overwritten_with_another_thread_is_not_released() {
    // Another process writes a foreign TID over a lock this thread holds: the unlock
    // releases nothing and says so, and the thread's list stays usable.
    let m = fresh(false);
    let n = fresh(false);
    // SAFETY: both locks are live for the whole test and freed at its end.
    unsafe {
        lock(m).unwrap();
        unlock(m).unwrap();
        assert!(lock_fast(m), "the thread's shadow entry is claimed");
        (*m).word.store(12345, Ordering::Relaxed);
        assert!(!unlock_fast(m));
        assert_eq!((*m).word.load(Ordering::Relaxed), 12345, "left as it was");
        assert_eq!(unlock(m).unwrap_err(), Errno(libc::EPERM));
        assert_eq!((*m).word.load(Ordering::Relaxed), 12345);
        // The list holds nothing of it any more: another lock links and unlinks fast.
        assert!(lock_fast(n));
        assert!(unlock_fast(n));
        (*m).word.store(0, Ordering::Relaxed);
        drop(Box::from_raw(m.cast::<std::mem::MaybeUninit<RobustLock>>()));
        drop(Box::from_raw(n.cast::<std::mem::MaybeUninit<RobustLock>>()));
    }
}
