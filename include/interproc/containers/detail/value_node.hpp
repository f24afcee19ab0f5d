// interproc C++ wrapper: the node of a node-based container, its links and its value, and
// the nodes of a chain sorted by value (not part of the public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_VALUE_NODE_HPP
#define INTERPROC_CONTAINERS_DETAIL_VALUE_NODE_HPP

#include <algorithm>
#include <cstddef>
#include <vector>

namespace interproc {
namespace detail {

/// The empty base of a node's links: a node is linked by its address, so it is never
/// copied. Empty, so it adds no bytes to the links.
struct pinned_node {
   pinned_node() = default;
   pinned_node(const pinned_node &) = delete;
   pinned_node &operator=(const pinned_node &) = delete;
};

/// A node with the links `Links` and a value, which the container constructs in place
/// after allocating the node and destroys before freeing it.
template <class T, class Links> struct value_node : Links {
   union {
      T value;
   };
   value_node() noexcept {}
   ~value_node() {}
};

/// The `n` nodes of the chain from `first` (linked by `nxt()`), sorted stably by `comp` on
/// their values: list and slist relink them in this order, so no value is copied or moved.
template <class ValueNode, class Links, class Comp> std::vector<Links *> nodes_sorted(Links *first, std::size_t n, Comp &comp) {
   std::vector<Links *> nodes;
   nodes.reserve(n);
   for (; n > 0; --n, first = first->nxt()) {
      nodes.push_back(first);
   }
   std::stable_sort(nodes.begin(), nodes.end(), [&comp](Links *a, Links *b) {
      return comp(static_cast<ValueNode *>(a)->value, static_cast<ValueNode *>(b)->value);
   });
   return nodes;
}

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_VALUE_NODE_HPP
