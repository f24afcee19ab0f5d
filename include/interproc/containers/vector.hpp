// interproc C++ wrapper: vector, as in <boost/interprocess/containers/vector.hpp>.
#ifndef INTERPROC_CONTAINERS_VECTOR_HPP
#define INTERPROC_CONTAINERS_VECTOR_HPP

#include <interproc/containers/detail/container_assignment.hpp>
#include <interproc/containers/detail/reversible_range.hpp>
#include <interproc/containers/detail/sequence_comparisons.hpp>
#include <interproc/containers/detail/uses_allocator.hpp>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// Whether allocator `A` can grow an allocation in place (interproc::allocator can).
template <class A, class = void> struct can_expand_in_place : std::false_type {};
template <class A>
struct can_expand_in_place<A, std::void_t<decltype(std::declval<A &>().expand_in_place(
                                 std::declval<const typename std::allocator_traits<A>::pointer &>(), std::size_t(), std::size_t()))>>
   : std::true_type {};

} // namespace detail

/// A contiguous growable array. It stores only `allocator_traits<A>::pointer` (offset_ptr
/// for interproc's allocators), so it works inside a segment mapped at different addresses
/// in different processes, and with std::allocator. Iterators are raw pointers computed
/// from the stored pointer: valid in the process that made them, like any iterator. When
/// the allocator can grow a block in place (a segment allocator, when the memory after the
/// block is free), the vector grows there instead of moving its elements.
template <class T, class A = std::allocator<T>>
class vector : private detail::alloc_holder<A>,
               public detail::sequence_comparisons<vector<T, A>>,
               public detail::reversible_range<vector<T, A>> {
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
   typedef T *iterator;
   typedef const T *const_iterator;
   typedef std::reverse_iterator<iterator> reverse_iterator;
   typedef std::reverse_iterator<const_iterator> const_reverse_iterator;

   /// An empty vector with a default-constructed allocator.
   vector() noexcept(std::is_nothrow_default_constructible<A>::value) : holder(A()), m_start(), m_size(0), m_capacity(0) {}
   /// An empty vector that allocates with `a`.
   explicit vector(const allocator_type &a) noexcept : holder(a), m_start(), m_size(0), m_capacity(0) {}
   /// `n` value-initialized elements.
   explicit vector(size_type n, const allocator_type &a = allocator_type()) : vector(a) { resize(n); }
   /// `n` copies of `v`.
   vector(size_type n, const T &v, const allocator_type &a = allocator_type()) : vector(a) { assign(n, v); }
   /// The elements of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   vector(It first, It last, const allocator_type &a = allocator_type()) : vector(a) {
      assign(first, last);
   }
   /// The elements of `il`.
   vector(std::initializer_list<T> il, const allocator_type &a = allocator_type()) : vector(a) { assign(il.begin(), il.end()); }
   /// A copy of `other` (allocator from `select_on_container_copy_construction`).
   vector(const vector &other) : vector(traits::select_on_container_copy_construction(other.alloc())) {
      assign(other.begin(), other.end());
   }
   /// A copy of `other` that allocates with `a` (allocator-extended copy).
   vector(const vector &other, const allocator_type &a) : vector(a) { assign(other.begin(), other.end()); }
   /// Takes `other`'s elements; `other` is left empty.
   vector(vector &&other) noexcept : holder(other.alloc()), m_start(other.m_start), m_size(other.m_size), m_capacity(other.m_capacity) {
      other.m_start = pointer();
      other.m_size = other.m_capacity = 0;
   }
   /// Takes `other`'s elements if `a` can free them, else moves them one by one.
   vector(vector &&other, const allocator_type &a) : vector(a) { detail::container_assignment::move_construct(*this, other); }
   /// Destroys the elements and frees the memory.
   ~vector() {
      clear();
      release();
   }

   /// Copies `other`'s elements (and its allocator if it propagates on copy).
   vector &operator=(const vector &other) { return detail::container_assignment::copy(*this, other); }
   /// Takes `other`'s elements (moving them one by one if the allocators differ and do not
   /// propagate).
   vector &operator=(vector &&other) noexcept(detail::nothrow_move_assignable<A>) {
      return detail::container_assignment::move(*this, other);
   }
   /// Replaces the elements with those of `il`.
   vector &operator=(std::initializer_list<T> il) {
      assign(il.begin(), il.end());
      return *this;
   }

   /// Replaces the elements with `n` copies of `v`.
   void assign(size_type n, const T &v) {
      if (n > m_capacity) {
         vector tmp(this->alloc());
         tmp.reserve(n);
         tmp.append_n_fitting(n, v);
         swap_storage(tmp);
         return;
      }
      const size_type common = std::min(n, m_size);
      std::fill_n(data(), common, v);
      if (n > m_size) {
         append_n(n - m_size, v);
      } else {
         destroy_tail(n);
      }
   }
   /// Replaces the elements with those of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>> void assign(It first, It last) {
      if constexpr (detail::is_forward_iterator<It>::value) {
         const size_type n = static_cast<size_type>(std::distance(first, last));
         if (n > m_capacity) {
            vector tmp(this->alloc());
            tmp.reserve(n);
            tmp.append_range(first, last);
            swap_storage(tmp);
            return;
         }
         It mid = first;
         T *out = data();
         for (size_type i = 0; i < m_size && mid != last; ++i, ++mid, ++out) {
            *out = *mid;
         }
         if (mid == last) {
            destroy_tail(static_cast<size_type>(out - data()));
         } else {
            append_range(mid, last);
         }
      } else {
         clear();
         for (; first != last; ++first) {
            emplace_back(*first);
         }
      }
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
   iterator begin() noexcept { return data(); }
   /// First element.
   const_iterator begin() const noexcept { return data(); }
   /// Past the last element.
   iterator end() noexcept { return data() + m_size; }
   /// Past the last element.
   const_iterator end() const noexcept { return data() + m_size; }
   /// An iterator from an element index (Boost's `nth`).
   iterator nth(size_type n) noexcept { return data() + n; }
   /// An iterator from an element index (Boost's `nth`).
   const_iterator nth(size_type n) const noexcept { return data() + n; }
   /// The index of an iterator (Boost's `index_of`).
   size_type index_of(const_iterator p) const noexcept { return static_cast<size_type>(p - data()); }

   /// Whether there are no elements.
   bool empty() const noexcept { return m_size == 0; }
   /// Number of elements.
   size_type size() const noexcept { return m_size; }
   /// Largest possible number of elements.
   size_type max_size() const noexcept {
      return std::min<size_type>(traits::max_size(this->alloc()), std::numeric_limits<difference_type>::max() / sizeof(T));
   }
   /// Number of elements that fit without reallocating.
   size_type capacity() const noexcept { return m_capacity; }
   /// Makes room for `n` elements; strong guarantee.
   void reserve(size_type n) {
      if (n > m_capacity) {
         reallocate(n);
      }
   }
   /// Frees unused capacity.
   void shrink_to_fit() {
      if (m_capacity > m_size) {
         if (m_size == 0) {
            release();
         } else {
            reallocate(m_size);
         }
      }
   }
   /// Grows with value-initialized elements or shrinks to `n` elements.
   void resize(size_type n) {
      if (n < m_size) {
         destroy_tail(n);
      } else if (n > m_size) {
         reserve_for(n - m_size);
         const size_type old = m_size;
         try {
            while (m_size < n) {
               detail::construct_element(this->alloc(), data() + m_size);
               ++m_size;
            }
         } catch (...) {
            destroy_tail(old);
            throw;
         }
      }
   }
   /// Grows with copies of `v` or shrinks to `n` elements.
   void resize(size_type n, const T &v) {
      if (n < m_size) {
         destroy_tail(n);
      } else if (n > m_size) {
         append_n(n - m_size, v);
      }
   }

   /// Element `n` (unchecked).
   reference operator[](size_type n) noexcept { return data()[n]; }
   /// Element `n` (unchecked).
   const_reference operator[](size_type n) const noexcept { return data()[n]; }
   /// Element `n`; throws std::out_of_range past the end.
   reference at(size_type n) {
      check_index(n);
      return data()[n];
   }
   /// Element `n`; throws std::out_of_range past the end.
   const_reference at(size_type n) const {
      check_index(n);
      return data()[n];
   }
   /// First element.
   reference front() noexcept { return data()[0]; }
   /// First element.
   const_reference front() const noexcept { return data()[0]; }
   /// Last element.
   reference back() noexcept { return data()[m_size - 1]; }
   /// Last element.
   const_reference back() const noexcept { return data()[m_size - 1]; }
   /// The elements' raw address (null when nothing was ever allocated).
   T *data() noexcept { return detail::raw_address(m_start); }
   /// The elements' raw address (null when nothing was ever allocated).
   const T *data() const noexcept { return detail::raw_address(m_start); }

   /// Appends an element built from `args`; strong guarantee (if it throws, nothing changed).
   template <class... Args> reference emplace_back(Args &&...args) {
      if (m_size < m_capacity) {
         detail::construct_element(this->alloc(), data() + m_size, std::forward<Args>(args)...);
      } else {
         grow_and_emplace_back(std::forward<Args>(args)...);
      }
      ++m_size;
      return back();
   }
   /// Appends a copy of `v`; strong guarantee.
   void push_back(const T &v) { emplace_back(v); }
   /// Appends `v` moved; strong guarantee.
   void push_back(T &&v) { emplace_back(std::move(v)); }
   /// Removes the last element.
   void pop_back() noexcept { destroy_tail(m_size - 1); }

   /// Inserts an element built from `args` before `pos`.
   template <class... Args> iterator emplace(const_iterator pos, Args &&...args) {
      const size_type idx = index_of(pos);
      emplace_back(std::forward<Args>(args)...);
      std::rotate(begin() + idx, end() - 1, end());
      return begin() + idx;
   }
   /// Inserts a copy of `v` before `pos`.
   iterator insert(const_iterator pos, const T &v) { return emplace(pos, v); }
   /// Inserts `v` moved before `pos`.
   iterator insert(const_iterator pos, T &&v) { return emplace(pos, std::move(v)); }
   /// Inserts `n` copies of `v` before `pos`.
   iterator insert(const_iterator pos, size_type n, const T &v) {
      const size_type idx = index_of(pos);
      const size_type old = m_size;
      append_n(n, v);
      std::rotate(begin() + idx, begin() + old, end());
      return begin() + idx;
   }
   /// Inserts the elements of `[first, last)` before `pos`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   iterator insert(const_iterator pos, It first, It last) {
      const size_type idx = index_of(pos);
      const size_type old = m_size;
      append_range(first, last);
      std::rotate(begin() + idx, begin() + old, end());
      return begin() + idx;
   }
   /// Inserts the elements of `il` before `pos`.
   iterator insert(const_iterator pos, std::initializer_list<T> il) { return insert(pos, il.begin(), il.end()); }

   /// Removes the element at `pos`; returns the iterator after it.
   iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
   /// Removes the elements of `[first, last)`.
   iterator erase(const_iterator first, const_iterator last) {
      iterator f = begin() + index_of(first);
      iterator l = begin() + index_of(last);
      if (f != l) {
         iterator new_end = std::move(l, end(), f);
         destroy_tail(index_of(new_end));
      }
      return f;
   }
   /// Removes every element (the capacity stays).
   void clear() noexcept { destroy_tail(0); }

   /// Exchanges the contents (and the allocators if they propagate on swap).
   void swap(vector &other) noexcept {
      detail::swap_alloc(this->alloc(), other.alloc());
      swap_storage(other);
   }
   /// Exchanges the contents of two vectors.
   friend void swap(vector &a, vector &b) noexcept { a.swap(b); }

private:
   static constexpr bool relocate_by_memcpy = std::is_trivially_copyable<T>::value;

   void check_index(size_type n) const {
      if (n >= m_size) {
         throw std::out_of_range("interproc::vector::at: index out of range");
      }
   }

   friend struct detail::container_assignment;
   void drop_storage() noexcept {
      clear();
      release();
   }
   template <class It> void replace_with(It first, It last) { assign(first, last); }

   /// Takes `other`'s buffer (this vector's is empty), leaving `other` empty.
   void take_storage(vector &other) noexcept {
      m_start = other.m_start;
      m_size = other.m_size;
      m_capacity = other.m_capacity;
      other.m_start = pointer();
      other.m_size = other.m_capacity = 0;
   }

   void swap_storage(vector &other) noexcept {
      pointer p = m_start;
      m_start = other.m_start;
      other.m_start = p;
      std::swap(m_size, other.m_size);
      std::swap(m_capacity, other.m_capacity);
   }

   void destroy_tail(size_type new_size) noexcept {
      if constexpr (!std::is_trivially_destructible<T>::value) {
         T *p = data();
         for (size_type i = new_size; i < m_size; ++i) {
            detail::destroy_element(p + i);
         }
      }
      m_size = new_size;
   }

   void release() noexcept {
      if (m_start) {
         traits::deallocate(this->alloc(), m_start, m_capacity);
      }
      m_start = pointer();
      m_capacity = 0;
   }

   size_type next_capacity(size_type extra) const {
      const size_type limit = max_size();
      if (extra > limit - m_size) {
         throw std::length_error("interproc::vector: too many elements");
      }
      const size_type want = m_size + extra;
      const size_type doubled = m_capacity > limit / 2 ? limit : m_capacity * 2;
      return std::max<size_type>(std::max(want, doubled), 4);
   }

   void reserve_for(size_type extra) {
      if (extra > m_capacity - m_size) {
         reallocate(next_capacity(extra));
      }
   }

   /// Moves (or copies, if moving may throw) the `m_size` elements into `dst`; on an
   /// exception destroys what it built and rethrows.
   void relocate_into(T *dst) {
      T *src = data();
      if constexpr (relocate_by_memcpy) {
         if (m_size) {
            std::memcpy(static_cast<void *>(dst), static_cast<const void *>(src), m_size * sizeof(T));
         }
      } else {
         size_type i = 0;
         try {
            for (; i < m_size; ++i) {
               ::new (static_cast<void *>(dst + i)) T(std::move_if_noexcept(src[i]));
            }
         } catch (...) {
            while (i > 0) {
               detail::destroy_element(dst + --i);
            }
            throw;
         }
      }
   }

   void adopt(pointer fresh, size_type cap) noexcept {
      const size_type n = m_size;
      destroy_tail(0);
      release();
      m_start = fresh;
      m_size = n;
      m_capacity = cap;
   }

   /// Grows the block in place to at least `min_cap` elements (up to `preferred_cap`);
   /// whether it did. The elements stay where they are.
   bool expand_in_place(size_type min_cap, size_type preferred_cap) {
      if constexpr (detail::can_expand_in_place<A>::value) {
         if (m_start) {
            const size_type got = this->alloc().expand_in_place(m_start, min_cap, preferred_cap);
            if (got >= min_cap) {
               m_capacity = got;
               return true;
            }
         }
      } else {
         (void)min_cap;
         (void)preferred_cap;
      }
      return false;
   }

   void reallocate(size_type cap) {
      if (cap > m_capacity && expand_in_place(cap, cap)) {
         return;
      }
      move_to_fresh(cap, 0, [](T *) {});
   }

   /// Moves the elements to a fresh block of `cap`, with `n` new ones after them that
   /// `build(at)` makes first (before the old elements move: they may be its source, and
   /// it leaves nothing built when it throws); a throw frees the block and changes nothing.
   /// The caller counts the new elements.
   template <class Build> void move_to_fresh(size_type cap, size_type n, Build &&build) {
      pointer fresh = traits::allocate(this->alloc(), cap);
      T *dst = detail::raw_address(fresh);
      try {
         build(dst + m_size);
      } catch (...) {
         traits::deallocate(this->alloc(), fresh, cap);
         throw;
      }
      try {
         relocate_into(dst);
      } catch (...) {
         for (size_type i = 0; i < n; ++i) {
            detail::destroy_element(dst + m_size + i);
         }
         traits::deallocate(this->alloc(), fresh, cap);
         throw;
      }
      adopt(fresh, cap);
   }

   template <class... Args> void grow_and_emplace_back(Args &&...args) {
      const size_type cap = next_capacity(1);
      // Grown in place, no element moves, so `args` referring to one stays valid.
      if (expand_in_place(m_size + 1, cap)) {
         detail::construct_element(this->alloc(), data() + m_size, std::forward<Args>(args)...);
         return;
      }
      // The new element first: `args` may refer to an element of this vector.
      move_to_fresh(cap, 1, [&](T *at) { detail::construct_element(this->alloc(), at, std::forward<Args>(args)...); });
   }

   void append_n(size_type n, const T &v) {
      if (n > m_capacity - m_size) {
         // `v` may live in this vector: copy it before reallocating.
         T copy(v);
         reserve_for(n);
         append_n_fitting(n, copy);
      } else {
         append_n_fitting(n, v);
      }
   }

   void append_n_fitting(size_type n, const T &v) {
      const size_type old = m_size;
      try {
         for (size_type i = 0; i < n; ++i) {
            detail::construct_element(this->alloc(), data() + m_size, v);
            ++m_size;
         }
      } catch (...) {
         destroy_tail(old);
         throw;
      }
   }

   template <class It> void append_range(It first, It last) {
      if constexpr (detail::is_forward_iterator<It>::value) {
         const size_type n = static_cast<size_type>(std::distance(first, last));
         if (n <= m_capacity - m_size) {
            construct_range(data() + m_size, first, last, n);
            m_size += n;
            return;
         }
         // Grown in place, the old elements stay where the range may point to them.
         const size_type cap = next_capacity(n);
         if (expand_in_place(m_size + n, cap)) {
            construct_range(data() + m_size, first, last, n);
            m_size += n;
            return;
         }
         // Build the new elements in the new block before touching the old one: the range
         // may be this vector's own elements, and a throw must change nothing.
         move_to_fresh(cap, n, [&](T *at) { construct_range(at, first, last, n); });
         m_size += n;
      } else {
         const size_type old = m_size;
         try {
            for (; first != last; ++first) {
               emplace_back(*first);
            }
         } catch (...) {
            destroy_tail(old);
            throw;
         }
      }
   }

   /// Builds `n` elements at `dst` from `[first, last)`; on a throw destroys them again.
   template <class It> void construct_range(T *dst, It first, It last, size_type n) {
      typedef typename std::iterator_traits<It>::value_type V;
      if constexpr (std::is_pointer<It>::value && std::is_same<std::remove_cv_t<V>, T>::value &&
                    std::is_trivially_copyable<T>::value) {
         (void)last;
         if (n) {
            std::memcpy(static_cast<void *>(dst), static_cast<const void *>(first), n * sizeof(T));
         }
      } else {
         size_type i = 0;
         try {
            for (; first != last; ++first, ++i) {
               detail::construct_element(this->alloc(), dst + i, *first);
            }
         } catch (...) {
            while (i > 0) {
               detail::destroy_element(dst + --i);
            }
            throw;
         }
      }
   }

   pointer m_start;
   size_type m_size;
   size_type m_capacity;
};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_VECTOR_HPP
