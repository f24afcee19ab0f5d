//! Loans and in-place receives in C (an interproc extension of `message_queue`).

use super::handles::{interproc_mq_loan_t, interproc_mq_received_t, interproc_mq_t};
use crate::ffi::error::interproc_status_t;
use crate::ffi::sync::deadline_arg;
use crate::ffi::sync::interproc_deadline_t;
use crate::ffi::{boundary, boundary_value, handle_arg, handle_arg_mut, out_arg, put};
use crate::{Error, ErrorKind, Loan, MessageQueue, Received, Result};
use std::ffi::c_void;

/// The error for a loan or message handed to a thread that did not take it.
fn other_thread(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("{what} belongs to the thread that took it; nothing was changed"),
    )
}

/// Takes the loan out of a loan handle and keeps the handle's memory for the queue's next
/// loan.
///
/// # Safety
/// `loan` is a live handle made by `Spare::boxed` holding a loan, given up by the caller.
unsafe fn finish_loan(loan: *mut interproc_mq_loan_t) -> Loan<'static> {
    // SAFETY: per this fn's contract.
    let l = unsafe { &mut *loan }
        .loan
        .take()
        .expect("a live loan handle");
    // SAFETY: per this fn's contract; its loan is taken out.
    unsafe { recycle_loan_handle(loan) };
    l
}

/// Keeps a loan handle's memory (its loan already taken out) for the queue's next loan.
///
/// # Safety
/// `loan` is a handle made by `Spare::boxed`, given up by the caller.
unsafe fn recycle_loan_handle(loan: *mut interproc_mq_loan_t) {
    // SAFETY: per this fn's contract.
    let b = unsafe { Box::from_raw(loan) };
    let mq = b.mq;
    // SAFETY: the queue handle outlives its loans (the type's contract).
    unsafe { &*mq }.spare_loan.keep(b);
}

/// Sends a loan's message with `send` (a try or timed send), storing in `*sent` whether it
/// went: the handle is freed if it did, or on an error, and stays live and unsent if not.
fn loan_send_if_room(
    loan: *mut interproc_mq_loan_t,
    sent: *mut bool,
    send: impl FnOnce(Loan<'static>) -> Result<Option<Loan<'static>>>,
) -> Result<()> {
    out_arg(sent, "sent")?;
    // SAFETY: the C caller passes NULL or a live loan, which no one else uses meanwhile.
    let h = unsafe { handle_arg_mut(loan, "loan") }?;
    if !h.loan.as_ref().is_some_and(|l| l.held_here()) {
        return Err(other_thread("a loan"));
    }
    let l = h.loan.take().expect("checked above");
    let r = send(l);
    let went = match r {
        Ok(Some(back)) => {
            h.loan = Some(back);
            false
        }
        Ok(None) => true,
        Err(e) => {
            // SAFETY: a live handle whose loan is gone (given back by the failed send).
            unsafe { recycle_loan_handle(loan) };
            return Err(e);
        }
    };
    if went {
        // SAFETY: as above; its loan was sent.
        unsafe { recycle_loan_handle(loan) };
    }
    // SAFETY: checked non-NULL; writable by contract.
    unsafe { put(sent, went) };
    Ok(())
}

/// Stores in `*out` the handle `make` builds from the queue behind `mq`, if it builds one;
/// whether it did. `mq` is checked before `out`.
fn handle_into<H>(
    mq: *const interproc_mq_t,
    out: *mut *mut H,
    make: impl FnOnce(&interproc_mq_t) -> Result<Option<*mut H>>,
) -> Result<bool> {
    // SAFETY: the C caller passes NULL or a live handle.
    let q = unsafe { handle_arg(mq, "mq") }?;
    out_arg(out, "out")?;
    let Some(h) = make(q)? else {
        return Ok(false);
    };
    // SAFETY: checked non-NULL; writable by contract.
    unsafe { put(out, h) };
    Ok(true)
}

/// Runs `take`, which tells whether it stored a handle, and stores that in `*flag` (checked
/// non-NULL first, and named `what` if it is NULL).
fn flagged(flag: *mut bool, what: &str, take: impl FnOnce() -> Result<bool>) -> Result<()> {
    out_arg(flag, what)?;
    let ok = take()?;
    // SAFETY: checked non-NULL; writable by contract.
    unsafe { put(flag, ok) };
    Ok(())
}

/// Stores a new loan handle in `*out` if `take` lends a slot; whether it did.
fn loan_into(
    mq: *const interproc_mq_t,
    out: *mut *mut interproc_mq_loan_t,
    take: impl for<'q> FnOnce(&'q MessageQueue) -> Result<Option<Loan<'q>>>,
) -> Result<bool> {
    handle_into(mq, out, |q| {
        Ok(take(&q.queue)?.map(|loan| {
            // SAFETY: only the lifetime changes; the caller promises to end the loan before
            // it frees the queue handle (the type's contract).
            let loan = unsafe { std::mem::transmute::<Loan<'_>, Loan<'static>>(loan) };
            q.spare_loan.boxed(interproc_mq_loan_t {
                loan: Some(loan),
                mq,
            })
        }))
    })
}

/// Lends the calling thread a free slot of the queue's loan pool (as many slots as the
/// queue) for a message of `size` bytes, waiting while none is free, and stores the loan in
/// `*out`: write the message at `interproc_mq_loan_data`,
/// then `interproc_mq_loan_send` it. `INTERPROC_SIZE_ERROR` if `size` is larger than the
/// queue's messages. The bytes are whatever the slot last held.
///
/// # Safety
/// `mq` must be NULL or a live handle; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_loan(
    mq: *const interproc_mq_t,
    size: usize,
    out: *mut *mut interproc_mq_loan_t,
) -> interproc_status_t {
    boundary(|| loan_into(mq, out, |q| q.loan(size).map(Some)).map(|_| ()))
}

/// Lends a slot if one is free now; `*loaned` tells whether `*out` was stored.
///
/// # Safety
/// As `interproc_mq_loan`; `loaned` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_try_loan(
    mq: *const interproc_mq_t,
    size: usize,
    out: *mut *mut interproc_mq_loan_t,
    loaned: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        flagged(loaned, "loaned", || {
            loan_into(mq, out, |q| q.try_loan(size))
        })
    })
}

/// Lends a slot, waiting at most until `*deadline`; `*loaned` tells whether `*out` was
/// stored.
///
/// # Safety
/// As `interproc_mq_try_loan`; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_timed_loan(
    mq: *const interproc_mq_t,
    size: usize,
    deadline: *const interproc_deadline_t,
    out: *mut *mut interproc_mq_loan_t,
    loaned: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        flagged(loaned, "loaned", || {
            let d = deadline_arg(deadline)?;
            loan_into(mq, out, |q| q.timed_loan(size, d))
        })
    })
}

/// Where to write the loan's message: `interproc_mq_loan_size` bytes, 64-byte aligned
/// (NULL for NULL).
///
/// # Safety
/// `loan` must be NULL or a live loan.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_loan_data(loan: *mut interproc_mq_loan_t) -> *mut c_void {
    // SAFETY: `loan` is NULL or a live loan for the whole call (this fn's `# Safety`
    // contract); `as_mut` turns NULL into `None`.
    boundary_value(std::ptr::null_mut(), || {
        unsafe { loan.as_mut() }
            .and_then(|l| l.loan.as_mut())
            .map_or(std::ptr::null_mut(), |l| l.as_mut_ptr().cast())
    })
}

/// The size the loan was taken for (0 for NULL).
///
/// # Safety
/// `loan` must be NULL or a live loan.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_loan_size(loan: *const interproc_mq_loan_t) -> usize {
    // SAFETY: `loan` is NULL or a live loan for the whole call (this fn's `# Safety`
    // contract); `as_ref` turns NULL into `None`.
    boundary_value(0, || {
        unsafe { loan.as_ref() }
            .and_then(|l| l.loan.as_ref())
            .map_or(0, |l| l.len())
    })
}

/// Sends the message written in the loan with `priority` (in send order among equal
/// priorities, as a copy would be), waiting while the queue is full, and frees the loan
/// handle, whatever the result. From
/// a thread other than the one that took the loan: `INTERPROC_INVALID_ARGUMENT`, and the
/// loan stays as it was.
///
/// # Safety
/// `loan` must be NULL or a live loan, unused afterwards unless this returns
/// `INTERPROC_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_loan_send(
    loan: *mut interproc_mq_loan_t,
    priority: u32,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `loan` is NULL or a live loan (this fn's `# Safety` contract).
        let l = unsafe { handle_arg(loan, "loan") }?;
        if !l.loan.as_ref().is_some_and(|l| l.held_here()) {
            return Err(other_thread("a loan"));
        }
        // SAFETY: a live loan handle, which the caller gives up here.
        unsafe { finish_loan(loan) }.send(priority)
    })
}

/// Sends the loan's message with `priority` if the queue has room now. `*sent` tells
/// whether it went: if so the loan handle is freed; if not, the loan stays live and unsent,
/// to send later or discard. On an error the handle is freed and its slot given back; from
/// a thread other than the one that took the loan: `INTERPROC_INVALID_ARGUMENT`, and the
/// loan stays as it was.
///
/// # Safety
/// `loan` must be NULL or a live loan; `sent` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_loan_try_send(
    loan: *mut interproc_mq_loan_t,
    priority: u32,
    sent: *mut bool,
) -> interproc_status_t {
    boundary(|| loan_send_if_room(loan, sent, |l| l.try_send(priority)))
}

/// As `interproc_mq_loan_try_send`, waiting at most until `*deadline` for room.
///
/// # Safety
/// As `interproc_mq_loan_try_send`; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_loan_timed_send(
    loan: *mut interproc_mq_loan_t,
    priority: u32,
    deadline: *const interproc_deadline_t,
    sent: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        let d = deadline_arg(deadline)?;
        loan_send_if_room(loan, sent, |l| l.timed_send(priority, d))
    })
}

/// Gives the loan's slot back unsent and frees the loan handle. NULL is ignored. From a
/// thread other than the one that took the loan: `INTERPROC_INVALID_ARGUMENT`, and the
/// loan stays as it was.
///
/// # Safety
/// `loan` must be NULL or a live loan, unused afterwards unless this returns
/// `INTERPROC_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_loan_discard(
    loan: *mut interproc_mq_loan_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `loan` is NULL or a live loan (this fn's `# Safety` contract).
        let Some(l) = (unsafe { loan.as_ref() }) else {
            return Ok(());
        };
        if !l.loan.as_ref().is_some_and(|l| l.held_here()) {
            return Err(other_thread("a loan"));
        }
        // SAFETY: a live loan handle, which the caller gives up here.
        unsafe { finish_loan(loan) }.discard()
    })
}

/// Stores a new handle of a message received in place in `*out` if `take` received one;
/// whether it did.
fn received_into(
    mq: *const interproc_mq_t,
    out: *mut *mut interproc_mq_received_t,
    take: impl for<'q> FnOnce(&'q MessageQueue) -> Result<Option<Received<'q>>>,
) -> Result<bool> {
    handle_into(mq, out, |q| {
        Ok(take(&q.queue)?.map(|received| {
            // SAFETY: only the lifetime changes; the caller promises to release the message
            // before it frees the queue handle (the type's contract).
            let received =
                unsafe { std::mem::transmute::<Received<'_>, Received<'static>>(received) };
            q.spare_received.boxed(interproc_mq_received_t {
                received: Some(received),
                mq,
            })
        }))
    })
}

/// The message behind a received-message handle; `None` for NULL.
///
/// # Safety
/// `received` must be NULL or a live received message for `'a`.
unsafe fn received_at<'a>(received: *const interproc_mq_received_t) -> Option<&'a Received<'a>> {
    // SAFETY: as this fn's contract; `as_ref` turns NULL into `None`.
    unsafe { received.as_ref() }.and_then(|r| r.received.as_ref())
}

/// Receives the oldest message of the highest priority in place, waiting while the queue
/// is empty, and stores it in `*out`: read it at `interproc_mq_received_data`, then
/// `interproc_mq_release` it to free its slot.
///
/// # Safety
/// `mq` must be NULL or a live handle; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_receive_in_place(
    mq: *const interproc_mq_t,
    out: *mut *mut interproc_mq_received_t,
) -> interproc_status_t {
    boundary(|| received_into(mq, out, |q| q.receive_in_place().map(Some)).map(|_| ()))
}

/// Receives in place if a message is there now; `*got` tells whether `*out` was stored.
///
/// # Safety
/// As `interproc_mq_receive_in_place`; `got` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_try_receive_in_place(
    mq: *const interproc_mq_t,
    out: *mut *mut interproc_mq_received_t,
    got: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        flagged(got, "got", || {
            received_into(mq, out, |q| q.try_receive_in_place())
        })
    })
}

/// Receives in place, waiting at most until `*deadline`; `*got` tells whether `*out` was
/// stored.
///
/// # Safety
/// As `interproc_mq_try_receive_in_place`; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_timed_receive_in_place(
    mq: *const interproc_mq_t,
    deadline: *const interproc_deadline_t,
    out: *mut *mut interproc_mq_received_t,
    got: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        flagged(got, "got", || {
            let d = deadline_arg(deadline)?;
            received_into(mq, out, |q| q.timed_receive_in_place(d))
        })
    })
}

/// The received message's bytes, 64-byte aligned (NULL for NULL).
///
/// # Safety
/// `received` must be NULL or a live received message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_received_data(
    received: *const interproc_mq_received_t,
) -> *const c_void {
    // SAFETY: `received` is NULL or live for the whole call (this fn's `# Safety`
    // contract), as `received_at` requires.
    boundary_value(std::ptr::null(), || {
        unsafe { received_at(received) }.map_or(std::ptr::null(), |r| r.as_ptr().cast())
    })
}

/// The received message's size in bytes (0 for NULL).
///
/// # Safety
/// `received` must be NULL or a live received message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_received_size(
    received: *const interproc_mq_received_t,
) -> usize {
    // SAFETY: `received` is NULL or live for the whole call (this fn's `# Safety`
    // contract), as `received_at` requires.
    boundary_value(0, || {
        unsafe { received_at(received) }.map_or(0, |r| r.len())
    })
}

/// The priority the received message was sent with (0 for NULL).
///
/// # Safety
/// `received` must be NULL or a live received message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_received_priority(
    received: *const interproc_mq_received_t,
) -> u32 {
    // SAFETY: `received` is NULL or live for the whole call (this fn's `# Safety`
    // contract), as `received_at` requires.
    boundary_value(0, || {
        unsafe { received_at(received) }.map_or(0, |r| r.priority())
    })
}

/// Frees the received message's slot and its handle. NULL is ignored. From a thread other
/// than the one that received it: `INTERPROC_INVALID_ARGUMENT`, and it stays as it was.
///
/// # Safety
/// `received` must be NULL or a live received message, unused afterwards unless this
/// returns `INTERPROC_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_release(
    received: *mut interproc_mq_received_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `received` is NULL or live (this fn's `# Safety` contract).
        let Some(r) = (unsafe { received.as_ref() }) else {
            return Ok(());
        };
        if !r.received.as_ref().is_some_and(|r| r.held_here()) {
            return Err(other_thread("a received message"));
        }
        // SAFETY: a live handle made by `Spare::boxed`, which the caller gives up here.
        let mut b = unsafe { Box::from_raw(received) };
        let (r, mq) = (b.received.take().expect("checked above"), b.mq);
        // SAFETY: the queue handle outlives its received messages (the type's contract).
        unsafe { &*mq }.spare_received.keep(b);
        r.release()
    })
}
