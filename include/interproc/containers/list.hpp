// interproc C++ wrapper: list, as in <boost/interprocess/containers/list.hpp>.
#ifndef INTERPROC_CONTAINERS_LIST_HPP
#define INTERPROC_CONTAINERS_LIST_HPP

#include <interproc/containers/detail/container_assignment.hpp>
#include <interproc/containers/detail/node_iterator.hpp>
#include <interproc/containers/detail/reversible_range.hpp>
#include <interproc/containers/detail/sequence_comparisons.hpp>
#include <interproc/containers/detail/uses_allocator.hpp>
#include <interproc/containers/detail/value_node.hpp>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace interproc {
namespace detail {

/// The links of a doubly linked node; the links are the allocator's pointer type.
template <class VoidPtr> struct list_node_base : pinned_node {
   typedef typename rebind_pointer<VoidPtr, list_node_base>::type link;
   link next;
   link prev;
   list_node_base() noexcept : next(), prev() {}
   list_node_base *nxt() const noexcept { return raw_address(next); }
   list_node_base *prv() const noexcept { return raw_address(prev); }
};

/// A doubly linked node with its value.
template <class T, class VoidPtr> using list_node = value_node<T, list_node_base<VoidPtr>>;

/// A bidirectional iterator over list nodes (raw node addresses).
template <class T, class VoidPtr, bool IsConst>
class list_iterator : public node_iterator<list_iterator<T, VoidPtr, IsConst>, list_node_base<VoidPtr>, list_node<T, VoidPtr>, T,
                                           IsConst, std::bidirectional_iterator_tag> {
   typedef node_iterator<list_iterator, list_node_base<VoidPtr>, list_node<T, VoidPtr>, T, IsConst, std::bidirectional_iterator_tag>
      walker;

public:
   /// A singular iterator.
   list_iterator() noexcept : walker(nullptr) {}
   /// An iterator at node `n`.
   explicit list_iterator(list_node_base<VoidPtr> *n) noexcept : walker(n) {}
   /// The const iterator from a mutable one.
   template <bool C = IsConst, class = std::enable_if_t<C>>
   list_iterator(const list_iterator<T, VoidPtr, false> &other) noexcept : walker(other.node()) {}

   /// The previous value.
   list_iterator &operator--() noexcept {
      this->m_node = this->m_node->prv();
      return *this;
   }
   /// The previous value.
   list_iterator operator--(int) noexcept {
      list_iterator t(*this);
      this->m_node = this->m_node->prv();
      return t;
   }
};

} // namespace detail

/// A doubly linked list whose links are the allocator's pointer type (offset_ptr in a
/// segment), so it works in shared memory. The end node lives in the list object. As in
/// Boost.Container, the list keeps its allocator rebound to its node type (the stored
/// allocator), so allocating a node never rebinds one.
template <class T, class A = std::allocator<T>>
class list : private detail::alloc_holder<typename std::allocator_traits<A>::template rebind_alloc<detail::list_node<T, typename std::allocator_traits<A>::void_pointer>>>,
              public detail::sequence_comparisons<list<T, A>>,
              public detail::reversible_range<list<T, A>> {
   typedef std::allocator_traits<A> traits;
   typedef typename traits::void_pointer void_pointer;
   typedef detail::list_node_base<void_pointer> base;
   typedef detail::list_node<T, void_pointer> node;
   typedef typename traits::template rebind_alloc<node> node_alloc;
   typedef std::allocator_traits<node_alloc> node_traits;
   typedef detail::alloc_holder<node_alloc> holder;
   struct from_node_alloc_t {};

public:
   typedef T value_type;
   typedef A allocator_type;
   /// The allocator the list keeps: A rebound to the list's node type.
   typedef node_alloc stored_allocator_type;
   typedef typename traits::pointer pointer;
   typedef typename traits::const_pointer const_pointer;
   typedef T &reference;
   typedef const T &const_reference;
   typedef typename traits::size_type size_type;
   typedef typename traits::difference_type difference_type;
   typedef detail::list_iterator<T, void_pointer, false> iterator;
   typedef detail::list_iterator<T, void_pointer, true> const_iterator;
   typedef std::reverse_iterator<iterator> reverse_iterator;
   typedef std::reverse_iterator<const_iterator> const_reverse_iterator;

   /// An empty list.
   list() : holder(node_alloc(A())), m_size(0) { reset(); }
   /// An empty list allocating with `a`.
   explicit list(const allocator_type &a) : holder(node_alloc(a)), m_size(0) { reset(); }
   /// `n` value-initialized elements.
   explicit list(size_type n, const allocator_type &a = allocator_type()) : list(a) { resize(n); }
   /// `n` copies of `v`.
   list(size_type n, const T &v, const allocator_type &a = allocator_type()) : list(a) { insert(end(), n, v); }
   /// The elements of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   list(It first, It last, const allocator_type &a = allocator_type()) : list(a) {
      insert(end(), first, last);
   }
   /// The elements of `il`.
   list(std::initializer_list<T> il, const allocator_type &a = allocator_type()) : list(a) { insert(end(), il.begin(), il.end()); }
   /// A copy of `other`.
   list(const list &other) : list(node_traits::select_on_container_copy_construction(other.alloc()), from_node_alloc_t()) {
      insert(end(), other.begin(), other.end());
   }
   /// A copy of `other` allocating with `a`.
   list(const list &other, const allocator_type &a) : list(a) { insert(end(), other.begin(), other.end()); }
   /// Takes `other`'s nodes.
   list(list &&other) noexcept : holder(std::move(other.alloc())), m_size(0) {
      reset();
      take_storage(other);
   }
   /// Takes `other`'s nodes if `a` can free them, else moves the elements one by one.
   list(list &&other, const allocator_type &a) : list(a) { detail::container_assignment::move_construct(*this, other); }
   /// Destroys the elements.
   ~list() { clear(); }

   /// Copies `other`'s elements.
   list &operator=(const list &other) { return detail::container_assignment::copy(*this, other); }
   /// Takes `other`'s elements.
   list &operator=(list &&other) noexcept(detail::nothrow_move_assignable<A>) {
      return detail::container_assignment::move(*this, other);
   }
   /// Replaces the elements with those of `il`.
   list &operator=(std::initializer_list<T> il) {
      assign(il.begin(), il.end());
      return *this;
   }
   /// Replaces the elements with `n` copies of `v`; if one throws, nothing changes.
   void assign(size_type n, const T &v) {
      node_chain chain(*this);
      for (; n > 0; --n) {
         chain.emplace_back(v);
      }
      clear();
      chain.splice_into(end());
   }
   /// Replaces the elements with those of `[first, last)`; if one throws, nothing changes.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>> void assign(It first, It last) {
      node_chain chain(*this);
      for (; first != last; ++first) {
         chain.emplace_back(*first);
      }
      clear();
      chain.splice_into(end());
   }
   /// Replaces the elements with those of `il`.
   void assign(std::initializer_list<T> il) { assign(il.begin(), il.end()); }

   /// A copy of the allocator.
   allocator_type get_allocator() const noexcept { return allocator_type(this->alloc()); }
   /// The allocator itself.
   stored_allocator_type &get_stored_allocator() noexcept { return this->alloc(); }
   /// The allocator itself.
   const stored_allocator_type &get_stored_allocator() const noexcept { return this->alloc(); }

   /// First element.
   iterator begin() noexcept { return iterator(m_end.nxt()); }
   /// First element.
   const_iterator begin() const noexcept { return const_iterator(m_end.nxt()); }
   /// Past the last element.
   iterator end() noexcept { return iterator(&m_end); }
   /// Past the last element.
   const_iterator end() const noexcept { return const_iterator(end_node()); }

   /// Whether there are no elements.
   bool empty() const noexcept { return m_size == 0; }
   /// Number of elements.
   size_type size() const noexcept { return m_size; }
   /// Largest possible number of elements.
   size_type max_size() const noexcept { return node_traits::max_size(this->alloc()); }
   /// First element.
   reference front() noexcept { return *begin(); }
   /// First element.
   const_reference front() const noexcept { return *begin(); }
   /// Last element.
   reference back() noexcept { return *std::prev(end()); }
   /// Last element.
   const_reference back() const noexcept { return *std::prev(end()); }

   /// Inserts an element built from `args` before `pos`.
   template <class... Args> iterator emplace(const_iterator pos, Args &&...args) {
      node *n = create_node(std::forward<Args>(args)...);
      link_before(pos.node(), n);
      return iterator(n);
   }
   /// Prepends an element built from `args`.
   template <class... Args> reference emplace_front(Args &&...args) { return *emplace(begin(), std::forward<Args>(args)...); }
   /// Appends an element built from `args`.
   template <class... Args> reference emplace_back(Args &&...args) { return *emplace(end(), std::forward<Args>(args)...); }
   /// Prepends a copy of `v`.
   void push_front(const T &v) { emplace(begin(), v); }
   /// Prepends `v` moved.
   void push_front(T &&v) { emplace(begin(), std::move(v)); }
   /// Appends a copy of `v`.
   void push_back(const T &v) { emplace(end(), v); }
   /// Appends `v` moved.
   void push_back(T &&v) { emplace(end(), std::move(v)); }
   /// Removes the first element.
   void pop_front() noexcept { erase(begin()); }
   /// Removes the last element.
   void pop_back() noexcept { erase(std::prev(end())); }
   /// Inserts a copy of `v` before `pos`.
   iterator insert(const_iterator pos, const T &v) { return emplace(pos, v); }
   /// Inserts `v` moved before `pos`.
   iterator insert(const_iterator pos, T &&v) { return emplace(pos, std::move(v)); }
   /// Inserts `n` copies of `v` before `pos`; if one throws, none is inserted.
   iterator insert(const_iterator pos, size_type n, const T &v) {
      node_chain chain(*this);
      for (; n > 0; --n) {
         chain.emplace_back(v);
      }
      return chain.splice_into(pos);
   }
   /// Inserts the elements of `[first, last)` before `pos`; if one throws, none is inserted.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   iterator insert(const_iterator pos, It first, It last) {
      node_chain chain(*this);
      for (; first != last; ++first) {
         chain.emplace_back(*first);
      }
      return chain.splice_into(pos);
   }
   /// Inserts the elements of `il` before `pos`.
   iterator insert(const_iterator pos, std::initializer_list<T> il) { return insert(pos, il.begin(), il.end()); }

   /// Removes the element at `pos`; returns the iterator after it.
   iterator erase(const_iterator pos) noexcept {
      base *n = pos.node();
      base *after = n->nxt();
      unlink(n);
      destroy_node(static_cast<node *>(n));
      return iterator(after);
   }
   /// Removes the elements of `[first, last)`.
   iterator erase(const_iterator first, const_iterator last) noexcept {
      while (first != last) {
         first = erase(first);
      }
      return iterator(last.node());
   }
   /// Grows with value-initialized elements or shrinks to `n` elements.
   void resize(size_type n) {
      if (n < m_size) {
         shrink(n);
      } else {
         node_chain chain(*this);
         for (size_type i = m_size; i < n; ++i) {
            chain.emplace_back();
         }
         chain.splice_into(end());
      }
   }
   /// Grows with copies of `v` or shrinks to `n` elements.
   void resize(size_type n, const T &v) {
      if (n < m_size) {
         shrink(n);
      } else {
         insert(end(), n - m_size, v);
      }
   }
   /// Removes every element.
   void clear() noexcept {
      base *n = m_end.nxt();
      while (n != &m_end) {
         base *next = n->nxt();
         destroy_node(static_cast<node *>(n));
         n = next;
      }
      reset();
      m_size = 0;
   }
   /// Exchanges the contents (and allocators if they propagate on swap).
   void swap(list &other) noexcept {
      detail::swap_alloc(this->alloc(), other.alloc());
      swap_nodes(other);
   }
   /// Exchanges two lists.
   friend void swap(list &a, list &b) noexcept { a.swap(b); }

   /// Moves all of `other`'s elements before `pos` (the allocators must be equal).
   void splice(const_iterator pos, list &other) noexcept { splice_all(pos, other); }
   /// Moves all of `other`'s elements before `pos`.
   void splice(const_iterator pos, list &&other) noexcept { splice_all(pos, other); }
   /// Moves `other`'s element at `it` before `pos`.
   void splice(const_iterator pos, list &other, const_iterator it) noexcept { splice(pos, other, it, std::next(it)); }
   /// Moves `other`'s element at `it` before `pos`.
   void splice(const_iterator pos, list &&other, const_iterator it) noexcept { splice(pos, other, it); }
   /// Moves `other`'s elements of `[first, last)` before `pos`.
   void splice(const_iterator pos, list &other, const_iterator first, const_iterator last) noexcept {
      if (first == last) {
         return;
      }
      const size_type n = static_cast<size_type>(std::distance(first, last));
      base *f = first.node();
      base *l = last.node()->prv();
      if (pos.node() == last.node() || pos.node() == f) {
         return;
      }
      // Cut [f, l] out of `other`.
      f->prv()->next = l->nxt();
      l->nxt()->prev = f->prv();
      other.m_size -= n;
      link_chain(pos.node(), f, l);
      m_size += n;
   }
   /// Moves `other`'s elements of `[first, last)` before `pos`.
   void splice(const_iterator pos, list &&other, const_iterator first, const_iterator last) noexcept {
      splice(pos, other, first, last);
   }

   /// Removes the elements equal to `v`; returns how many.
   size_type remove(const T &v) {
      return remove_if([&v](const T &x) { return x == v; });
   }
   /// Removes the elements for which `pred` holds; returns how many.
   template <class Pred> size_type remove_if(Pred pred) {
      // Unlink first, destroy after: `pred` may refer to an element being removed.
      node_chain removed(*this);
      for (const_iterator it = begin(); it != end();) {
         const_iterator next = std::next(it);
         if (pred(*it)) {
            removed.take(it.node());
         }
         it = next;
      }
      return removed.size();
   }
   /// Removes consecutive equal elements; returns how many.
   size_type unique() { return unique(std::equal_to<T>()); }
   /// Removes consecutive elements for which `pred(previous, x)` holds; returns how many.
   template <class Pred> size_type unique(Pred pred) {
      node_chain removed(*this);
      if (m_size < 2) {
         return 0;
      }
      const_iterator prev = begin();
      for (const_iterator it = std::next(prev); it != end();) {
         const_iterator next = std::next(it);
         if (pred(*prev, *it)) {
            removed.take(it.node());
         } else {
            prev = it;
         }
         it = next;
      }
      return removed.size();
   }
   /// Merges the sorted `other` into this sorted list.
   void merge(list &other) { merge(other, std::less<T>()); }
   /// Merges the sorted `other` into this sorted list.
   void merge(list &&other) { merge(other, std::less<T>()); }
   /// Merges the sorted `other` into this list sorted by `comp` (stable).
   template <class Comp> void merge(list &other, Comp comp) {
      if (&other == this) {
         return;
      }
      const_iterator it = begin();
      while (!other.empty()) {
         const_iterator o = other.begin();
         while (it != end() && !comp(*o, *it)) {
            ++it;
         }
         if (it == end()) {
            splice_all(end(), other);
            return;
         }
         splice(it, other, o);
      }
   }
   /// Merges the sorted `other` into this list sorted by `comp`.
   template <class Comp> void merge(list &&other, Comp comp) { merge(other, comp); }
   /// Sorts the elements (stable; no element is copied or moved, only relinked).
   void sort() { sort(std::less<T>()); }
   /// Sorts the elements by `comp` (stable).
   template <class Comp> void sort(Comp comp) {
      if (m_size < 2) {
         return;
      }
      relink(detail::nodes_sorted<node>(m_end.nxt(), m_size, comp));
   }
   /// Reverses the order of the elements.
   void reverse() noexcept {
      base *n = &m_end;
      do {
         base *next = n->nxt();
         n->next = n->prv();
         n->prev = next;
         n = next;
      } while (n != &m_end);
   }

private:
   explicit list(const node_alloc &na, from_node_alloc_t) : holder(na), m_size(0) { reset(); }

   /// Nodes built (or unlinked) by this list and not in it: the elements of an insertion
   /// before they all exist, or the ones a removal unlinked. Whatever is still in the
   /// chain when it goes away is destroyed with the list's own allocator.
   class node_chain {
   public:
      explicit node_chain(list &owner) noexcept : m_owner(owner), m_size(0) { m_end.next = m_end.prev = &m_end; }
      node_chain(const node_chain &) = delete;
      node_chain &operator=(const node_chain &) = delete;
      ~node_chain() {
         base *n = m_end.nxt();
         while (n != &m_end) {
            base *next = n->nxt();
            m_owner.destroy_node(static_cast<node *>(n));
            n = next;
         }
      }
      /// Builds a node from `args` at the end of the chain.
      template <class... Args> void emplace_back(Args &&...args) {
         append(m_owner.create_node(std::forward<Args>(args)...));
      }
      /// Moves the owner's node `n` to the end of the chain.
      void take(base *n) noexcept {
         m_owner.unlink(n);
         append(n);
      }
      /// Nodes in the chain.
      size_type size() const noexcept { return m_size; }
      /// Moves every node into the owner before `pos`; returns the first (or `pos`).
      iterator splice_into(const_iterator pos) noexcept {
         if (m_size == 0) {
            return iterator(pos.node());
         }
         base *first = m_end.nxt();
         link_chain(pos.node(), first, m_end.prv());
         m_owner.m_size += m_size;
         m_end.next = m_end.prev = &m_end;
         m_size = 0;
         return iterator(first);
      }

   private:
      void append(base *n) noexcept {
         link_chain(&m_end, n, n);
         ++m_size;
      }

      list &m_owner;
      base m_end;
      size_type m_size;
   };

   base *end_node() const noexcept { return const_cast<base *>(&m_end); }
   void reset() noexcept {
      m_end.next = &m_end;
      m_end.prev = &m_end;
   }

   template <class... Args> node *create_node(Args &&...args) {
      node_alloc &na = this->alloc();
      auto p = node_traits::allocate(na, 1);
      node *n = detail::raw_address(p);
      ::new (static_cast<void *>(n)) node();
      try {
         detail::construct_element(this->alloc(), std::addressof(n->value), std::forward<Args>(args)...);
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
   void link_before(base *pos, base *n) noexcept {
      link_chain(pos, n, n);
      ++m_size;
   }
   /// Links the chain of nodes `first` to `last` (linked among themselves) before `pos`.
   static void link_chain(base *pos, base *first, base *last) noexcept {
      base *before = pos->prv();
      before->next = first;
      first->prev = before;
      last->next = pos;
      pos->prev = last;
   }
   void unlink(base *n) noexcept {
      n->prv()->next = n->nxt();
      n->nxt()->prev = n->prv();
      --m_size;
   }
   void shrink(size_type n) noexcept {
      while (m_size > n) {
         pop_back();
      }
   }
   iterator splice_all(const_iterator pos, list &other) noexcept {
      if (other.empty()) {
         return iterator(pos.node());
      }
      base *first = other.m_end.nxt();
      splice(pos, other, other.begin(), other.end());
      return iterator(first);
   }
   void relink(const std::vector<base *> &nodes) noexcept {
      base *prev = &m_end;
      for (base *n : nodes) {
         prev->next = n;
         n->prev = prev;
         prev = n;
      }
      prev->next = &m_end;
      m_end.prev = prev;
   }
   friend struct detail::container_assignment;
   void drop_storage() noexcept { clear(); }
   template <class It> void replace_with(It first, It last) {
      clear();
      insert(end(), first, last);
   }
   void take_storage(list &other) noexcept {
      move_ring(m_end, other.m_end);
      m_size = other.m_size;
      other.m_size = 0;
   }
   void swap_nodes(list &other) noexcept {
      base ring;
      ring.next = &ring;
      ring.prev = &ring;
      move_ring(ring, m_end);
      move_ring(m_end, other.m_end);
      move_ring(other.m_end, ring);
      std::swap(m_size, other.m_size);
   }
   /// Moves the nodes of the ring closed by end node `from` to the empty ring closed by
   /// `to`, leaving `from` empty.
   static void move_ring(base &to, base &from) noexcept {
      base *first = from.nxt();
      if (first == &from) {
         return;
      }
      link_chain(&to, first, from.prv());
      from.next = &from;
      from.prev = &from;
   }

   base m_end;
   size_type m_size;
};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_LIST_HPP
