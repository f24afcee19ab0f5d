// interproc C++ wrapper: xsi_key, as in <boost/interprocess/xsi_key.hpp>.
#ifndef INTERPROC_XSI_KEY_HPP
#define INTERPROC_XSI_KEY_HPP

#include <interproc/exceptions.hpp>
#include <interproc/interprocess_fwd.hpp>
#include <sys/types.h>

namespace interproc {

/// A System V IPC key.
class xsi_key {
public:
   /// The private key (`IPC_PRIVATE`).
   xsi_key() noexcept : m_key(INTERPROC_XSI_KEY_PRIVATE) {}
   /// A key from its raw value.
   explicit xsi_key(key_t key) noexcept : m_key(key) {}
   /// The key of an existing `path` and `id` (as `ftok`); throws if `path` does not exist.
   xsi_key(const char *path, std::uint8_t id) : m_key(0) {
      std::int32_t k = 0;
      detail::check(::interproc_xsi_key_from_path(path, id, &k));
      m_key = static_cast<key_t>(k);
   }

   /// The raw key value.
   key_t get_key() const noexcept { return m_key; }

private:
   key_t m_key;
};

} // namespace interproc

#endif // INTERPROC_XSI_KEY_HPP
