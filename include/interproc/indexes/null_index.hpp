// interproc C++ wrapper: the null_index policy, as in
// <boost/interprocess/indexes/null_index.hpp>.
#ifndef INTERPROC_INDEXES_NULL_INDEX_HPP
#define INTERPROC_INDEXES_NULL_INDEX_HPP

#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// The index policy of a segment without named or unique objects (only allocation and
/// anonymous construction), as in Boost. Naming an object on such a segment
/// (`construct<T>("name")`, `find`, `destroy`, `unique_instance`) does not compile, as in
/// Boost, whose null_index has no insert or find; interproc says why in a static_assert.
template <class IndexConfig> class null_index {
public:
   /// The character and memory algorithm types of the segment.
   typedef IndexConfig index_config;
   null_index() = delete;
};

} // namespace interproc

#endif // INTERPROC_INDEXES_NULL_INDEX_HPP
