// interproc C++ wrapper: anonymous_shared_memory, as in
// <boost/interprocess/anonymous_shared_memory.hpp>.
#ifndef INTERPROC_ANONYMOUS_SHARED_MEMORY_HPP
#define INTERPROC_ANONYMOUS_SHARED_MEMORY_HPP

#include <interproc/mapped_region.hpp>

namespace interproc {

/// Maps `size` bytes of anonymous memory shared with the children this process forks
/// afterwards, at `address` if not null. Throws `size_error` for a size of 0.
inline mapped_region anonymous_shared_memory(std::size_t size, void *address = nullptr) {
   interproc_region_t *r = nullptr;
   detail::check(::interproc_region_anonymous(size, address, &r));
   return mapped_region(detail::adopt_region_t{}, r);
}

} // namespace interproc

#endif // INTERPROC_ANONYMOUS_SHARED_MEMORY_HPP
