// interproc C++ wrapper: map and multimap, as in <boost/interprocess/containers/map.hpp>.
#ifndef INTERPROC_CONTAINERS_MAP_HPP
#define INTERPROC_CONTAINERS_MAP_HPP

#include <interproc/containers/detail/tree.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace interproc {
namespace detail {

/// Orders map values by their keys.
template <class Value, class Compare> class map_value_compare {
public:
   /// Compares with `c`.
   explicit map_value_compare(const Compare &c) : m_comp(c) {}
   /// Whether `a`'s key orders before `b`'s.
   bool operator()(const Value &a, const Value &b) const { return m_comp(a.first, b.first); }

private:
   Compare m_comp;
};

} // namespace detail

/// An ordered map of unique keys to values in a red-black tree whose links are the
/// allocator's pointer type (offset_ptr in a segment), so it works in shared memory.
template <class Key, class T, class Compare = std::less<Key>, class Allocator = std::allocator<std::pair<const Key, T>>>
class map : public detail::tree_container<Key, std::pair<const Key, T>, detail::pair_first_key, Compare, Allocator, false> {
   typedef detail::tree_container<Key, std::pair<const Key, T>, detail::pair_first_key, Compare, Allocator, false> base_type;

public:
   typedef T mapped_type;
   typedef detail::map_value_compare<std::pair<const Key, T>, Compare> value_compare;
   typedef typename base_type::iterator iterator;
   typedef typename base_type::const_iterator const_iterator;
   typedef typename base_type::key_type key_type;
   using base_type::base_type;
   /// An empty map.
   map() : base_type() {}
   /// Replaces the values with those of `il`.
   map &operator=(std::initializer_list<std::pair<const Key, T>> il) {
      this->clear();
      this->insert(il);
      return *this;
   }
   /// The key ordering, for values.
   value_compare value_comp() const { return value_compare(this->key_comp()); }

   /// The value of key `k`, inserted value-initialized if missing.
   T &operator[](const key_type &k) { return try_emplace(k).first->second; }
   /// The value of key `k` (moved in), inserted value-initialized if missing.
   T &operator[](key_type &&k) { return try_emplace(std::move(k)).first->second; }
   /// The value of key `k`; throws std::out_of_range if missing.
   T &at(const key_type &k) {
      iterator it = this->find(k);
      if (it == this->end()) {
         throw std::out_of_range("interproc::map::at: key not found");
      }
      return it->second;
   }
   /// The value of key `k`; throws std::out_of_range if missing.
   const T &at(const key_type &k) const {
      const_iterator it = this->find(k);
      if (it == this->end()) {
         throw std::out_of_range("interproc::map::at: key not found");
      }
      return it->second;
   }
   /// Inserts `(k, T(args...))` unless `k` is present (then nothing is built or moved).
   template <class... Args> std::pair<iterator, bool> try_emplace(const key_type &k, Args &&...args) {
      return emplace_key(k, std::forward<Args>(args)...);
   }
   /// Inserts `(std::move(k), T(args...))` unless `k` is present.
   template <class... Args> std::pair<iterator, bool> try_emplace(key_type &&k, Args &&...args) {
      return emplace_key(std::move(k), std::forward<Args>(args)...);
   }
   /// With a transparent `Compare` (one that has `is_transparent`), inserts
   /// `(key_type(k), T(args...))` unless a key equivalent to `k` is present: the key is
   /// built only when it is inserted, with the map's allocator when it takes one (newer
   /// Boost.Container's heterogeneous `try_emplace`).
   template <class K, class... Args, class C = Compare,
             class = std::enable_if_t<detail::is_transparent<C>::value && !std::is_convertible<K &&, const_iterator>::value &&
                                      !std::is_convertible<K &&, iterator>::value>>
   std::pair<iterator, bool> try_emplace(K &&k, Args &&...args) {
      return emplace_key(std::forward<K>(k), std::forward<Args>(args)...);
   }
   /// As `try_emplace`; the hint is accepted and not needed.
   template <class... Args> iterator try_emplace(const_iterator, const key_type &k, Args &&...args) {
      return emplace_key(k, std::forward<Args>(args)...).first;
   }
   /// As `try_emplace`; the hint is accepted and not needed.
   template <class... Args> iterator try_emplace(const_iterator, key_type &&k, Args &&...args) {
      return emplace_key(std::move(k), std::forward<Args>(args)...).first;
   }
   /// Inserts `(k, v)`, or assigns `v` to the value of `k` if present.
   template <class M> std::pair<iterator, bool> insert_or_assign(const key_type &k, M &&v) {
      return assign_key(k, std::forward<M>(v));
   }
   /// Inserts `(std::move(k), v)`, or assigns `v` to the value of `k` if present.
   template <class M> std::pair<iterator, bool> insert_or_assign(key_type &&k, M &&v) {
      return assign_key(std::move(k), std::forward<M>(v));
   }
   /// As `insert_or_assign`; the hint is accepted and not needed.
   template <class M> iterator insert_or_assign(const_iterator, const key_type &k, M &&v) {
      return assign_key(k, std::forward<M>(v)).first;
   }
   /// As `insert_or_assign`; the hint is accepted and not needed.
   template <class M> iterator insert_or_assign(const_iterator, key_type &&k, M &&v) {
      return assign_key(std::move(k), std::forward<M>(v)).first;
   }

private:
   template <class K, class... Args> std::pair<iterator, bool> emplace_key(K &&k, Args &&...args) {
      const auto pos = this->unique_position(k);
      if (!pos.second) {
         return {iterator(pos.first), false};
      }
      auto *n = this->create_node(std::piecewise_construct, std::forward_as_tuple(std::forward<K>(k)),
                                  std::forward_as_tuple(std::forward<Args>(args)...));
      this->link_before(n, pos.first);
      return {iterator(n), true};
   }
   template <class K, class M> std::pair<iterator, bool> assign_key(K &&k, M &&v) {
      const auto pos = this->unique_position(k);
      if (!pos.second) {
         iterator it(pos.first);
         it->second = std::forward<M>(v);
         return {it, false};
      }
      return emplace_key(std::forward<K>(k), std::forward<M>(v));
   }
};

/// An ordered multimap (equal keys allowed) in a red-black tree, usable in shared memory.
template <class Key, class T, class Compare = std::less<Key>, class Allocator = std::allocator<std::pair<const Key, T>>>
class multimap : public detail::tree_container<Key, std::pair<const Key, T>, detail::pair_first_key, Compare, Allocator, true> {
   typedef detail::tree_container<Key, std::pair<const Key, T>, detail::pair_first_key, Compare, Allocator, true> base_type;

public:
   typedef T mapped_type;
   typedef detail::map_value_compare<std::pair<const Key, T>, Compare> value_compare;
   using base_type::base_type;
   /// An empty multimap.
   multimap() : base_type() {}
   /// Replaces the values with those of `il`.
   multimap &operator=(std::initializer_list<std::pair<const Key, T>> il) {
      this->clear();
      this->insert(il);
      return *this;
   }
   /// The key ordering, for values.
   value_compare value_comp() const { return value_compare(this->key_comp()); }
};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_MAP_HPP
