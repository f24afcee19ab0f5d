// interproc C++ wrapper: permissions, as in <boost/interprocess/permissions.hpp>.
#ifndef INTERPROC_PERMISSIONS_HPP
#define INTERPROC_PERMISSIONS_HPP

#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// Permission bits for newly created objects. They are applied exactly after creation
/// (with fchmod), so the process umask does not narrow them.
class permissions {
public:
   /// The type of the permission bits.
   typedef int os_permissions_type;

   /// Permissions `type` (for example 0600).
   permissions(os_permissions_type type) noexcept : m_perm(type) {}
   /// Boost's default: 0644.
   permissions() noexcept : m_perm(INTERPROC_PERM_DEFAULT) {}

   /// Sets the default (0644).
   void set_default() noexcept { m_perm = INTERPROC_PERM_DEFAULT; }
   /// Sets read and write for everyone (0666).
   void set_unrestricted() noexcept { m_perm = INTERPROC_PERM_UNRESTRICTED; }
   /// Sets the bits to `perm`.
   void set_permissions(os_permissions_type perm) noexcept { m_perm = perm; }
   /// The bits.
   os_permissions_type get_permissions() const noexcept { return m_perm; }

private:
   os_permissions_type m_perm;
};

} // namespace interproc

#endif // INTERPROC_PERMISSIONS_HPP
