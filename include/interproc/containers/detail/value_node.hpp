// interproc C++ wrapper: the node of a node-based container, its links and its value (not
// part of the public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_VALUE_NODE_HPP
#define INTERPROC_CONTAINERS_DETAIL_VALUE_NODE_HPP

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

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_VALUE_NODE_HPP
