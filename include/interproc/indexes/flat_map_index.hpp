// interproc C++ wrapper: the flat_map_index name index policy, as in
// <boost/interprocess/indexes/flat_map_index.hpp> (see indexes/detail/hash_index.hpp).
#ifndef INTERPROC_INDEXES_FLAT_MAP_INDEX_HPP
#define INTERPROC_INDEXES_FLAT_MAP_INDEX_HPP
#include <interproc/indexes/detail/hash_index.hpp>
#endif // INTERPROC_INDEXES_FLAT_MAP_INDEX_HPP
