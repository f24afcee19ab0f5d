// interproc C++ wrapper: the operators of a random access iterator, written once over
// four primitives (not part of the public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_RANDOM_ACCESS_FACADE_HPP
#define INTERPROC_CONTAINERS_DETAIL_RANDOM_ACCESS_FACADE_HPP

#include <cstddef>
#include <iterator>
#include <memory>

namespace interproc {
namespace detail {

/// Every operator of a random access iterator, from what `Derived` (the iterator, which
/// derives from this and befriends it) says: `dereference()`, `advance(n)`,
/// `distance_to(other)` (how far `other` is ahead) and `equal(other)`. No data of its own.
template <class Derived, class Reference, class Pointer> class random_access_facade {
public:
   typedef std::random_access_iterator_tag iterator_category;
   typedef std::ptrdiff_t difference_type;
   typedef Pointer pointer;
   typedef Reference reference;

   /// The element.
   reference operator*() const noexcept { return self().dereference(); }
   /// The element's members.
   pointer operator->() const noexcept { return std::addressof(self().dereference()); }
   /// The element `n` positions away.
   reference operator[](difference_type n) const noexcept { return *(self() + n); }
   /// Next element.
   Derived &operator++() noexcept { return self() += 1; }
   /// Next element.
   Derived operator++(int) noexcept {
      Derived t(self());
      self() += 1;
      return t;
   }
   /// Previous element.
   Derived &operator--() noexcept { return self() += -1; }
   /// Previous element.
   Derived operator--(int) noexcept {
      Derived t(self());
      self() += -1;
      return t;
   }
   /// Moves `n` positions.
   Derived &operator+=(difference_type n) noexcept {
      self().advance(n);
      return self();
   }
   /// Moves `-n` positions.
   Derived &operator-=(difference_type n) noexcept { return self() += -n; }
   /// `n` positions further.
   friend Derived operator+(Derived it, difference_type n) noexcept { return it += n; }
   /// `n` positions further.
   friend Derived operator+(difference_type n, Derived it) noexcept { return it += n; }
   /// `n` positions back.
   friend Derived operator-(Derived it, difference_type n) noexcept { return it -= n; }
   /// Distance.
   friend difference_type operator-(const Derived &a, const Derived &b) noexcept { return distance(b, a); }
   /// Same position.
   friend bool operator==(const Derived &a, const Derived &b) noexcept { return same(a, b); }
   /// Different positions.
   friend bool operator!=(const Derived &a, const Derived &b) noexcept { return !same(a, b); }
   /// Order of positions.
   friend bool operator<(const Derived &a, const Derived &b) noexcept { return distance(a, b) > 0; }
   /// Order of positions.
   friend bool operator>(const Derived &a, const Derived &b) noexcept { return b < a; }
   /// Order of positions.
   friend bool operator<=(const Derived &a, const Derived &b) noexcept { return !(b < a); }
   /// Order of positions.
   friend bool operator>=(const Derived &a, const Derived &b) noexcept { return !(a < b); }

private:
   // The primitives, reached through this class (which `Derived` befriends): the friend
   // operators above are not members, so they call these.
   static difference_type distance(const Derived &from, const Derived &to) noexcept { return from.distance_to(to); }
   static bool same(const Derived &a, const Derived &b) noexcept { return a.equal(b); }
   Derived &self() noexcept { return static_cast<Derived &>(*this); }
   const Derived &self() const noexcept { return static_cast<const Derived &>(*this); }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_RANDOM_ACCESS_FACADE_HPP
