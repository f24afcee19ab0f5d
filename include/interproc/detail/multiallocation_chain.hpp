// interproc C++ wrapper: the list of buffers that allocate_many fills and deallocate_many
// empties (Boost's basic_multiallocation_chain). Not for direct use: name it as
// `managed_shared_memory::multiallocation_chain` (or the allocator's member type).
#ifndef INTERPROC_DETAIL_MULTIALLOCATION_CHAIN_HPP
#define INTERPROC_DETAIL_MULTIALLOCATION_CHAIN_HPP

#include <interproc/offset_ptr.hpp>

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// A singly linked list of buffers, each holding the link to the next in its first bytes
/// (so every buffer must be at least `sizeof(VoidPointer)` bytes, as allocate_many's are).
/// Movable, not copyable: it does not own the buffers, but two lists must never share one.
///
/// It has the members Boost.Container calls on a version 2 allocator's chain (those of
/// Boost's `basic_multiallocation_chain` and `transform_multiallocation_chain`):
/// `before_begin`, `last`, `insert_after`, `splice_after`, `incorporate_after`,
/// `erase_after`, `extract_data`, `iterator_to`. `VoidPointer` may also be a typed pointer:
/// an allocator's chain holds its `pointer`, and its iterators dereference to the objects'
/// memory (`T &`), as Boost's do.
template <class VoidPointer> class basic_multiallocation_chain {
   typedef typename std::pointer_traits<VoidPointer>::element_type element_type;
   static constexpr bool is_void_chain = std::is_void<element_type>::value;
   struct node;
   typedef typename std::pointer_traits<VoidPointer>::template rebind<node> node_ptr;
   struct node {
      node_ptr next;
   };

public:
   typedef VoidPointer void_pointer;
   typedef std::size_t size_type;
   /// What `pop_front` hands out: a raw `void *` from a segment's chain (as Boost's), the
   /// allocator's `pointer` from an allocator's.
   typedef typename std::conditional<is_void_chain, void *, VoidPointer>::type popped_type;

   /// Walks the buffers front to back. An allocator's chain dereferences to the object at
   /// the buffer (`T &`); a segment's chain to the buffer's address.
   class iterator {
      typedef typename std::conditional<is_void_chain, char, element_type>::type object_type;

   public:
      typedef std::forward_iterator_tag iterator_category;
      typedef typename std::conditional<is_void_chain, void_pointer, object_type>::type value_type;
      typedef std::ptrdiff_t difference_type;
      typedef typename std::conditional<is_void_chain, const void_pointer *, object_type *>::type pointer;
      typedef typename std::conditional<is_void_chain, void_pointer, object_type &>::type reference;

      iterator() noexcept : m_node() {}
      /// The iterator at `n` (a buffer, or a chain's header for `before_begin`).
      explicit iterator(node *n) noexcept : m_node(n) {}
      reference operator*() const noexcept { return deref(std::integral_constant<bool, is_void_chain>()); }
      /// The object at the buffer (an allocator's chain).
      template <bool V = is_void_chain, class = typename std::enable_if<!V>::type> object_type *operator->() const noexcept {
         return static_cast<object_type *>(static_cast<void *>(m_node));
      }
      iterator &operator++() noexcept {
         m_node = to_raw_pointer(m_node->next);
         return *this;
      }
      iterator operator++(int) noexcept {
         iterator t(*this);
         ++*this;
         return t;
      }
      friend bool operator==(const iterator &a, const iterator &b) noexcept { return a.m_node == b.m_node; }
      friend bool operator!=(const iterator &a, const iterator &b) noexcept { return !(a == b); }

   private:
      friend class basic_multiallocation_chain;
      void_pointer deref(std::true_type) const noexcept { return as_pointer(m_node); }
      object_type &deref(std::false_type) const noexcept { return *static_cast<object_type *>(static_cast<void *>(m_node)); }

      node *m_node;
   };
   typedef iterator const_iterator;

   basic_multiallocation_chain() noexcept : m_header(), m_last(&m_header), m_size(0) {}
   /// The list of the `n` buffers already linked from `b` to `before_e` (through an earlier
   /// chain or `incorporate_after`).
   basic_multiallocation_chain(const void_pointer &b, const void_pointer &before_e, size_type n) noexcept
      : basic_multiallocation_chain() {
      incorporate_after(before_begin(), b, before_e, n);
   }
   basic_multiallocation_chain(const basic_multiallocation_chain &) = delete;
   basic_multiallocation_chain &operator=(const basic_multiallocation_chain &) = delete;
   basic_multiallocation_chain(basic_multiallocation_chain &&other) noexcept : basic_multiallocation_chain() { swap(other); }
   basic_multiallocation_chain &operator=(basic_multiallocation_chain &&other) noexcept {
      basic_multiallocation_chain tmp(std::move(other));
      swap(tmp);
      return *this;
   }

   /// Whether the list holds no buffer.
   bool empty() const noexcept { return m_size == 0; }
   /// The number of buffers.
   size_type size() const noexcept { return m_size; }
   /// The first buffer (the list must not be empty). An interproc extension.
   void_pointer front() const noexcept { return as_pointer(to_raw_pointer(m_header.next)); }
   /// The last buffer (the list must not be empty). An interproc extension.
   void_pointer back() const noexcept { return as_pointer(m_last); }
   /// The position before the first buffer (for `insert_after` and `splice_after`).
   iterator before_begin() noexcept { return iterator(&m_header); }
   /// The first buffer.
   iterator begin() const noexcept { return iterator(to_raw_pointer(m_header.next)); }
   /// Past the last buffer.
   iterator end() const noexcept { return iterator(); }
   /// The last buffer (`before_begin()` when the list is empty).
   iterator last() noexcept { return iterator(m_last); }
   /// Forgets every buffer (the buffers stay as they are).
   void clear() noexcept {
      m_header.next = node_ptr();
      m_last = &m_header;
      m_size = 0;
   }

   /// Puts the buffer at `m` after `it`; returns its position.
   iterator insert_after(iterator it, const void_pointer &m) noexcept {
      node *n = link(m);
      n->next = it.m_node->next;
      it.m_node->next = node_ptr(n);
      if (it.m_node == m_last) {
         m_last = n;
      }
      ++m_size;
      return iterator(n);
   }
   /// Appends the buffer at `p`.
   void push_back(const void_pointer &p) noexcept { insert_after(last(), p); }
   /// Prepends the buffer at `p`.
   void push_front(const void_pointer &p) noexcept { insert_after(before_begin(), p); }
   /// Takes the first buffer off the list (the list must not be empty).
   popped_type pop_front() noexcept {
      node *n = to_raw_pointer(m_header.next);
      m_header.next = n->next;
      if (m_last == n) {
         m_last = &m_header;
      }
      --m_size;
      return popped(n, std::integral_constant<bool, is_void_chain>());
   }
   /// Moves the `n` buffers after `before_b` up to `before_e` of `x` to after `after_this`.
   void splice_after(iterator after_this, basic_multiallocation_chain &x, iterator before_b, iterator before_e,
                     size_type n) noexcept {
      if (n == 0 || before_b == before_e) {
         return;
      }
      node *first = to_raw_pointer(before_b.m_node->next);
      node *lastn = before_e.m_node;
      before_b.m_node->next = lastn->next;
      if (x.m_last == lastn) {
         x.m_last = before_b.m_node;
      }
      x.m_size -= n;
      lastn->next = after_this.m_node->next;
      after_this.m_node->next = node_ptr(first);
      if (m_last == after_this.m_node) {
         m_last = lastn;
      }
      m_size += n;
   }
   /// Moves every buffer of `x` to after `after_this`.
   void splice_after(iterator after_this, basic_multiallocation_chain &x) noexcept {
      if (!x.empty()) {
         splice_after(after_this, x, x.before_begin(), x.last(), x.size());
      }
   }
   /// Appends every buffer of `other`, which is left empty. An interproc extension.
   void splice_back(basic_multiallocation_chain &other) noexcept { splice_after(last(), other); }
   /// Forgets the `n` buffers between `before_b` and `e` (the buffers stay as they are).
   void erase_after(iterator before_b, iterator e, size_type n) noexcept {
      before_b.m_node->next = node_ptr(e.m_node);
      if (e.m_node == nullptr) {
         m_last = before_b.m_node;
      }
      m_size -= n;
   }
   /// Puts the `n` buffers already linked from `b` to `before_e` after `after_this`.
   void incorporate_after(iterator after_this, const void_pointer &b, const void_pointer &before_e, size_type n) noexcept {
      if (n == 0) {
         return;
      }
      node *first = static_cast<node *>(static_cast<void *>(to_raw_pointer(b)));
      node *lastn = static_cast<node *>(static_cast<void *>(to_raw_pointer(before_e)));
      lastn->next = after_this.m_node->next;
      after_this.m_node->next = node_ptr(first);
      if (m_last == after_this.m_node) {
         m_last = lastn;
      }
      m_size += n;
   }
   /// Links `num_units` consecutive buffers of `unit_bytes` starting at `b` and puts them
   /// after `after_this`; returns the address just past the last one (a segment's chain).
   template <bool V = is_void_chain, class = typename std::enable_if<V>::type>
   void_pointer incorporate_after(iterator after_this, const void_pointer &b, size_type unit_bytes, size_type num_units) noexcept {
      char *elem = static_cast<char *>(to_raw_pointer(b));
      if (num_units != 0) {
         char *prev = elem;
         elem += unit_bytes;
         for (size_type i = 1; i != num_units; ++i, elem += unit_bytes) {
            link(void_pointer(prev))->next = node_ptr(link(void_pointer(elem)));
            prev = elem;
         }
         incorporate_after(after_this, b, void_pointer(prev), num_units);
      }
      return void_pointer(elem);
   }
   /// Exchanges two lists.
   void swap(basic_multiallocation_chain &other) noexcept {
      node *a_first = to_raw_pointer(m_header.next);
      node *b_first = to_raw_pointer(other.m_header.next);
      node *a_last = m_last == &m_header ? &other.m_header : m_last;
      node *b_last = other.m_last == &other.m_header ? &m_header : other.m_last;
      m_header.next = node_ptr(b_first);
      other.m_header.next = node_ptr(a_first);
      m_last = b_last;
      other.m_last = a_last;
      std::swap(m_size, other.m_size);
   }
   /// The position of the buffer at `p`, which is in some chain.
   static iterator iterator_to(const void_pointer &p) noexcept {
      return iterator(static_cast<node *>(static_cast<void *>(to_raw_pointer(p))));
   }
   /// The first and last buffers, still linked to each other; the list forgets them (give
   /// them to another chain with `incorporate_after` or the constructor). Null pointers when
   /// the list is empty.
   std::pair<void_pointer, void_pointer> extract_data() noexcept {
      if (empty()) {
         return std::pair<void_pointer, void_pointer>();
      }
      std::pair<void_pointer, void_pointer> r(front(), back());
      clear();
      return r;
   }

private:
   static void_pointer as_pointer(node *n) noexcept {
      typedef typename std::conditional<is_void_chain, void, element_type>::type target;
      return void_pointer(static_cast<target *>(static_cast<void *>(n)));
   }
   static void *popped(node *n, std::true_type) noexcept { return n; }
   static void_pointer popped(node *n, std::false_type) noexcept { return as_pointer(n); }
   static node *link(const void_pointer &p) noexcept {
      return ::new (static_cast<void *>(to_raw_pointer(p))) node();
   }

   node m_header;
   node *m_last;
   size_type m_size;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_DETAIL_MULTIALLOCATION_CHAIN_HPP
