//! Creating, building and opening a queue, by the publish protocol of `crate::publish`.

use super::handle::{MessageQueue, corrupted};
use super::layout::{
    ENTRIES, FROZEN, HEADER_SIZE, LAYOUT_VERSION, Layout, MAGIC, MODE_LOCKED, MODE_UNLOCKING,
    QueueHeader, STATE_WORD,
};
use crate::publish::{self, Turn};
use crate::{MappedRegion, Mode, Permissions, Result, SharedMemoryObject};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU32, Ordering};

impl MessageQueue {
    pub(super) fn open_impl(
        create: bool,
        open: bool,
        name: &str,
        max_msg: usize,
        max_size: usize,
        perm: Permissions,
    ) -> Result<Self> {
        let what = format!("message queue {name:?}");
        let layout = if create {
            Some(Layout::new(max_msg as u64, max_size as u64)?)
        } else {
            None
        };
        let shm = match (create, open) {
            (true, false) => SharedMemoryObject::create(name, Mode::ReadWrite, perm)?,
            (true, true) => SharedMemoryObject::open_or_create(name, Mode::ReadWrite, perm)?,
            _ => SharedMemoryObject::open(name, Mode::ReadWrite)?,
        };
        let may_build = shm.created() || (create && open);
        if let Turn::Build(_building) =
            publish::take_turn(shm.as_fd(), STATE_WORD, may_build, &what)?
        {
            let layout = layout.expect("building needs a layout");
            // Emptied first: a builder that died may have left part of its work.
            let made = shm
                .truncate(0)
                .and_then(|_| shm.truncate(layout.total))
                .and_then(|_| MappedRegion::new(&shm, Mode::ReadWrite, 0, 0))
                .and_then(|region| Self::format(region, layout, name));
            if made.is_err() {
                SharedMemoryObject::remove(name);
            }
            return made;
        }
        if shm.size()? < HEADER_SIZE {
            return Err(corrupted(format!("{what} is too small for its header")));
        }
        let region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0)?;
        // SAFETY: at least HEADER_SIZE bytes are mapped.
        let h = unsafe { &*region.as_ptr().cast::<QueueHeader>() };
        publish::check_published(&h.state, &what)?;
        if h.magic != MAGIC {
            return Err(corrupted(format!(
                "{what} is not an interproc message queue (bad magic)"
            )));
        }
        if h.layout_version != LAYOUT_VERSION {
            return Err(corrupted(format!(
                "{what} has layout version {}, this library reads {LAYOUT_VERSION}",
                h.layout_version
            )));
        }
        let layout = Layout::new(h.max_msg, h.max_msg_size)
            .map_err(|e| corrupted(format!("{what}: {}", e.message())))?;
        if layout.slot_size != h.slot_size || layout.total > region.len() as u64 {
            return Err(corrupted(format!(
                "{what}: its limits do not match its size (truncated?)"
            )));
        }
        // Acquire: the READY load above already ordered the builder's stores; this reads a
        // mode some later switch may have stored (Release) and only validates it.
        if h.mode.load(Ordering::Acquire) > MODE_UNLOCKING {
            return Err(corrupted(format!("{what}: unknown mode")));
        }
        Ok(MessageQueue {
            region,
            layout,
            name: name.to_owned(),
            created: false,
            busy_misses: AtomicU32::new(0),
            lend_next: AtomicU32::new(0),
        })
    }

    pub(super) fn format(region: MappedRegion, layout: Layout, name: &str) -> Result<Self> {
        let q = MessageQueue {
            region,
            layout,
            name: name.to_owned(),
            created: true,
            busy_misses: AtomicU32::new(0),
            lend_next: AtomicU32::new(0),
        };
        let base = q.region.as_ptr();
        // SAFETY: a fresh, zeroed mapping of `layout.total` bytes that this process builds
        // alone, under the build lock; openers wait for READY.
        unsafe {
            let h = base.cast::<QueueHeader>();
            publish::mark_building(&(*h).state);
            // Relaxed, like every store before READY: the Release store of `state` below
            // publishes them all.
            (*h).creator_pid
                .store(std::process::id(), Ordering::Relaxed);
            (*h).layout_version = LAYOUT_VERSION;
            (*h).max_msg = layout.max_msg;
            (*h).max_msg_size = layout.max_msg_size;
            (*h).slot_size = layout.slot_size;
        }
        // No one else uses the locks yet: the builder holds the build lock.
        q.queue_header().lock.init(false);
        for i in 0..ENTRIES {
            q.entry(i).lock.init(false);
        }
        for i in 0..layout.max_msg as u32 {
            q.slot(i)?.pos.store(i, Ordering::Relaxed);
            q.pool().header(i)?.owner.init(false);
        }
        if !q.ring_fits() {
            // Locked mode from the start: an empty index and every slot on the free stack.
            let h = q.queue_header();
            q.locked().rebuild_free()?;
            h.tail.store(FROZEN, Ordering::Relaxed);
            h.head.store(FROZEN, Ordering::Relaxed);
            h.mode.store(MODE_LOCKED, Ordering::Relaxed);
        }
        // SAFETY: `base` is still the fresh mapping this process builds alone (no opener
        // reads past `state` until it says READY).
        unsafe {
            let h = base.cast::<QueueHeader>();
            (*h).magic = MAGIC;
            // Publishes the header, the entries and the slots to `open_impl`.
            publish::mark_ready(&(*h).state);
        }
        Ok(q)
    }
}
