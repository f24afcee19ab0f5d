// interproc C++ wrapper: how a synchronisation class holds its C object, in place or
// through a named handle, written once for the mutex kinds (not part of the public API).
#ifndef INTERPROC_SYNC_DETAIL_SYNC_OBJECT_HPP
#define INTERPROC_SYNC_DETAIL_SYNC_OBJECT_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/permissions.hpp>
#include <interproc/sync/detail/sync_common.hpp>

#include <cstdint>

namespace interproc {
namespace detail {

/// The C object `Object` of `Derived`, for the lock operations that a base of `Derived`
/// spells once: `Derived` gives a private `c_object()`, through a base that befriends this
/// class. Empty, not copyable, and neither created nor destroyed on its own, so deriving
/// from it adds neither bytes nor a slicing copy.
template <class Derived, class Object> class c_object_access {
protected:
   c_object_access() = default;
   c_object_access(const c_object_access &) = delete;
   c_object_access &operator=(const c_object_access &) = delete;
   ~c_object_access() = default;

   /// The C object of the derived class.
   Object *c() noexcept { return static_cast<Derived *>(this)->c_object(); }
   const Object *c() const noexcept { return static_cast<const Derived *>(this)->c_object(); }
};

/// A process's handle on a named object of the C API, given by its C handle type, the C
/// object it holds and the C functions that open, read and free it; closed on destruction.
template <class Handle, class Object, interproc_status_t (*Open)(interproc_creation_t, const char *, std::uint32_t, Handle **),
          Object *(*Get)(const Handle *), void (*Free)(Handle *)>
class named_handle {
public:
   typedef Object object_type;

   named_handle(interproc_creation_t creation, const char *name, const permissions &perm)
      : m_handle(open(creation, name, perm)), m_object(Get(m_handle)) {}
   named_handle(const named_handle &) = delete;
   named_handle &operator=(const named_handle &) = delete;
   ~named_handle() { Free(m_handle); }

   /// The C object in the mapped named object.
   Object *object() const noexcept { return m_object; }

private:
   static Handle *open(interproc_creation_t creation, const char *name, const permissions &perm) {
      Handle *h = nullptr;
      detail::check(Open(creation, name, static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   Handle *m_handle;
   Object *m_object;
};

/// A named synchronisation object with the operations of `Ops` (a base over
/// `c_object_access<Derived, ...>`): Boost's three constructors (create_only,
/// open_or_create, open_only) and `remove`, over `Handle` (a `named_handle`). `Derived`
/// inherits the constructors (`using named_sync_object::named_sync_object;`).
template <class Derived, class Ops, class Handle, bool (*Remove)(const char *)> class named_sync_object : public Ops {
public:
   /// Creates the object; throws (`already_exists_error`) if it exists.
   named_sync_object(create_only_t, const char *name, const permissions &perm = permissions())
      : m_handle(INTERPROC_CREATE_ONLY, name, perm) {}
   /// Opens the object, creating it if it is missing (many processes at once: exactly one
   /// creates it).
   named_sync_object(open_or_create_t, const char *name, const permissions &perm = permissions())
      : m_handle(INTERPROC_OPEN_OR_CREATE, name, perm) {}
   /// Opens the existing object; throws (`not_found_error`) if it is missing.
   named_sync_object(open_only_t, const char *name) : m_handle(INTERPROC_OPEN_ONLY, name, permissions()) {}

   /// Removes the object `name` from the system; false if there was nothing to remove.
   static bool remove(const char *name) noexcept { return Remove(name); }

protected:
   /// Closes this process's handle; the object stays until `remove`.
   ~named_sync_object() = default;

private:
   typedef typename Handle::object_type object_type;
   friend class c_object_access<Derived, object_type>;
   object_type *c_object() const noexcept { return m_handle.object(); }

   Handle m_handle;
};

/// A synchronisation object placed in memory the program chose (shared memory), with the
/// operations of `Ops` (a base over `c_object_access<Derived, Object>`): the C object
/// itself, initialised by `Init` on construction and destroyed by `Destroy`. Its only
/// member is the C object, so the derived class has the C object's size and alignment.
template <class Derived, class Ops, class Object, interproc_status_t (*Init)(Object *), interproc_status_t (*Destroy)(Object *)>
class inplace_sync_object : public Ops {
public:
   /// Initialises the object (process-shared, robust).
   inplace_sync_object() { detail::check(Init(&m_object)); }

   /// The C object, for calls into the C API.
   Object *native_handle() noexcept { return &m_object; }

protected:
   /// Destroys the object; no process may hold or wait for it any more.
   ~inplace_sync_object() { Destroy(&m_object); }

private:
   friend class c_object_access<Derived, Object>;
   Object *c_object() noexcept { return &m_object; }
   const Object *c_object() const noexcept { return &m_object; }

   Object m_object;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_SYNC_DETAIL_SYNC_OBJECT_HPP
