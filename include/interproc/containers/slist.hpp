// interproc C++ wrapper: slist, as in <boost/interprocess/containers/slist.hpp>.
#ifndef INTERPROC_CONTAINERS_SLIST_HPP
#define INTERPROC_CONTAINERS_SLIST_HPP

#include <interproc/containers/detail/container_assignment.hpp>
#include <interproc/containers/detail/node_iterator.hpp>
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

/// The link of a singly linked node; the link is the allocator's pointer type.
template <class VoidPtr> struct slist_node_base : pinned_node {
   typedef typename rebind_pointer<VoidPtr, slist_node_base>::type link;
   link next;
   slist_node_base() noexcept : next() {}
   slist_node_base *nxt() const noexcept { return raw_address(next); }
};

/// A singly linked node with its value.
template <class T, class VoidPtr> using slist_node = value_node<T, slist_node_base<VoidPtr>>;

/// A forward iterator over slist nodes (raw node addresses; null is the end).
template <class T, class VoidPtr, bool IsConst>
class slist_iterator : public node_iterator<slist_iterator<T, VoidPtr, IsConst>, slist_node_base<VoidPtr>, slist_node<T, VoidPtr>,
                                            T, IsConst, std::forward_iterator_tag> {
   typedef node_iterator<slist_iterator, slist_node_base<VoidPtr>, slist_node<T, VoidPtr>, T, IsConst, std::forward_iterator_tag>
      walker;

public:
   /// The end iterator.
   slist_iterator() noexcept : walker(nullptr) {}
   /// An iterator at node `n`.
   explicit slist_iterator(slist_node_base<VoidPtr> *n) noexcept : walker(n) {}
   /// The const iterator from a mutable one.
   template <bool C = IsConst, class = std::enable_if_t<C>>
   slist_iterator(const slist_iterator<T, VoidPtr, false> &other) noexcept : walker(other.node()) {}
};

} // namespace detail

/// A singly linked list whose links are the allocator's pointer type (offset_ptr in a
/// segment), so it works in shared memory. It keeps its size; the node before the first
/// lives in the slist object. As in Boost.Container, the slist keeps its allocator rebound
/// to its node type (the stored allocator), so allocating a node never rebinds one.
template <class T, class A = std::allocator<T>>
class slist : private detail::alloc_holder<typename std::allocator_traits<A>::template rebind_alloc<detail::slist_node<T, typename std::allocator_traits<A>::void_pointer>>>,
               public detail::sequence_comparisons<slist<T, A>> {
   typedef std::allocator_traits<A> traits;
   typedef typename traits::void_pointer void_pointer;
   typedef detail::slist_node_base<void_pointer> base;
   typedef detail::slist_node<T, void_pointer> node;
   typedef typename traits::template rebind_alloc<node> node_alloc;
   typedef std::allocator_traits<node_alloc> node_traits;
   typedef detail::alloc_holder<node_alloc> holder;
   struct from_node_alloc_t {};

public:
   typedef T value_type;
   typedef A allocator_type;
   /// The allocator the slist keeps: A rebound to the slist's node type.
   typedef node_alloc stored_allocator_type;
   typedef typename traits::pointer pointer;
   typedef typename traits::const_pointer const_pointer;
   typedef T &reference;
   typedef const T &const_reference;
   typedef typename traits::size_type size_type;
   typedef typename traits::difference_type difference_type;
   typedef detail::slist_iterator<T, void_pointer, false> iterator;
   typedef detail::slist_iterator<T, void_pointer, true> const_iterator;

   /// An empty slist.
   slist() : holder(node_alloc(A())), m_size(0) {}
   /// An empty slist allocating with `a`.
   explicit slist(const allocator_type &a) : holder(node_alloc(a)), m_size(0) {}
   /// `n` value-initialized elements.
   explicit slist(size_type n, const allocator_type &a = allocator_type()) : slist(a) { resize(n); }
   /// `n` copies of `v`.
   slist(size_type n, const T &v, const allocator_type &a = allocator_type()) : slist(a) { insert_after(before_begin(), n, v); }
   /// The elements of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   slist(It first, It last, const allocator_type &a = allocator_type()) : slist(a) {
      insert_after(before_begin(), first, last);
   }
   /// The elements of `il`.
   slist(std::initializer_list<T> il, const allocator_type &a = allocator_type()) : slist(a) {
      insert_after(before_begin(), il.begin(), il.end());
   }
   /// A copy of `other`.
   slist(const slist &other) : slist(node_traits::select_on_container_copy_construction(other.alloc()), from_node_alloc_t()) {
      insert_after(before_begin(), other.begin(), other.end());
   }
   /// A copy of `other` allocating with `a`.
   slist(const slist &other, const allocator_type &a) : slist(a) { insert_after(before_begin(), other.begin(), other.end()); }
   /// Takes `other`'s nodes.
   slist(slist &&other) noexcept : holder(std::move(other.alloc())), m_size(0) { take_storage(other); }
   /// Takes `other`'s nodes if `a` can free them, else moves the elements one by one.
   slist(slist &&other, const allocator_type &a) : slist(a) { detail::container_assignment::move_construct(*this, other); }
   /// Destroys the elements.
   ~slist() { clear(); }

   /// Copies `other`'s elements.
   slist &operator=(const slist &other) { return detail::container_assignment::copy(*this, other); }
   /// Takes `other`'s elements.
   slist &operator=(slist &&other) noexcept(detail::nothrow_move_assignable<A>) {
      return detail::container_assignment::move(*this, other);
   }
   /// Replaces the elements with those of `[first, last)`; if one throws, nothing changes.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>> void assign(It first, It last) {
      node_chain chain(*this);
      for (; first != last; ++first) {
         chain.emplace_back(*first);
      }
      clear();
      chain.splice_after_into(&m_head);
   }
   /// Replaces the elements with `n` copies of `v`; if one throws, nothing changes.
   void assign(size_type n, const T &v) {
      node_chain chain(*this);
      for (; n > 0; --n) {
         chain.emplace_back(v);
      }
      clear();
      chain.splice_after_into(&m_head);
   }

   /// A copy of the allocator.
   allocator_type get_allocator() const noexcept { return allocator_type(this->alloc()); }
   /// The allocator itself.
   stored_allocator_type &get_stored_allocator() noexcept { return this->alloc(); }
   /// The allocator itself.
   const stored_allocator_type &get_stored_allocator() const noexcept { return this->alloc(); }

   /// The position before the first element (for the `_after` operations).
   iterator before_begin() noexcept { return iterator(&m_head); }
   /// The position before the first element.
   const_iterator before_begin() const noexcept { return const_iterator(head()); }
   /// The position before the first element.
   const_iterator cbefore_begin() const noexcept { return before_begin(); }
   /// First element.
   iterator begin() noexcept { return iterator(m_head.nxt()); }
   /// First element.
   const_iterator begin() const noexcept { return const_iterator(m_head.nxt()); }
   /// First element.
   const_iterator cbegin() const noexcept { return begin(); }
   /// Past the last element.
   iterator end() noexcept { return iterator(); }
   /// Past the last element.
   const_iterator end() const noexcept { return const_iterator(); }
   /// Past the last element.
   const_iterator cend() const noexcept { return end(); }
   /// The position before `p` (linear time, as in Boost).
   iterator previous(const_iterator p) noexcept {
      base *n = &m_head;
      while (n->nxt() != p.node()) {
         n = n->nxt();
      }
      return iterator(n);
   }
   /// The position before `p` (linear time).
   const_iterator previous(const_iterator p) const noexcept { return const_cast<slist *>(this)->previous(p); }

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

   /// Inserts an element built from `args` after `pos`.
   template <class... Args> iterator emplace_after(const_iterator pos, Args &&...args) {
      node *n = create_node(std::forward<Args>(args)...);
      link_after(pos.node(), n);
      return iterator(n);
   }
   /// Prepends an element built from `args`.
   template <class... Args> reference emplace_front(Args &&...args) {
      return *emplace_after(before_begin(), std::forward<Args>(args)...);
   }
   /// Prepends a copy of `v`.
   void push_front(const T &v) { emplace_after(before_begin(), v); }
   /// Prepends `v` moved.
   void push_front(T &&v) { emplace_after(before_begin(), std::move(v)); }
   /// Removes the first element.
   void pop_front() noexcept { erase_after(before_begin()); }
   /// Inserts a copy of `v` after `pos`.
   iterator insert_after(const_iterator pos, const T &v) { return emplace_after(pos, v); }
   /// Inserts `v` moved after `pos`.
   iterator insert_after(const_iterator pos, T &&v) { return emplace_after(pos, std::move(v)); }
   /// Inserts `n` copies of `v` after `pos`; returns the last inserted (or `pos`).
   iterator insert_after(const_iterator pos, size_type n, const T &v) {
      iterator last(pos.node());
      for (; n > 0; --n) {
         last = emplace_after(last, v);
      }
      return last;
   }
   /// Inserts the elements of `[first, last)` after `pos`; returns the last inserted (or `pos`).
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   iterator insert_after(const_iterator pos, It first, It last) {
      iterator at(pos.node());
      for (; first != last; ++first) {
         at = emplace_after(at, *first);
      }
      return at;
   }
   /// Inserts a copy of `v` before `pos` (linear time, as in Boost).
   iterator insert(const_iterator pos, const T &v) { return emplace_after(previous(pos), v); }
   /// Inserts an element built from `args` before `pos` (linear time).
   template <class... Args> iterator emplace(const_iterator pos, Args &&...args) {
      return emplace_after(previous(pos), std::forward<Args>(args)...);
   }
   /// Removes the element after `pos`; returns the iterator after the removed one.
   iterator erase_after(const_iterator pos) noexcept {
      base *p = pos.node();
      base *victim = p->nxt();
      p->next = victim->nxt();
      --m_size;
      destroy_node(static_cast<node *>(victim));
      return iterator(p->nxt());
   }
   /// Removes the elements of `(before_first, last)`.
   iterator erase_after(const_iterator before_first, const_iterator last) noexcept {
      while (before_first.node()->nxt() != last.node()) {
         erase_after(before_first);
      }
      return iterator(last.node());
   }
   /// Removes the element at `pos` (linear time, as in Boost).
   iterator erase(const_iterator pos) noexcept { return erase_after(previous(pos)); }
   /// Grows with value-initialized elements or shrinks to `n` elements.
   void resize(size_type n) {
      if (n <= m_size) {
         erase_after(before_nth(n), end());
      } else {
         iterator last = before_nth(m_size);
         for (size_type i = m_size; i < n; ++i) {
            last = emplace_after(last);
         }
      }
   }
   /// Grows with copies of `v` or shrinks to `n` elements.
   void resize(size_type n, const T &v) {
      if (n <= m_size) {
         erase_after(before_nth(n), end());
      } else {
         insert_after(before_nth(m_size), n - m_size, v);
      }
   }
   /// Removes every element.
   void clear() noexcept {
      base *n = m_head.nxt();
      while (n) {
         base *next = n->nxt();
         destroy_node(static_cast<node *>(n));
         n = next;
      }
      m_head.next = nullptr;
      m_size = 0;
   }
   /// Exchanges the contents (and allocators if they propagate on swap).
   void swap(slist &other) noexcept {
      detail::swap_alloc(this->alloc(), other.alloc());
      base *a = m_head.nxt();
      m_head.next = other.m_head.nxt();
      other.m_head.next = a;
      std::swap(m_size, other.m_size);
   }
   /// Exchanges two slists.
   friend void swap(slist &a, slist &b) noexcept { a.swap(b); }

   /// Moves all of `other`'s elements after `pos`.
   void splice_after(const_iterator pos, slist &other) noexcept {
      if (other.empty()) {
         return;
      }
      base *first = other.m_head.nxt();
      base *last = first;
      while (last->nxt()) {
         last = last->nxt();
      }
      base *p = pos.node();
      last->next = p->nxt();
      p->next = first;
      m_size += other.m_size;
      other.m_head.next = nullptr;
      other.m_size = 0;
   }
   /// Moves the element after `before` in `other` to after `pos`.
   void splice_after(const_iterator pos, slist &other, const_iterator before) noexcept {
      base *b = before.node();
      base *n = b->nxt();
      base *p = pos.node();
      if (p == b || p == n) {
         return;
      }
      b->next = n->nxt();
      n->next = p->nxt();
      p->next = n;
      --other.m_size;
      ++m_size;
   }

   /// Removes the elements equal to `v`; returns how many.
   size_type remove(const T &v) {
      return remove_if([&v](const T &x) { return x == v; });
   }
   /// Removes the elements for which `pred` holds; returns how many.
   template <class Pred> size_type remove_if(Pred pred) {
      node_chain removed(*this);
      base *prev = &m_head;
      while (prev->nxt()) {
         if (pred(static_cast<node *>(prev->nxt())->value)) {
            removed.take_after(prev);
         } else {
            prev = prev->nxt();
         }
      }
      return removed.size();
   }
   /// Removes consecutive equal elements; returns how many.
   size_type unique() { return unique(std::equal_to<T>()); }
   /// Removes consecutive elements for which `pred(previous, x)` holds; returns how many.
   template <class Pred> size_type unique(Pred pred) {
      node_chain removed(*this);
      base *prev = m_head.nxt();
      while (prev && prev->nxt()) {
         if (pred(static_cast<node *>(prev)->value, static_cast<node *>(prev->nxt())->value)) {
            removed.take_after(prev);
         } else {
            prev = prev->nxt();
         }
      }
      return removed.size();
   }
   /// Sorts the elements (stable; nodes are relinked, values never move).
   void sort() { sort(std::less<T>()); }
   /// Sorts the elements by `comp` (stable).
   template <class Comp> void sort(Comp comp) {
      relink(detail::nodes_sorted<node>(m_head.nxt(), m_size, comp));
   }
   /// Merges the sorted `other` into this sorted slist.
   void merge(slist &other) { merge(other, std::less<T>()); }
   /// Merges the sorted `other` into this slist sorted by `comp` (stable).
   template <class Comp> void merge(slist &other, Comp comp) {
      if (&other == this) {
         return;
      }
      std::vector<base *> nodes;
      nodes.reserve(m_size + other.m_size);
      base *a = m_head.nxt();
      base *b = other.m_head.nxt();
      while (a || b) {
         if (b && (!a || comp(static_cast<node *>(b)->value, static_cast<node *>(a)->value))) {
            nodes.push_back(b);
            b = b->nxt();
         } else {
            nodes.push_back(a);
            a = a->nxt();
         }
      }
      m_size += other.m_size;
      other.m_head.next = nullptr;
      other.m_size = 0;
      relink(nodes);
   }
   /// Reverses the order of the elements.
   void reverse() noexcept {
      base *prev = nullptr;
      base *n = m_head.nxt();
      while (n) {
         base *next = n->nxt();
         n->next = prev;
         prev = n;
         n = next;
      }
      m_head.next = prev;
   }

private:
   explicit slist(const node_alloc &na, from_node_alloc_t) : holder(na), m_size(0) {}

   /// Nodes built (or unlinked) by this slist and not in it: the elements of an
   /// assignment before they all exist, or the ones a removal unlinked. Whatever is still
   /// in the chain when it goes away is destroyed with the slist's own allocator.
   class node_chain {
   public:
      explicit node_chain(slist &owner) noexcept : m_owner(owner), m_last(&m_head), m_size(0) {}
      node_chain(const node_chain &) = delete;
      node_chain &operator=(const node_chain &) = delete;
      ~node_chain() {
         base *n = m_head.nxt();
         while (n) {
            base *next = n->nxt();
            m_owner.destroy_node(static_cast<node *>(n));
            n = next;
         }
      }
      /// Builds a node from `args` at the end of the chain.
      template <class... Args> void emplace_back(Args &&...args) {
         append(m_owner.create_node(std::forward<Args>(args)...));
      }
      /// Moves the owner's node after `prev` to the end of the chain.
      void take_after(base *prev) noexcept {
         base *n = prev->nxt();
         prev->next = n->nxt();
         --m_owner.m_size;
         append(n);
      }
      /// Nodes in the chain.
      size_type size() const noexcept { return m_size; }
      /// Moves every node into the owner after `pos`.
      void splice_after_into(base *pos) noexcept {
         if (m_size == 0) {
            return;
         }
         m_last->next = pos->nxt();
         pos->next = m_head.nxt();
         m_owner.m_size += m_size;
         m_head.next = nullptr;
         m_last = &m_head;
         m_size = 0;
      }

   private:
      void append(base *n) noexcept {
         n->next = nullptr;
         m_last->next = n;
         m_last = n;
         ++m_size;
      }

      slist &m_owner;
      base m_head;
      base *m_last;
      size_type m_size;
   };

   base *head() const noexcept { return const_cast<base *>(&m_head); }
   iterator before_nth(size_type n) noexcept {
      base *p = &m_head;
      for (; n > 0; --n) {
         p = p->nxt();
      }
      return iterator(p);
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
   void link_after(base *p, base *n) noexcept {
      n->next = p->nxt();
      p->next = n;
      ++m_size;
   }
   void relink(const std::vector<base *> &nodes) noexcept {
      base *prev = &m_head;
      for (base *n : nodes) {
         prev->next = n;
         prev = n;
      }
      prev->next = nullptr;
   }
   friend struct detail::container_assignment;
   void drop_storage() noexcept { clear(); }
   template <class It> void replace_with(It first, It last) {
      clear();
      insert_after(before_begin(), first, last);
   }
   void take_storage(slist &other) noexcept {
      m_head.next = other.m_head.nxt();
      m_size = other.m_size;
      other.m_head.next = nullptr;
      other.m_size = 0;
   }

   base m_head;
   size_type m_size;
};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_SLIST_HPP
