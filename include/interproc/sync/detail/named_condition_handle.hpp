// interproc C++ wrapper: what named_condition and named_condition_any share (not part of
// the public API).
#ifndef INTERPROC_SYNC_DETAIL_NAMED_CONDITION_HANDLE_HPP
#define INTERPROC_SYNC_DETAIL_NAMED_CONDITION_HANDLE_HPP

#include <interproc/permissions.hpp>
#include <interproc/sync/detail/condition_waits.hpp>

namespace interproc {
namespace detail {

/// The C function that opens or creates a named condition of one kind.
typedef interproc_status_t (*named_condition_open_fn)(interproc_creation_t, const char *, std::uint32_t,
                                                       ::interproc_named_condition_t **);

/// A handle on a named condition opened by `Open`, closed with this object. The object
/// itself lives in `/dev/shm/<name>` until `remove`.
template <named_condition_open_fn Open> class named_condition_handle : public condition_waits<named_condition_handle<Open>> {
public:
   named_condition_handle(const named_condition_handle &) = delete;
   named_condition_handle &operator=(const named_condition_handle &) = delete;

   /// Removes the condition `name`; false if there was nothing to remove.
   static bool remove(const char *name) noexcept { return ::interproc_named_condition_remove(name); }

protected:
   named_condition_handle(interproc_creation_t creation, const char *name, const permissions &perm)
      : m_handle(open(creation, name, perm)), m_cond(::interproc_named_condition_get(m_handle)) {}
   /// Closes this process's handle; the condition stays until `remove`.
   ~named_condition_handle() { ::interproc_named_condition_free(m_handle); }

private:
   friend class condition_waits<named_condition_handle>;
   interproc_condition_t *condition_object() noexcept { return m_cond; }

   static ::interproc_named_condition_t *open(interproc_creation_t creation, const char *name, const permissions &perm) {
      ::interproc_named_condition_t *h = nullptr;
      check(Open(creation, name, static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   ::interproc_named_condition_t *m_handle;
   interproc_condition_t *m_cond;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_SYNC_DETAIL_NAMED_CONDITION_HANDLE_HPP
