// interproc C++ wrapper: flat_map and flat_multimap, as in
// <boost/interprocess/containers/flat_map.hpp>.
#ifndef INTERPROC_CONTAINERS_FLAT_MAP_HPP
#define INTERPROC_CONTAINERS_FLAT_MAP_HPP

#include <interproc/containers/detail/flat_tree.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace interproc {

/// An ordered map of unique keys kept in a sorted vector of `std::pair<Key, T>` (as in
/// Boost, the key is not const), usable in shared memory.
template <class Key, class T, class Compare = std::less<Key>, class Allocator = std::allocator<std::pair<Key, T>>>
class flat_map : public detail::flat_tree<Key, std::pair<Key, T>, detail::flat_pair_first_key, Compare, Allocator, false> {
   typedef detail::flat_tree<Key, std::pair<Key, T>, detail::flat_pair_first_key, Compare, Allocator, false> base_type;

public:
   typedef T mapped_type;
   typedef typename base_type::iterator iterator;
   typedef typename base_type::const_iterator const_iterator;
   typedef typename base_type::key_type key_type;
   using base_type::base_type;
   /// An empty flat_map.
   flat_map() : base_type() {}
   /// Replaces the values with those of `il`.
   flat_map &operator=(std::initializer_list<std::pair<Key, T>> il) {
      this->clear();
      this->insert(il);
      return *this;
   }

   /// The value of key `k`, inserted value-initialized if missing.
   T &operator[](const key_type &k) { return try_emplace(k).first->second; }
   /// The value of key `k`; throws std::out_of_range if missing.
   T &at(const key_type &k) {
      iterator it = this->find(k);
      if (it == this->end()) {
         throw std::out_of_range("interproc::flat_map::at: key not found");
      }
      return it->second;
   }
   /// The value of key `k`; throws std::out_of_range if missing.
   const T &at(const key_type &k) const {
      const_iterator it = this->find(k);
      if (it == this->end()) {
         throw std::out_of_range("interproc::flat_map::at: key not found");
      }
      return it->second;
   }
   /// Inserts `(k, T(args...))` unless `k` is present.
   template <class... Args> std::pair<iterator, bool> try_emplace(const key_type &k, Args &&...args) {
      return emplace_key(k, std::forward<Args>(args)...);
   }
   /// Inserts `(std::move(k), T(args...))` unless `k` is present.
   template <class... Args> std::pair<iterator, bool> try_emplace(key_type &&k, Args &&...args) {
      return emplace_key(std::move(k), std::forward<Args>(args)...);
   }
   /// Inserts `(k, v)`, or assigns `v` to the value of `k` if present.
   template <class M> std::pair<iterator, bool> insert_or_assign(const key_type &k, M &&v) {
      return assign_key(k, std::forward<M>(v));
   }
   /// Inserts `(std::move(k), v)`, or assigns `v` to the value of `k` if present.
   template <class M> std::pair<iterator, bool> insert_or_assign(key_type &&k, M &&v) {
      return assign_key(std::move(k), std::forward<M>(v));
   }

private:
   template <class K, class... Args> std::pair<iterator, bool> emplace_key(K &&k, Args &&...args) {
      const auto pos = this->unique_position(k);
      if (!pos.second) {
         return {pos.first, false};
      }
      iterator it = this->m_seq.emplace(pos.first, std::piecewise_construct, std::forward_as_tuple(std::forward<K>(k)),
                                        std::forward_as_tuple(std::forward<Args>(args)...));
      return {it, true};
   }
   template <class K, class M> std::pair<iterator, bool> assign_key(K &&k, M &&v) {
      const auto pos = this->unique_position(k);
      if (!pos.second) {
         pos.first->second = std::forward<M>(v);
         return {pos.first, false};
      }
      return emplace_key(std::forward<K>(k), std::forward<M>(v));
   }
};

/// An ordered multimap (equal keys allowed) kept in a sorted vector.
template <class Key, class T, class Compare = std::less<Key>, class Allocator = std::allocator<std::pair<Key, T>>>
class flat_multimap : public detail::flat_tree<Key, std::pair<Key, T>, detail::flat_pair_first_key, Compare, Allocator, true> {
   typedef detail::flat_tree<Key, std::pair<Key, T>, detail::flat_pair_first_key, Compare, Allocator, true> base_type;

public:
   typedef T mapped_type;
   using base_type::base_type;
   /// An empty flat_multimap.
   flat_multimap() : base_type() {}
   /// Replaces the values with those of `il`.
   flat_multimap &operator=(std::initializer_list<std::pair<Key, T>> il) {
      this->clear();
      this->insert(il);
      return *this;
   }
};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_FLAT_MAP_HPP
