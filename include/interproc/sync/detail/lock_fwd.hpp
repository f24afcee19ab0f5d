// interproc C++ wrapper: forward declarations of the lock types, which convert into each
// other (not part of the public API).
#ifndef INTERPROC_SYNC_DETAIL_LOCK_FWD_HPP
#define INTERPROC_SYNC_DETAIL_LOCK_FWD_HPP

namespace interproc {

template <class Mutex> class scoped_lock;
template <class SharableMutex> class sharable_lock;
template <class UpgradableMutex> class upgradable_lock;

} // namespace interproc

#endif // INTERPROC_SYNC_DETAIL_LOCK_FWD_HPP
