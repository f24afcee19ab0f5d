// interproc C++ wrapper: basic types and forward declarations, as in
// <boost/interprocess/interprocess_fwd.hpp>.
#ifndef INTERPROC_INTERPROCESS_FWD_HPP
#define INTERPROC_INTERPROCESS_FWD_HPP

#include <interproc/detail/config.hpp>
#include <interproc/creation_tags.hpp>

namespace interproc {

/// Access mode of an object or a mapping.
typedef enum {
   read_only = INTERPROC_READ_ONLY,
   read_write = INTERPROC_READ_WRITE,
   copy_on_write = INTERPROC_COPY_ON_WRITE,
   read_private = INTERPROC_READ_PRIVATE,
   invalid_mode = INTERPROC_INVALID_MODE
} mode_t;

/// A file or object offset (`off_t` on POSIX, as in Boost).
typedef std::int64_t offset_t;

/// Extra mapping options of `mapped_region` (Boost's `map_options_t`).
typedef int map_options_t;
/// No extra mapping options.
inline constexpr map_options_t default_map_options = map_options_t(-1);

// The classes Boost's interprocess_fwd.hpp declares, as far as interproc has them (the
// policy templates basic_managed_*, the memory algorithms and the index types are not
// there yet; the pooled allocators and offset_ptr, whose defaults live with their
// definitions, come with their own headers).
class permissions;
class shared_memory_object;
class mapped_region;
class file_mapping;
class xsi_key;
class xsi_shared_memory;

class managed_shared_memory;
class managed_mapped_file;
class managed_heap_memory;
class managed_external_buffer;
class managed_xsi_shared_memory;

class interprocess_exception;
class bad_alloc;
class lock_exception;

class interprocess_mutex;
class interprocess_recursive_mutex;
class interprocess_semaphore;
class interprocess_condition;
class interprocess_condition_any;
class interprocess_sharable_mutex;
class interprocess_upgradable_mutex;
class named_mutex;
class named_recursive_mutex;
class named_semaphore;
class named_condition;
class named_condition_any;
class named_sharable_mutex;
class named_upgradable_mutex;
class null_mutex;
class file_lock;
struct mutex_family;
struct null_mutex_family;
template <class Mutex> class scoped_lock;
template <class SharableMutex> class sharable_lock;
template <class UpgradableMutex> class upgradable_lock;

template <class T, class SegmentManager> class allocator;
template <class T, class SegmentManager> class deleter;
template <class T, class Deleter> class scoped_ptr;
template <class T, class VoidPointer> class intrusive_ptr;
template <class T, class VoidAllocator, class Deleter> class shared_ptr;
template <class T, class VoidAllocator, class Deleter> class weak_ptr;

template <class VoidPointer> class message_queue_t;

/// A native file handle (a file descriptor, as in Boost on POSIX systems).
typedef int file_handle_t;

/// What a mappable object (`shared_memory_object`, `file_mapping`, `xsi_shared_memory`, or
/// a class of your own) hands to `mapped_region`, as in Boost: `handle` is the file
/// descriptor (the segment id when `is_xsi`), owned by the object. interproc maps through
/// the library's own handle, `kind` and `ptr`; a handle with no `ptr` cannot be mapped.
struct mapping_handle_t {
   /// Which C handle `ptr` is.
   enum kind_t { none, shm, file, xsi };
   /// The file descriptor, or the XSI segment id.
   file_handle_t handle;
   /// Whether `handle` is an XSI segment id.
   bool is_xsi;
   /// Which C handle `ptr` is.
   kind_t kind;
   /// The C handle (`interproc_shm_t*`, `interproc_file_mapping_t*`, `interproc_xsi_shm_t*`).
   const void *ptr;
};

namespace detail {
typedef interproc::mapping_handle_t mapping_handle_t;
} // namespace detail
} // namespace interproc

#endif // INTERPROC_INTERPROCESS_FWD_HPP
