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

namespace interproc {
namespace detail {

/// A singly linked list of buffers, each holding the link to the next in its first bytes
/// (so every buffer must be at least `sizeof(VoidPointer)` bytes, as allocate_many's are).
/// Movable, not copyable: it does not own the buffers, but two lists must never share one.
/// `VoidPointer` may also be a typed pointer (an allocator's chain hands out its `pointer`).
template <class VoidPointer> class basic_multiallocation_chain {
   typedef typename std::pointer_traits<VoidPointer>::element_type element_type;
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
   typedef typename std::conditional<std::is_void<element_type>::value, void *, VoidPointer>::type popped_type;

   /// Walks the buffers front to back; dereferences to the buffer's address.
   class iterator {
   public:
      typedef std::forward_iterator_tag iterator_category;
      typedef void_pointer value_type;
      typedef std::ptrdiff_t difference_type;
      typedef const void_pointer *pointer;
      typedef void_pointer reference;

      iterator() noexcept : m_node() {}
      explicit iterator(node_ptr n) noexcept : m_node(n) {}
      reference operator*() const noexcept { return as_pointer(m_node); }
      iterator &operator++() noexcept {
         m_node = m_node->next;
         return *this;
      }
      iterator operator++(int) noexcept {
         iterator t(*this);
         ++*this;
         return t;
      }
      friend bool operator==(const iterator &a, const iterator &b) noexcept {
         return to_raw_pointer(a.m_node) == to_raw_pointer(b.m_node);
      }
      friend bool operator!=(const iterator &a, const iterator &b) noexcept { return !(a == b); }

   private:
      node_ptr m_node;
   };
   typedef iterator const_iterator;

   basic_multiallocation_chain() noexcept : m_front(), m_back(), m_size(0) {}
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
   /// The first buffer.
   void_pointer front() const noexcept { return as_pointer(m_front); }
   /// The last buffer.
   void_pointer back() const noexcept { return as_pointer(m_back); }
   iterator begin() const noexcept { return iterator(m_front); }
   iterator end() const noexcept { return iterator(); }

   /// Appends the buffer at `p`.
   void push_back(const void_pointer &p) noexcept {
      node_ptr n = link(p);
      n->next = node_ptr();
      if (m_size == 0) {
         m_front = n;
      } else {
         m_back->next = n;
      }
      m_back = n;
      ++m_size;
   }
   /// Prepends the buffer at `p`.
   void push_front(const void_pointer &p) noexcept {
      node_ptr n = link(p);
      n->next = m_front;
      if (m_size == 0) {
         m_back = n;
      }
      m_front = n;
      ++m_size;
   }
   /// Takes the first buffer off the list (the list must not be empty).
   popped_type pop_front() noexcept {
      node_ptr n = m_front;
      m_front = n->next;
      if (--m_size == 0) {
         m_back = node_ptr();
      }
      return popped_type(static_cast<element_type *>(static_cast<void *>(to_raw_pointer(n))));
   }
   /// Appends every buffer of `other`, which is left empty.
   void splice_back(basic_multiallocation_chain &other) noexcept {
      if (other.empty()) {
         return;
      }
      if (empty()) {
         swap(other);
         return;
      }
      m_back->next = other.m_front;
      m_back = other.m_back;
      m_size += other.m_size;
      other.m_front = other.m_back = node_ptr();
      other.m_size = 0;
   }
   /// Exchanges two lists.
   void swap(basic_multiallocation_chain &other) noexcept {
      std::swap(m_front, other.m_front);
      std::swap(m_back, other.m_back);
      std::swap(m_size, other.m_size);
   }

private:
   static void_pointer as_pointer(const node_ptr &n) noexcept {
      return void_pointer(static_cast<element_type *>(static_cast<void *>(to_raw_pointer(n))));
   }
   static node_ptr link(const void_pointer &p) noexcept {
      return node_ptr(::new (static_cast<void *>(to_raw_pointer(p))) node());
   }

   node_ptr m_front;
   node_ptr m_back;
   size_type m_size;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_DETAIL_MULTIALLOCATION_CHAIN_HPP
