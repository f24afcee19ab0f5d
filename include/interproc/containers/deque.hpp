// interproc C++ wrapper: deque, as in <boost/interprocess/containers/deque.hpp>.
#ifndef INTERPROC_CONTAINERS_DEQUE_HPP
#define INTERPROC_CONTAINERS_DEQUE_HPP

#include <interproc/containers/detail/container_assignment.hpp>
#include <interproc/containers/detail/random_access_facade.hpp>
#include <interproc/containers/detail/reversible_range.hpp>
#include <interproc/containers/detail/sequence_comparisons.hpp>
#include <interproc/containers/detail/uses_allocator.hpp>

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace interproc {

template <class T, class A> class deque;

namespace detail {

/// A random access iterator over a deque: the deque's address and an element index.
template <class Deque, bool IsConst>
class deque_iterator
   : public random_access_facade<deque_iterator<Deque, IsConst>,
                                 std::conditional_t<IsConst, const typename Deque::value_type &, typename Deque::value_type &>,
                                 std::conditional_t<IsConst, const typename Deque::value_type *, typename Deque::value_type *>> {
   typedef std::conditional_t<IsConst, const Deque, Deque> owner;
   template <class, class, class> friend class random_access_facade;

public:
   typedef typename Deque::value_type value_type;

   /// A singular iterator.
   deque_iterator() noexcept : m_deque(nullptr), m_index(0) {}
   /// The iterator at element `i` of `d`.
   deque_iterator(owner *d, std::size_t i) noexcept : m_deque(d), m_index(i) {}
   /// The const iterator from a mutable one.
   template <bool C = IsConst, class = std::enable_if_t<C>>
   deque_iterator(const deque_iterator<Deque, false> &other) noexcept : m_deque(other.container()), m_index(other.index()) {}

   /// The deque.
   owner *container() const noexcept { return m_deque; }
   /// The element index.
   std::size_t index() const noexcept { return m_index; }

private:
   typename deque_iterator::reference dereference() const noexcept { return (*m_deque)[m_index]; }
   void advance(std::ptrdiff_t n) noexcept { m_index = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(m_index) + n); }
   std::ptrdiff_t distance_to(const deque_iterator &other) const noexcept {
      return static_cast<std::ptrdiff_t>(other.m_index) - static_cast<std::ptrdiff_t>(m_index);
   }
   bool equal(const deque_iterator &other) const noexcept { return m_index == other.m_index; }

   owner *m_deque;
   std::size_t m_index;
};

} // namespace detail

/// A double-ended queue: fixed-size blocks of elements found through a map of block
/// pointers. Blocks never move, so references stay valid across push_front/push_back;
/// every stored pointer is the allocator's (offset_ptr in a segment).
template <class T, class A = std::allocator<T>>
class deque : private detail::alloc_holder<A>,
              public detail::sequence_comparisons<deque<T, A>>,
              public detail::reversible_range<deque<T, A>> {
   typedef detail::alloc_holder<A> holder;
   typedef std::allocator_traits<A> traits;

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
   typedef detail::deque_iterator<deque, false> iterator;
   typedef detail::deque_iterator<deque, true> const_iterator;
   typedef std::reverse_iterator<iterator> reverse_iterator;
   typedef std::reverse_iterator<const_iterator> const_reverse_iterator;

private:
   typedef typename traits::template rebind_alloc<pointer> map_alloc;
   typedef std::allocator_traits<map_alloc> map_traits;
   typedef typename map_traits::pointer map_pointer;
   static constexpr size_type block_size = sizeof(T) < 32 ? 512 / sizeof(T) : 16;

public:
   /// An empty deque.
   deque() : holder(A()), m_map(), m_map_size(0), m_start(0), m_size(0) {}
   /// An empty deque allocating with `a`.
   explicit deque(const allocator_type &a) noexcept : holder(a), m_map(), m_map_size(0), m_start(0), m_size(0) {}
   /// `n` value-initialized elements.
   explicit deque(size_type n, const allocator_type &a = allocator_type()) : deque(a) { resize(n); }
   /// `n` copies of `v`.
   deque(size_type n, const T &v, const allocator_type &a = allocator_type()) : deque(a) { resize(n, v); }
   /// The elements of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   deque(It first, It last, const allocator_type &a = allocator_type()) : deque(a) {
      append(first, last);
   }
   /// The elements of `il`.
   deque(std::initializer_list<T> il, const allocator_type &a = allocator_type()) : deque(a) { append(il.begin(), il.end()); }
   /// A copy of `other`.
   deque(const deque &other) : deque(traits::select_on_container_copy_construction(other.alloc())) {
      append(other.begin(), other.end());
   }
   /// A copy of `other` allocating with `a`.
   deque(const deque &other, const allocator_type &a) : deque(a) { append(other.begin(), other.end()); }
   /// Takes `other`'s blocks.
   deque(deque &&other) noexcept : deque(other.alloc()) { swap_storage(other); }
   /// Takes `other`'s blocks if `a` can free them, else moves the elements one by one.
   deque(deque &&other, const allocator_type &a) : deque(a) { detail::container_assignment::move_construct(*this, other); }
   /// Destroys the elements and frees the memory.
   ~deque() {
      clear();
      release_map();
   }

   /// Copies `other`'s elements.
   deque &operator=(const deque &other) { return detail::container_assignment::copy(*this, other); }
   /// Takes `other`'s elements (moving them one by one if the allocators differ and do not
   /// propagate).
   deque &operator=(deque &&other) noexcept(detail::nothrow_move_assignable<A>) {
      return detail::container_assignment::move(*this, other);
   }
   /// Replaces the elements with those of `il`.
   deque &operator=(std::initializer_list<T> il) {
      assign(il.begin(), il.end());
      return *this;
   }
   /// Replaces the elements with `n` copies of `v`.
   void assign(size_type n, const T &v) {
      clear();
      resize(n, v);
   }
   /// Replaces the elements with those of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>> void assign(It first, It last) {
      clear();
      append(first, last);
   }
   /// Replaces the elements with those of `il`.
   void assign(std::initializer_list<T> il) { assign(il.begin(), il.end()); }

   /// A copy of the allocator.
   allocator_type get_allocator() const noexcept { return this->alloc(); }
   /// The allocator itself.
   stored_allocator_type &get_stored_allocator() noexcept { return this->alloc(); }
   /// The allocator itself.
   const stored_allocator_type &get_stored_allocator() const noexcept { return this->alloc(); }

   /// First element.
   iterator begin() noexcept { return iterator(this, 0); }
   /// First element.
   const_iterator begin() const noexcept { return const_iterator(this, 0); }
   /// Past the last element.
   iterator end() noexcept { return iterator(this, m_size); }
   /// Past the last element.
   const_iterator end() const noexcept { return const_iterator(this, m_size); }

   /// Whether there are no elements.
   bool empty() const noexcept { return m_size == 0; }
   /// Number of elements.
   size_type size() const noexcept { return m_size; }
   /// Largest possible number of elements.
   size_type max_size() const noexcept { return traits::max_size(this->alloc()); }
   /// Frees the block map of an empty deque (blocks are freed as soon as they empty).
   void shrink_to_fit() {
      if (m_size == 0) {
         release_map();
      }
   }
   /// Element `n` (unchecked).
   reference operator[](size_type n) noexcept { return *slot(m_start + n); }
   /// Element `n` (unchecked).
   const_reference operator[](size_type n) const noexcept { return *slot(m_start + n); }
   /// Element `n`; throws std::out_of_range past the end.
   reference at(size_type n) {
      check_index(n);
      return (*this)[n];
   }
   /// Element `n`; throws std::out_of_range past the end.
   const_reference at(size_type n) const {
      check_index(n);
      return (*this)[n];
   }
   /// First element.
   reference front() noexcept { return (*this)[0]; }
   /// First element.
   const_reference front() const noexcept { return (*this)[0]; }
   /// Last element.
   reference back() noexcept { return (*this)[m_size - 1]; }
   /// Last element.
   const_reference back() const noexcept { return (*this)[m_size - 1]; }

   /// Appends an element built from `args`; if it throws, nothing changed.
   template <class... Args> reference emplace_back(Args &&...args) {
      make_room_back();
      T *p = slot(m_start + m_size);
      try {
         detail::construct_element(this->alloc(), p, std::forward<Args>(args)...);
      } catch (...) {
         drop_empty_block(m_start + m_size);
         throw;
      }
      ++m_size;
      return *p;
   }
   /// Prepends an element built from `args`; if it throws, nothing changed.
   template <class... Args> reference emplace_front(Args &&...args) {
      make_room_front();
      T *p = slot(m_start - 1);
      try {
         detail::construct_element(this->alloc(), p, std::forward<Args>(args)...);
      } catch (...) {
         drop_empty_block(m_start - 1);
         throw;
      }
      --m_start;
      ++m_size;
      return *p;
   }
   /// Appends a copy of `v`.
   void push_back(const T &v) { emplace_back(v); }
   /// Appends `v` moved.
   void push_back(T &&v) { emplace_back(std::move(v)); }
   /// Prepends a copy of `v`.
   void push_front(const T &v) { emplace_front(v); }
   /// Prepends `v` moved.
   void push_front(T &&v) { emplace_front(std::move(v)); }
   /// Removes the last element.
   void pop_back() noexcept {
      const size_type at = m_start + m_size - 1;
      detail::destroy_element(slot(at));
      --m_size;
      drop_empty_block(at);
   }
   /// Removes the first element.
   void pop_front() noexcept {
      const size_type at = m_start;
      detail::destroy_element(slot(at));
      ++m_start;
      --m_size;
      drop_empty_block(at);
   }

   /// Inserts an element built from `args` before `pos`.
   template <class... Args> iterator emplace(const_iterator pos, Args &&...args) {
      const size_type idx = pos.index();
      if (idx < m_size / 2) {
         emplace_front(std::forward<Args>(args)...);
         std::rotate(begin(), begin() + 1, begin() + static_cast<difference_type>(idx) + 1);
      } else {
         emplace_back(std::forward<Args>(args)...);
         std::rotate(begin() + static_cast<difference_type>(idx), end() - 1, end());
      }
      return begin() + static_cast<difference_type>(idx);
   }
   /// Inserts a copy of `v` before `pos`.
   iterator insert(const_iterator pos, const T &v) { return emplace(pos, v); }
   /// Inserts `v` moved before `pos`.
   iterator insert(const_iterator pos, T &&v) { return emplace(pos, std::move(v)); }
   /// Inserts `n` copies of `v` before `pos`.
   iterator insert(const_iterator pos, size_type n, const T &v) {
      const size_type idx = pos.index();
      const size_type old = m_size;
      try {
         for (size_type i = 0; i < n; ++i) {
            emplace_back(v);
         }
      } catch (...) {
         resize_down(old);
         throw;
      }
      std::rotate(begin() + static_cast<difference_type>(idx), begin() + static_cast<difference_type>(old), end());
      return begin() + static_cast<difference_type>(idx);
   }
   /// Inserts the elements of `[first, last)` before `pos`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   iterator insert(const_iterator pos, It first, It last) {
      const size_type idx = pos.index();
      const size_type old = m_size;
      append(first, last);
      std::rotate(begin() + static_cast<difference_type>(idx), begin() + static_cast<difference_type>(old), end());
      return begin() + static_cast<difference_type>(idx);
   }
   /// Inserts the elements of `il` before `pos`.
   iterator insert(const_iterator pos, std::initializer_list<T> il) { return insert(pos, il.begin(), il.end()); }

   /// Removes the element at `pos`.
   iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
   /// Removes the elements of `[first, last)`.
   iterator erase(const_iterator first, const_iterator last) {
      const size_type f = first.index();
      const size_type l = last.index();
      const size_type n = l - f;
      if (n == 0) {
         return begin() + static_cast<difference_type>(f);
      }
      if (f < m_size - l) {
         std::move_backward(begin(), begin() + static_cast<difference_type>(f), begin() + static_cast<difference_type>(l));
         for (size_type i = 0; i < n; ++i) {
            pop_front();
         }
      } else {
         std::move(begin() + static_cast<difference_type>(l), end(), begin() + static_cast<difference_type>(f));
         resize_down(m_size - n);
      }
      return begin() + static_cast<difference_type>(f);
   }
   /// Grows with value-initialized elements or shrinks to `n` elements.
   void resize(size_type n) {
      if (n < m_size) {
         resize_down(n);
      } else {
         const size_type old = m_size;
         try {
            while (m_size < n) {
               emplace_back();
            }
         } catch (...) {
            resize_down(old);
            throw;
         }
      }
   }
   /// Grows with copies of `v` or shrinks to `n` elements.
   void resize(size_type n, const T &v) {
      if (n < m_size) {
         resize_down(n);
      } else {
         insert(end(), n - m_size, v);
      }
   }
   /// Removes every element (the map stays).
   void clear() noexcept {
      resize_down(0);
      m_start = (m_map_size / 2) * block_size;
   }
   /// Exchanges the contents (and allocators if they propagate on swap).
   void swap(deque &other) noexcept {
      detail::swap_alloc(this->alloc(), other.alloc());
      swap_storage(other);
   }
   /// Exchanges two deques.
   friend void swap(deque &a, deque &b) noexcept { a.swap(b); }

private:
   pointer *map() const noexcept { return detail::raw_address(m_map); }
   T *slot(size_type abs) const noexcept { return detail::raw_address(map()[abs / block_size]) + abs % block_size; }

   void check_index(size_type n) const {
      if (n >= m_size) {
         throw std::out_of_range("interproc::deque::at: index out of range");
      }
   }

   template <class It> void append(It first, It last) {
      const size_type old = m_size;
      try {
         for (; first != last; ++first) {
            emplace_back(*first);
         }
      } catch (...) {
         resize_down(old);
         throw;
      }
   }

   void resize_down(size_type n) noexcept {
      while (m_size > n) {
         pop_back();
      }
   }

   /// Frees the block of absolute index `abs` if no element lives in it.
   void drop_empty_block(size_type abs) noexcept {
      const size_type b = abs / block_size;
      const bool used = m_size > 0 && m_start / block_size <= b && b <= (m_start + m_size - 1) / block_size;
      if (!used && map()[b]) {
         traits::deallocate(this->alloc(), map()[b], block_size);
         map()[b] = pointer();
      }
   }

   void ensure_block(size_type b) {
      if (!map()[b]) {
         map()[b] = traits::allocate(this->alloc(), block_size);
      }
   }

   void make_room_back() {
      if (m_map_size == 0 || (m_start + m_size) / block_size >= m_map_size) {
         remap();
      }
      ensure_block((m_start + m_size) / block_size);
   }

   void make_room_front() {
      if (m_map_size == 0 || m_start == 0) {
         remap();
      }
      ensure_block((m_start - 1) / block_size);
   }

   /// A new map with the blocks in use centred, so there is room at both ends.
   void remap() {
      const size_type first = m_start / block_size;
      const size_type used = m_size == 0 ? 0 : (m_start + m_size - 1) / block_size - first + 1;
      const size_type new_size = std::max<size_type>(8, 2 * used + 2);
      map_alloc ma(this->alloc());
      map_pointer fresh = map_traits::allocate(ma, new_size);
      pointer *dst = detail::raw_address(fresh);
      for (size_type i = 0; i < new_size; ++i) {
         ::new (static_cast<void *>(dst + i)) pointer();
      }
      const size_type offset = (new_size - used) / 2;
      for (size_type i = 0; i < used; ++i) {
         dst[offset + i] = map()[first + i];
         map()[first + i] = pointer();
      }
      const size_type in_block = m_start % block_size;
      release_map();
      m_map = fresh;
      m_map_size = new_size;
      m_start = offset * block_size + (m_size == 0 ? block_size / 2 : in_block);
   }

   /// Frees the map and any block it still holds (only empty ones remain when called).
   void release_map() noexcept {
      if (m_map_size == 0) {
         return;
      }
      pointer *m = map();
      for (size_type i = 0; i < m_map_size; ++i) {
         if (m[i]) {
            traits::deallocate(this->alloc(), m[i], block_size);
         }
         m[i].~pointer();
      }
      map_alloc ma(this->alloc());
      map_traits::deallocate(ma, m_map, m_map_size);
      m_map = map_pointer();
      m_map_size = 0;
      m_start = 0;
   }

   friend struct detail::container_assignment;
   void drop_storage() noexcept {
      clear();
      release_map();
   }
   void take_storage(deque &other) noexcept { swap_storage(other); }
   template <class It> void replace_with(It first, It last) { assign(first, last); }

   void swap_storage(deque &other) noexcept {
      map_pointer m = m_map;
      m_map = other.m_map;
      other.m_map = m;
      std::swap(m_map_size, other.m_map_size);
      std::swap(m_start, other.m_start);
      std::swap(m_size, other.m_size);
   }

   map_pointer m_map;
   size_type m_map_size;
   size_type m_start; // absolute index of the first element: block m_start / block_size
   size_type m_size;
};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_DEQUE_HPP
