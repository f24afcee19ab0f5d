// interproc C++ wrapper: creation tags, as in <boost/interprocess/creation_tags.hpp>.
#ifndef INTERPROC_CREATION_TAGS_HPP
#define INTERPROC_CREATION_TAGS_HPP

#include <interproc/detail/config.hpp>

namespace interproc {

/// Tag: create a new object; fail if it exists.
struct create_only_t {};
/// Tag: open an existing object; fail if it is missing.
struct open_only_t {};
/// Tag: open an existing object read-only.
struct open_read_only_t {};
/// Tag: open an existing object read-only and private.
struct open_read_private_t {};
/// Tag: open an existing object copy-on-write.
struct open_copy_on_write_t {};
/// Tag: open the object if it exists, create it otherwise.
struct open_or_create_t {};

/// The size a managed shared memory segment or mapped file may grow to while mapped, an
/// interproc extension passed beside the size to the `create_only` and `open_or_create`
/// constructors: `managed_shared_memory(create_only, "name", 65536, max_size_t(1 << 30))`.
/// Allocations that do not fit grow the segment up to it; its base never moves.
struct max_size_t {
   /// At most `bytes` bytes.
   explicit constexpr max_size_t(unsigned long long bytes) noexcept : value(bytes) {}
   /// The maximum size in bytes.
   unsigned long long value;
};

/// Value of `create_only_t`.
inline constexpr create_only_t create_only = create_only_t();
/// Value of `open_only_t`.
inline constexpr open_only_t open_only = open_only_t();
/// Value of `open_read_only_t`.
inline constexpr open_read_only_t open_read_only = open_read_only_t();
/// Value of `open_read_private_t`.
inline constexpr open_read_private_t open_read_private = open_read_private_t();
/// Value of `open_copy_on_write_t`.
inline constexpr open_copy_on_write_t open_copy_on_write = open_copy_on_write_t();
/// Value of `open_or_create_t`.
inline constexpr open_or_create_t open_or_create = open_or_create_t();

} // namespace interproc

#endif // INTERPROC_CREATION_TAGS_HPP
