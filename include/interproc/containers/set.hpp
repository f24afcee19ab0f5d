// interproc C++ wrapper: set and multiset, as in <boost/interprocess/containers/set.hpp>.
#ifndef INTERPROC_CONTAINERS_SET_HPP
#define INTERPROC_CONTAINERS_SET_HPP

#include <interproc/containers/detail/tree.hpp>

#include <functional>
#include <initializer_list>
#include <memory>

namespace interproc {

/// An ordered set of unique keys in a red-black tree whose links are the allocator's
/// pointer type (offset_ptr in a segment), so it works in shared memory.
template <class Key, class Compare = std::less<Key>, class Allocator = std::allocator<Key>>
class set : public detail::tree_container<Key, Key, detail::identity_key, Compare, Allocator, false> {
   typedef detail::tree_container<Key, Key, detail::identity_key, Compare, Allocator, false> base_type;

public:
   typedef Compare value_compare;
   using base_type::base_type;
   /// An empty set.
   set() : base_type() {}
   /// Replaces the keys with those of `il`.
   set &operator=(std::initializer_list<Key> il) {
      this->clear();
      this->insert(il);
      return *this;
   }
   /// The key ordering, for values.
   value_compare value_comp() const { return this->key_comp(); }
};

/// An ordered multiset (equal keys allowed) in a red-black tree, usable in shared memory.
template <class Key, class Compare = std::less<Key>, class Allocator = std::allocator<Key>>
class multiset : public detail::tree_container<Key, Key, detail::identity_key, Compare, Allocator, true> {
   typedef detail::tree_container<Key, Key, detail::identity_key, Compare, Allocator, true> base_type;

public:
   typedef Compare value_compare;
   using base_type::base_type;
   /// An empty multiset.
   multiset() : base_type() {}
   /// Replaces the keys with those of `il`.
   multiset &operator=(std::initializer_list<Key> il) {
      this->clear();
      this->insert(il);
      return *this;
   }
   /// The key ordering, for values.
   value_compare value_comp() const { return this->key_comp(); }
};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_SET_HPP
