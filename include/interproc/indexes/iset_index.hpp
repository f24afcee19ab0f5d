// interproc C++ wrapper: the iset_index name index policy, as in
// <boost/interprocess/indexes/iset_index.hpp> (see indexes/detail/hash_index.hpp).
#ifndef INTERPROC_INDEXES_ISET_INDEX_HPP
#define INTERPROC_INDEXES_ISET_INDEX_HPP
#include <interproc/indexes/detail/hash_index.hpp>
#endif // INTERPROC_INDEXES_ISET_INDEX_HPP
