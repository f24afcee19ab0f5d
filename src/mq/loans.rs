//! Zero-copy messages: a sender writes straight into a slot lent to it (a [`Loan`]) and
//! sends it; a receiver reads a message where it lies (a [`Received`]) and the slot is
//! freed when the view is dropped. Loans and views mix freely with copying sends and
//! receives on one queue, in the same order (highest priority first, FIFO within one
//! priority, in the order of the sends). They run in locked mode (see `lent.rs`), to which
//! the first one switches the queue.
//!
//! A loan or a view belongs to the thread that took it (it holds its slot's robust lock),
//! so neither is `Send`. If that thread dies, the slot comes back by itself; the message
//! it held is lost.

use super::layout::{MODE_RING, ROUNDS_MAX, SLOT_LOANED, SLOT_VIEWED};
use super::locked::{Guard, LockedMode};
use super::{MessageQueue, Wait};
use crate::sync::Deadline;
use crate::{Error, ErrorKind, Result, Shareable};
use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::atomic::Ordering;

/// A slot of a [`MessageQueue`] lent to this thread: write the message into it (it derefs
/// to `&mut [u8]` of the size asked for, or to `&mut T` once [cast](Loan::cast)), then
/// [`send`](Loan::send) it. Dropped unsent, the slot goes back to the queue.
///
/// The bytes are whatever the slot last held: write every byte the receiver reads.
pub struct Loan<'q, T: ?Sized = [u8]> {
    queue: &'q MessageQueue,
    slot: u32,
    data: NonNull<T>,
    /// The slot's owner lock is held by the thread that took the loan: not `Send`.
    _owner: PhantomData<*mut ()>,
}

/// A message received in place: it derefs to its bytes (or to a `T` once
/// [cast](Received::cast)), still in the queue's slot, which is freed when this is
/// dropped.
pub struct Received<'q, T: ?Sized = [u8]> {
    queue: &'q MessageQueue,
    slot: u32,
    data: NonNull<T>,
    priority: u32,
    /// The slot's owner lock is held by the thread that received it: not `Send`.
    _owner: PhantomData<*mut ()>,
}

/// The `Size` or `InvalidArgument` error for viewing `len` bytes at `at` as a `T`.
fn check_cast<T>(len: usize, at: *const u8) -> Result<()> {
    let name = std::any::type_name::<T>();
    if len != std::mem::size_of::<T>() {
        return Err(Error::new(
            ErrorKind::Size,
            format!(
                "a message of {len} bytes is not a {name} ({} bytes)",
                std::mem::size_of::<T>()
            ),
        ));
    }
    if !at.cast::<T>().is_aligned() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "a queue slot is not aligned for a {name} ({} bytes)",
                std::mem::align_of::<T>()
            ),
        ));
    }
    Ok(())
}

impl<'q> Loan<'q> {
    /// The loan as a `T`: `Size` unless it was taken for exactly a `T`'s size (the slot
    /// goes back then). Slots are 64-byte aligned.
    pub fn cast<T: Shareable>(self) -> Result<Loan<'q, T>> {
        check_cast::<T>(self.data.len(), self.data.as_ptr().cast())?;
        let me = ManuallyDrop::new(self);
        Ok(Loan {
            queue: me.queue,
            slot: me.slot,
            data: me.data.cast(),
            _owner: PhantomData,
        })
    }
}

impl<T: ?Sized> Loan<'_, T> {
    /// Sends the message written in place with `priority`: it is queued after every
    /// message of the same or a higher priority sent before. Never waits for room (the
    /// slot is already the sender's).
    pub fn send(self, priority: u32) -> Result<()> {
        let me = ManuallyDrop::new(self);
        // SAFETY: `data` points into the slot lent to this thread, live while the queue is.
        let len = std::mem::size_of_val(unsafe { me.data.as_ref() });
        me.queue.locked().publish(me.slot, len, priority)
    }

    /// Whether the calling thread is the one the slot is lent to (the only one that may
    /// send or discard it: the C ABI checks this, where the type cannot).
    pub(crate) fn held_here(&self) -> bool {
        self.queue
            .slot(self.slot)
            .is_ok_and(|s| s.owner.held_by_me())
    }

    /// Gives the slot back unsent (as dropping does), reporting an error if there is one.
    pub fn discard(self) -> Result<()> {
        let me = ManuallyDrop::new(self);
        me.queue.locked().release(me.slot, SLOT_LOANED)
    }
}

impl<T: ?Sized> Deref for Loan<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `data` points into the slot lent to this thread (no other process or
        // thread touches it until it is sent or given back), inside the mapping, which lives
        // as long as the queue borrowed here; a `T` is `u8`s or `Shareable` (any bytes).
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized> DerefMut for Loan<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this the only view of the slot.
        unsafe { self.data.as_mut() }
    }
}

impl<T: ?Sized> Drop for Loan<'_, T> {
    fn drop(&mut self) {
        let _ = self.queue.locked().release(self.slot, SLOT_LOANED);
    }
}

impl<T: ?Sized> fmt::Debug for Loan<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loan")
            .field("queue", &self.queue.name())
            .field("slot", &self.slot)
            .field("len", &std::mem::size_of_val(&**self))
            .finish()
    }
}

impl<'q> Received<'q> {
    /// The message as a `T`: `Size` unless it is exactly a `T`'s size (the message is
    /// dropped then, as [`MessageQueue::receive_value`] consumes it).
    pub fn cast<T: Shareable>(self) -> Result<Received<'q, T>> {
        check_cast::<T>(self.data.len(), self.data.as_ptr().cast())?;
        let me = ManuallyDrop::new(self);
        Ok(Received {
            queue: me.queue,
            slot: me.slot,
            data: me.data.cast(),
            priority: me.priority,
            _owner: PhantomData,
        })
    }
}

impl<T: ?Sized> Received<'_, T> {
    /// The priority it was sent with.
    pub fn priority(&self) -> u32 {
        self.priority
    }

    /// Whether the calling thread is the one that received it (see [`Loan::held_here`]).
    pub(crate) fn held_here(&self) -> bool {
        self.queue
            .slot(self.slot)
            .is_ok_and(|s| s.owner.held_by_me())
    }

    /// Frees the slot (as dropping does), reporting an error if there is one.
    pub fn release(self) -> Result<()> {
        let me = ManuallyDrop::new(self);
        me.queue.locked().release(me.slot, SLOT_VIEWED)
    }
}

impl<T: ?Sized> Deref for Received<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `data` points into the slot this thread took the message in (no one
        // writes it until it is released), inside the mapping, which lives as long as the
        // queue borrowed here; a `T` is `u8`s or `Shareable` (any bytes).
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized> Drop for Received<'_, T> {
    fn drop(&mut self) {
        let _ = self.queue.locked().release(self.slot, SLOT_VIEWED);
    }
}

impl<T: ?Sized> fmt::Debug for Received<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Received")
            .field("queue", &self.queue.name())
            .field("slot", &self.slot)
            .field("len", &std::mem::size_of_val(&**self))
            .field("priority", &self.priority)
            .finish()
    }
}

impl MessageQueue {
    /// Runs `step` in locked mode, switching the queue to it first if it is in ring mode;
    /// `None` if `wait` ran out.
    fn in_locked_mode<T>(
        &self,
        wait: Wait,
        step: impl Fn(LockedMode<'_>, Guard<'_>) -> Result<Option<Option<T>>>,
    ) -> Result<Option<T>> {
        for _ in 0..ROUNDS_MAX {
            let Some(guard) = self.locked().lock(wait)? else {
                return Ok(None);
            };
            // Acquire: as in `send_impl`.
            if self.queue_header().mode.load(Ordering::Acquire) == MODE_RING
                && !self.locked().switch_to_locked(wait)?
            {
                return Ok(None);
            }
            if let Some(got) = step(self.locked(), guard)? {
                return Ok(got);
            }
        }
        Err(self.no_progress())
    }

    fn loan_impl(&self, size: usize, wait: Wait) -> Result<Option<Loan<'_>>> {
        self.fits(size)?;
        let Some(slot) = self.in_locked_mode(wait, |l, g| l.lend(g, wait))? else {
            return Ok(None);
        };
        let at = self.payload(self.slot(slot)?);
        Ok(Some(Loan {
            queue: self,
            slot,
            data: NonNull::slice_from_raw_parts(
                NonNull::new(at).expect("a slot's bytes are in the mapping"),
                size,
            ),
            _owner: PhantomData,
        }))
    }

    fn receive_in_place_impl(&self, wait: Wait) -> Result<Option<Received<'_>>> {
        let Some((slot, len, priority)) = self.in_locked_mode(wait, |l, g| l.view(g, wait))? else {
            return Ok(None);
        };
        let at = self.payload(self.slot(slot)?);
        Ok(Some(Received {
            queue: self,
            slot,
            data: NonNull::slice_from_raw_parts(
                NonNull::new(at).expect("a slot's bytes are in the mapping"),
                len,
            ),
            priority,
            _owner: PhantomData,
        }))
    }

    /// Lends this thread a slot for a message of `size` bytes, to write in place and then
    /// [`send`](Loan::send), waiting while no slot is free. `Size` if `size` is larger
    /// than `max_msg_size`. An interproc extension (Boost's queue copies every message).
    pub fn loan(&self, size: usize) -> Result<Loan<'_>> {
        self.loan_impl(size, Wait::Forever)
            .map(|l| l.expect("a blocking loan returns a slot"))
    }

    /// Lends a slot if one is free now.
    pub fn try_loan(&self, size: usize) -> Result<Option<Loan<'_>>> {
        self.loan_impl(size, Wait::Never)
    }

    /// Lends a slot, waiting at most until `deadline`.
    pub fn timed_loan(&self, size: usize, deadline: Deadline) -> Result<Option<Loan<'_>>> {
        self.loan_impl(size, Wait::Until(deadline))
    }

    /// Lends a slot for a `T` ([`loan`](Self::loan) and [`cast`](Loan::cast)).
    pub fn loan_value<T: Shareable>(&self) -> Result<Loan<'_, T>> {
        self.loan(std::mem::size_of::<T>())?.cast()
    }

    /// Receives the next message (highest priority first, FIFO within one) in place,
    /// waiting while the queue is empty: it stays in its slot until the [`Received`] is
    /// dropped. An interproc extension.
    pub fn receive_in_place(&self) -> Result<Received<'_>> {
        self.receive_in_place_impl(Wait::Forever)
            .map(|r| r.expect("a blocking receive returns a message"))
    }

    /// Receives in place if a message is there now.
    pub fn try_receive_in_place(&self) -> Result<Option<Received<'_>>> {
        self.receive_in_place_impl(Wait::Never)
    }

    /// Receives in place, waiting at most until `deadline`.
    pub fn timed_receive_in_place(&self, deadline: Deadline) -> Result<Option<Received<'_>>> {
        self.receive_in_place_impl(Wait::Until(deadline))
    }

    /// Receives a `T` in place ([`receive_in_place`](Self::receive_in_place) and
    /// [`cast`](Received::cast)).
    pub fn receive_value_in_place<T: Shareable>(&self) -> Result<Received<'_, T>> {
        self.receive_in_place()?.cast()
    }
}
