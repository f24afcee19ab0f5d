// interproc C++ wrapper: the null_index policy, as in
// <boost/interprocess/indexes/null_index.hpp>.
#ifndef INTERPROC_INDEXES_NULL_INDEX_HPP
#define INTERPROC_INDEXES_NULL_INDEX_HPP

#include <interproc/indexes/detail/hash_index.hpp>

namespace interproc {

/// The index policy of a segment without named or unique objects, as in Boost: raw
/// allocation (interproc also allows anonymous construction, which Boost's does not). Naming an object on such a segment
/// (`construct<T>("name")`, `find`, `destroy`, `unique_instance`) does not compile, as in
/// Boost, whose null_index has no insert or find; interproc says why in a static_assert.
template <class IndexConfig> class null_index : public detail::index_policy<IndexConfig> {};

} // namespace interproc

#endif // INTERPROC_INDEXES_NULL_INDEX_HPP
