// interproc C++ wrapper: the iunordered_set_index name index policy, as in
// <boost/interprocess/indexes/iunordered_set_index.hpp> (see indexes/detail/hash_index.hpp).
#ifndef INTERPROC_INDEXES_IUNORDERED_SET_INDEX_HPP
#define INTERPROC_INDEXES_IUNORDERED_SET_INDEX_HPP
#include <interproc/indexes/detail/hash_index.hpp>
#endif // INTERPROC_INDEXES_IUNORDERED_SET_INDEX_HPP
