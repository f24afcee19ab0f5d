// interproc C++ wrapper: the sorted vector behind flat_set, flat_multiset, flat_map and
// flat_multimap (not part of the public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_FLAT_TREE_HPP
#define INTERPROC_CONTAINERS_DETAIL_FLAT_TREE_HPP

#include <interproc/containers/detail/reversible_range.hpp>
#include <interproc/containers/detail/sequence_comparisons.hpp>
#include <interproc/containers/detail/tree.hpp>
#include <interproc/containers/vector.hpp>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// An associative container kept as a sorted interproc::vector; `Multi` allows equal keys.
/// `flat_tree` (below) adds the constructors and inserts written
/// in terms of `emplace`.
template <class Key, class Value, class KeyOfValue, class Compare, class A, bool Multi>
class flat_tree_core : public reversible_range<flat_tree_core<Key, Value, KeyOfValue, Compare, A, Multi>>,
                       public sequence_comparisons<flat_tree_core<Key, Value, KeyOfValue, Compare, A, Multi>> {
   typedef interproc::vector<Value, A> sequence;

public:
   typedef Key key_type;
   typedef Value value_type;
   typedef Compare key_compare;
   typedef A allocator_type;
   typedef A stored_allocator_type;
   typedef typename sequence::pointer pointer;
   typedef typename sequence::const_pointer const_pointer;
   typedef Value &reference;
   typedef const Value &const_reference;
   typedef typename sequence::size_type size_type;
   typedef typename sequence::difference_type difference_type;
   typedef std::conditional_t<std::is_same<Key, Value>::value, const Value *, Value *> iterator;
   typedef const Value *const_iterator;
   typedef std::reverse_iterator<iterator> reverse_iterator;
   typedef std::reverse_iterator<const_iterator> const_reverse_iterator;
   typedef std::conditional_t<Multi, iterator, std::pair<iterator, bool>> insert_return;

   /// An empty container.
   flat_tree_core() : m_comp(), m_seq() {}
   /// An empty container ordered by `comp`, allocating with `a`.
   explicit flat_tree_core(const Compare &comp, const allocator_type &a = allocator_type()) : m_comp(comp), m_seq(a) {}
   /// An empty container allocating with `a`.
   explicit flat_tree_core(const allocator_type &a) : m_comp(), m_seq(a) {}
   /// The values of the sorted range `[first, last)`, taken as they are (linear time).
   template <class It, class = std::enable_if_t<is_input_iterator<It>::value>>
   flat_tree_core(ordered_range_t, It first, It last, const Compare &comp = Compare(), const allocator_type &a = allocator_type())
      : m_comp(comp), m_seq(first, last, a) {}
   /// A copy of `other`.
   flat_tree_core(const flat_tree_core &other) = default;
   /// A copy of `other` allocating with `a`.
   flat_tree_core(const flat_tree_core &other, const allocator_type &a) : m_comp(other.m_comp), m_seq(other.m_seq, a) {}
   /// Takes `other`'s values.
   flat_tree_core(flat_tree_core &&other) noexcept = default;
   /// Takes `other`'s values, allocating with `a`.
   flat_tree_core(flat_tree_core &&other, const allocator_type &a) : m_comp(other.m_comp), m_seq(std::move(other.m_seq), a) {}
   /// Copies `other`'s values.
   flat_tree_core &operator=(const flat_tree_core &other) = default;
   /// Takes `other`'s values.
   flat_tree_core &operator=(flat_tree_core &&other) = default;

   /// A copy of the allocator.
   allocator_type get_allocator() const noexcept { return m_seq.get_allocator(); }
   /// The allocator itself.
   stored_allocator_type &get_stored_allocator() noexcept { return m_seq.get_stored_allocator(); }
   /// The allocator itself.
   const stored_allocator_type &get_stored_allocator() const noexcept { return m_seq.get_stored_allocator(); }
   /// The key ordering.
   key_compare key_comp() const { return m_comp; }

   /// First value.
   iterator begin() noexcept { return m_seq.begin(); }
   /// First value.
   const_iterator begin() const noexcept { return m_seq.begin(); }
   /// Past the last value.
   iterator end() noexcept { return m_seq.end(); }
   /// Past the last value.
   const_iterator end() const noexcept { return m_seq.end(); }
   /// The iterator at index `n`.
   iterator nth(size_type n) noexcept { return begin() + n; }
   /// The iterator at index `n`.
   const_iterator nth(size_type n) const noexcept { return begin() + n; }
   /// The index of an iterator.
   size_type index_of(const_iterator p) const noexcept { return static_cast<size_type>(p - begin()); }

   /// Whether it holds no values.
   bool empty() const noexcept { return m_seq.empty(); }
   /// Number of values.
   size_type size() const noexcept { return m_seq.size(); }
   /// Largest possible number of values.
   size_type max_size() const noexcept { return m_seq.max_size(); }
   /// Number of values that fit without reallocating.
   size_type capacity() const noexcept { return m_seq.capacity(); }
   /// Makes room for `n` values.
   void reserve(size_type n) { m_seq.reserve(n); }
   /// Frees unused capacity.
   void shrink_to_fit() { m_seq.shrink_to_fit(); }

   /// Inserts a value built from `args` (for unique keys: unless the key is present).
   template <class... Args> insert_return emplace(Args &&...args) {
      // Build the value where it will stay at the end, then rotate it into place.
      m_seq.emplace_back(std::forward<Args>(args)...);
      Value *last = m_seq.end() - 1;
      const Key &k = KeyOfValue()(*last);
      Value *pos;
      if constexpr (Multi) {
         pos = upper_in(m_seq.begin(), static_cast<size_type>(last - m_seq.begin()), k);
      } else {
         pos = lower_in(m_seq.begin(), static_cast<size_type>(last - m_seq.begin()), k);
         if (pos != last && !m_comp(k, KeyOfValue()(*pos))) {
            m_seq.pop_back();
            return insert_return(iterator(pos), false);
         }
      }
      std::rotate(pos, last, m_seq.end());
      if constexpr (Multi) {
         return iterator(pos);
      } else {
         return insert_return(iterator(pos), true);
      }
   }
   /// As `insert(v)`; the hint is accepted and not needed.
   iterator insert(const_iterator, const value_type &v) { return iterator_of(insert_value(v)); }
   /// As `insert(std::move(v))`; the hint is accepted and not needed.
   iterator insert(const_iterator, value_type &&v) { return iterator_of(insert_value(std::move(v))); }

   /// Removes the value at `pos`; returns the iterator after it.
   iterator erase(const_iterator pos) { return iterator(m_seq.erase(pos)); }
   /// Removes the values of `[first, last)`.
   iterator erase(const_iterator first, const_iterator last) { return iterator(m_seq.erase(first, last)); }
   /// Removes the values with key `k`; returns how many.
   size_type erase(const key_type &k) {
      const auto r = equal_range(k);
      const size_type n = static_cast<size_type>(r.second - r.first);
      m_seq.erase(r.first, r.second);
      return n;
   }
   /// Removes every value.
   void clear() noexcept { m_seq.clear(); }
   /// Exchanges the contents.
   void swap(flat_tree_core &other) noexcept {
      std::swap(m_comp, other.m_comp);
      m_seq.swap(other.m_seq);
   }
   /// Exchanges two containers.
   friend void swap(flat_tree_core &a, flat_tree_core &b) noexcept { a.swap(b); }

   /// The value with key `k`, or end().
   iterator find(const key_type &k) { return iterator(find_pos(k)); }
   /// The value with key `k`, or end().
   const_iterator find(const key_type &k) const { return find_pos(k); }
   /// Number of values with key `k`.
   size_type count(const key_type &k) const {
      const auto r = equal_range(k);
      return static_cast<size_type>(r.second - r.first);
   }
   /// Whether a value has key `k`.
   bool contains(const key_type &k) const { return find_pos(k) != end(); }
   /// First value whose key is not less than `k`.
   iterator lower_bound(const key_type &k) { return iterator(lower_pos(k)); }
   /// First value whose key is not less than `k`.
   const_iterator lower_bound(const key_type &k) const { return lower_pos(k); }
   /// First value whose key is greater than `k`.
   iterator upper_bound(const key_type &k) { return iterator(upper_pos(k)); }
   /// First value whose key is greater than `k`.
   const_iterator upper_bound(const key_type &k) const { return upper_pos(k); }
   /// The values with key `k`.
   std::pair<iterator, iterator> equal_range(const key_type &k) { return {lower_bound(k), upper_bound(k)}; }
   /// The values with key `k`.
   std::pair<const_iterator, const_iterator> equal_range(const key_type &k) const { return {lower_bound(k), upper_bound(k)}; }

protected:
   template <class V> insert_return insert_value(V &&v) {
      if constexpr (Multi) {
         Value *pos = upper_pos(KeyOfValue()(v));
         return iterator(m_seq.insert(pos, std::forward<V>(v)));
      } else {
         Value *pos = lower_pos(KeyOfValue()(v));
         if (pos != m_seq.end() && !m_comp(KeyOfValue()(v), KeyOfValue()(*pos))) {
            return insert_return(iterator(pos), false);
         }
         return insert_return(iterator(m_seq.insert(pos, std::forward<V>(v))), true);
      }
   }

   /// The insertion point for a unique key `k`: (position, whether it is free).
   std::pair<Value *, bool> unique_position(const Key &k) {
      Value *pos = lower_pos(k);
      return {pos, pos == m_seq.end() || m_comp(k, KeyOfValue()(*pos))};
   }

   /// First of the `n` values at `first` whose key is not less than `k`.
   Value *lower_in(Value *first, size_type n, const Key &k) const {
      while (n > 0) {
         const size_type half = n / 2;
         if (m_comp(KeyOfValue()(first[half]), k)) {
            first += half + 1;
            n -= half + 1;
         } else {
            n = half;
         }
      }
      return first;
   }
   /// First of the `n` values at `first` whose key is greater than `k`.
   Value *upper_in(Value *first, size_type n, const Key &k) const {
      while (n > 0) {
         const size_type half = n / 2;
         if (!m_comp(k, KeyOfValue()(first[half]))) {
            first += half + 1;
            n -= half + 1;
         } else {
            n = half;
         }
      }
      return first;
   }
   Value *lower_pos(const Key &k) const { return lower_in(const_cast<Value *>(m_seq.data()), m_seq.size(), k); }
   Value *upper_pos(const Key &k) const { return upper_in(const_cast<Value *>(m_seq.data()), m_seq.size(), k); }
   Value *find_pos(const Key &k) const {
      Value *pos = lower_pos(k);
      Value *last = const_cast<Value *>(m_seq.data()) + m_seq.size();
      return (pos == last || m_comp(k, KeyOfValue()(*pos))) ? last : pos;
   }


   Compare m_comp;
   sequence m_seq;
};

/// Gets a flat map's key: the pair's first.
struct flat_pair_first_key {
   template <class P> const typename P::first_type &operator()(const P &p) const noexcept { return p.first; }
};

/// The sorted vector with the constructors and inserts written in terms of `emplace`: the base of flat_set, flat_multiset, flat_map and flat_multimap.
template <class Key, class Value, class KeyOfValue, class Compare, class A, bool Multi>
using flat_tree = associative_inserts<flat_tree_core<Key, Value, KeyOfValue, Compare, A, Multi>>;

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_FLAT_TREE_HPP
