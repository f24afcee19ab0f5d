// interproc C++ wrapper: the commands of allocation_command, as in
// <boost/interprocess/containers/allocation_type.hpp>.
#ifndef INTERPROC_CONTAINERS_ALLOCATION_TYPE_HPP
#define INTERPROC_CONTAINERS_ALLOCATION_TYPE_HPP

#include <interproc/detail/config.hpp>

#include <cstddef>

namespace interproc {

/// A set of allocation commands, or-ed together (the values are Boost.Container's).
typedef int allocation_type;
/// Allocate a new buffer if the other commands fail (or were not asked).
static const allocation_type allocate_new = 0x01;
/// Grow the buffer in place, into the free memory after it.
static const allocation_type expand_fwd = 0x02;
/// Grow the buffer into the free memory before it (the start moves; the caller moves the data).
static const allocation_type expand_bwd = 0x04;
/// Shrink the buffer in place.
static const allocation_type shrink_in_place = 0x08;
/// Return null (or false) instead of throwing `bad_alloc`.
static const allocation_type nothrow_allocation = 0x10;
/// Zero the new memory.
static const allocation_type zero_memory = 0x20;
/// Only say how far the buffer could shrink in place; change nothing.
static const allocation_type try_shrink_in_place = 0x40;

} // namespace interproc

#endif // INTERPROC_CONTAINERS_ALLOCATION_TYPE_HPP
