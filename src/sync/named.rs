//! Named synchronisation objects: each is a small shared memory object `/dev/shm/<name>`
//! holding a validated header followed by the primitive.
//!
//! Objects come into being by the publish protocol of [`crate::publish`]: the builder sizes
//! the object, builds the primitive, writes the header and only then publishes the `READY`
//! state, so any number of processes may `open_or_create` at once and exactly one builds; a
//! creator that died half-way is replaced by the next `open_or_create`. An object that does
//! not validate (another kind, another layout version, garbage) is a `Corrupted` error.

use super::condition::InterprocessCondition;
use super::mutex::{InterprocessMutex, InterprocessRecursiveMutex};
use super::semaphore::InterprocessSemaphore;
use super::upgradable::InterprocessUpgradableMutex;
use crate::publish::{self, StateWord, Turn};
use crate::{
    Creation, Error, ErrorKind, MappedRegion, Mode, Permissions, Result, SharedMemoryObject,
};
use std::ops::Deref;
use std::os::fd::AsFd;
use std::sync::atomic::AtomicU32;

/// "IPSYNC\0\x01" read as a little-endian u64.
const MAGIC: u64 = u64::from_le_bytes(*b"IPSYNC\0\x01");
/// Bumped on any change of the header or of a primitive's layout. 4: `state` holds the
/// publish protocol's `BUILDING` while the object is built.
const LAYOUT_VERSION: u32 = 4;
/// Where the primitive starts (a cache line after the object's start).
const PAYLOAD_OFFSET: usize = 64;
/// Where the magic and `state` are, for the publish protocol.
const STATE_WORD: StateWord =
    StateWord::new(MAGIC.to_ne_bytes(), std::mem::offset_of!(Header, state));

/// The kind of primitive a named object holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Kind {
    Mutex = 1,
    RecursiveMutex = 2,
    Condition = 3,
    Semaphore = 4,
    SharableMutex = 5,
    UpgradableMutex = 6,
    ConditionAny = 7,
}

impl Kind {
    fn boost_name(self) -> &'static str {
        match self {
            Kind::Mutex => "named_mutex",
            Kind::RecursiveMutex => "named_recursive_mutex",
            Kind::Condition => "named_condition",
            Kind::Semaphore => "named_semaphore",
            Kind::SharableMutex => "named_sharable_mutex",
            Kind::UpgradableMutex => "named_upgradable_mutex",
            Kind::ConditionAny => "named_condition_any",
        }
    }

    fn from_code(code: u32) -> Option<Kind> {
        [
            Kind::Mutex,
            Kind::RecursiveMutex,
            Kind::Condition,
            Kind::Semaphore,
            Kind::SharableMutex,
            Kind::UpgradableMutex,
            Kind::ConditionAny,
        ]
        .into_iter()
        .find(|k| *k as u32 == code)
    }
}

/// The header at the start of every named sync object (24 bytes; pinned by a test).
#[repr(C)]
struct Header {
    magic: u64,
    version: u32,
    kind: u32,
    payload_size: u32,
    /// `BUILDING` while the creator initialises, `READY` after (see `publish`).
    state: AtomicU32,
}

/// The mapped object; the primitive stays valid as long as this lives.
#[derive(Debug)]
struct NamedObject {
    region: MappedRegion,
    name: String,
    _shm: SharedMemoryObject,
}

impl NamedObject {
    fn open(
        creation: Creation,
        name: &str,
        kind: Kind,
        perm: Permissions,
        payload_size: usize,
        init: impl FnOnce(*mut u8) -> Result<()>,
    ) -> Result<NamedObject> {
        let what = format!("{} {name:?}", kind.boost_name());
        let shm = SharedMemoryObject::new(creation, name, Mode::ReadWrite, perm)?;
        let total = PAYLOAD_OFFSET + payload_size;
        let may_build = shm.created() || creation == Creation::OpenOrCreate;
        let region = match publish::take_turn(shm.as_fd(), STATE_WORD, may_build, &what)? {
            Turn::Build(_building) => {
                let built = Self::build(&shm, kind, total, payload_size, init);
                if built.is_err() {
                    SharedMemoryObject::remove(name);
                }
                built?
            }
            Turn::Open => Self::validate(&shm, &what, kind, total, payload_size)?,
        };
        Ok(NamedObject {
            region,
            name: name.to_owned(),
            _shm: shm,
        })
    }

    /// Maps a published object and checks that it holds a `kind` of this layout.
    fn validate(
        shm: &SharedMemoryObject,
        what: &str,
        kind: Kind,
        total: usize,
        payload_size: usize,
    ) -> Result<MappedRegion> {
        let corrupt =
            |why: String| Error::new(ErrorKind::Corrupted, format!("opening {what}: {why}"));
        let size = shm.size()?;
        if size < total as u64 {
            return Err(corrupt(format!(
                "{size} bytes is too small for a {} ({total} bytes)",
                kind.boost_name()
            )));
        }
        let region = MappedRegion::new(shm, Mode::ReadWrite, 0, 0)?;
        // SAFETY: the region is at least `total` bytes, page-aligned, and Header is plain
        // data except for the atomic state word.
        let header = unsafe { &*region.as_ptr().cast::<Header>() };
        publish::check_published(&header.state, what)?;
        if header.magic != MAGIC {
            return Err(corrupt("not an interproc sync object".into()));
        }
        if header.version != LAYOUT_VERSION {
            return Err(corrupt(format!(
                "layout version {} (this library uses {LAYOUT_VERSION})",
                header.version
            )));
        }
        if header.kind != kind as u32 {
            let other = Kind::from_code(header.kind).map_or("an unknown kind", Kind::boost_name);
            return Err(corrupt(format!(
                "it holds a {other}, not a {}",
                kind.boost_name()
            )));
        }
        if header.payload_size as usize != payload_size {
            return Err(corrupt(format!(
                "payload of {} bytes, expected {payload_size}",
                header.payload_size
            )));
        }
        Ok(region)
    }

    /// Builds the object from nothing (the caller holds the build lock).
    fn build(
        shm: &SharedMemoryObject,
        kind: Kind,
        total: usize,
        payload_size: usize,
        init: impl FnOnce(*mut u8) -> Result<()>,
    ) -> Result<MappedRegion> {
        // Emptied first: a builder that died may have left part of its work.
        shm.truncate(0)?;
        shm.truncate(total as u64)?;
        let region = MappedRegion::new(shm, Mode::ReadWrite, 0, 0)?;
        let base = region.as_ptr();
        let header = base.cast::<Header>();
        // SAFETY: the header lies at the start of the fresh mapping, which is page-aligned.
        publish::mark_building(unsafe { &(*header).state });
        // SAFETY: `base + PAYLOAD_OFFSET` lies inside the fresh, zero-filled mapping, which
        // only this process builds (it holds the build lock; openers wait for READY).
        init(unsafe { base.add(PAYLOAD_OFFSET) })?;
        // SAFETY: the header lies at the start of the mapping, which is page-aligned.
        unsafe {
            (*header).magic = MAGIC;
            (*header).version = LAYOUT_VERSION;
            (*header).kind = kind as u32;
            (*header).payload_size = payload_size as u32;
            // Publishes the header and the primitive to `validate`.
            publish::mark_ready(&(*header).state);
        }
        Ok(region)
    }

    fn payload<T>(&self) -> &T {
        // SAFETY: the payload was built (or validated) as a `T` at PAYLOAD_OFFSET, which is
        // 64-byte aligned, and lives as long as the mapping, which `self` owns.
        unsafe { &*self.region.as_ptr().add(PAYLOAD_OFFSET).cast::<T>() }
    }
}

macro_rules! named_type {
    ($(#[$doc:meta])* $name:ident, $target:ty) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            object: NamedObject,
        }

        impl Deref for $name {
            type Target = $target;
            fn deref(&self) -> &$target {
                self.object.payload::<$target>()
            }
        }

        impl $name {
            /// The name given when opening.
            pub fn name(&self) -> &str {
                &self.object.name
            }

            /// Removes the object `name` from the system; processes that have it open keep
            /// using it. False if there was nothing to remove.
            pub fn remove(name: &str) -> bool {
                SharedMemoryObject::remove(name)
            }
        }
    };
}

named_type!(
    /// Boost's `named_mutex`: an [`InterprocessMutex`] in `/dev/shm/<name>`, robust to
    /// crashed owners.
    NamedMutex,
    InterprocessMutex
);
named_type!(
    /// Boost's `named_recursive_mutex`: an [`InterprocessRecursiveMutex`] in
    /// `/dev/shm/<name>`.
    NamedRecursiveMutex,
    InterprocessRecursiveMutex
);
named_type!(
    /// Boost's `named_condition` (and, opened with [`NamedCondition::new_any`],
    /// `named_condition_any`): an [`InterprocessCondition`] in `/dev/shm/<name>`.
    NamedCondition,
    InterprocessCondition
);
named_type!(
    /// Boost's `named_semaphore`: an [`InterprocessSemaphore`] in `/dev/shm/<name>`.
    NamedSemaphore,
    InterprocessSemaphore
);

named_type!(
    /// Boost's `named_sharable_mutex`: an [`InterprocessUpgradableMutex`] (used through its
    /// exclusive and sharable operations) in `/dev/shm/<name>`.
    NamedSharableMutex,
    InterprocessUpgradableMutex
);
named_type!(
    /// Boost's `named_upgradable_mutex`: an [`InterprocessUpgradableMutex`] in
    /// `/dev/shm/<name>`.
    NamedUpgradableMutex,
    InterprocessUpgradableMutex
);

/// Opens or creates the named object `name` of `kind` whose payload is a `T`, which its
/// creator initialises in place with `init` (`T`'s `init_at`).
fn open_holding<T: 'static>(
    creation: Creation,
    name: &str,
    perm: Permissions,
    kind: Kind,
    init: unsafe fn(*mut T) -> Result<&'static T>,
) -> Result<NamedObject> {
    // The payload area is 64-byte aligned (see `payload`).
    const { assert!(align_of::<T>() <= 64) };
    NamedObject::open(
        creation,
        name,
        kind,
        perm,
        size_of::<T>(),
        // SAFETY: `p` is the creator's exclusive payload area of `size_of::<T>()` bytes,
        // aligned for `T` (asserted above), as `init` requires; the reference it returns is
        // dropped at once.
        |p| unsafe { init(p.cast()) }.map(|_| ()),
    )
}

impl NamedSharableMutex {
    /// Opens or creates the named sharable mutex; `perm` applies on creation.
    pub fn new(creation: Creation, name: &str, perm: Permissions) -> Result<NamedSharableMutex> {
        let object = open_holding(
            creation,
            name,
            perm,
            Kind::SharableMutex,
            InterprocessUpgradableMutex::init_at,
        )?;
        Ok(NamedSharableMutex { object })
    }
}

impl NamedUpgradableMutex {
    /// Opens or creates the named upgradable mutex; `perm` applies on creation.
    pub fn new(creation: Creation, name: &str, perm: Permissions) -> Result<NamedUpgradableMutex> {
        let object = open_holding(
            creation,
            name,
            perm,
            Kind::UpgradableMutex,
            InterprocessUpgradableMutex::init_at,
        )?;
        Ok(NamedUpgradableMutex { object })
    }
}

impl NamedMutex {
    /// Opens or creates the named mutex as `creation` says; `perm` applies on creation.
    pub fn new(creation: Creation, name: &str, perm: Permissions) -> Result<NamedMutex> {
        let object = open_holding(
            creation,
            name,
            perm,
            Kind::Mutex,
            InterprocessMutex::init_at,
        )?;
        Ok(NamedMutex { object })
    }
}

impl NamedRecursiveMutex {
    /// Opens or creates the named recursive mutex; `perm` applies on creation.
    pub fn new(creation: Creation, name: &str, perm: Permissions) -> Result<NamedRecursiveMutex> {
        let object = open_holding(
            creation,
            name,
            perm,
            Kind::RecursiveMutex,
            InterprocessRecursiveMutex::init_at,
        )?;
        Ok(NamedRecursiveMutex { object })
    }
}

impl NamedCondition {
    /// Opens or creates the named condition (`named_condition`); `perm` applies on creation.
    pub fn new(creation: Creation, name: &str, perm: Permissions) -> Result<NamedCondition> {
        Self::open_kind(creation, name, perm, Kind::Condition)
    }

    /// Opens or creates a `named_condition_any` (a separate kind: opening one as the other
    /// is a `Corrupted` error, as the two are different classes in Boost).
    pub fn new_any(creation: Creation, name: &str, perm: Permissions) -> Result<NamedCondition> {
        Self::open_kind(creation, name, perm, Kind::ConditionAny)
    }

    fn open_kind(
        creation: Creation,
        name: &str,
        perm: Permissions,
        kind: Kind,
    ) -> Result<NamedCondition> {
        let object = open_holding(creation, name, perm, kind, InterprocessCondition::init_at)?;
        Ok(NamedCondition { object })
    }
}

/// What [`open_any_named`] found: the Boost class a named sync object holds and, for the
/// mutex kinds, what its lock word says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamedSyncReport {
    /// Boost's class name (`named_mutex`, `named_semaphore`, ...).
    pub kind: &'static str,
    /// The lock's holder (the exclusive side for the sharable and upgradable mutexes);
    /// `None` for conditions and semaphores.
    pub holder: Option<super::LockHolder>,
}

/// The Boost class name of the named sync object whose first bytes are `head`, if they are
/// one's header (any layout version).
pub(crate) fn kind_in(head: &[u8]) -> Option<&'static str> {
    kind_code_in(head)
        .map(|code| Kind::from_code(code).map_or("named sync object", Kind::boost_name))
}

/// The kind code in `head` (an object's first bytes), if they begin with a named sync
/// object's magic.
fn kind_code_in(head: &[u8]) -> Option<u32> {
    let magic = u64::from_le_bytes(head.get(..8)?.try_into().ok()?);
    let code = u32::from_le_bytes(head.get(12..16)?.try_into().ok()?);
    (magic == MAGIC).then_some(code)
}

/// Opens the named sync object `name` (open_only) as the class its header names, which
/// validates it exactly as opening it by that class would, and reports on it.
pub fn open_any_named(name: &str) -> Result<NamedSyncReport> {
    let corrupt = |why: &str| {
        Error::new(
            ErrorKind::Corrupted,
            format!("{name:?} is not a named sync object: {why}"),
        )
    };
    let mut head = [0u8; 16];
    {
        let shm = SharedMemoryObject::open(name, Mode::ReadOnly)?;
        if shm.size()? < head.len() as u64 {
            return Err(corrupt("too small"));
        }
        MappedRegion::new(&shm, Mode::ReadOnly, 0, head.len())?.read_at(0, &mut head)?;
    }
    let kind = match kind_code_in(&head).and_then(Kind::from_code) {
        Some(k) => k,
        None => return Err(corrupt("no header of a known kind")),
    };
    let (open, perm) = (Creation::OpenOnly, Permissions::DEFAULT);
    let holder = match kind {
        Kind::Mutex => Some(NamedMutex::new(open, name, perm)?.holder()),
        Kind::RecursiveMutex => Some(NamedRecursiveMutex::new(open, name, perm)?.holder()),
        Kind::SharableMutex => Some(NamedSharableMutex::new(open, name, perm)?.holder()),
        Kind::UpgradableMutex => Some(NamedUpgradableMutex::new(open, name, perm)?.holder()),
        Kind::Condition => NamedCondition::new(open, name, perm).map(|_| None)?,
        Kind::ConditionAny => NamedCondition::new_any(open, name, perm).map(|_| None)?,
        Kind::Semaphore => NamedSemaphore::new(open, name, 0, perm).map(|_| None)?,
    };
    Ok(NamedSyncReport {
        kind: kind.boost_name(),
        holder,
    })
}

impl NamedSemaphore {
    /// Opens or creates the named semaphore; `initial` and `perm` apply on creation.
    pub fn new(
        creation: Creation,
        name: &str,
        initial: u32,
        perm: Permissions,
    ) -> Result<NamedSemaphore> {
        let object = NamedObject::open(
            creation,
            name,
            Kind::Semaphore,
            perm,
            size_of::<InterprocessSemaphore>(),
            // SAFETY: `p` is the creator's exclusive, aligned payload area.
            |p| unsafe { InterprocessSemaphore::init_at(p.cast(), initial) }.map(|_| ()),
        )?;
        Ok(NamedSemaphore { object })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unique(tag: &str) -> String {
        format!("ipsync_unit_{tag}_{}", std::process::id())
    }

    #[test]
    fn header_layout_is_pinned() {
        assert_eq!(size_of::<Header>(), 24);
        assert_eq!(std::mem::offset_of!(Header, kind), 12);
        assert_eq!(std::mem::offset_of!(Header, state), 20);
        assert_eq!(PAYLOAD_OFFSET, 64);
    }

    #[test]
    fn create_open_errors_and_kind_check() {
        let name = unique("mx");
        NamedMutex::remove(&name);
        let err = NamedMutex::new(Creation::OpenOnly, &name, Permissions::DEFAULT).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let a = NamedMutex::new(Creation::CreateOnly, &name, Permissions::DEFAULT).unwrap();
        let err = NamedMutex::new(Creation::CreateOnly, &name, Permissions::DEFAULT).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        let b = NamedMutex::new(Creation::OpenOrCreate, &name, Permissions::DEFAULT).unwrap();
        let _ = a.lock().unwrap();
        assert!(b.try_lock().unwrap().is_none());
        a.unlock().unwrap();
        let err =
            NamedSemaphore::new(Creation::OpenOnly, &name, 0, Permissions::DEFAULT).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Corrupted);
        assert!(NamedMutex::remove(&name));
    }

    #[test]
    fn garbage_is_corrupted() {
        let name = unique("garbage");
        SharedMemoryObject::remove(&name);
        let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::DEFAULT).unwrap();
        shm.truncate(4096).unwrap();
        let mut r = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0).unwrap();
        r.write_at(0, &[0xA5; 128]).unwrap();
        let err =
            NamedSemaphore::new(Creation::OpenOnly, &name, 0, Permissions::DEFAULT).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Corrupted);
        SharedMemoryObject::remove(&name);
    }
}
