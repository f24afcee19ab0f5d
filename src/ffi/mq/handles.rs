//! The C queue's handles: the queue handle, and the loan and received-message handles that
//! point back at it, with the spare memory a queue handle keeps for them. Below both the
//! queue's functions (`ffi/mq.rs`) and the loans' (`loans.rs`).

use crate::{Loan, MessageQueue, Received};
use std::sync::atomic::{AtomicPtr, Ordering};

/// A message queue in shared memory (Boost's `message_queue`).
pub struct interproc_mq_t {
    pub(super) queue: MessageQueue,
    /// The memory of the last loan handle finished, for the next loan: a loan costs no
    /// heap allocation while each thread of the queue handle has at most one at a time.
    pub(super) spare_loan: Spare<interproc_mq_loan_t>,
    /// The same for handles of messages received in place.
    pub(super) spare_received: Spare<interproc_mq_received_t>,
}

/// A slot of a message queue lent to the calling thread, to write a message in place
/// (`interproc_mq_loan`); sent with `interproc_mq_loan_send` or given back with
/// `interproc_mq_loan_discard`, on the thread that took it, before its queue is freed.
pub struct interproc_mq_loan_t {
    /// `None` only while the memory is kept for reuse (`Spare`).
    pub(super) loan: Option<Loan<'static>>,
    pub(super) mq: *const interproc_mq_t,
}

/// A message received in place (`interproc_mq_receive_in_place`), still in its queue slot
/// until `interproc_mq_release`, on the thread that received it, before its queue is freed.
pub struct interproc_mq_received_t {
    /// `None` only while the memory is kept for reuse (`Spare`).
    pub(super) received: Option<Received<'static>>,
    pub(super) mq: *const interproc_mq_t,
}

/// One handle's memory kept for reuse (null: none), shared by the threads of a queue handle.
pub(super) struct Spare<T>(AtomicPtr<T>);

impl<T> Spare<T> {
    pub(super) const fn new() -> Spare<T> {
        Spare(AtomicPtr::new(std::ptr::null_mut()))
    }

    /// `value` in the kept memory if there is some, else in new memory.
    pub(super) fn boxed(&self, value: T) -> *mut T {
        // Acquire: pairs with the Release in `keep`, so the last user's writes to the
        // memory are done before this thread writes it.
        let p = self.0.swap(std::ptr::null_mut(), Ordering::Acquire);
        if p.is_null() {
            return Box::into_raw(Box::new(value));
        }
        // SAFETY: `p` came from `keep`, which took it from a live Box whose value was
        // already moved out (a placeholder is left): this thread owns it now.
        unsafe { *p = value };
        p
    }

    /// Keeps `b`'s memory for the next handle, or frees it if one is already kept.
    pub(super) fn keep(&self, b: Box<T>) {
        let p = Box::into_raw(b);
        // Release: publishes this thread's last writes to the memory to the next taker
        // (its Acquire swap). Relaxed on failure: nothing is handed over.
        if self
            .0
            .compare_exchange(
                std::ptr::null_mut(),
                p,
                Ordering::Release,
                Ordering::Relaxed,
            )
            .is_err()
        {
            // SAFETY: `p` was just made by `Box::into_raw` and given to no one.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}

impl<T> Drop for Spare<T> {
    fn drop(&mut self) {
        let p = *self.0.get_mut();
        if !p.is_null() {
            // SAFETY: a kept pointer is a Box's, owned by this `Spare` alone.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}
