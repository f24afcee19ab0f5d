// interproc C++ wrapper: the constructors and members of the associative containers that
// insert through the container's own `emplace`, written once over the red-black tree and
// the sorted vector (not part of the public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_ASSOCIATIVE_INSERTS_HPP
#define INTERPROC_CONTAINERS_DETAIL_ASSOCIATIVE_INSERTS_HPP

#include <interproc/containers/detail/uses_allocator.hpp>

#include <initializer_list>
#include <type_traits>
#include <utility>

namespace interproc {
namespace detail {

/// The iterator of an insertion's result: a multi container's iterator as it is.
template <class It> It iterator_of(const It &it) noexcept { return it; }
/// The iterator of an insertion's result: the iterator of a unique container's pair.
template <class It> It iterator_of(const std::pair<It, bool> &r) noexcept { return r.first; }

/// The associative container `Core` (a red-black tree or a sorted vector) with what is
/// written in terms of its `emplace` and `insert_value` (a protected member that inserts a
/// value, for unique keys unless its key is present, and may look the key up before
/// building anything): the constructors from a range or an initializer list (an empty
/// `Core` from the ordering and the allocator, then `insert`), `emplace_hint`, and the
/// `insert` overloads but the hinted ones, which `Core` gives. `Core` gives every other
/// constructor, which this class inherits.
template <class Core> class associative_inserts : public Core {
public:
   // The core's own public types, named here for the members below.
   typedef typename Core::key_compare key_compare;
   typedef typename Core::allocator_type allocator_type;
   typedef typename Core::value_type value_type;
   typedef typename Core::insert_return insert_return;

   /// An empty container.
   associative_inserts() = default;
   using Core::Core;
   /// The values of `[first, last)`.
   template <class It, class = std::enable_if_t<is_input_iterator<It>::value>>
   associative_inserts(It first, It last, const key_compare &comp = key_compare(), const allocator_type &a = allocator_type())
      : Core(comp, a) {
      insert(first, last);
   }
   /// The values of `[first, last)`, allocating with `a`.
   template <class It, class = std::enable_if_t<is_input_iterator<It>::value>>
   associative_inserts(It first, It last, const allocator_type &a) : Core(key_compare(), a) {
      insert(first, last);
   }
   /// The values of `il`.
   associative_inserts(std::initializer_list<value_type> il, const key_compare &comp = key_compare(), const allocator_type &a = allocator_type())
      : Core(comp, a) {
      insert(il.begin(), il.end());
   }
   /// The values of `il`, allocating with `a`.
   associative_inserts(std::initializer_list<value_type> il, const allocator_type &a) : Core(key_compare(), a) {
      insert(il.begin(), il.end());
   }

   /// As `emplace`; the hint is accepted and not needed.
   template <class... Args> typename Core::iterator emplace_hint(typename Core::const_iterator, Args &&...args) {
      return iterator_of(this->emplace(std::forward<Args>(args)...));
   }
   using Core::insert;
   /// Inserts a copy of `v` (for unique keys: unless its key is present).
   insert_return insert(const value_type &v) { return this->insert_value(v); }
   /// Inserts `v` moved.
   insert_return insert(value_type &&v) { return this->insert_value(std::move(v)); }
   /// Inserts a value built from `p` (for maps: a pair of another type).
   template <class P, class = std::enable_if_t<std::is_constructible<value_type, P &&>::value &&
                                               !std::is_same<std::decay_t<P>, value_type>::value>>
   insert_return insert(P &&p) {
      return this->emplace(std::forward<P>(p));
   }
   /// Inserts the values of `[first, last)`.
   template <class It, class = std::enable_if_t<is_input_iterator<It>::value>> void insert(It first, It last) {
      for (; first != last; ++first) {
         this->emplace(*first);
      }
   }
   /// Inserts the values of `il`.
   void insert(std::initializer_list<value_type> il) { insert(il.begin(), il.end()); }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_ASSOCIATIVE_INSERTS_HPP
