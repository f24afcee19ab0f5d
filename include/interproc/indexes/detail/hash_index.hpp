// interproc C++ wrapper: the name index policies that select interproc's one name index
// (iset_index, iunordered_set_index, flat_map_index, map_index, unordered_map_index). Not
// for direct use: include the policy's own header, as in Boost.
#ifndef INTERPROC_INDEXES_DETAIL_HASH_INDEX_HPP
#define INTERPROC_INDEXES_DETAIL_HASH_INDEX_HPP

#include <interproc/interprocess_fwd.hpp>

namespace interproc {
namespace detail {

/// What every index policy is: a name, never an object. interproc's segments have one
/// name index, an open-addressing hash table in the segment (find, insert and erase in
/// O(1)); every index policy but `null_index` selects it.
template <class IndexConfig> class index_policy {
public:
   /// The character and memory algorithm types of the segment.
   typedef IndexConfig index_config;
   index_policy() = delete;
};

} // namespace detail

/// Boost's intrusive-set index, served by interproc's hash index.
template <class IndexConfig> class iset_index : public detail::index_policy<IndexConfig> {};
/// Boost's intrusive unordered-set index, served by interproc's hash index.
template <class IndexConfig> class iunordered_set_index : public detail::index_policy<IndexConfig> {};
/// Boost's flat-map index, served by interproc's hash index.
template <class IndexConfig> class flat_map_index : public detail::index_policy<IndexConfig> {};
/// Boost's map index, served by interproc's hash index.
template <class IndexConfig> class map_index : public detail::index_policy<IndexConfig> {};
/// Boost's unordered-map index, served by interproc's hash index.
template <class IndexConfig> class unordered_map_index : public detail::index_policy<IndexConfig> {};

} // namespace interproc

#endif // INTERPROC_INDEXES_DETAIL_HASH_INDEX_HPP
