//! Sending and receiving [`Shareable`] values instead of bytes.

use super::handle::{MessageQueue, Payload, Wait};
use crate::sync::Deadline;
use crate::{Error, ErrorKind, Result, Shareable};
use std::time::Duration;

impl MessageQueue {
    /// The `Size` error for a `T` that does not fit this queue's messages.
    fn value_fits<T>(&self) -> Result<()> {
        let size = std::mem::size_of::<T>() as u64;
        if size > self.layout.max_msg_size {
            return Err(Error::new(
                ErrorKind::Size,
                format!(
                    "a {} ({size} bytes) is larger than the queue's messages ({} bytes)",
                    std::any::type_name::<T>(),
                    self.layout.max_msg_size
                ),
            ));
        }
        Ok(())
    }

    fn send_value_impl<T: Shareable>(&self, value: &T, priority: u32, wait: Wait) -> Result<bool> {
        self.value_fits::<T>()?;
        self.send_impl(Payload::of_value(value), priority, wait)
    }

    /// Receives one message as a `T`: `Size` if the message is not exactly a `T`'s size
    /// (that message is taken off the queue: a queue carries one type of value).
    fn receive_value_impl<T: Shareable>(&self, wait: Wait) -> Result<Option<(T, u32)>> {
        self.value_fits::<T>()?;
        let size = std::mem::size_of::<T>();
        let mut value = std::mem::MaybeUninit::<T>::zeroed();
        let got = if size as u64 == self.layout.max_msg_size {
            // SAFETY: the zeroed value's `size` bytes are initialised and exclusively ours;
            // viewing them as bytes to receive into them is sound for any `T`.
            let buf = unsafe { std::slice::from_raw_parts_mut(value.as_mut_ptr().cast(), size) };
            self.receive_impl(buf, wait)?
        } else {
            let mut buf = vec![0u8; self.layout.max_msg_size as usize];
            let got = self.receive_impl(&mut buf, wait)?;
            if let Some((len, _)) = got {
                let len = len.min(size);
                // SAFETY: `len` bytes of `buf` into the value's storage, which holds `size`.
                unsafe {
                    std::ptr::copy_nonoverlapping(buf.as_ptr(), value.as_mut_ptr().cast(), len)
                };
            }
            got
        };
        let Some((len, priority)) = got else {
            return Ok(None);
        };
        if len != size {
            return Err(Error::new(
                ErrorKind::Size,
                format!(
                    "message queue {:?}: a message of {len} bytes where a {} of {size} bytes was expected",
                    self.name,
                    std::any::type_name::<T>()
                ),
            ));
        }
        // SAFETY: all `size` bytes are initialised (zeroed, then the message's), and every
        // bit pattern is a valid `T` (Shareable).
        Ok(Some((unsafe { value.assume_init() }, priority)))
    }

    /// Sends `value` with `priority`, waiting while the queue is full. `Size` if a `T` is
    /// larger than the queue's messages.
    pub fn send_value<T: Shareable>(&self, value: &T, priority: u32) -> Result<()> {
        self.send_value_impl(value, priority, Wait::Forever)
            .map(|_| ())
    }

    /// Sends `value` if there is room now; whether it was sent.
    pub fn try_send_value<T: Shareable>(&self, value: &T, priority: u32) -> Result<bool> {
        self.send_value_impl(value, priority, Wait::Never)
    }

    /// Sends `value`, waiting at most `timeout` for room; whether it was sent.
    pub fn send_value_timeout<T: Shareable>(
        &self,
        value: &T,
        priority: u32,
        timeout: Duration,
    ) -> Result<bool> {
        self.send_value_impl(value, priority, Wait::Until(Deadline::after(timeout)))
    }

    /// Receives the next message (highest priority first) as a `T`, waiting while the
    /// queue is empty; the value and its priority. `Size` if the message is not a `T`'s
    /// size (the message is consumed).
    pub fn receive_value<T: Shareable>(&self) -> Result<(T, u32)> {
        self.receive_value_impl(Wait::Forever)
            .map(|r| r.expect("a blocking receive returns a message"))
    }

    /// Receives a `T` if a message is there now.
    pub fn try_receive_value<T: Shareable>(&self) -> Result<Option<(T, u32)>> {
        self.receive_value_impl(Wait::Never)
    }

    /// Receives a `T`, waiting at most `timeout` (`std::sync::mpsc`'s `recv_timeout`).
    pub fn recv_timeout<T: Shareable>(&self, timeout: Duration) -> Result<Option<(T, u32)>> {
        self.receive_value_impl(Wait::Until(Deadline::after(timeout)))
    }

    /// The `T`s queued now, received one by one until the queue is empty (or a receive
    /// fails, which ends the iteration with that error).
    pub fn try_iter<T: Shareable>(&self) -> impl Iterator<Item = Result<(T, u32)>> + '_ {
        std::iter::from_fn(move || self.try_receive_value::<T>().transpose())
    }
}
