// interproc C++ wrapper: the range tags of the containers, as in
// <boost/interprocess/containers/containers_fwd.hpp>.
#ifndef INTERPROC_CONTAINERS_CONTAINERS_FWD_HPP
#define INTERPROC_CONTAINERS_CONTAINERS_FWD_HPP

#include <interproc/detail/config.hpp>

namespace interproc {

/// Tag: the range given to an ordered container's constructor is already sorted.
struct ordered_range_t {};
/// Tag: the range is already sorted and has no equal keys.
struct ordered_unique_range_t : ordered_range_t {};
/// Value of `ordered_range_t`.
inline constexpr ordered_range_t ordered_range{};
/// Value of `ordered_unique_range_t`.
inline constexpr ordered_unique_range_t ordered_unique_range{};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_CONTAINERS_FWD_HPP
