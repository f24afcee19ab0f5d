// interproc C++ wrapper: basic types and forward declarations, as in
// <boost/interprocess/interprocess_fwd.hpp>.
#ifndef INTERPROC_INTERPROCESS_FWD_HPP
#define INTERPROC_INTERPROCESS_FWD_HPP

#include <interproc/detail/config.hpp>
#include <interproc/creation_tags.hpp>
#include <interproc/offset_ptr.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

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

// The classes Boost's interprocess_fwd.hpp declares. Default template arguments are given
// here only, once (the definitions include this header), as Boost does.
class permissions;
class shared_memory_object;
class mapped_region;
class file_mapping;
class xsi_key;
class xsi_shared_memory;

struct mutex_family;
struct null_mutex_family;

// The memory algorithm and index policies of the managed segments (see README, "Policy
// parameters": one allocator and one index serve them all).
template <class MutexFamily, class VoidPointer = offset_ptr<void>, std::size_t MemAlignment = 0> class rbtree_best_fit;
template <class MutexFamily, class VoidPointer = offset_ptr<void>> class simple_seq_fit;
template <class IndexConfig> class flat_map_index;
template <class IndexConfig> class iset_index;
template <class IndexConfig> class iunordered_set_index;
template <class IndexConfig> class map_index;
template <class IndexConfig> class null_index;
template <class IndexConfig> class unordered_map_index;

template <class CharType, class MemoryAlgorithm, template <class IndexConfig> class IndexType> class segment_manager;

template <class CharType, class MemoryAlgorithm, template <class IndexConfig> class IndexType>
class basic_managed_shared_memory;
template <class CharType, class MemoryAlgorithm, template <class IndexConfig> class IndexType>
class basic_managed_mapped_file;
template <class CharType, class MemoryAlgorithm, template <class IndexConfig> class IndexType>
class basic_managed_heap_memory;
template <class CharType, class MemoryAlgorithm, template <class IndexConfig> class IndexType>
class basic_managed_external_buffer;
template <class CharType, class MemoryAlgorithm, template <class IndexConfig> class IndexType>
class basic_managed_xsi_shared_memory;

/// A managed segment in POSIX shared memory.
typedef basic_managed_shared_memory<char, rbtree_best_fit<mutex_family>, iset_index> managed_shared_memory;
/// The same with wide-character names.
typedef basic_managed_shared_memory<wchar_t, rbtree_best_fit<mutex_family>, iset_index> wmanaged_shared_memory;
/// A managed segment whose allocators hold raw pointers: every process must map it at one
/// address.
typedef basic_managed_shared_memory<char, rbtree_best_fit<mutex_family, void *>, iset_index> fixed_managed_shared_memory;
/// The same with wide-character names.
typedef basic_managed_shared_memory<wchar_t, rbtree_best_fit<mutex_family, void *>, iset_index> wfixed_managed_shared_memory;
/// A managed segment in a memory-mapped file.
typedef basic_managed_mapped_file<char, rbtree_best_fit<mutex_family>, iset_index> managed_mapped_file;
/// The same with wide-character names.
typedef basic_managed_mapped_file<wchar_t, rbtree_best_fit<mutex_family>, iset_index> wmanaged_mapped_file;
/// A managed segment in this process's heap.
typedef basic_managed_heap_memory<char, rbtree_best_fit<null_mutex_family>, iset_index> managed_heap_memory;
/// The same with wide-character names.
typedef basic_managed_heap_memory<wchar_t, rbtree_best_fit<null_mutex_family>, iset_index> wmanaged_heap_memory;
/// A managed segment in a buffer the program provides.
typedef basic_managed_external_buffer<char, rbtree_best_fit<null_mutex_family>, iset_index> managed_external_buffer;
/// The same with wide-character names.
typedef basic_managed_external_buffer<wchar_t, rbtree_best_fit<null_mutex_family>, iset_index> wmanaged_external_buffer;
/// A managed segment in System V shared memory.
typedef basic_managed_xsi_shared_memory<char, rbtree_best_fit<mutex_family>, iset_index> managed_xsi_shared_memory;
/// The same with wide-character names.
typedef basic_managed_xsi_shared_memory<wchar_t, rbtree_best_fit<mutex_family>, iset_index> wmanaged_xsi_shared_memory;

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
template <class Mutex> class scoped_lock;
template <class SharableMutex> class sharable_lock;
template <class UpgradableMutex> class upgradable_lock;

template <class T, class SegmentManager> class allocator;
template <class T, class SegmentManager, std::size_t NodesPerBlock = 64> class node_allocator;
template <class T, class SegmentManager, std::size_t NodesPerBlock = 64> class private_node_allocator;
template <class T, class SegmentManager, std::size_t NodesPerBlock = 64> class cached_node_allocator;
template <class T, class SegmentManager, std::size_t NodesPerBlock = 64, std::size_t MaxFreeBlocks = 2,
          unsigned char OverheadPercent = 5>
class adaptive_pool;
template <class T, class SegmentManager, std::size_t NodesPerBlock = 64, std::size_t MaxFreeBlocks = 2,
          unsigned char OverheadPercent = 5>
class private_adaptive_pool;
template <class T, class SegmentManager, std::size_t NodesPerBlock = 64, std::size_t MaxFreeBlocks = 2,
          unsigned char OverheadPercent = 5>
class cached_adaptive_pool;

/// The default `OffsetAlignment` of `offset_ptr` (0: the alignment of the pointed type).
static const std::size_t offset_type_alignment = 0;
/// An unsigned integer as wide as a pointer (`offset_ptr`'s default offset type).
typedef std::uintptr_t uintptr_t;

template <class CharT, class CharTraits = std::char_traits<CharT>> class basic_bufferbuf;
template <class CharT, class CharTraits = std::char_traits<CharT>> class basic_ibufferstream;
template <class CharT, class CharTraits = std::char_traits<CharT>> class basic_obufferstream;
template <class CharT, class CharTraits = std::char_traits<CharT>> class basic_bufferstream;
template <class CharVector, class CharTraits = std::char_traits<typename CharVector::value_type>>
class basic_vectorbuf;
template <class CharVector, class CharTraits = std::char_traits<typename CharVector::value_type>>
class basic_ivectorstream;
template <class CharVector, class CharTraits = std::char_traits<typename CharVector::value_type>>
class basic_ovectorstream;
template <class CharVector, class CharTraits = std::char_traits<typename CharVector::value_type>>
class basic_vectorstream;
template <class T, class SegmentManager> class deleter;
template <class T, class Deleter> class scoped_ptr;
template <class T, class VoidPointer> class intrusive_ptr;
template <class T, class VoidAllocator, class Deleter> class shared_ptr;
template <class T, class VoidAllocator, class Deleter> class weak_ptr;

template <class VoidPointer> class message_queue_t;
/// The message queue of `<interproc/ipc/message_queue.hpp>`.
typedef message_queue_t<offset_ptr<void>> message_queue;

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

/// Whether a segment with this index policy keeps named and unique objects (every policy
/// but null_index).
template <template <class> class IndexType> struct index_keeps_names {
   static constexpr bool value = true;
};
template <> struct index_keeps_names<null_index> {
   static constexpr bool value = false;
};

/// What a segment manager hands its index policy, as Boost's `index_config`.
template <class CharType, class MemoryAlgorithm> struct index_config {
   typedef CharType char_type;
   typedef MemoryAlgorithm memory_algorithm;
};
} // namespace detail
} // namespace interproc

#endif // INTERPROC_INTERPROCESS_FWD_HPP
