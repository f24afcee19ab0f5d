// interproc C++ wrapper: flat_set and flat_multiset, as in
// <boost/interprocess/containers/flat_set.hpp>.
#ifndef INTERPROC_CONTAINERS_FLAT_SET_HPP
#define INTERPROC_CONTAINERS_FLAT_SET_HPP

#include <interproc/containers/detail/flat_tree.hpp>

#include <functional>
#include <initializer_list>
#include <memory>

namespace interproc {

/// An ordered set of unique keys kept in a sorted vector (offset_ptr storage in a segment).
template <class Key, class Compare = std::less<Key>, class Allocator = std::allocator<Key>>
class flat_set : public detail::flat_tree<Key, Key, detail::identity_key, Compare, Allocator, false> {
   typedef detail::flat_tree<Key, Key, detail::identity_key, Compare, Allocator, false> base_type;

public:
   typedef Compare value_compare;
   using base_type::base_type;
   /// An empty flat_set.
   flat_set() : base_type() {}
   /// Replaces the keys with those of `il`.
   flat_set &operator=(std::initializer_list<Key> il) {
      this->clear();
      this->insert(il);
      return *this;
   }
   /// The key ordering, for values.
   value_compare value_comp() const { return this->key_comp(); }
};

/// An ordered multiset (equal keys allowed) kept in a sorted vector.
template <class Key, class Compare = std::less<Key>, class Allocator = std::allocator<Key>>
class flat_multiset : public detail::flat_tree<Key, Key, detail::identity_key, Compare, Allocator, true> {
   typedef detail::flat_tree<Key, Key, detail::identity_key, Compare, Allocator, true> base_type;

public:
   typedef Compare value_compare;
   using base_type::base_type;
   /// An empty flat_multiset.
   flat_multiset() : base_type() {}
   /// Replaces the keys with those of `il`.
   flat_multiset &operator=(std::initializer_list<Key> il) {
      this->clear();
      this->insert(il);
      return *this;
   }
   /// The key ordering, for values.
   value_compare value_comp() const { return this->key_comp(); }
};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_FLAT_SET_HPP
