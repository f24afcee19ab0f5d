// interproc C++ wrapper: basic_string, string and wstring, as in
// <boost/interprocess/containers/string.hpp>.
#ifndef INTERPROC_CONTAINERS_STRING_HPP
#define INTERPROC_CONTAINERS_STRING_HPP

#include <interproc/containers/detail/reversible_range.hpp>
#include <interproc/containers/detail/string_search.hpp>
#include <interproc/containers/detail/uses_allocator.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <istream>
#include <iterator>
#include <limits>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace boost {
// Boost's own forward declaration (boost/container_hash/hash_fwd.hpp), repeated so that
// hash_value below can name it without including Boost.
template <class It> std::size_t hash_range(It, It);
} // namespace boost

namespace interproc {

/// A character string whose buffer comes from `A` and is held by
/// `allocator_traits<A>::pointer`, so it works inside a segment mapped at different
/// addresses. Characters are always copied with `Traits::copy`/`move` on raw pointers
/// (memcpy speed), never one by one through fancy pointers. An empty string owns no buffer.
template <class CharT, class Traits = std::char_traits<CharT>, class A = std::allocator<CharT>>
class basic_string
   : private detail::alloc_holder<A>,
     public detail::reversible_range<basic_string<CharT, Traits, A>>,
     public detail::string_search<basic_string<CharT, Traits, A>, CharT, Traits, typename std::allocator_traits<A>::size_type> {
   typedef detail::alloc_holder<A> holder;
   typedef std::allocator_traits<A> traits;
   typedef detail::string_search<basic_string, CharT, Traits, typename traits::size_type> search;

public:
   typedef Traits traits_type;
   typedef CharT value_type;
   typedef A allocator_type;
   typedef A stored_allocator_type;
   typedef typename traits::pointer pointer;
   typedef typename traits::const_pointer const_pointer;
   typedef CharT &reference;
   typedef const CharT &const_reference;
   typedef typename traits::size_type size_type;
   typedef typename traits::difference_type difference_type;
   typedef CharT *iterator;
   typedef const CharT *const_iterator;
   typedef std::reverse_iterator<iterator> reverse_iterator;
   typedef std::reverse_iterator<const_iterator> const_reverse_iterator;
   typedef std::basic_string_view<CharT, Traits> view_type;

   /// Enables an overload for iterator positions only. Iterators are raw pointers, so
   /// without this `s.erase(0)` or `s.insert(0, 3, 'x')` would be ambiguous between the
   /// index and the iterator overloads (the literal 0 is also a null pointer).
   template <class P>
   using if_position = std::enable_if_t<std::is_same<P, CharT *>::value || std::is_same<P, const CharT *>::value, int>;

   /// "Until the end" / "not found".
   static constexpr size_type npos = size_type(-1);

   /// An empty string with a default-constructed allocator.
   basic_string() noexcept(std::is_nothrow_default_constructible<A>::value) : holder(A()), m_buf(), m_size(0), m_capacity(0) {}
   /// An empty string that allocates with `a`.
   explicit basic_string(const allocator_type &a) noexcept : holder(a), m_buf(), m_size(0), m_capacity(0) {}
   /// A copy of `other`.
   basic_string(const basic_string &other) : basic_string(traits::select_on_container_copy_construction(other.alloc())) {
      append(other.data(), other.size());
   }
   /// A copy of `other` allocated with `a`.
   basic_string(const basic_string &other, const allocator_type &a) : basic_string(a) { append(other.data(), other.size()); }
   /// Takes `other`'s buffer; `other` is left empty.
   basic_string(basic_string &&other) noexcept : holder(other.alloc()), m_buf(other.m_buf), m_size(other.m_size), m_capacity(other.m_capacity) {
      other.m_buf = pointer();
      other.m_size = other.m_capacity = 0;
   }
   /// Takes `other`'s buffer if `a` can free it, else copies the characters.
   basic_string(basic_string &&other, const allocator_type &a) : basic_string(a) {
      if (detail::alloc_equal(this->alloc(), other.alloc())) {
         swap_storage(other);
      } else {
         append(other.data(), other.size());
      }
   }
   /// The characters of `other` from `pos`, at most `n` of them.
   basic_string(const basic_string &other, size_type pos, size_type n = npos, const allocator_type &a = allocator_type())
      : basic_string(a) {
      append(other, pos, n);
   }
   /// The first `n` characters at `s`.
   basic_string(const CharT *s, size_type n, const allocator_type &a = allocator_type()) : basic_string(a) { append(s, n); }
   /// The null-terminated string `s`.
   basic_string(const CharT *s, const allocator_type &a = allocator_type()) : basic_string(a) { append(s); }
   /// `n` copies of `c`.
   basic_string(size_type n, CharT c, const allocator_type &a = allocator_type()) : basic_string(a) { append(n, c); }
   /// The characters of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   basic_string(It first, It last, const allocator_type &a = allocator_type()) : basic_string(a) {
      append(first, last);
   }
   /// The characters of `il`.
   basic_string(std::initializer_list<CharT> il, const allocator_type &a = allocator_type()) : basic_string(a) {
      append(il.begin(), il.size());
   }
   /// The characters of a string view (or anything convertible to one, such as std::string).
   template <class SV, class = std::enable_if_t<std::is_convertible<const SV &, view_type>::value &&
                                                !std::is_convertible<const SV &, const CharT *>::value &&
                                                !std::is_same<SV, basic_string>::value>>
   explicit basic_string(const SV &sv, const allocator_type &a = allocator_type()) : basic_string(a) {
      const view_type v(sv);
      append(v.data(), v.size());
   }
   /// Frees the buffer.
   ~basic_string() { release(); }

   /// Copies `other`'s characters (and its allocator if it propagates on copy).
   basic_string &operator=(const basic_string &other) {
      if (this != &other) {
         if (traits::propagate_on_container_copy_assignment::value && !detail::alloc_equal(this->alloc(), other.alloc())) {
            release();
         }
         detail::assign_alloc_on_copy(this->alloc(), other.alloc());
         assign(other.data(), other.size());
      }
      return *this;
   }
   /// Takes `other`'s buffer (copying if the allocators differ and do not propagate).
   basic_string &operator=(basic_string &&other) noexcept(traits::propagate_on_container_move_assignment::value ||
                                                         traits::is_always_equal::value) {
      if (this != &other) {
         if (traits::propagate_on_container_move_assignment::value || detail::alloc_equal(this->alloc(), other.alloc())) {
            release();
            detail::assign_alloc_on_move(this->alloc(), other.alloc());
            swap_storage(other);
         } else {
            assign(other.data(), other.size());
         }
      }
      return *this;
   }
   /// Assigns a null-terminated string.
   basic_string &operator=(const CharT *s) { return assign(s); }
   /// Assigns one character.
   basic_string &operator=(CharT c) { return assign(1, c); }
   /// Assigns the characters of `il`.
   basic_string &operator=(std::initializer_list<CharT> il) { return assign(il.begin(), il.size()); }
   /// Assigns the characters of a string view (or std::string).
   template <class SV, class = std::enable_if_t<std::is_convertible<const SV &, view_type>::value &&
                                                !std::is_convertible<const SV &, const CharT *>::value &&
                                                !std::is_same<SV, basic_string>::value>>
   basic_string &operator=(const SV &sv) {
      const view_type v(sv);
      return assign(v.data(), v.size());
   }

   /// A view of the characters.
   operator view_type() const noexcept { return view_type(data(), m_size); }

   /// Replaces the characters with those of `s`.
   basic_string &assign(const basic_string &s) { return assign(s.data(), s.size()); }
   /// Takes `s`'s characters.
   basic_string &assign(basic_string &&s) { return *this = std::move(s); }
   /// Replaces the characters with those of `s` from `pos`, at most `n`.
   basic_string &assign(const basic_string &s, size_type pos, size_type n = npos) {
      s.check_pos(pos);
      return assign(s.data() + pos, std::min(n, s.size() - pos));
   }
   /// Replaces the characters with the first `n` at `s`.
   basic_string &assign(const CharT *s, size_type n) { return replace(0, m_size, s, n); }
   /// Replaces the characters with the null-terminated `s`.
   basic_string &assign(const CharT *s) { return assign(s, Traits::length(s)); }
   /// Replaces the characters with `n` copies of `c`.
   basic_string &assign(size_type n, CharT c) {
      clear();
      return append(n, c);
   }
   /// Replaces the characters with those of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>> basic_string &assign(It first, It last) {
      basic_string tmp(first, last, this->alloc());
      swap_storage(tmp);
      return *this;
   }
   /// Replaces the characters with those of `il`.
   basic_string &assign(std::initializer_list<CharT> il) { return assign(il.begin(), il.size()); }

   /// A copy of the allocator.
   allocator_type get_allocator() const noexcept { return this->alloc(); }
   /// The allocator itself.
   stored_allocator_type &get_stored_allocator() noexcept { return this->alloc(); }
   /// The allocator itself.
   const stored_allocator_type &get_stored_allocator() const noexcept { return this->alloc(); }

   /// First character.
   iterator begin() noexcept { return buf(); }
   /// First character.
   const_iterator begin() const noexcept { return data(); }
   /// Past the last character.
   iterator end() noexcept { return buf() + m_size; }
   /// Past the last character.
   const_iterator end() const noexcept { return data() + m_size; }

   /// Whether there are no characters.
   bool empty() const noexcept { return m_size == 0; }
   /// Number of characters.
   size_type size() const noexcept { return m_size; }
   /// Number of characters.
   size_type length() const noexcept { return m_size; }
   /// Largest possible number of characters.
   size_type max_size() const noexcept {
      return std::min<size_type>(traits::max_size(this->alloc()) - 1, std::numeric_limits<difference_type>::max() / sizeof(CharT) - 1);
   }
   /// Number of characters that fit without reallocating.
   size_type capacity() const noexcept { return m_capacity ? m_capacity - 1 : 0; }
   /// Makes room for `n` characters.
   void reserve(size_type n) {
      if (n > capacity()) {
         reallocate(n);
      }
   }
   /// Frees unused capacity.
   void shrink_to_fit() {
      if (m_size == 0) {
         release();
      } else if (m_size < capacity()) {
         reallocate(m_size);
      }
   }
   /// Grows with copies of `c` or shrinks to `n` characters.
   void resize(size_type n, CharT c) {
      if (n <= m_size) {
         set_size(n);
      } else {
         append(n - m_size, c);
      }
   }
   /// Grows with null characters or shrinks to `n` characters.
   void resize(size_type n) { resize(n, CharT()); }
   /// Removes every character (the capacity stays).
   void clear() noexcept { set_size(0); }

   /// Character `n` (unchecked; `s[size()]` is the terminator).
   reference operator[](size_type n) noexcept { return buf()[n]; }
   /// Character `n` (unchecked; `s[size()]` is the terminator).
   const_reference operator[](size_type n) const noexcept { return data()[n]; }
   /// Character `n`; throws std::out_of_range past the end.
   reference at(size_type n) {
      check_index(n);
      return buf()[n];
   }
   /// Character `n`; throws std::out_of_range past the end.
   const_reference at(size_type n) const {
      check_index(n);
      return data()[n];
   }
   /// First character.
   reference front() noexcept { return buf()[0]; }
   /// First character.
   const_reference front() const noexcept { return data()[0]; }
   /// Last character.
   reference back() noexcept { return buf()[m_size - 1]; }
   /// Last character.
   const_reference back() const noexcept { return data()[m_size - 1]; }
   /// The null-terminated characters.
   const CharT *c_str() const noexcept { return data(); }
   /// The null-terminated characters.
   const CharT *data() const noexcept { return m_buf ? detail::raw_address(m_buf) : empty_text(); }
   /// The null-terminated characters, writable.
   CharT *data() noexcept { return buf(); }

   /// Appends `s`.
   basic_string &operator+=(const basic_string &s) { return append(s.data(), s.size()); }
   /// Appends the null-terminated `s`.
   basic_string &operator+=(const CharT *s) { return append(s); }
   /// Appends `c`.
   basic_string &operator+=(CharT c) {
      push_back(c);
      return *this;
   }
   /// Appends the characters of `il`.
   basic_string &operator+=(std::initializer_list<CharT> il) { return append(il.begin(), il.size()); }
   /// Appends a string view (or std::string).
   template <class SV, class = std::enable_if_t<std::is_convertible<const SV &, view_type>::value &&
                                                !std::is_convertible<const SV &, const CharT *>::value &&
                                                !std::is_same<SV, basic_string>::value>>
   basic_string &operator+=(const SV &sv) {
      const view_type v(sv);
      return append(v.data(), v.size());
   }
   /// Appends `s`.
   basic_string &append(const basic_string &s) { return append(s.data(), s.size()); }
   /// Appends `s` from `pos`, at most `n` characters.
   basic_string &append(const basic_string &s, size_type pos, size_type n = npos) {
      s.check_pos(pos);
      return append(s.data() + pos, std::min(n, s.size() - pos));
   }
   /// Appends the first `n` characters at `s` (which may point into this string).
   basic_string &append(const CharT *s, size_type n) {
      if (n <= capacity() - m_size) {
         // Copying from inside this string is fine: the source ends before the target.
         Traits::copy(buf() + m_size, s, n);
         set_size(m_size + n);
      } else {
         const size_type cap = grown_capacity(n);
         pointer fresh = traits::allocate(this->alloc(), cap + 1);
         CharT *dst = detail::raw_address(fresh);
         Traits::copy(dst, data(), m_size);
         Traits::copy(dst + m_size, s, n);
         adopt(fresh, cap + 1, m_size + n);
      }
      return *this;
   }
   /// Appends the null-terminated `s`.
   basic_string &append(const CharT *s) { return append(s, Traits::length(s)); }
   /// Appends `n` copies of `c`.
   basic_string &append(size_type n, CharT c) {
      reserve_more(n);
      Traits::assign(buf() + m_size, n, c);
      set_size(m_size + n);
      return *this;
   }
   /// Appends the characters of `[first, last)`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>> basic_string &append(It first, It last) {
      if constexpr (std::is_pointer<It>::value &&
                    std::is_same<std::remove_cv_t<typename std::iterator_traits<It>::value_type>, CharT>::value) {
         return append(first, static_cast<size_type>(last - first));
      } else if constexpr (detail::is_forward_iterator<It>::value) {
         const size_type n = static_cast<size_type>(std::distance(first, last));
         basic_string tmp(this->alloc());
         tmp.reserve(m_size + n);
         tmp.append(data(), m_size);
         CharT *out = tmp.buf() + m_size;
         for (; first != last; ++first) {
            Traits::assign(*out++, static_cast<CharT>(*first));
         }
         tmp.set_size(m_size + n);
         swap_storage(tmp);
         return *this;
      } else {
         for (; first != last; ++first) {
            push_back(static_cast<CharT>(*first));
         }
         return *this;
      }
   }
   /// Appends the characters of `il`.
   basic_string &append(std::initializer_list<CharT> il) { return append(il.begin(), il.size()); }
   /// Appends a string view (or std::string).
   template <class SV, class = std::enable_if_t<std::is_convertible<const SV &, view_type>::value &&
                                                !std::is_convertible<const SV &, const CharT *>::value &&
                                                !std::is_same<SV, basic_string>::value>>
   basic_string &append(const SV &sv) {
      const view_type v(sv);
      return append(v.data(), v.size());
   }
   /// Appends `c`.
   void push_back(CharT c) {
      if (m_size == capacity()) {
         reserve_more(1);
      }
      Traits::assign(buf()[m_size], c);
      set_size(m_size + 1);
   }
   /// Removes the last character.
   void pop_back() noexcept { set_size(m_size - 1); }

   /// Inserts `s` at `pos`.
   basic_string &insert(size_type pos, const basic_string &s) { return replace(pos, 0, s.data(), s.size()); }
   /// Inserts `s` from `spos`, at most `n` characters, at `pos`.
   basic_string &insert(size_type pos, const basic_string &s, size_type spos, size_type n = npos) {
      s.check_pos(spos);
      return replace(pos, 0, s.data() + spos, std::min(n, s.size() - spos));
   }
   /// Inserts the first `n` characters at `s` at `pos`.
   basic_string &insert(size_type pos, const CharT *s, size_type n) { return replace(pos, 0, s, n); }
   /// Inserts the null-terminated `s` at `pos`.
   basic_string &insert(size_type pos, const CharT *s) { return replace(pos, 0, s, Traits::length(s)); }
   /// Inserts `n` copies of `c` at `pos`.
   basic_string &insert(size_type pos, size_type n, CharT c) { return replace(pos, 0, n, c); }
   /// Inserts `c` before `p`.
   template <class P, if_position<P> = 0> iterator insert(P p, CharT c) {
      const size_type pos = static_cast<size_type>(p - data());
      replace(pos, 0, 1, c);
      return begin() + pos;
   }
   /// Inserts `n` copies of `c` before `p`.
   template <class P, if_position<P> = 0> iterator insert(P p, size_type n, CharT c) {
      const size_type pos = static_cast<size_type>(p - data());
      replace(pos, 0, n, c);
      return begin() + pos;
   }
   /// Inserts the characters of `[first, last)` before `p`.
   template <class It, class = std::enable_if_t<detail::is_input_iterator<It>::value>>
   iterator insert(const_iterator p, It first, It last) {
      const size_type pos = static_cast<size_type>(p - data());
      const basic_string tmp(first, last, this->alloc());
      replace(pos, 0, tmp.data(), tmp.size());
      return begin() + pos;
   }
   /// Inserts the characters of `il` before `p`.
   template <class P, if_position<P> = 0> iterator insert(P p, std::initializer_list<CharT> il) {
      return insert(const_iterator(p), il.begin(), il.end());
   }

   /// Removes `n` characters from `pos` (all the rest by default).
   basic_string &erase(size_type pos = 0, size_type n = npos) {
      check_pos(pos);
      return replace(pos, n, data(), 0);
   }
   /// Removes the character at `p`.
   template <class P, if_position<P> = 0> iterator erase(P p) {
      const size_type pos = static_cast<size_type>(p - data());
      replace(pos, 1, data(), 0);
      return begin() + pos;
   }
   /// Removes the characters of `[first, last)`.
   template <class P, class Q, if_position<P> = 0, if_position<Q> = 0> iterator erase(P first, Q last) {
      const size_type pos = static_cast<size_type>(first - data());
      replace(pos, static_cast<size_type>(last - first), data(), 0);
      return begin() + pos;
   }

   /// Replaces `n1` characters at `pos` by the first `n2` at `s` (which may point into this string).
   basic_string &replace(size_type pos, size_type n1, const CharT *s, size_type n2) {
      check_pos(pos);
      n1 = std::min(n1, m_size - pos);
      if (n2 > max_size() - (m_size - n1)) {
         throw std::length_error("interproc::basic_string: too long");
      }
      const size_type new_size = m_size - n1 + n2;
      const size_type tail = m_size - pos - n1;
      if (new_size > capacity()) {
         const size_type cap = grown_capacity(new_size - m_size);
         pointer fresh = traits::allocate(this->alloc(), cap + 1);
         CharT *dst = detail::raw_address(fresh);
         Traits::copy(dst, data(), pos);
         Traits::copy(dst + pos, s, n2);
         Traits::copy(dst + pos + n2, data() + pos + n1, tail);
         adopt(fresh, cap + 1, new_size);
         return *this;
      }
      CharT *p = buf();
      const bool aliased = std::less_equal<const CharT *>()(p, s) && std::less<const CharT *>()(s, p + m_size);
      if (!aliased) {
         Traits::move(p + pos + n2, p + pos + n1, tail);
         Traits::copy(p + pos, s, n2);
      } else {
         // The source is inside this string: keep a copy while the tail moves.
         const std::basic_string<CharT, Traits> copy(s, n2);
         Traits::move(p + pos + n2, p + pos + n1, tail);
         Traits::copy(p + pos, copy.data(), n2);
      }
      set_size(new_size);
      return *this;
   }
   /// Replaces `n1` characters at `pos` by `s`.
   basic_string &replace(size_type pos, size_type n1, const basic_string &s) { return replace(pos, n1, s.data(), s.size()); }
   /// Replaces `n1` characters at `pos` by `s` from `spos`, at most `n2` characters.
   basic_string &replace(size_type pos, size_type n1, const basic_string &s, size_type spos, size_type n2 = npos) {
      s.check_pos(spos);
      return replace(pos, n1, s.data() + spos, std::min(n2, s.size() - spos));
   }
   /// Replaces `n1` characters at `pos` by the null-terminated `s`.
   basic_string &replace(size_type pos, size_type n1, const CharT *s) { return replace(pos, n1, s, Traits::length(s)); }
   /// Replaces `n1` characters at `pos` by `n2` copies of `c`.
   basic_string &replace(size_type pos, size_type n1, size_type n2, CharT c) {
      const std::basic_string<CharT, Traits> fill(n2, c);
      return replace(pos, n1, fill.data(), n2);
   }
   /// Replaces `[first, last)` by `s`.
   template <class P, class Q, if_position<P> = 0, if_position<Q> = 0>
   basic_string &replace(P first, Q last, const basic_string &s) {
      return replace(static_cast<size_type>(first - data()), static_cast<size_type>(last - first), s.data(), s.size());
   }
   /// Replaces `[first, last)` by the first `n` characters at `s`.
   template <class P, class Q, if_position<P> = 0, if_position<Q> = 0>
   basic_string &replace(P first, Q last, const CharT *s, size_type n) {
      return replace(static_cast<size_type>(first - data()), static_cast<size_type>(last - first), s, n);
   }
   /// Replaces `[first, last)` by the null-terminated `s`.
   template <class P, class Q, if_position<P> = 0, if_position<Q> = 0>
   basic_string &replace(P first, Q last, const CharT *s) {
      return replace(first, last, s, Traits::length(s));
   }
   /// Replaces `[first, last)` by `n` copies of `c`.
   template <class P, class Q, if_position<P> = 0, if_position<Q> = 0>
   basic_string &replace(P first, Q last, size_type n, CharT c) {
      return replace(static_cast<size_type>(first - data()), static_cast<size_type>(last - first), n, c);
   }

   /// Copies at most `n` characters from `pos` to `dest` (no terminator); returns the count.
   size_type copy(CharT *dest, size_type n, size_type pos = 0) const {
      check_pos(pos);
      const size_type len = std::min(n, m_size - pos);
      Traits::copy(dest, data() + pos, len);
      return len;
   }
   /// The characters from `pos`, at most `n` of them, with the same allocator.
   basic_string substr(size_type pos = 0, size_type n = npos) const { return basic_string(*this, pos, n, this->alloc()); }

   /// Exchanges the contents (and the allocators if they propagate on swap).
   void swap(basic_string &other) noexcept {
      detail::swap_alloc(this->alloc(), other.alloc());
      swap_storage(other);
   }
   /// Exchanges two strings.
   friend void swap(basic_string &a, basic_string &b) noexcept { a.swap(b); }

   /// Equal characters.
   friend bool operator==(const basic_string &a, const basic_string &b) noexcept { return a.view() == b.view(); }
   /// Equal to a null-terminated string.
   friend bool operator==(const basic_string &a, const CharT *b) noexcept { return a.view() == view_type(b); }
   /// Equal to a null-terminated string.
   friend bool operator==(const CharT *a, const basic_string &b) noexcept { return view_type(a) == b.view(); }
   /// Not equal.
   friend bool operator!=(const basic_string &a, const basic_string &b) noexcept { return !(a == b); }
   /// Not equal.
   friend bool operator!=(const basic_string &a, const CharT *b) noexcept { return !(a == b); }
   /// Not equal.
   friend bool operator!=(const CharT *a, const basic_string &b) noexcept { return !(a == b); }
   /// Lexicographic order.
   friend bool operator<(const basic_string &a, const basic_string &b) noexcept { return a.view() < b.view(); }
   /// Lexicographic order.
   friend bool operator<(const basic_string &a, const CharT *b) noexcept { return a.view() < view_type(b); }
   /// Lexicographic order.
   friend bool operator<(const CharT *a, const basic_string &b) noexcept { return view_type(a) < b.view(); }
   /// Lexicographic order.
   friend bool operator>(const basic_string &a, const basic_string &b) noexcept { return b < a; }
   /// Lexicographic order.
   friend bool operator>(const basic_string &a, const CharT *b) noexcept { return b < a; }
   /// Lexicographic order.
   friend bool operator>(const CharT *a, const basic_string &b) noexcept { return b < a; }
   /// Lexicographic order.
   friend bool operator<=(const basic_string &a, const basic_string &b) noexcept { return !(b < a); }
   /// Lexicographic order.
   friend bool operator<=(const basic_string &a, const CharT *b) noexcept { return !(b < a); }
   /// Lexicographic order.
   friend bool operator<=(const CharT *a, const basic_string &b) noexcept { return !(b < a); }
   /// Lexicographic order.
   friend bool operator>=(const basic_string &a, const basic_string &b) noexcept { return !(a < b); }
   /// Lexicographic order.
   friend bool operator>=(const basic_string &a, const CharT *b) noexcept { return !(a < b); }
   /// Lexicographic order.
   friend bool operator>=(const CharT *a, const basic_string &b) noexcept { return !(a < b); }

   /// Equal to a std::basic_string.
   template <class SA> friend bool operator==(const basic_string &a, const std::basic_string<CharT, Traits, SA> &b) noexcept {
      return a.view() == view_type(b.data(), b.size());
   }
   /// Equal to a std::basic_string.
   template <class SA> friend bool operator==(const std::basic_string<CharT, Traits, SA> &a, const basic_string &b) noexcept {
      return b == a;
   }
   /// Not equal to a std::basic_string.
   template <class SA> friend bool operator!=(const basic_string &a, const std::basic_string<CharT, Traits, SA> &b) noexcept {
      return !(a == b);
   }
   /// Not equal to a std::basic_string.
   template <class SA> friend bool operator!=(const std::basic_string<CharT, Traits, SA> &a, const basic_string &b) noexcept {
      return !(b == a);
   }
   /// Lexicographic order against a std::basic_string.
   template <class SA> friend bool operator<(const basic_string &a, const std::basic_string<CharT, Traits, SA> &b) noexcept {
      return a.view() < view_type(b.data(), b.size());
   }
   /// Lexicographic order against a std::basic_string.
   template <class SA> friend bool operator<(const std::basic_string<CharT, Traits, SA> &a, const basic_string &b) noexcept {
      return view_type(a.data(), a.size()) < b.view();
   }

   /// Concatenation (the result uses `a`'s allocator).
   friend basic_string operator+(const basic_string &a, const basic_string &b) {
      basic_string r(traits::select_on_container_copy_construction(a.alloc()));
      r.reserve(a.size() + b.size());
      r.append(a.data(), a.size());
      r.append(b.data(), b.size());
      return r;
   }
   /// Concatenation.
   friend basic_string operator+(basic_string &&a, const basic_string &b) { return std::move(a.append(b)); }
   /// Concatenation.
   friend basic_string operator+(const basic_string &a, const CharT *b) {
      basic_string r(a);
      r.append(b);
      return r;
   }
   /// Concatenation.
   friend basic_string operator+(basic_string &&a, const CharT *b) { return std::move(a.append(b)); }
   /// Concatenation.
   friend basic_string operator+(const CharT *a, const basic_string &b) {
      basic_string r(traits::select_on_container_copy_construction(b.alloc()));
      r.append(a);
      r.append(b);
      return r;
   }
   /// Concatenation.
   friend basic_string operator+(const basic_string &a, CharT c) {
      basic_string r(a);
      r.push_back(c);
      return r;
   }
   /// Concatenation.
   friend basic_string operator+(basic_string &&a, CharT c) {
      a.push_back(c);
      return std::move(a);
   }
   /// Concatenation.
   friend basic_string operator+(CharT c, const basic_string &b) {
      basic_string r(traits::select_on_container_copy_construction(b.alloc()));
      r.push_back(c);
      r.append(b);
      return r;
   }

   /// Writes the characters.
   friend std::basic_ostream<CharT, Traits> &operator<<(std::basic_ostream<CharT, Traits> &os, const basic_string &s) {
      return os << s.view();
   }
   /// Reads one whitespace-delimited word.
   friend std::basic_istream<CharT, Traits> &operator>>(std::basic_istream<CharT, Traits> &is, basic_string &s) {
      std::basic_string<CharT, Traits> word;
      is >> word;
      if (is) {
         s.assign(word.data(), word.size());
      }
      return is;
   }

private:
   using search::check_pos;
   using search::view;
   static const CharT *empty_text() noexcept {
      static const CharT nothing = CharT();
      return &nothing;
   }
   /// The writable characters; an empty string without a buffer hands out the shared
   /// terminator, which nothing writes to (every write first makes room).
   CharT *buf() noexcept { return const_cast<CharT *>(static_cast<const basic_string *>(this)->data()); }
   void check_index(size_type n) const {
      if (n >= m_size) {
         throw std::out_of_range("interproc::basic_string::at: index out of range");
      }
   }
   void set_size(size_type n) noexcept {
      m_size = n;
      if (m_buf) {
         Traits::assign(detail::raw_address(m_buf)[n], CharT());
      }
   }
   size_type grown_capacity(size_type extra) const {
      const size_type limit = max_size();
      if (extra > limit - m_size) {
         throw std::length_error("interproc::basic_string: too long");
      }
      const size_type want = m_size + extra;
      const size_type cap = capacity();
      const size_type doubled = cap > limit / 2 ? limit : cap * 2;
      return std::max<size_type>(std::max(want, doubled), 15);
   }
   void reserve_more(size_type extra) {
      if (extra > capacity() - m_size) {
         reallocate(grown_capacity(extra));
      }
   }
   /// Moves the characters into a new buffer for `cap` characters plus the terminator.
   void reallocate(size_type cap) {
      pointer fresh = traits::allocate(this->alloc(), cap + 1);
      Traits::copy(detail::raw_address(fresh), data(), m_size);
      adopt(fresh, cap + 1, m_size);
   }
   void adopt(pointer fresh, size_type slots, size_type new_size) noexcept {
      release();
      m_buf = fresh;
      m_capacity = slots;
      set_size(new_size);
   }
   void release() noexcept {
      if (m_buf) {
         traits::deallocate(this->alloc(), m_buf, m_capacity);
      }
      m_buf = pointer();
      m_capacity = 0;
   }
   void swap_storage(basic_string &other) noexcept {
      pointer p = m_buf;
      m_buf = other.m_buf;
      other.m_buf = p;
      std::swap(m_size, other.m_size);
      std::swap(m_capacity, other.m_capacity);
   }

   pointer m_buf;
   size_type m_size;
   size_type m_capacity; // allocated characters, the terminator's slot included (0: none)
};

/// Reads a line into `s` (up to `delim`, which is dropped).
template <class CharT, class Traits, class A>
std::basic_istream<CharT, Traits> &getline(std::basic_istream<CharT, Traits> &is, basic_string<CharT, Traits, A> &s, CharT delim) {
   std::basic_string<CharT, Traits> line;
   if (std::getline(is, line, delim)) {
      s.assign(line.data(), line.size());
   }
   return is;
}
/// Reads a line into `s`.
template <class CharT, class Traits, class A>
std::basic_istream<CharT, Traits> &getline(std::basic_istream<CharT, Traits> &is, basic_string<CharT, Traits, A> &s) {
   return getline(is, s, is.widen('\n'));
}

/// The hash `boost::hash` gives a string (found by argument-dependent lookup): Boost's
/// `hash_range` over the characters, as Boost.Container's strings are hashed, so an interproc
/// string and a std::string with the same characters hash alike. `boost::hash_range` is only
/// declared here (no Boost header is included): a program calling this must include
/// <boost/container_hash/hash.hpp>, as any program using `boost::hash` does.
template <class CharT, class Traits, class A> inline std::size_t hash_value(const basic_string<CharT, Traits, A> &s) {
   return ::boost::hash_range(s.begin(), s.end());
}

/// A string of char with std::allocator.
typedef basic_string<char> string;
/// A string of wchar_t with std::allocator.
typedef basic_string<wchar_t> wstring;

} // namespace interproc

namespace std {
/// Hashes interproc strings as their characters are hashed as a string_view.
template <class CharT, class Traits, class A> struct hash<interproc::basic_string<CharT, Traits, A>> {
   /// The hash of the characters.
   std::size_t operator()(const interproc::basic_string<CharT, Traits, A> &s) const noexcept {
      return std::hash<std::basic_string_view<CharT, Traits>>()(std::basic_string_view<CharT, Traits>(s.data(), s.size()));
   }
};
} // namespace std

#endif // INTERPROC_CONTAINERS_STRING_HPP
