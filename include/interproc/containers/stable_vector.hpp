// interproc C++ wrapper: stable_vector, as in
// <boost/interprocess/containers/stable_vector.hpp>.
#ifndef INTERPROC_CONTAINERS_STABLE_VECTOR_HPP
#define INTERPROC_CONTAINERS_STABLE_VECTOR_HPP

#include <interproc/containers/detail/random_access_facade.hpp>
#include <interproc/containers/detail/sequence_comparisons.hpp>
#include <interproc/containers/detail/uses_allocator.hpp>
#include <interproc/containers/detail/value_node.hpp>
#include <interproc/containers/vector.hpp>

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// The part of a stable_vector node that iterators walk with: a pointer to the node's
/// slot in the index (the allocator's pointer type).
template <class VoidPtr> struct stable_node_base : pinned_node {
   typedef typename rebind_pointer<VoidPtr, stable_node_base>::type link;
   typedef typename rebind_pointer<VoidPtr, link>::type slot_link;
   slot_link up;
   stable_node_base() noexcept : up() {}
   link *slot() const noexcept { return raw_address(up); }
};

/// A stable_vector node with its value.
template <class T, class VoidPtr> using stable_node = value_node<T, stable_node_base<VoidPtr>>;

/// A random access iterator over stable_vector nodes; it stays valid (and keeps pointing
/// at the same element) while other elements are inserted or erased.
template <class T, class VoidPtr, bool IsConst>
class stable_iterator
   : public random_access_facade<stable_iterator<T, VoidPtr, IsConst>, std::conditional_t<IsConst, const T &, T &>,
                                 std::conditional_t<IsConst, const T *, T *>> {
   typedef stable_node_base<VoidPtr> base;
   typedef stable_node<T, VoidPtr> value_node;
   template <class, class, class> friend class random_access_facade;

public:
   typedef T value_type;

   /// A singular iterator.
   stable_iterator() noexcept : m_node(nullptr) {}
   /// An iterator at node `n`.
   explicit stable_iterator(base *n) noexcept : m_node(n) {}
   /// The const iterator from a mutable one.
   template <bool C = IsConst, class = std::enable_if_t<C>>
   stable_iterator(const stable_iterator<T, VoidPtr, false> &other) noexcept : m_node(other.node()) {}

   /// The node (for the container).
   base *node() const noexcept { return m_node; }

private:
   typename stable_iterator::reference dereference() const noexcept { return static_cast<value_node *>(m_node)->value; }
   void advance(std::ptrdiff_t n) noexcept { m_node = raw_address(*(m_node->slot() + n)); }
   std::ptrdiff_t distance_to(const stable_iterator &other) const noexcept {
      return other.m_node == m_node ? 0 : other.m_node->slot() - m_node->slot();
   }
   bool equal(const stable_iterator &other) const noexcept { return m_node == other.m_node; }

   base *m_node;
};

} // namespace detail

/// A vector whose elements never move: each lives in its own node, and an index (an
/// interproc::vector of node pointers, plus the end node) gives random access. Iterators
/// and references stay valid until their element is erased. Every stored pointer is the
/// allocator's (offset_ptr in a segment). The nodes' allocator (A rebound to the node
/// type) is kept beside the index, so allocating a node never rebinds one.
template <class T, class A = std::allocator<T>>
class stable_vector
   : private detail::alloc_holder<typename std::allocator_traits<A>::template rebind_alloc<detail::stable_node<T, typename std::allocator_traits<A>::void_pointer>>>,
     public detail::sequence_comparisons<stable_vector<T, A>> {
   typedef std::allocator_traits<A> traits;
   typedef typename traits::void_pointer void_pointer;
   typedef detail::stable_node_base<void_pointer> base;
   typedef detail::stable_node<T, void_pointer> node;
   typedef typename base::link link;
   typedef typename traits::template rebind_alloc<node> node_alloc;
   typedef std::allocator_traits<node_alloc> node_traits;
   typedef detail::alloc_holder<node_alloc> holder;
   typedef interproc::vector<link, typename traits::template rebind_alloc<link>> index_type;

public:
   typedef T value_type;
   typedef A allocator_type;
   typedef A stored_allocator_type;
   typedef typename traits::pointer pointer;
   typedef typename traits::const_pointer const_pointer;
   typedef T &reference;
   typedef const T &const_reference;
   typedef typename traits::size_type size_type;
   typedef typename traits::difference_type difference_type;
   typedef detail::stable_iterator<T, void_pointer, false> iterator;
   typedef detail::stable_iterator<T, void_pointer, true> const_iterator;
   typedef std::reverse_iterator<iterator> reverse_iterator;
   typedef std::reverse_iterator<const_iterator> const_reverse_iterator;

   /// An empty stable_vector.
   stable_vector() : holder(node_alloc(A())), m_index() {}
   /// An empty stable_vector allocating with `a`.
   explicit stable_vector(const allocator_type &a) : holder(node_alloc(a)), m_index(a) {}
   /// `n` value-initialized elements.
   explicit stable_vector(size_type n, const allocator_type &a = allocator_type()) : stable_vector(a) { resize(n); }
   /// `n` copies of `v`.
   stable_vector(size_type n, const T &v, const allocator_type &a = allocator_type()) : stable_vector(a) { insert(end(), n, v); }
   /// The elements of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   stable_vector(It first, It last, const allocator_type &a = allocator_type()) : stable_vector(a) {
      insert(end(), first, last);
   }
   /// The elements of `il`.
   stable_vector(std::initializer_list<T> il, const allocator_type &a = allocator_type()) : stable_vector(a) {
      insert(end(), il.begin(), il.end());
   }
   /// A copy of `other`.
   stable_vector(const stable_vector &other)
      : holder(node_traits::select_on_container_copy_construction(other.alloc())),
        m_index(std::allocator_traits<typename index_type::allocator_type>::select_on_container_copy_construction(other.m_index.get_allocator())) {
      insert(end(), other.begin(), other.end());
   }
   /// A copy of `other` allocating with `a`.
   stable_vector(const stable_vector &other, const allocator_type &a) : stable_vector(a) { insert(end(), other.begin(), other.end()); }
   /// Takes `other`'s nodes.
   stable_vector(stable_vector &&other) noexcept : holder(std::move(other.alloc())), m_index(std::move(other.m_index)) {
      adopt_end();
      other.adopt_end();
   }
   /// Destroys the elements.
   ~stable_vector() { clear(); }

   /// Copies `other`'s elements.
   stable_vector &operator=(const stable_vector &other) {
      if (this != &other) {
         stable_vector tmp(other, get_allocator());
         swap(tmp);
      }
      return *this;
   }
   /// Takes `other`'s elements.
   stable_vector &operator=(stable_vector &&other) noexcept {
      if (this != &other) {
         clear();
         swap(other);
      }
      return *this;
   }
   /// Replaces the elements with those of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>> void assign(It first, It last) {
      stable_vector tmp(first, last, get_allocator());
      swap(tmp);
   }
   /// Replaces the elements with `n` copies of `v`.
   void assign(size_type n, const T &v) {
      stable_vector tmp(n, v, get_allocator());
      swap(tmp);
   }

   /// A copy of the allocator.
   allocator_type get_allocator() const noexcept { return allocator_type(m_index.get_allocator()); }

   /// First element.
   iterator begin() noexcept { return iterator(first_node()); }
   /// First element.
   const_iterator begin() const noexcept { return const_iterator(first_node()); }
   /// First element.
   const_iterator cbegin() const noexcept { return begin(); }
   /// Past the last element.
   iterator end() noexcept { return iterator(end_node()); }
   /// Past the last element.
   const_iterator end() const noexcept { return const_iterator(end_node()); }
   /// Past the last element.
   const_iterator cend() const noexcept { return end(); }
   /// Last element, going backwards.
   reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
   /// Last element, going backwards.
   const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
   /// Before the first element, going backwards.
   reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
   /// Before the first element, going backwards.
   const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }

   /// Whether there are no elements.
   bool empty() const noexcept { return size() == 0; }
   /// Number of elements.
   size_type size() const noexcept { return m_index.empty() ? 0 : m_index.size() - 1; }
   /// Largest possible number of elements.
   size_type max_size() const noexcept { return m_index.max_size() - 1; }
   /// Number of elements that fit without growing the index.
   size_type capacity() const noexcept { return m_index.capacity() ? m_index.capacity() - 1 : 0; }
   /// Makes room in the index for `n` elements.
   void reserve(size_type n) {
      ensure_end();
      m_index.reserve(n + 1);
      fix_slots(0);
   }
   /// Element `n` (unchecked).
   reference operator[](size_type n) noexcept { return value_at(n); }
   /// Element `n` (unchecked).
   const_reference operator[](size_type n) const noexcept { return value_at(n); }
   /// Element `n`; throws std::out_of_range past the end.
   reference at(size_type n) {
      check_index(n);
      return value_at(n);
   }
   /// Element `n`; throws std::out_of_range past the end.
   const_reference at(size_type n) const {
      check_index(n);
      return value_at(n);
   }
   /// First element.
   reference front() noexcept { return value_at(0); }
   /// First element.
   const_reference front() const noexcept { return value_at(0); }
   /// Last element.
   reference back() noexcept { return value_at(size() - 1); }
   /// Last element.
   const_reference back() const noexcept { return value_at(size() - 1); }

   /// Inserts an element built from `args` before `pos`; if it throws, nothing changed.
   template <class... Args> iterator emplace(const_iterator pos, Args &&...args) {
      const size_type idx = index_of(pos);
      ensure_end();
      node *n = create_node(std::forward<Args>(args)...);
      const link *before = m_index.data();
      try {
         m_index.insert(m_index.begin() + idx, link(static_cast<base *>(n)));
      } catch (...) {
         destroy_node(n);
         throw;
      }
      // A grown index moved every slot; otherwise only those from idx on shifted.
      fix_slots(m_index.data() == before ? idx : 0);
      return iterator(n);
   }
   /// Appends an element built from `args`.
   template <class... Args> reference emplace_back(Args &&...args) { return *emplace(end(), std::forward<Args>(args)...); }
   /// Appends a copy of `v`.
   void push_back(const T &v) { emplace(end(), v); }
   /// Appends `v` moved.
   void push_back(T &&v) { emplace(end(), std::move(v)); }
   /// Removes the last element.
   void pop_back() noexcept { erase(end() - 1); }
   /// Inserts a copy of `v` before `pos`.
   iterator insert(const_iterator pos, const T &v) { return emplace(pos, v); }
   /// Inserts `v` moved before `pos`.
   iterator insert(const_iterator pos, T &&v) { return emplace(pos, std::move(v)); }
   /// Inserts `n` copies of `v` before `pos`.
   iterator insert(const_iterator pos, size_type n, const T &v) {
      const size_type idx = index_of(pos);
      for (size_type i = 0; i < n; ++i) {
         emplace(nth(idx + i), v);
      }
      return nth(idx);
   }
   /// Inserts the elements of `[first, last)` before `pos`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   iterator insert(const_iterator pos, It first, It last) {
      const size_type idx = index_of(pos);
      size_type at = idx;
      for (; first != last; ++first, ++at) {
         emplace(nth(at), *first);
      }
      return nth(idx);
   }
   /// Removes the element at `pos`.
   iterator erase(const_iterator pos) noexcept { return erase(pos, pos + 1); }
   /// Removes the elements of `[first, last)`.
   iterator erase(const_iterator first, const_iterator last) noexcept {
      const size_type f = index_of(first);
      const size_type l = index_of(last);
      if (f == l) {
         return nth(f);
      }
      for (size_type i = f; i < l; ++i) {
         destroy_node(static_cast<node *>(detail::raw_address(m_index[i])));
      }
      m_index.erase(m_index.begin() + f, m_index.begin() + l);
      fix_slots(f);
      return nth(f);
   }
   /// Grows with value-initialized elements or shrinks to `n` elements.
   void resize(size_type n) {
      if (n < size()) {
         erase(nth(n), end());
      }
      while (size() < n) {
         emplace(end());
      }
   }
   /// Grows with copies of `v` or shrinks to `n` elements.
   void resize(size_type n, const T &v) {
      if (n < size()) {
         erase(nth(n), end());
      } else {
         insert(end(), n - size(), v);
      }
   }
   /// Removes every element.
   void clear() noexcept {
      if (!m_index.empty()) {
         erase(begin(), end());
      }
   }
   /// Frees unused index capacity.
   void shrink_to_fit() {
      m_index.shrink_to_fit();
      fix_slots(0);
   }
   /// Exchanges the contents (and the allocators if they propagate on swap).
   void swap(stable_vector &other) noexcept {
      detail::swap_alloc(this->alloc(), other.alloc());
      m_index.swap(other.m_index);
      adopt_end();
      other.adopt_end();
   }
   /// Exchanges two stable_vectors.
   friend void swap(stable_vector &a, stable_vector &b) noexcept { a.swap(b); }
   /// The iterator at index `n`.
   iterator nth(size_type n) noexcept { return iterator(m_index.empty() ? end_node() : detail::raw_address(m_index[n])); }
   /// The iterator at index `n`.
   const_iterator nth(size_type n) const noexcept { return const_iterator(m_index.empty() ? end_node() : detail::raw_address(m_index[n])); }
   /// The index of an iterator.
   size_type index_of(const_iterator p) const noexcept {
      if (m_index.empty()) {
         return 0;
      }
      return static_cast<size_type>(p.node()->slot() - m_index.data());
   }

private:
   base *end_node() const noexcept { return const_cast<base *>(&m_end); }
   base *first_node() const noexcept { return m_index.empty() ? end_node() : detail::raw_address(m_index[0]); }
   T &value_at(size_type n) const noexcept { return static_cast<node *>(detail::raw_address(m_index[n]))->value; }
   void check_index(size_type n) const {
      if (n >= size()) {
         throw std::out_of_range("interproc::stable_vector::at: index out of range");
      }
   }
   /// The index always ends with the end node once anything was inserted.
   void ensure_end() {
      if (m_index.empty()) {
         m_index.push_back(link(end_node()));
         m_end.up = m_index.data();
      }
   }
   /// After the index moved to this object: point its last slot at this object's end node.
   void adopt_end() noexcept {
      if (m_index.empty()) {
         m_end.up = nullptr;
      } else {
         m_index.back() = end_node();
         m_end.up = m_index.data() + (m_index.size() - 1);
      }
   }
   /// Points each node from index `from` on (and the end node) back at its slot.
   void fix_slots(size_type from) noexcept {
      link *slots = m_index.data();
      const size_type n = m_index.size();
      for (size_type i = from; i < n; ++i) {
         detail::raw_address(slots[i])->up = slots + i;
      }
   }
   template <class... Args> node *create_node(Args &&...args) {
      node_alloc &na = this->alloc();
      auto p = node_traits::allocate(na, 1);
      node *n = detail::raw_address(p);
      ::new (static_cast<void *>(n)) node();
      try {
         detail::construct_element(na, std::addressof(n->value), std::forward<Args>(args)...);
      } catch (...) {
         n->~node();
         node_traits::deallocate(na, p, 1);
         throw;
      }
      return n;
   }
   void destroy_node(node *n) noexcept {
      detail::destroy_element(std::addressof(n->value));
      n->~node();
      node_traits::deallocate(this->alloc(), detail::pointer_from<typename node_traits::pointer>(n), 1);
   }

   index_type m_index;
   base m_end;
};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_STABLE_VECTOR_HPP
