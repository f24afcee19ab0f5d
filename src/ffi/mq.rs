//! `message_queue` in C.

use super::error::interproc_status_t;
use super::sync::deadline_arg;
use super::sync::interproc_deadline_t;
use super::types::{self, interproc_creation_t};
use super::{boundary, boundary_value, free_handle, handle_arg, new_handle, out_arg, put, str_arg};
use crate::{Error, ErrorKind, MessageQueue, Permissions, Result};
use handles::Spare;
pub use handles::interproc_mq_t;
use std::ffi::{c_char, c_void};

mod handles;
mod loans;

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
        let perm = Permissions::from_mode(perm);
        let open = || {
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
            Ok(interproc_mq_t {
                queue,
                spare_loan: Spare::new(),
                spare_received: Spare::new(),
            })
        };
        // SAFETY: `out` is NULL or writable (this fn's `# Safety` contract).
        unsafe { new_handle(out, open) }
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
