// interproc C++ wrapper: unique_ptr, as in <boost/interprocess/smart_ptr/unique_ptr.hpp>.
#ifndef INTERPROC_SMART_PTR_UNIQUE_PTR_HPP
#define INTERPROC_SMART_PTR_UNIQUE_PTR_HPP

#include <interproc/smart_ptr/deleter.hpp>

#include <memory>

namespace interproc {

/// Boost's interprocess unique_ptr is the standard one: with `deleter<T, segment_manager>`
/// its stored pointer is an offset_ptr, so it may live in shared memory.
using std::unique_ptr;

/// The unique_ptr type for T in the managed segment type ManagedMemory.
template <class T, class ManagedMemory> struct managed_unique_ptr {
   typedef unique_ptr<T, typename ManagedMemory::template deleter<T>::type> type;
};

/// A unique_ptr owning `constructed_object` (constructed in `managed_memory`).
template <class T, class ManagedMemory>
typename managed_unique_ptr<T, ManagedMemory>::type make_managed_unique_ptr(T *constructed_object, ManagedMemory &managed_memory) {
   return typename managed_unique_ptr<T, ManagedMemory>::type(constructed_object, managed_memory.template get_deleter<T>());
}

} // namespace interproc

#endif // INTERPROC_SMART_PTR_UNIQUE_PTR_HPP
