// interproc C++ wrapper: the map_index name index policy, as in
// <boost/interprocess/indexes/map_index.hpp>.
#ifndef INTERPROC_INDEXES_MAP_INDEX_HPP
#define INTERPROC_INDEXES_MAP_INDEX_HPP

#include <interproc/interprocess_fwd.hpp>

namespace interproc {

/// A name index policy of `basic_managed_*`. interproc's segments have one name index, an
/// open-addressing hash table in the segment (find, insert and erase in O(1)); every index
/// policy but `null_index` selects it.
template <class IndexConfig> class map_index {
public:
   /// The character and memory algorithm types of the segment.
   typedef IndexConfig index_config;
   map_index() = delete;
};

} // namespace interproc

#endif // INTERPROC_INDEXES_MAP_INDEX_HPP
