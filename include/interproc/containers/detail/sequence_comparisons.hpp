// interproc C++ wrapper: the comparison operators of the containers (sequences, trees and
// sorted vectors alike), written once (not part of the public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_SEQUENCE_COMPARISONS_HPP
#define INTERPROC_CONTAINERS_DETAIL_SEQUENCE_COMPARISONS_HPP

#include <algorithm>

namespace interproc {
namespace detail {

/// `==`, `!=`, `<`, `>`, `<=` and `>=` between two `Sequence`s (the container, which
/// derives from this), element by element from `begin()` to `end()`: equal when the sizes
/// and the elements are, ordered lexicographically. Found by argument-dependent lookup; no
/// data of its own, so the container's layout is unchanged.
template <class Sequence> class sequence_comparisons {
public:
   /// Same size and equal elements.
   friend bool operator==(const Sequence &a, const Sequence &b) {
      return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
   }
   /// Not equal.
   friend bool operator!=(const Sequence &a, const Sequence &b) { return !(a == b); }
   /// Lexicographic order.
   friend bool operator<(const Sequence &a, const Sequence &b) {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
   }
   /// Lexicographic order.
   friend bool operator>(const Sequence &a, const Sequence &b) { return b < a; }
   /// Lexicographic order.
   friend bool operator<=(const Sequence &a, const Sequence &b) { return !(b < a); }
   /// Lexicographic order.
   friend bool operator>=(const Sequence &a, const Sequence &b) { return !(a < b); }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_SEQUENCE_COMPARISONS_HPP
