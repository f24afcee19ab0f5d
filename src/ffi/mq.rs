//! `message_queue` in C.

use super::error::interproc_status_t;
use super::sync::interproc_deadline_t;
use super::types::{self, interproc_creation_t};
use super::{boundary, boundary_value, free_handle, handle_arg, out_arg, put, str_arg};
use crate::sync::{Clock, Deadline};
use crate::{Error, ErrorKind, Loan, MessageQueue, Permissions, Received, Result};
use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};

/// A message queue in shared memory (Boost's `message_queue`).
pub struct interproc_mq_t {
    queue: MessageQueue,
    /// The memory of the last loan handle finished, for the next loan: a loan costs no
    /// heap allocation while each thread of the queue handle has at most one at a time.
    spare_loan: Spare<interproc_mq_loan_t>,
    /// The same for handles of messages received in place.
    spare_received: Spare<interproc_mq_received_t>,
}

/// One handle's memory kept for reuse (null: none), shared by the threads of a queue handle.
struct Spare<T>(AtomicPtr<T>);

impl<T> Spare<T> {
    const fn new() -> Spare<T> {
        Spare(AtomicPtr::new(std::ptr::null_mut()))
    }

    /// `value` in the kept memory if there is some, else in new memory.
    fn boxed(&self, value: T) -> *mut T {
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
    fn keep(&self, b: Box<T>) {
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

/// Opens or creates the message queue `name` (`/dev/shm/<name>`) and stores a new handle
/// in `*out`. `creation` is `INTERPROC_CREATE_ONLY`, `INTERPROC_OPEN_ONLY` or
/// `INTERPROC_OPEN_OR_CREATE`; `max_num_msg`, `max_msg_size` (both above 0) and `perm` are
/// used when the queue is created.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_open(
    creation: interproc_creation_t,
    name: *const c_char,
    max_num_msg: usize,
    max_msg_size: usize,
    perm: u32,
    out: *mut *mut interproc_mq_t,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `name` is NULL or a NUL-terminated string readable for the whole call (this
        // fn's `# Safety` contract).
        let name = unsafe { str_arg(name, "name") }?;
        out_arg(out, "out")?;
        let perm = Permissions::from_mode(perm);
        let queue = match creation {
            types::INTERPROC_CREATE_ONLY => {
                MessageQueue::create(name, max_num_msg, max_msg_size, perm)?
            }
            types::INTERPROC_OPEN_OR_CREATE => {
                MessageQueue::open_or_create(name, max_num_msg, max_msg_size, perm)?
            }
            types::INTERPROC_OPEN_ONLY => MessageQueue::open(name)?,
            other => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("{other} is not a valid creation tag here"),
                ));
            }
        };
        // SAFETY: checked non-NULL; writable by contract.
        unsafe {
            put(
                out,
                Box::into_raw(Box::new(interproc_mq_t {
                    queue,
                    spare_loan: Spare::new(),
                    spare_received: Spare::new(),
                })),
            )
        };
        Ok(())
    })
}

/// Closes the handle (the queue stays until `interproc_mq_remove`). NULL is ignored.
///
/// # Safety
/// `mq` must be NULL or a handle from `interproc_mq_open`, unused afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_free(mq: *mut interproc_mq_t) {
    // SAFETY: `mq` is NULL or a handle from this API that the caller gives up here (this fn's
    // `# Safety` contract).
    unsafe { free_handle(mq) }
}

/// Removes the queue `name`; false if there was none.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_remove(name: *const c_char) -> bool {
    // SAFETY: `name` is NULL or a NUL-terminated string readable for the whole call (this fn's
    // `# Safety` contract).
    boundary_value(false, || {
        unsafe { str_arg(name, "name") }.is_ok_and(MessageQueue::remove)
    })
}

/// # Safety
/// `data` must be NULL with `size` 0, or readable for `size` bytes.
unsafe fn bytes<'a>(data: *const c_void, size: usize) -> Result<&'a [u8]> {
    if data.is_null() {
        return if size == 0 {
            Ok(&[])
        } else {
            Err(Error::new(ErrorKind::InvalidArgument, "buffer is NULL"))
        };
    }
    // SAFETY: non-NULL and readable for `size` bytes per the contract.
    Ok(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), size) })
}

fn deadline_arg(d: *const interproc_deadline_t) -> Result<Deadline> {
    // SAFETY: the caller passes NULL or a readable deadline.
    let d = unsafe { d.as_ref() }
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "deadline is NULL"))?;
    let clock = Clock::from_code(d.clock).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{} is not a clock", d.clock),
        )
    })?;
    Deadline::new(clock, d.sec, d.nsec)
}

/// Sends `size` bytes of `data` with `priority` (higher first; equal priorities in send
/// order), waiting while the queue is full. A message larger than the queue's limit gives
/// `INTERPROC_SIZE_ERROR` and changes nothing.
///
/// # Safety
/// `mq` must be NULL or a live handle; `data` readable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_send(
    mq: *const interproc_mq_t,
    data: *const c_void,
    size: usize,
    priority: u32,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mq` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let q = unsafe { handle_arg(mq, "mq") }?;
        // SAFETY: `data` is NULL or readable for `size` bytes for the whole call (this fn's `#
        // Safety` contract).
        q.queue.send(unsafe { bytes(data, size) }?, priority)
    })
}

/// Sends if there is room now; `*sent` tells whether it was sent.
///
/// # Safety
/// As `interproc_mq_send`; `sent` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_try_send(
    mq: *const interproc_mq_t,
    data: *const c_void,
    size: usize,
    priority: u32,
    sent: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mq` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let q = unsafe { handle_arg(mq, "mq") }?;
        out_arg(sent, "sent")?;
        // SAFETY: `data` is NULL or readable for `size` bytes for the whole call (this fn's `#
        // Safety` contract).
        let ok = q.queue.try_send(unsafe { bytes(data, size) }?, priority)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(sent, ok) };
        Ok(())
    })
}

/// Sends, waiting at most until `*deadline`; `*sent` tells whether it was sent.
///
/// # Safety
/// As `interproc_mq_try_send`; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_timed_send(
    mq: *const interproc_mq_t,
    data: *const c_void,
    size: usize,
    priority: u32,
    deadline: *const interproc_deadline_t,
    sent: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: `mq` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); NULL is an error.
        let q = unsafe { handle_arg(mq, "mq") }?;
        out_arg(sent, "sent")?;
        let d = deadline_arg(deadline)?;
        // SAFETY: `data` is NULL or readable for `size` bytes for the whole call (this fn's `#
        // Safety` contract).
        let ok = q
            .queue
            .timed_send(unsafe { bytes(data, size) }?, priority, d)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(sent, ok) };
        Ok(())
    })
}

fn receive_into(
    mq: *const interproc_mq_t,
    buffer: *mut c_void,
    buffer_size: usize,
    received: *mut usize,
    priority: *mut u32,
    f: impl FnOnce(&MessageQueue, &mut [u8]) -> Result<Option<(usize, u32)>>,
) -> Result<bool> {
    // SAFETY: the C caller passes NULL or a live handle.
    let q = unsafe { handle_arg(mq, "mq") }?;
    out_arg(received, "received")?;
    out_arg(priority, "priority")?;
    if buffer.is_null() {
        return Err(Error::new(ErrorKind::InvalidArgument, "buffer is NULL"));
    }
    // SAFETY: the caller promises `buffer` is writable for `buffer_size` bytes.
    let buf = unsafe { std::slice::from_raw_parts_mut(buffer.cast::<u8>(), buffer_size) };
    match f(&q.queue, buf)? {
        Some((n, p)) => {
            // SAFETY: checked non-NULL; writable by contract.
            unsafe {
                put(received, n);
                put(priority, p);
            }
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Receives the oldest message of the highest priority into `buffer` (which must hold the
/// queue's `max_msg_size` bytes: `INTERPROC_SIZE_ERROR` otherwise), waiting while the queue
/// is empty; stores its size and priority.
///
/// # Safety
/// `mq` must be NULL or a live handle; `buffer` writable for `buffer_size` bytes;
/// `received`, `priority` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_receive(
    mq: *const interproc_mq_t,
    buffer: *mut c_void,
    buffer_size: usize,
    received: *mut usize,
    priority: *mut u32,
) -> interproc_status_t {
    boundary(|| {
        receive_into(mq, buffer, buffer_size, received, priority, |q, b| {
            q.receive(b).map(Some)
        })
        .map(|_| ())
    })
}

/// Receives if a message is there now; `*got` tells whether one was received.
///
/// # Safety
/// As `interproc_mq_receive`; `got` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_try_receive(
    mq: *const interproc_mq_t,
    buffer: *mut c_void,
    buffer_size: usize,
    received: *mut usize,
    priority: *mut u32,
    got: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        out_arg(got, "got")?;
        let ok = receive_into(mq, buffer, buffer_size, received, priority, |q, b| {
            q.try_receive(b)
        })?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(got, ok) };
        Ok(())
    })
}

/// Receives, waiting at most until `*deadline`; `*got` tells whether one was received.
///
/// # Safety
/// As `interproc_mq_try_receive`; `deadline` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_timed_receive(
    mq: *const interproc_mq_t,
    buffer: *mut c_void,
    buffer_size: usize,
    received: *mut usize,
    priority: *mut u32,
    deadline: *const interproc_deadline_t,
    got: *mut bool,
) -> interproc_status_t {
    boundary(|| {
        out_arg(got, "got")?;
        let d = deadline_arg(deadline)?;
        let ok = receive_into(mq, buffer, buffer_size, received, priority, |q, b| {
            q.timed_receive(b, d)
        })?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(got, ok) };
        Ok(())
    })
}

/// The most messages the queue holds (0 for NULL).
///
/// # Safety
/// `mq` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_get_max_msg(mq: *const interproc_mq_t) -> usize {
    // SAFETY: `mq` is NULL or a live handle for the whole call (this fn's `# Safety` contract);
    // `as_ref` turns NULL into `None`.
    boundary_value(0, || {
        unsafe { mq.as_ref() }.map_or(0, |q| q.queue.max_msg())
    })
}

/// The largest message in bytes (0 for NULL).
///
/// # Safety
/// `mq` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_get_max_msg_size(mq: *const interproc_mq_t) -> usize {
    // SAFETY: `mq` is NULL or a live handle for the whole call (this fn's `# Safety` contract);
    // `as_ref` turns NULL into `None`.
    boundary_value(0, || {
        unsafe { mq.as_ref() }.map_or(0, |q| q.queue.max_msg_size())
    })
}

/// The number of messages in the queue now (0 for NULL).
///
/// # Safety
/// `mq` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_mq_get_num_msg(mq: *const interproc_mq_t) -> usize {
    // SAFETY: `mq` is NULL or a live handle for the whole call (this fn's `# Safety` contract);
    // `as_ref` turns NULL into `None`.
    boundary_value(0, || {
        unsafe { mq.as_ref() }.map_or(0, |q| q.queue.num_msg())
    })
}

// ----- loans and in-place receives (an interproc extension) -----

/// A slot of a message queue lent to the calling thread, to write a message in place
/// (`interproc_mq_loan`); sent with `interproc_mq_loan_send` or given back with
/// `interproc_mq_loan_discard`, on the thread that took it, before its queue is freed.
pub struct interproc_mq_loan_t {
    /// `None` only while the memory is kept for reuse (`Spare`).
    loan: Option<Loan<'static>>,
    mq: *const interproc_mq_t,
}

/// A message received in place (`interproc_mq_receive_in_place`), still in its queue slot
/// until `interproc_mq_release`, on the thread that received it, before its queue is freed.
pub struct interproc_mq_received_t {
    /// `None` only while the memory is kept for reuse (`Spare`).
    received: Option<Received<'static>>,
    mq: *const interproc_mq_t,
}

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
    let mut b = unsafe { Box::from_raw(loan) };
    let (l, mq) = (b.loan.take().expect("a live loan handle"), b.mq);
    // SAFETY: the queue handle outlives its loans (the type's contract).
    unsafe { &*mq }.spare_loan.keep(b);
    l
}

/// Stores a new loan handle in `*out` if `take` lends a slot; whether it did.
fn loan_into(
    mq: *const interproc_mq_t,
    out: *mut *mut interproc_mq_loan_t,
    take: impl for<'q> FnOnce(&'q MessageQueue) -> Result<Option<Loan<'q>>>,
) -> Result<bool> {
    // SAFETY: the C caller passes NULL or a live handle.
    let q = unsafe { handle_arg(mq, "mq") }?;
    out_arg(out, "out")?;
    let Some(loan) = take(&q.queue)? else {
        return Ok(false);
    };
    // SAFETY: only the lifetime changes; the caller promises to end the loan before it
    // frees the queue handle (the type's contract).
    let loan = unsafe { std::mem::transmute::<Loan<'_>, Loan<'static>>(loan) };
    let h = q.spare_loan.boxed(interproc_mq_loan_t {
        loan: Some(loan),
        mq,
    });
    // SAFETY: checked non-NULL; writable by contract.
    unsafe { put(out, h) };
    Ok(true)
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
        out_arg(loaned, "loaned")?;
        let ok = loan_into(mq, out, |q| q.try_loan(size))?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(loaned, ok) };
        Ok(())
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
        out_arg(loaned, "loaned")?;
        let d = deadline_arg(deadline)?;
        let ok = loan_into(mq, out, |q| q.timed_loan(size, d))?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(loaned, ok) };
        Ok(())
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
    // SAFETY: the C caller passes NULL or a live handle.
    let q = unsafe { handle_arg(mq, "mq") }?;
    out_arg(out, "out")?;
    let Some(received) = take(&q.queue)? else {
        return Ok(false);
    };
    // SAFETY: only the lifetime changes; the caller promises to release the message before
    // it frees the queue handle (the type's contract).
    let received = unsafe { std::mem::transmute::<Received<'_>, Received<'static>>(received) };
    let h = q.spare_received.boxed(interproc_mq_received_t {
        received: Some(received),
        mq,
    });
    // SAFETY: checked non-NULL; writable by contract.
    unsafe { put(out, h) };
    Ok(true)
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
        out_arg(got, "got")?;
        let ok = received_into(mq, out, |q| q.try_receive_in_place())?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(got, ok) };
        Ok(())
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
        out_arg(got, "got")?;
        let d = deadline_arg(deadline)?;
        let ok = received_into(mq, out, |q| q.timed_receive_in_place(d))?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { put(got, ok) };
        Ok(())
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
    // contract); `as_ref` turns NULL into `None`.
    boundary_value(std::ptr::null(), || {
        unsafe { received.as_ref() }
            .and_then(|r| r.received.as_ref())
            .map_or(std::ptr::null(), |r| r.as_ptr().cast())
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
    // SAFETY: as in `interproc_mq_received_data`.
    boundary_value(0, || {
        unsafe { received.as_ref() }
            .and_then(|r| r.received.as_ref())
            .map_or(0, |r| r.len())
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
    // SAFETY: as in `interproc_mq_received_data`.
    boundary_value(0, || {
        unsafe { received.as_ref() }
            .and_then(|r| r.received.as_ref())
            .map_or(0, |r| r.priority())
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
