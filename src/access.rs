//! Creation tags, access modes and permissions, as Boost.Interprocess names them.

/// How an object is opened: Boost's `create_only`, `open_only`, `open_or_create`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Creation {
    /// Create a new object; fail with [`crate::ErrorKind::AlreadyExists`] if it exists.
    CreateOnly,
    /// Open an existing object; fail with [`crate::ErrorKind::NotFound`] if it is missing.
    OpenOnly,
    /// Open the object if it exists, create it otherwise.
    OpenOrCreate,
}

/// Access mode: Boost's `mode_t` (`read_only`, `read_write`, `copy_on_write`,
/// `read_private`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Read access; writes fault.
    ReadOnly,
    /// Read and write access, shared with every other process.
    ReadWrite,
    /// Writable, but writes are private to this mapping (copy on write).
    CopyOnWrite,
    /// Read-only and private: later writes by others may or may not be seen.
    ReadPrivate,
}

impl Mode {
    /// The numeric value the C ABI uses (`INTERPROC_READ_ONLY` = 0 ... `INTERPROC_READ_PRIVATE` = 3).
    pub fn code(self) -> u32 {
        match self {
            Mode::ReadOnly => 0,
            Mode::ReadWrite => 1,
            Mode::CopyOnWrite => 2,
            Mode::ReadPrivate => 3,
        }
    }

    /// The mode with the C ABI's numeric value `code`, if there is one.
    pub fn from_code(code: u32) -> Option<Mode> {
        match code {
            0 => Some(Mode::ReadOnly),
            1 => Some(Mode::ReadWrite),
            2 => Some(Mode::CopyOnWrite),
            3 => Some(Mode::ReadPrivate),
            _ => None,
        }
    }

    /// Boost's spelling of the mode.
    pub fn boost_name(self) -> &'static str {
        match self {
            Mode::ReadOnly => "read_only",
            Mode::ReadWrite => "read_write",
            Mode::CopyOnWrite => "copy_on_write",
            Mode::ReadPrivate => "read_private",
        }
    }

    /// Whether the mode writes, for objects opened only `ReadOnly` or `ReadWrite`; any other
    /// mode is an [`crate::ErrorKind::Mode`] error whose message `refusal` writes from the
    /// mode's Boost name.
    pub(crate) fn read_or_write(self, refusal: impl FnOnce(&str) -> String) -> crate::Result<bool> {
        match self {
            Mode::ReadOnly => Ok(false),
            Mode::ReadWrite => Ok(true),
            other => Err(crate::Error::new(
                crate::ErrorKind::Mode,
                refusal(other.boost_name()),
            )),
        }
    }
}

/// Permission bits given to a newly created object. Applied with `fchmod` after creation,
/// so the process umask never narrows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permissions(u32);

impl Permissions {
    /// Boost's default: `0644` (owner reads and writes, others read).
    pub const DEFAULT: Permissions = Permissions(0o644);
    /// Boost's `set_unrestricted()`: `0666`, everyone reads and writes.
    pub const UNRESTRICTED: Permissions = Permissions(0o666);

    /// Permissions from mode bits; only the `0o777` bits are kept.
    pub fn from_mode(bits: u32) -> Permissions {
        Permissions(bits & 0o777)
    }

    /// The mode bits.
    pub fn mode(self) -> u32 {
        self.0
    }

    /// Sets Boost's default (`0644`).
    pub fn set_default(&mut self) {
        *self = Permissions::DEFAULT;
    }

    /// Sets unrestricted access (`0666`).
    pub fn set_unrestricted(&mut self) {
        *self = Permissions::UNRESTRICTED;
    }
}

impl Default for Permissions {
    fn default() -> Self {
        Permissions::DEFAULT
    }
}
