// interproc C++ wrapper: what the iterators over linked nodes share (not part of the
// public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_NODE_ITERATOR_HPP
#define INTERPROC_CONTAINERS_DETAIL_NODE_ITERATOR_HPP

#include <cstddef>
#include <iterator>
#include <memory>
#include <type_traits>

namespace interproc {
namespace detail {

/// An iterator over linked nodes, by raw node address: the value lives in the `ValueNode`
/// that derives from `NodeBase`, and `NodeBase::nxt()` is the next node. `Derived` (the
/// iterator, which derives from this) adds its constructors and, for a bidirectional
/// list, the steps back.
template <class Derived, class NodeBase, class ValueNode, class T, bool IsConst, class Category> class node_iterator {
public:
   typedef Category iterator_category;
   typedef T value_type;
   typedef std::ptrdiff_t difference_type;
   typedef std::conditional_t<IsConst, const T *, T *> pointer;
   typedef std::conditional_t<IsConst, const T &, T &> reference;

   /// The value.
   reference operator*() const noexcept { return static_cast<ValueNode *>(m_node)->value; }
   /// The value's members.
   pointer operator->() const noexcept { return std::addressof(static_cast<ValueNode *>(m_node)->value); }
   /// The next value.
   Derived &operator++() noexcept {
      m_node = m_node->nxt();
      return static_cast<Derived &>(*this);
   }
   /// The next value.
   Derived operator++(int) noexcept {
      Derived t(static_cast<Derived &>(*this));
      m_node = m_node->nxt();
      return t;
   }
   /// Same position.
   friend bool operator==(const Derived &a, const Derived &b) noexcept { return a.node() == b.node(); }
   /// Different positions.
   friend bool operator!=(const Derived &a, const Derived &b) noexcept { return a.node() != b.node(); }
   /// The node (for the container).
   NodeBase *node() const noexcept { return m_node; }

protected:
   explicit node_iterator(NodeBase *n) noexcept : m_node(n) {}

   NodeBase *m_node;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_NODE_ITERATOR_HPP
