// interproc C++ wrapper: pair, as in <boost/interprocess/containers/pair.hpp>.
#ifndef INTERPROC_CONTAINERS_PAIR_HPP
#define INTERPROC_CONTAINERS_PAIR_HPP

#include <interproc/containers/containers_fwd.hpp>
#include <interproc/detail/config.hpp>

#include <utility>

namespace interproc {

/// The pair the interproc containers store (`map`'s `value_type` is
/// `pair<const Key, T>`): `std::pair`, where Boost names its own pair class.
using std::pair;

} // namespace interproc

#endif // INTERPROC_CONTAINERS_PAIR_HPP
