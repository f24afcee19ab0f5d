// interproc C++ wrapper: the range and initializer-list constructors of the associative
// containers, written once over the tree and the sorted vector (not part of the public
// API).
#ifndef INTERPROC_CONTAINERS_DETAIL_RANGE_CONSTRUCTORS_HPP
#define INTERPROC_CONTAINERS_DETAIL_RANGE_CONSTRUCTORS_HPP

#include <interproc/containers/detail/uses_allocator.hpp>

#include <initializer_list>
#include <type_traits>

namespace interproc {
namespace detail {

/// The associative container `Core` (a red-black tree or a sorted vector) with the
/// constructors that fill it from a range or an initializer list: an empty `Core` made
/// from the ordering and the allocator, then `insert`. `Core` gives every other
/// constructor, which this class inherits.
template <class Core> class range_constructors : public Core {
   typedef typename Core::key_compare compare;
   typedef typename Core::allocator_type alloc;
   typedef typename Core::value_type value;

public:
   using Core::Core;
   /// An empty container.
   range_constructors() = default;
   /// The values of `[first, last)`.
   template <class It, class = std::enable_if_t<is_input_iterator<It>::value>>
   range_constructors(It first, It last, const compare &comp = compare(), const alloc &a = alloc()) : Core(comp, a) {
      this->insert(first, last);
   }
   /// The values of `[first, last)`, allocating with `a`.
   template <class It, class = std::enable_if_t<is_input_iterator<It>::value>>
   range_constructors(It first, It last, const alloc &a) : Core(compare(), a) {
      this->insert(first, last);
   }
   /// The values of `il`.
   range_constructors(std::initializer_list<value> il, const compare &comp = compare(), const alloc &a = alloc()) : Core(comp, a) {
      this->insert(il.begin(), il.end());
   }
   /// The values of `il`, allocating with `a`.
   range_constructors(std::initializer_list<value> il, const alloc &a) : Core(compare(), a) { this->insert(il.begin(), il.end()); }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_RANGE_CONSTRUCTORS_HPP
