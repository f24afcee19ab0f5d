//! Zero-copy messages: a sender writes straight into a slot of the loan pool lent to it (a
//! [`Loan`]) and sends it; a receiver reads a message where it lies (a [`Received`]) and
//! the slot is freed when the view is dropped (see `pool.rs`). Loans and views mix freely
//! with copying sends and receives on one queue, in the same order (highest priority
//! first, FIFO within one priority, in the order of the sends), in either mode.
//!
//! A loan or a view of a pool slot belongs to the thread that took it (it holds the slot's
//! robust lock), so neither is `Send`. If that thread dies, the slot comes back by itself;
//! the message it held is lost.

use super::handle::{MessageQueue, Payload, Sink, Wait};
use super::layout::Descriptor;
use super::received::{Got, OwnedBytes};
use crate::sync::Deadline;
use crate::{Error, ErrorKind, Result, Shareable};
use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Where a received message's bytes are.
enum Place {
    /// In this pool slot, which the receiving thread holds.
    Pool(u32),
    /// In memory of the receiver's own, kept here for the view (read through `data`).
    Own(#[allow(dead_code)] OwnedBytes),
}

/// A slot of a [`MessageQueue`] lent to this thread: write the message into it (it derefs
/// to `&mut [u8]` of the size asked for, or to `&mut T` once [cast](Loan::cast)), then
/// [`send`](Loan::send) it. Dropped unsent, the slot goes back to the queue.
///
/// The bytes are whatever the slot last held: write every byte the receiver reads.
pub struct Loan<'q, T: ?Sized = [u8]> {
    queue: &'q MessageQueue,
    /// The pool slot, and the generation of this lending of it.
    slot: u32,
    generation: u32,
    data: NonNull<T>,
    /// The slot's owner lock is held by the thread that took the loan: not `Send`.
    _owner: PhantomData<*mut ()>,
}

/// A message received in place: it derefs to its bytes (or to a `T` once
/// [cast](Received::cast)). A message sent from a loan is still in its pool slot, which is
/// freed when this is dropped; one sent by copy was copied once, into memory of its own.
pub struct Received<'q, T: ?Sized = [u8]> {
    queue: &'q MessageQueue,
    place: Place,
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
            generation: me.generation,
            data: me.data.cast(),
            _owner: PhantomData,
        })
    }
}

impl<T: ?Sized> Loan<'_, T> {
    /// Sends the message written in place with `priority`: it is queued after every
    /// message of the same or a higher priority sent before, waiting while the queue is
    /// full (what the queue carries is a small descriptor of the pool slot).
    pub fn send(self, priority: u32) -> Result<()> {
        self.send_impl(priority, Wait::Forever).map(|_| ())
    }

    /// Sends it if the queue has room now; if it is full, the loan comes back unsent
    /// (`Some`), to send later or drop. An error gives the slot back.
    pub fn try_send(self, priority: u32) -> Result<Option<Self>> {
        self.send_impl(priority, Wait::Never)
    }

    /// Sends it, waiting at most until `deadline` for room; the loan comes back unsent
    /// (`Some`) if the deadline passed.
    pub fn timed_send(self, priority: u32, deadline: Deadline) -> Result<Option<Self>> {
        self.send_impl(priority, Wait::Until(deadline))
    }

    fn send_impl(self, priority: u32, wait: Wait) -> Result<Option<Self>> {
        let me = ManuallyDrop::new(self);
        let pool = me.queue.pool();
        // The thread that took the loan sends it: a `Loan` is not `Send`, and the C ABI
        // checks `held_here` before it sends one (a look here as well cost a tenth of the
        // loan path's instructions, with the one in `queued`).
        debug_assert!(pool.held_here(me.slot), "a loan is sent by its own thread");
        // SAFETY: `data` points into the slot lent to this thread, live while the queue is.
        let len = std::mem::size_of_val(unsafe { me.data.as_ref() });
        let d = Descriptor {
            pool: me.slot,
            generation: me.generation,
        }
        .to_bytes();
        // The pool slot stays this thread's until its descriptor is queued.
        match me
            .queue
            .send_impl(Payload::of_descriptor(&d, len), priority, wait)
        {
            Ok(true) => pool.queued(me.slot).map(|()| None),
            Ok(false) => Ok(Some(ManuallyDrop::into_inner(me))),
            Err(e) => {
                let _ = pool.free(me.slot);
                Err(e)
            }
        }
    }

    /// Whether the calling thread is the one the slot is lent to (the only one that may
    /// send or discard it: the C ABI checks this, where the type cannot).
    pub(crate) fn held_here(&self) -> bool {
        self.queue.pool().held_here(self.slot)
    }

    /// Gives the slot back unsent (as dropping does), reporting an error if there is one.
    pub fn discard(self) -> Result<()> {
        let me = ManuallyDrop::new(self);
        me.queue.pool().free(me.slot)
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
        let _ = self.queue.pool().free(self.slot);
    }
}

impl<T: ?Sized> fmt::Debug for Loan<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loan")
            .field("queue", &self.queue.name())
            .field("pool_slot", &self.slot)
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
            // SAFETY: moved out of `me`, which is never used or dropped again.
            place: unsafe { std::ptr::read(&me.place) },
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
        match self.place {
            Place::Pool(i) => self.queue.pool().held_here(i),
            Place::Own(_) => true,
        }
    }

    /// Frees the slot (as dropping does), reporting an error if there is one.
    pub fn release(self) -> Result<()> {
        let me = ManuallyDrop::new(self);
        // SAFETY: moved out of `me`, which is never used or dropped again.
        match unsafe { std::ptr::read(&me.place) } {
            Place::Pool(i) => me.queue.pool().free(i),
            Place::Own(_) => Ok(()),
        }
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
        if let Place::Pool(i) = self.place {
            let _ = self.queue.pool().free(i);
        }
    }
}

impl<T: ?Sized> fmt::Debug for Received<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slot = match self.place {
            Place::Pool(i) => Some(i),
            Place::Own(_) => None,
        };
        f.debug_struct("Received")
            .field("queue", &self.queue.name())
            .field("pool_slot", &slot)
            .field("len", &std::mem::size_of_val(&**self))
            .field("priority", &self.priority)
            .finish()
    }
}

impl MessageQueue {
    fn loan_impl(&self, size: usize, wait: Wait) -> Result<Option<Loan<'_>>> {
        self.fits(size)?;
        let pool = self.pool();
        let Some((slot, generation)) = pool.lend(wait)? else {
            return Ok(None);
        };
        let at = NonNull::new(pool.payload(pool.header(slot)?)).expect("in the mapping");
        Ok(Some(Loan {
            queue: self,
            slot,
            generation,
            data: NonNull::slice_from_raw_parts(at, size),
            _owner: PhantomData,
        }))
    }

    fn receive_in_place_impl(&self, wait: Wait) -> Result<Option<Received<'_>>> {
        let (place, at, len, priority) = match self.receive_into(&mut Sink::InPlace, wait)? {
            None => return Ok(None),
            Some(Got::Pool {
                slot,
                len,
                priority,
            }) => {
                let pool = self.pool();
                let at = NonNull::new(pool.payload(pool.header(slot)?)).expect("in the mapping");
                (Place::Pool(slot), at, len, priority)
            }
            Some(Got::Owned(bytes, priority)) => {
                let (at, len) = (bytes.as_ptr(), bytes.len);
                (Place::Own(bytes), at, len, priority)
            }
            Some(Got::Copied(..)) => unreachable!("an in-place receive copies nothing out"),
        };
        Ok(Some(Received {
            queue: self,
            place,
            data: NonNull::slice_from_raw_parts(at, len),
            priority,
            _owner: PhantomData,
        }))
    }

    /// Lends this thread a slot for a message of `size` bytes, to write in place and then
    /// [`send`](Loan::send), waiting while no slot is free. `Size` if `size` is larger
    /// than `max_msg_size`. An interproc extension (Boost's queue copies every message).
    /// At most `max_num_msg` loaned, queued-from-a-loan and viewed messages exist at once.
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
    /// waiting while the queue is empty: one sent from a loan stays in its pool slot until
    /// the [`Received`] is dropped (one sent by copy is copied once). An interproc
    /// extension.
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
