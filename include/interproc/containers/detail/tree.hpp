// interproc C++ wrapper: the associative container behind set, multiset, map and multimap
// (not part of the public API), over the red-black algorithm of rbtree_algo.hpp. Node
// links are the allocator's pointer type (offset_ptr in a segment); iterators hold raw
// node addresses, valid in the process that made them.
#ifndef INTERPROC_CONTAINERS_DETAIL_TREE_HPP
#define INTERPROC_CONTAINERS_DETAIL_TREE_HPP

#include <interproc/containers/containers_fwd.hpp>
#include <interproc/containers/detail/associative_inserts.hpp>
#include <interproc/containers/detail/rbtree_algo.hpp>
#include <interproc/containers/detail/sequence_comparisons.hpp>
#include <interproc/containers/detail/uses_allocator.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// A bidirectional iterator over tree nodes.
template <class Node, class VoidPtr, bool IsConst> class tree_iterator {
   typedef tree_node_base<VoidPtr> base;
   typedef tree_algo<VoidPtr> algo;

public:
   typedef std::bidirectional_iterator_tag iterator_category;
   typedef std::remove_cv_t<decltype(std::declval<Node &>().value)> value_type;
   typedef std::ptrdiff_t difference_type;
   typedef std::conditional_t<IsConst, const value_type *, value_type *> pointer;
   typedef std::conditional_t<IsConst, const value_type &, value_type &> reference;

   /// A singular iterator.
   tree_iterator() noexcept : m_node(nullptr) {}
   /// An iterator at node `n`.
   explicit tree_iterator(base *n) noexcept : m_node(n) {}
   /// The const iterator from a mutable one.
   template <bool C = IsConst, class = std::enable_if_t<C>>
   tree_iterator(const tree_iterator<Node, VoidPtr, false> &other) noexcept : m_node(other.node()) {}

   /// The value.
   reference operator*() const noexcept { return static_cast<Node *>(m_node)->value; }
   /// The value's members.
   pointer operator->() const noexcept { return std::addressof(static_cast<Node *>(m_node)->value); }
   /// The next value in order.
   tree_iterator &operator++() noexcept {
      m_node = algo::next(m_node);
      return *this;
   }
   /// The next value in order.
   tree_iterator operator++(int) noexcept {
      tree_iterator t(*this);
      ++*this;
      return t;
   }
   /// The previous value in order.
   tree_iterator &operator--() noexcept {
      m_node = algo::prev(m_node);
      return *this;
   }
   /// The previous value in order.
   tree_iterator operator--(int) noexcept {
      tree_iterator t(*this);
      --*this;
      return t;
   }
   /// Same position.
   friend bool operator==(const tree_iterator &a, const tree_iterator &b) noexcept { return a.m_node == b.m_node; }
   /// Different positions.
   friend bool operator!=(const tree_iterator &a, const tree_iterator &b) noexcept { return a.m_node != b.m_node; }

   /// The node (for the containers).
   base *node() const noexcept { return m_node; }

private:
   base *m_node;
};

/// Whether `Compare::is_transparent` exists (heterogeneous lookup).
template <class C, class = void> struct is_transparent : std::false_type {};
template <class C> struct is_transparent<C, std::void_t<typename C::is_transparent>> : std::true_type {};

/// Gets a set's key: the value itself.
struct identity_key {
   template <class V> const V &operator()(const V &v) const noexcept { return v; }
};
/// Gets a map's key: the pair's first.
struct pair_first_key {
   template <class P> const typename P::first_type &operator()(const P &p) const noexcept { return p.first; }
};

/// The associative container over the red-black tree; `Multi` allows equal keys. As in
/// Boost.Container, it keeps its allocator rebound to its node type (the stored
/// allocator), so allocating a node never rebinds one. `tree_container`
/// (below) adds the constructors and inserts written
/// in terms of `emplace`.
template <class Key, class Value, class KeyOfValue, class Compare, class A, bool Multi>
class tree_core
   : private alloc_holder<typename std::allocator_traits<A>::template rebind_alloc<tree_node<Value, typename std::allocator_traits<A>::void_pointer>>>,
     public sequence_comparisons<tree_core<Key, Value, KeyOfValue, Compare, A, Multi>> {
   typedef std::allocator_traits<A> traits;
   typedef typename traits::void_pointer void_pointer;
   typedef tree_node<Value, void_pointer> node;
   typedef tree_node_base<void_pointer> base;
   typedef tree_algo<void_pointer> algo;
   typedef typename traits::template rebind_alloc<node> node_alloc;
   typedef std::allocator_traits<node_alloc> node_traits;
   typedef alloc_holder<node_alloc> holder;

public:
   typedef Key key_type;
   typedef Value value_type;
   typedef Compare key_compare;
   typedef A allocator_type;
   /// The allocator the container keeps: A rebound to its node type.
   typedef node_alloc stored_allocator_type;
   typedef typename traits::pointer pointer;
   typedef typename traits::const_pointer const_pointer;
   typedef Value &reference;
   typedef const Value &const_reference;
   typedef typename traits::size_type size_type;
   typedef typename traits::difference_type difference_type;
   typedef tree_iterator<node, void_pointer, !std::is_same<Key, Value>::value ? false : true> iterator;
   typedef tree_iterator<node, void_pointer, true> const_iterator;
   typedef std::reverse_iterator<iterator> reverse_iterator;
   typedef std::reverse_iterator<const_iterator> const_reverse_iterator;
   typedef std::conditional_t<Multi, iterator, std::pair<iterator, bool>> insert_return;

   /// An empty container.
   tree_core() : holder(node_alloc(A())), m_comp(), m_size(0) { algo::init_header(&m_header); }
   /// An empty container ordered by `comp`, allocating with `a`.
   explicit tree_core(const Compare &comp, const allocator_type &a = allocator_type())
      : holder(node_alloc(a)), m_comp(comp), m_size(0) {
      algo::init_header(&m_header);
   }
   /// An empty container allocating with `a`.
   explicit tree_core(const allocator_type &a) : holder(node_alloc(a)), m_comp(), m_size(0) { algo::init_header(&m_header); }
   /// The values of the sorted range `[first, last)` (linear time).
   template <class It, class = std::enable_if_t<is_input_iterator<It>::value>>
   tree_core(ordered_range_t, It first, It last, const Compare &comp = Compare(), const allocator_type &a = allocator_type())
      : tree_core(comp, a) {
      for (; first != last; ++first) {
         insert(end(), *first);
      }
   }
   /// A copy of `other`.
   tree_core(const tree_core &other)
      : holder(node_traits::select_on_container_copy_construction(other.alloc())), m_comp(other.m_comp), m_size(0) {
      algo::init_header(&m_header);
      copy_from(other);
   }
   /// A copy of `other` allocating with `a`.
   tree_core(const tree_core &other, const allocator_type &a) : holder(node_alloc(a)), m_comp(other.m_comp), m_size(0) {
      algo::init_header(&m_header);
      copy_from(other);
   }
   /// Takes `other`'s nodes.
   tree_core(tree_core &&other) noexcept : holder(std::move(other.alloc())), m_comp(other.m_comp), m_size(0) {
      algo::init_header(&m_header);
      take(other);
   }
   /// Takes `other`'s nodes if `a` can free them, else moves the values one by one.
   tree_core(tree_core &&other, const allocator_type &a) : holder(node_alloc(a)), m_comp(other.m_comp), m_size(0) {
      algo::init_header(&m_header);
      if (alloc_equal(this->alloc(), other.alloc())) {
         take(other);
      } else {
         for (auto &v : other) {
            emplace(std::move(v));
         }
      }
   }
   /// Destroys every value.
   ~tree_core() { clear(); }

   /// Copies `other`'s values (and allocator if it propagates on copy).
   tree_core &operator=(const tree_core &other) {
      if (this != &other) {
         clear();
         assign_alloc_on_copy(this->alloc(), other.alloc());
         m_comp = other.m_comp;
         copy_from(other);
      }
      return *this;
   }
   /// Takes `other`'s values.
   tree_core &operator=(tree_core &&other) noexcept(traits::propagate_on_container_move_assignment::value ||
                                                             traits::is_always_equal::value) {
      if (this != &other) {
         clear();
         m_comp = other.m_comp;
         if (traits::propagate_on_container_move_assignment::value || alloc_equal(this->alloc(), other.alloc())) {
            assign_alloc_on_move(this->alloc(), other.alloc());
            take(other);
         } else {
            for (auto &v : other) {
               emplace(std::move(v));
            }
            other.clear();
         }
      }
      return *this;
   }

   /// A copy of the allocator.
   allocator_type get_allocator() const noexcept { return allocator_type(this->alloc()); }
   /// The allocator itself.
   stored_allocator_type &get_stored_allocator() noexcept { return this->alloc(); }
   /// The allocator itself.
   const stored_allocator_type &get_stored_allocator() const noexcept { return this->alloc(); }
   /// The key ordering.
   key_compare key_comp() const { return m_comp; }

   /// First value.
   iterator begin() noexcept { return iterator(m_header.lft()); }
   /// First value.
   const_iterator begin() const noexcept { return const_iterator(m_header.lft()); }
   /// First value.
   const_iterator cbegin() const noexcept { return begin(); }
   /// Past the last value.
   iterator end() noexcept { return iterator(&m_header); }
   /// Past the last value.
   const_iterator end() const noexcept { return const_iterator(header()); }
   /// Past the last value.
   const_iterator cend() const noexcept { return end(); }
   /// Last value, going backwards.
   reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
   /// Last value, going backwards.
   const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
   /// Last value, going backwards.
   const_reverse_iterator crbegin() const noexcept { return rbegin(); }
   /// Before the first value, going backwards.
   reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
   /// Before the first value, going backwards.
   const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }
   /// Before the first value, going backwards.
   const_reverse_iterator crend() const noexcept { return rend(); }

   /// Whether it holds no values.
   bool empty() const noexcept { return m_size == 0; }
   /// Number of values.
   size_type size() const noexcept { return m_size; }
   /// Largest possible number of values.
   size_type max_size() const noexcept { return node_traits::max_size(this->alloc()); }

   /// Inserts a value built from `args` (for unique keys: unless the key is present).
   template <class... Args> insert_return emplace(Args &&...args) {
      node *n = create_node(std::forward<Args>(args)...);
      return insert_node(n);
   }
   /// Inserts a copy of `v`; a hint of end() for a key past the last makes it constant
   /// time (building from sorted input), any other hint is accepted and not needed.
   iterator insert(const_iterator hint, const value_type &v) { return insert_hinted(hint, v); }
   /// Inserts `v` moved; the hint is used as for the copying overload.
   iterator insert(const_iterator hint, value_type &&v) { return insert_hinted(hint, std::move(v)); }

   /// Removes the value at `pos`; returns the iterator after it.
   iterator erase(const_iterator pos) {
      base *n = pos.node();
      base *after = algo::next(n);
      algo::unlink_and_rebalance(n, &m_header);
      --m_size;
      destroy_node(static_cast<node *>(n));
      return iterator(after);
   }
   /// Removes the value at `pos` (non-const iterator overload, for maps of iterators).
   template <bool B = std::is_same<iterator, const_iterator>::value, class = std::enable_if_t<!B>>
   iterator erase(iterator pos) {
      return erase(const_iterator(pos));
   }
   /// Removes the values of `[first, last)`.
   iterator erase(const_iterator first, const_iterator last) {
      if (first == begin() && last == end()) {
         clear();
         return end();
      }
      while (first != last) {
         first = erase(first);
      }
      return iterator(last.node());
   }
   /// Removes the values with key `k`; returns how many.
   size_type erase(const key_type &k) {
      const auto r = equal_range(k);
      size_type n = 0;
      for (const_iterator it = r.first; it != const_iterator(r.second);) {
         it = erase(it);
         ++n;
      }
      return n;
   }
   /// Removes every value.
   void clear() noexcept {
      erase_subtree(m_header.up());
      algo::init_header(&m_header);
      m_size = 0;
   }
   /// Exchanges the contents (and allocators if they propagate on swap).
   void swap(tree_core &other) noexcept {
      swap_alloc(this->alloc(), other.alloc());
      std::swap(m_comp, other.m_comp);
      base tmp;
      algo::move_header(&tmp, &m_header);
      algo::move_header(&m_header, &other.m_header);
      algo::move_header(&other.m_header, &tmp);
      std::swap(m_size, other.m_size);
   }
   /// Exchanges two containers.
   friend void swap(tree_core &a, tree_core &b) noexcept { a.swap(b); }

   /// The value with key `k`, or end().
   iterator find(const key_type &k) { return iterator(find_node(k)); }
   /// The value with key `k`, or end().
   const_iterator find(const key_type &k) const { return const_iterator(find_node(k)); }
   /// Heterogeneous find (when Compare is transparent).
   template <class K, class C = Compare, class = std::enable_if_t<is_transparent<C>::value>> iterator find(const K &k) {
      return iterator(find_node(k));
   }
   /// Heterogeneous find (when Compare is transparent).
   template <class K, class C = Compare, class = std::enable_if_t<is_transparent<C>::value>>
   const_iterator find(const K &k) const {
      return const_iterator(find_node(k));
   }
   /// Number of values with key `k`.
   size_type count(const key_type &k) const {
      if constexpr (Multi) {
         const auto r = equal_range(k);
         return static_cast<size_type>(std::distance(r.first, r.second));
      } else {
         // Unique keys: one descent instead of the two of equal_range.
         return find_node(k) != header() ? 1 : 0;
      }
   }
   /// Whether a value has key `k`.
   bool contains(const key_type &k) const { return find_node(k) != header(); }
   /// First value whose key is not less than `k`.
   iterator lower_bound(const key_type &k) { return iterator(lower_node(k)); }
   /// First value whose key is not less than `k`.
   const_iterator lower_bound(const key_type &k) const { return const_iterator(lower_node(k)); }
   /// First value whose key is greater than `k`.
   iterator upper_bound(const key_type &k) { return iterator(upper_node(k)); }
   /// First value whose key is greater than `k`.
   const_iterator upper_bound(const key_type &k) const { return const_iterator(upper_node(k)); }
   /// The values with key `k`.
   std::pair<iterator, iterator> equal_range(const key_type &k) { return {lower_bound(k), upper_bound(k)}; }
   /// The values with key `k`.
   std::pair<const_iterator, const_iterator> equal_range(const key_type &k) const { return {lower_bound(k), upper_bound(k)}; }

   /// Whether the red-black rules and the header links hold (for tests).
   bool check_invariants() const noexcept {
      const base *root = header()->up();
      if (!root) {
         return m_size == 0 && m_header.lft() == header() && m_header.rgt() == header();
      }
      if (root->is_red() || algo::check(root, header()) < 0) {
         return false;
      }
      size_type n = 0;
      for (auto it = begin(); it != end(); ++it) {
         ++n;
      }
      return n == m_size && m_header.lft() == algo::minimum(const_cast<base *>(root)) &&
             m_header.rgt() == algo::maximum(const_cast<base *>(root));
   }

protected:
   /// The position for a new unique key `k`: (existing node, false) or (parent, true).
   template <class K> std::pair<base *, bool> unique_position(const K &k) const {
      base *lb = lower_node(k);
      if (lb != header() && !m_comp(k, key_of(lb))) {
         return {lb, false};
      }
      return {lb, true};
   }

   /// Inserts at the end without a search when the hint is end() and the key sorts last.
   template <class V> iterator insert_hinted(const_iterator hint, V &&v) {
      base *last = m_header.rgt();
      if (hint.node() == header() && last != header()) {
         const auto &k = KeyOfValue()(v);
         const bool after_last = Multi ? !m_comp(k, key_of(last)) : m_comp(key_of(last), k);
         if (after_last) {
            node *n = create_node(std::forward<V>(v));
            algo::link_and_rebalance(n, last, false, &m_header);
            ++m_size;
            return iterator(n);
         }
      }
      return iterator_of(insert_value(std::forward<V>(v)));
   }

   /// Inserts a value, looking its key up before building a node.
   template <class V> insert_return insert_value(V &&v) {
      if constexpr (Multi) {
         return emplace(std::forward<V>(v));
      } else {
         const auto pos = unique_position(KeyOfValue()(v));
         if (!pos.second) {
            return insert_return(iterator(pos.first), false);
         }
         node *n = create_node(std::forward<V>(v));
         link_before(n, pos.first);
         return insert_return(iterator(n), true);
      }
   }

   /// Builds a node whose value comes from `args` (uses-allocator construction).
   template <class... Args> node *create_node(Args &&...args) {
      node_alloc &na = this->alloc();
      auto p = node_traits::allocate(na, 1);
      node *n = raw_address(p);
      ::new (static_cast<void *>(n)) node();
      try {
         construct_element(this->alloc(), std::addressof(n->value), std::forward<Args>(args)...);
      } catch (...) {
         n->~node();
         node_traits::deallocate(na, p, 1);
         throw;
      }
      return n;
   }

   /// Links `n` (for unique keys: unless its key is present, then destroys it).
   insert_return insert_node(node *n) {
      const auto &k = KeyOfValue()(n->value);
      if constexpr (Multi) {
         link_equal(n, k);
         return iterator(n);
      } else {
         base *lb = lower_node(k);
         if (lb != header() && !m_comp(k, key_of(lb))) {
            destroy_node(n);
            return insert_return(iterator(lb), false);
         }
         link_before(n, lb);
         return insert_return(iterator(n), true);
      }
   }

   /// Links `n` right before `pos` (the lower bound of its key).
   void link_before(base *n, base *pos) noexcept {
      if (pos == header()) {
         base *last = m_header.rgt();
         if (last == header()) {
            algo::link_and_rebalance(n, &m_header, true, &m_header);
         } else {
            algo::link_and_rebalance(n, last, false, &m_header);
         }
      } else if (!pos->lft()) {
         algo::link_and_rebalance(n, pos, true, &m_header);
      } else {
         algo::link_and_rebalance(n, algo::maximum(pos->lft()), false, &m_header);
      }
      ++m_size;
   }

   template <class K> void link_equal(base *n, const K &k) noexcept {
      base *y = &m_header;
      base *x = m_header.up();
      bool left = true;
      while (x) {
         y = x;
         left = m_comp(k, key_of(x));
         x = left ? x->lft() : x->rgt();
      }
      algo::link_and_rebalance(n, y, left, &m_header);
      ++m_size;
   }


   static const key_type &key_of(const base *n) noexcept { return KeyOfValue()(static_cast<const node *>(n)->value); }
   base *header() const noexcept { return const_cast<base *>(&m_header); }

   template <class K> base *lower_node(const K &k) const {
      base *y = header();
      base *x = m_header.up();
      while (x) {
         if (!m_comp(key_of(x), k)) {
            y = x;
            x = x->lft();
         } else {
            x = x->rgt();
         }
      }
      return y;
   }
   template <class K> base *upper_node(const K &k) const {
      base *y = header();
      base *x = m_header.up();
      while (x) {
         if (m_comp(k, key_of(x))) {
            y = x;
            x = x->lft();
         } else {
            x = x->rgt();
         }
      }
      return y;
   }
   template <class K> base *find_node(const K &k) const {
      base *lb = lower_node(k);
      return (lb == header() || m_comp(k, key_of(lb))) ? header() : lb;
   }

   /// Node of a mutable iterator (for the map wrappers).
   static node *node_of(base *b) noexcept { return static_cast<node *>(b); }

private:
   void destroy_node(node *n) noexcept {
      destroy_element(std::addressof(n->value));
      n->~node();
      node_traits::deallocate(this->alloc(), pointer_from<typename node_traits::pointer>(n), 1);
   }

   void erase_subtree(base *x) noexcept {
      while (x) {
         erase_subtree(x->rgt());
         base *l = x->lft();
         destroy_node(static_cast<node *>(x));
         x = l;
      }
   }

   base *clone(const base *x, base *parent) {
      node *top = create_node(static_cast<const node *>(x)->value);
      top->set_red(x->is_red());
      top->set_up(parent);
      try {
         if (x->rgt()) {
            top->right = clone(x->rgt(), top);
         }
         base *p = top;
         for (x = x->lft(); x; x = x->lft()) {
            node *y = create_node(static_cast<const node *>(x)->value);
            y->set_red(x->is_red());
            p->left = y;
            y->set_up(p);
            if (x->rgt()) {
               y->right = clone(x->rgt(), y);
            }
            p = y;
         }
      } catch (...) {
         erase_subtree(top);
         throw;
      }
      return top;
   }

   void copy_from(const tree_core &other) {
      const base *root = other.m_header.up();
      if (!root) {
         return;
      }
      base *r = clone(root, &m_header);
      m_header.set_up(r);
      m_header.left = algo::minimum(r);
      m_header.right = algo::maximum(r);
      m_size = other.m_size;
   }

   void take(tree_core &other) noexcept {
      algo::move_header(&m_header, &other.m_header);
      m_size = other.m_size;
      other.m_size = 0;
   }

   Compare m_comp;
   base m_header;
   size_type m_size;
};

/// The tree with the constructors and inserts written in terms of `emplace`: the base of set, multiset, map and multimap.
template <class Key, class Value, class KeyOfValue, class Compare, class A, bool Multi>
using tree_container = associative_inserts<tree_core<Key, Value, KeyOfValue, Compare, A, Multi>>;

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_TREE_HPP
