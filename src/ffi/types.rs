//! Creation tags, access modes, instance kinds, permissions, the library version and the process id.

use std::ffi::c_char;

/// A creation tag: how an object is opened (Boost's `create_only_t`, ...).
pub type interproc_creation_t = u32;
/// Create a new object; fail with `INTERPROC_ALREADY_EXISTS_ERROR` if it exists.
pub const INTERPROC_CREATE_ONLY: interproc_creation_t = 0;
/// Open an existing object; fail with `INTERPROC_NOT_FOUND_ERROR` if it is missing.
pub const INTERPROC_OPEN_ONLY: interproc_creation_t = 1;
/// Open the object if it exists, create it otherwise.
pub const INTERPROC_OPEN_OR_CREATE: interproc_creation_t = 2;
/// Open an existing managed segment read-only (managed segments only).
pub const INTERPROC_OPEN_READ_ONLY: interproc_creation_t = 3;
/// Open an existing managed segment copy-on-write (managed segments only).
pub const INTERPROC_OPEN_COPY_ON_WRITE: interproc_creation_t = 4;

/// An access mode (Boost's `mode_t`; the numbers are interproc's own).
pub type interproc_mode_t = u32;
/// Read access only.
pub const INTERPROC_READ_ONLY: interproc_mode_t = 0;
/// Read and write access, shared with other processes.
pub const INTERPROC_READ_WRITE: interproc_mode_t = 1;
/// Writable, writes private to the mapping.
pub const INTERPROC_COPY_ON_WRITE: interproc_mode_t = 2;
/// Read-only, private to the mapping.
pub const INTERPROC_READ_PRIVATE: interproc_mode_t = 3;
/// Boost's `invalid_mode`: never accepted.
pub const INTERPROC_INVALID_MODE: interproc_mode_t = 0xffff;

/// Kind of a constructed object (Boost's `instance_type`).
pub type interproc_instance_kind_t = u32;
/// An object constructed without a name.
pub const INTERPROC_ANONYMOUS_INSTANCE: interproc_instance_kind_t = 0;
/// An object constructed with a name.
pub const INTERPROC_NAMED_INSTANCE: interproc_instance_kind_t = 1;
/// The one object of its type (the name is the type's name).
pub const INTERPROC_UNIQUE_INSTANCE: interproc_instance_kind_t = 2;

/// Boost's default permissions for new objects: 0644.
pub const INTERPROC_PERM_DEFAULT: u32 = 0o644;
/// Boost's `permissions::set_unrestricted()`: 0666.
pub const INTERPROC_PERM_UNRESTRICTED: u32 = 0o666;

/// Access advice for `interproc_region_advise` (Boost's `mapped_region::advice_types`).
pub type interproc_advice_t = u32;
/// No special treatment.
pub const INTERPROC_ADVICE_NORMAL: interproc_advice_t = 0;
/// Sequential access expected.
pub const INTERPROC_ADVICE_SEQUENTIAL: interproc_advice_t = 1;
/// Random access expected.
pub const INTERPROC_ADVICE_RANDOM: interproc_advice_t = 2;
/// Access expected soon.
pub const INTERPROC_ADVICE_WILLNEED: interproc_advice_t = 3;
/// Access not expected soon; private changes may be dropped.
pub const INTERPROC_ADVICE_DONTNEED: interproc_advice_t = 4;

/// The library version as `"MAJOR.MINOR.PATCH"`; compare with `INTERPROC_VERSION_STRING`
/// to detect a header/library mismatch.
#[unsafe(no_mangle)]
pub extern "C" fn interproc_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The calling process's id (what Boost's `ipcdetail::get_current_process_id()` gives; the
/// C++ wrapper's `<interproc/detail/os_thread_functions.hpp>` calls this).
#[unsafe(no_mangle)]
pub extern "C" fn interproc_current_process_id() -> u32 {
    std::process::id()
}
