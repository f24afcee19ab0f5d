// interproc C++ wrapper: named_upgradable_mutex under the path where Boost 1.74 defines it,
// <boost/interprocess/sync/shm/named_upgradable_mutex.hpp>.
#ifndef INTERPROC_SYNC_SHM_NAMED_UPGRADABLE_MUTEX_HPP
#define INTERPROC_SYNC_SHM_NAMED_UPGRADABLE_MUTEX_HPP

#include <interproc/sync/named_upgradable_mutex.hpp>

#endif // INTERPROC_SYNC_SHM_NAMED_UPGRADABLE_MUTEX_HPP
