// interproc C++ wrapper: mutex families, as in <boost/interprocess/sync/mutex_family.hpp>.
#ifndef INTERPROC_SYNC_MUTEX_FAMILY_HPP
#define INTERPROC_SYNC_MUTEX_FAMILY_HPP

#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/interprocess_recursive_mutex.hpp>
#include <interproc/sync/null_mutex.hpp>

namespace interproc {

/// The process-shared mutex types, for policies that take a mutex family.
struct mutex_family {
   /// The plain mutex.
   typedef interprocess_mutex mutex_type;
   /// The recursive mutex.
   typedef interprocess_recursive_mutex recursive_mutex_type;
};

/// Mutex types that do nothing, for single-process use.
struct null_mutex_family {
   /// The plain "mutex".
   typedef null_mutex mutex_type;
   /// The recursive "mutex".
   typedef null_mutex recursive_mutex_type;
};

} // namespace interproc

#endif // INTERPROC_SYNC_MUTEX_FAMILY_HPP
