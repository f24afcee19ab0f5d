//! Named mutexes, conditions and semaphores in C (Boost's `named_mutex`,
//! `named_recursive_mutex`, `named_condition`, `named_condition_any`, `named_semaphore`).
//!
//! Each lives in `/dev/shm/<name>`. A handle owns the mapping; `_get` returns the primitive
//! inside, which the functions of `interproc_mutex_*`, `interproc_condition_*` and
//! `interproc_semaphore_*` operate on (do not `_init` or `_destroy` it).

use super::error::interproc_status_t;
use super::sync::{
    interproc_condition_t, interproc_mutex_t, interproc_recursive_mutex_t, interproc_semaphore_t,
};
use super::sync_upgradable::interproc_upgradable_mutex_t;
use super::types::interproc_creation_t;
use super::{boundary, boundary_value, creation_arg, free_handle, new_handle, str_arg};
use crate::sync::{
    NamedCondition, NamedMutex, NamedRecursiveMutex, NamedSemaphore, NamedSharableMutex,
    NamedUpgradableMutex,
};
use crate::{Creation, Permissions, Result};
use std::ffi::c_char;

/// A named object's C handle: it owns the core's named object, and `_get` gives out the
/// primitive inside.
trait NamedHandle: Sized {
    /// The core's named object.
    type Named;
    /// The C type of the primitive inside.
    type Primitive;
    /// The handle over a named object just opened.
    fn wrap(named: Self::Named) -> Self;
    /// The primitive inside the handle's object.
    fn primitive(&self) -> *mut Self::Primitive;
}

/// Implements [`NamedHandle`] for a handle whose `inner` is `$named`, giving out `$prim`.
macro_rules! named_handle {
    ($handle:ident, $named:ty, $prim:ty) => {
        impl NamedHandle for $handle {
            type Named = $named;
            type Primitive = $prim;
            fn wrap(inner: $named) -> Self {
                $handle { inner }
            }
            fn primitive(&self) -> *mut $prim {
                &*self.inner as *const _ as *mut $prim
            }
        }
    };
}

/// The body of every `_open` below, inside the panic boundary: reads the name, checks `out`,
/// opens the object with `open` as `creation` and `perm` say, and stores a new handle in
/// `*out`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
unsafe fn open_named<H: NamedHandle>(
    creation: interproc_creation_t,
    name: *const c_char,
    perm: u32,
    out: *mut *mut H,
    open: impl FnOnce(Creation, &str, Permissions) -> Result<H::Named>,
) -> interproc_status_t {
    boundary(|| {
        // SAFETY: the caller passes a C string or NULL.
        let name = unsafe { str_arg(name, "name") }?;
        let open = || {
            let named = open(creation_arg(creation)?, name, Permissions::from_mode(perm))?;
            Ok(H::wrap(named))
        };
        // SAFETY: `out` is NULL or writable (this fn's `# Safety` contract).
        unsafe { new_handle(out, open) }
    })
}

/// The body of every `_get` below: the primitive inside the handle `h`; NULL for NULL.
///
/// # Safety
/// `h` must be NULL or a live handle.
unsafe fn primitive_of<H: NamedHandle>(h: *const H) -> *mut H::Primitive {
    boundary_value(std::ptr::null_mut(), || {
        // SAFETY: `h` is NULL or a live handle for the whole call (this fn's `# Safety`
        // contract); `as_ref` turns NULL into `None`.
        unsafe { h.as_ref() }.map_or(std::ptr::null_mut(), H::primitive)
    })
}

/// The body of every `_remove` below.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
unsafe fn remove_named(name: *const c_char) -> bool {
    // A named object is a shared memory object: removing one is removing the other.
    // SAFETY: `name` is NULL or a NUL-terminated string (this fn's `# Safety` contract), as
    // `interproc_shm_remove` requires.
    unsafe { super::shm::interproc_shm_remove(name) }
}

/// A handle to a named_mutex (`/dev/shm/<name>`).
pub struct interproc_named_mutex_t {
    inner: NamedMutex,
}

named_handle!(interproc_named_mutex_t, NamedMutex, interproc_mutex_t);

/// Opens or creates the named_mutex `name` and stores a new handle in `*out`. `creation` is
/// `INTERPROC_CREATE_ONLY` (`INTERPROC_ALREADY_EXISTS_ERROR` if it exists),
/// `INTERPROC_OPEN_ONLY` (`INTERPROC_NOT_FOUND_ERROR` if missing) or
/// `INTERPROC_OPEN_OR_CREATE` (many processes at once: exactly one initialises it).
/// `perm` applies only on creation. An object that is not a valid named_mutex gives
/// `INTERPROC_CORRUPTED_ERROR`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_mutex_open(
    creation: interproc_creation_t,
    name: *const c_char,
    perm: u32,
    out: *mut *mut interproc_named_mutex_t,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string and `out` NULL or writable (this fn's
    // `# Safety` contract), as `open_named` requires.
    unsafe { open_named(creation, name, perm, out, NamedMutex::new) }
}

/// Closes the handle (the object stays until removed). NULL is ignored.
///
/// # Safety
/// `h` must be NULL or a handle from the open function, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_mutex_free(h: *mut interproc_named_mutex_t) {
    // SAFETY: `h` is NULL or a handle from this API that the caller gives up here (this fn's `#
    // Safety` contract).
    unsafe { free_handle(h) }
}

/// The mutex inside the handle's object, valid while the handle lives; NULL for NULL.
///
/// # Safety
/// `h` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_mutex_get(
    h: *const interproc_named_mutex_t,
) -> *mut interproc_mutex_t {
    // SAFETY: `h` is NULL or a live handle for the whole call (this fn's `# Safety` contract),
    // as `primitive_of` requires.
    unsafe { primitive_of(h) }
}

/// Removes the named_mutex `name`; processes that have it open keep using it. False if
/// nothing was removed.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_mutex_remove(name: *const c_char) -> bool {
    // SAFETY: `name` is NULL or a NUL-terminated string (this fn's `# Safety` contract), as
    // `remove_named` requires.
    unsafe { remove_named(name) }
}

/// A handle to a named_recursive_mutex (`/dev/shm/<name>`).
pub struct interproc_named_recursive_mutex_t {
    inner: NamedRecursiveMutex,
}

named_handle!(
    interproc_named_recursive_mutex_t,
    NamedRecursiveMutex,
    interproc_recursive_mutex_t
);

/// Opens or creates the named_recursive_mutex `name` and stores a new handle in `*out`. `creation` is
/// `INTERPROC_CREATE_ONLY` (`INTERPROC_ALREADY_EXISTS_ERROR` if it exists),
/// `INTERPROC_OPEN_ONLY` (`INTERPROC_NOT_FOUND_ERROR` if missing) or
/// `INTERPROC_OPEN_OR_CREATE` (many processes at once: exactly one initialises it).
/// `perm` applies only on creation. An object that is not a valid named_recursive_mutex gives
/// `INTERPROC_CORRUPTED_ERROR`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_recursive_mutex_open(
    creation: interproc_creation_t,
    name: *const c_char,
    perm: u32,
    out: *mut *mut interproc_named_recursive_mutex_t,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string and `out` NULL or writable (this fn's
    // `# Safety` contract), as `open_named` requires.
    unsafe { open_named(creation, name, perm, out, NamedRecursiveMutex::new) }
}

/// Closes the handle (the object stays until removed). NULL is ignored.
///
/// # Safety
/// `h` must be NULL or a handle from the open function, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_recursive_mutex_free(
    h: *mut interproc_named_recursive_mutex_t,
) {
    // SAFETY: `h` is NULL or a handle from this API that the caller gives up here (this fn's `#
    // Safety` contract).
    unsafe { free_handle(h) }
}

/// The recursive mutex inside the handle's object, valid while the handle lives; NULL for NULL.
///
/// # Safety
/// `h` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_recursive_mutex_get(
    h: *const interproc_named_recursive_mutex_t,
) -> *mut interproc_recursive_mutex_t {
    // SAFETY: `h` is NULL or a live handle for the whole call (this fn's `# Safety` contract),
    // as `primitive_of` requires.
    unsafe { primitive_of(h) }
}

/// Removes the named_recursive_mutex `name`; processes that have it open keep using it. False if
/// nothing was removed.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_recursive_mutex_remove(name: *const c_char) -> bool {
    // SAFETY: `name` is NULL or a NUL-terminated string (this fn's `# Safety` contract), as
    // `remove_named` requires.
    unsafe { remove_named(name) }
}

/// A handle to a named_condition (`/dev/shm/<name>`).
pub struct interproc_named_condition_t {
    inner: NamedCondition,
}

named_handle!(
    interproc_named_condition_t,
    NamedCondition,
    interproc_condition_t
);

/// Opens or creates the named_condition `name` and stores a new handle in `*out`. `creation` is
/// `INTERPROC_CREATE_ONLY` (`INTERPROC_ALREADY_EXISTS_ERROR` if it exists),
/// `INTERPROC_OPEN_ONLY` (`INTERPROC_NOT_FOUND_ERROR` if missing) or
/// `INTERPROC_OPEN_OR_CREATE` (many processes at once: exactly one initialises it).
/// `perm` applies only on creation. An object that is not a valid named_condition gives
/// `INTERPROC_CORRUPTED_ERROR`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_condition_open(
    creation: interproc_creation_t,
    name: *const c_char,
    perm: u32,
    out: *mut *mut interproc_named_condition_t,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string and `out` NULL or writable (this fn's
    // `# Safety` contract), as `open_named` requires.
    unsafe { open_named(creation, name, perm, out, NamedCondition::new) }
}
/// Opens or creates the named_condition_any `name` and stores a new handle in `*out`. `creation` is
/// `INTERPROC_CREATE_ONLY` (`INTERPROC_ALREADY_EXISTS_ERROR` if it exists),
/// `INTERPROC_OPEN_ONLY` (`INTERPROC_NOT_FOUND_ERROR` if missing) or
/// `INTERPROC_OPEN_OR_CREATE` (many processes at once: exactly one initialises it).
/// `perm` applies only on creation. An object that is not a valid named_condition_any gives
/// `INTERPROC_CORRUPTED_ERROR`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_condition_open_any(
    creation: interproc_creation_t,
    name: *const c_char,
    perm: u32,
    out: *mut *mut interproc_named_condition_t,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string and `out` NULL or writable (this fn's
    // `# Safety` contract), as `open_named` requires.
    unsafe { open_named(creation, name, perm, out, NamedCondition::new_any) }
}

/// Closes the handle (the object stays until removed). NULL is ignored.
///
/// # Safety
/// `h` must be NULL or a handle from the open function, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_condition_free(h: *mut interproc_named_condition_t) {
    // SAFETY: `h` is NULL or a handle from this API that the caller gives up here (this fn's `#
    // Safety` contract).
    unsafe { free_handle(h) }
}

/// The condition inside the handle's object, valid while the handle lives; NULL for NULL.
///
/// # Safety
/// `h` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_condition_get(
    h: *const interproc_named_condition_t,
) -> *mut interproc_condition_t {
    // SAFETY: `h` is NULL or a live handle for the whole call (this fn's `# Safety` contract),
    // as `primitive_of` requires.
    unsafe { primitive_of(h) }
}

/// Removes the named_condition `name`; processes that have it open keep using it. False if
/// nothing was removed.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_condition_remove(name: *const c_char) -> bool {
    // SAFETY: `name` is NULL or a NUL-terminated string (this fn's `# Safety` contract), as
    // `remove_named` requires.
    unsafe { remove_named(name) }
}

/// A handle to a named_semaphore (`/dev/shm/<name>`).
pub struct interproc_named_semaphore_t {
    inner: NamedSemaphore,
}

named_handle!(
    interproc_named_semaphore_t,
    NamedSemaphore,
    interproc_semaphore_t
);

/// Opens or creates the named_semaphore `name` and stores a new handle in `*out`. `creation` is
/// `INTERPROC_CREATE_ONLY` (`INTERPROC_ALREADY_EXISTS_ERROR` if it exists),
/// `INTERPROC_OPEN_ONLY` (`INTERPROC_NOT_FOUND_ERROR` if missing) or
/// `INTERPROC_OPEN_OR_CREATE` (many processes at once: exactly one initialises it).
/// `perm` (and `initial`, the starting count) applies only on creation. An object that is not a valid named_semaphore gives
/// `INTERPROC_CORRUPTED_ERROR`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_semaphore_open(
    creation: interproc_creation_t,
    name: *const c_char,
    initial: u32,
    perm: u32,
    out: *mut *mut interproc_named_semaphore_t,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string and `out` NULL or writable (this fn's
    // `# Safety` contract), as `open_named` requires.
    unsafe {
        open_named(creation, name, perm, out, |c, n, p| {
            NamedSemaphore::new(c, n, initial, p)
        })
    }
}

/// Closes the handle (the object stays until removed). NULL is ignored.
///
/// # Safety
/// `h` must be NULL or a handle from the open function, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_semaphore_free(h: *mut interproc_named_semaphore_t) {
    // SAFETY: `h` is NULL or a handle from this API that the caller gives up here (this fn's `#
    // Safety` contract).
    unsafe { free_handle(h) }
}

/// The semaphore inside the handle's object, valid while the handle lives; NULL for NULL.
///
/// # Safety
/// `h` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_semaphore_get(
    h: *const interproc_named_semaphore_t,
) -> *mut interproc_semaphore_t {
    // SAFETY: `h` is NULL or a live handle for the whole call (this fn's `# Safety` contract),
    // as `primitive_of` requires.
    unsafe { primitive_of(h) }
}

/// Removes the named_semaphore `name`; processes that have it open keep using it. False if
/// nothing was removed.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_semaphore_remove(name: *const c_char) -> bool {
    // SAFETY: `name` is NULL or a NUL-terminated string (this fn's `# Safety` contract), as
    // `remove_named` requires.
    unsafe { remove_named(name) }
}
/// A handle to a named_sharable_mutex (`/dev/shm/<name>`).
pub struct interproc_named_sharable_mutex_t {
    inner: NamedSharableMutex,
}

named_handle!(
    interproc_named_sharable_mutex_t,
    NamedSharableMutex,
    interproc_upgradable_mutex_t
);

/// Opens or creates the named_sharable_mutex `name` and stores a new handle in `*out`. `creation` is
/// `INTERPROC_CREATE_ONLY`, `INTERPROC_OPEN_ONLY` or `INTERPROC_OPEN_OR_CREATE`; `perm`
/// applies only on creation. An object that is not a valid named_sharable_mutex gives
/// `INTERPROC_CORRUPTED_ERROR`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_sharable_mutex_open(
    creation: interproc_creation_t,
    name: *const c_char,
    perm: u32,
    out: *mut *mut interproc_named_sharable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string and `out` NULL or writable (this fn's
    // `# Safety` contract), as `open_named` requires.
    unsafe { open_named(creation, name, perm, out, NamedSharableMutex::new) }
}

/// Closes the handle (the object stays until removed). NULL is ignored.
///
/// # Safety
/// `h` must be NULL or a handle from the open function, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_sharable_mutex_free(
    h: *mut interproc_named_sharable_mutex_t,
) {
    // SAFETY: `h` is NULL or a handle from this API that the caller gives up here (this fn's `#
    // Safety` contract).
    unsafe { free_handle(h) }
}

/// The mutex inside the handle's object, for the `interproc_upgradable_mutex_*` functions;
/// valid while the handle lives. NULL for NULL.
///
/// # Safety
/// `h` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_sharable_mutex_get(
    h: *const interproc_named_sharable_mutex_t,
) -> *mut interproc_upgradable_mutex_t {
    // SAFETY: `h` is NULL or a live handle for the whole call (this fn's `# Safety` contract),
    // as `primitive_of` requires.
    unsafe { primitive_of(h) }
}

/// Removes the named_sharable_mutex `name`; processes that have it open keep using it. False if
/// nothing was removed.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_sharable_mutex_remove(name: *const c_char) -> bool {
    // SAFETY: `name` is NULL or a NUL-terminated string (this fn's `# Safety` contract), as
    // `remove_named` requires.
    unsafe { remove_named(name) }
}

/// A handle to a named_upgradable_mutex (`/dev/shm/<name>`).
pub struct interproc_named_upgradable_mutex_t {
    inner: NamedUpgradableMutex,
}

named_handle!(
    interproc_named_upgradable_mutex_t,
    NamedUpgradableMutex,
    interproc_upgradable_mutex_t
);

/// Opens or creates the named_upgradable_mutex `name` and stores a new handle in `*out`. `creation` is
/// `INTERPROC_CREATE_ONLY`, `INTERPROC_OPEN_ONLY` or `INTERPROC_OPEN_OR_CREATE`; `perm`
/// applies only on creation. An object that is not a valid named_upgradable_mutex gives
/// `INTERPROC_CORRUPTED_ERROR`.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_upgradable_mutex_open(
    creation: interproc_creation_t,
    name: *const c_char,
    perm: u32,
    out: *mut *mut interproc_named_upgradable_mutex_t,
) -> interproc_status_t {
    // SAFETY: `name` is NULL or a NUL-terminated string and `out` NULL or writable (this fn's
    // `# Safety` contract), as `open_named` requires.
    unsafe { open_named(creation, name, perm, out, NamedUpgradableMutex::new) }
}

/// Closes the handle (the object stays until removed). NULL is ignored.
///
/// # Safety
/// `h` must be NULL or a handle from the open function, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_upgradable_mutex_free(
    h: *mut interproc_named_upgradable_mutex_t,
) {
    // SAFETY: `h` is NULL or a handle from this API that the caller gives up here (this fn's `#
    // Safety` contract).
    unsafe { free_handle(h) }
}

/// The mutex inside the handle's object, for the `interproc_upgradable_mutex_*` functions;
/// valid while the handle lives. NULL for NULL.
///
/// # Safety
/// `h` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_upgradable_mutex_get(
    h: *const interproc_named_upgradable_mutex_t,
) -> *mut interproc_upgradable_mutex_t {
    // SAFETY: `h` is NULL or a live handle for the whole call (this fn's `# Safety` contract),
    // as `primitive_of` requires.
    unsafe { primitive_of(h) }
}

/// Removes the named_upgradable_mutex `name`; processes that have it open keep using it. False if
/// nothing was removed.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn interproc_named_upgradable_mutex_remove(name: *const c_char) -> bool {
    // SAFETY: `name` is NULL or a NUL-terminated string (this fn's `# Safety` contract), as
    // `remove_named` requires.
    unsafe { remove_named(name) }
}
