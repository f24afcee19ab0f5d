// interproc C++ wrapper: the const and reverse iterators of a container, written once
// (not part of the public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_REVERSIBLE_RANGE_HPP
#define INTERPROC_CONTAINERS_DETAIL_REVERSIBLE_RANGE_HPP

namespace interproc {
namespace detail {

/// `cbegin`, `cend`, `rbegin`, `rend`, `crbegin` and `crend` of `Container` (which
/// derives from this), from its `begin()` and `end()` and its `reverse_iterator` and
/// `const_reverse_iterator` types. No data of its own: the container's layout is unchanged.
template <class Container> class reversible_range {
public:
   /// First element (a const_iterator).
   auto cbegin() const noexcept { return self().begin(); }
   /// Past the last element (a const_iterator).
   auto cend() const noexcept { return self().end(); }
   /// Last element, going backwards.
   auto rbegin() noexcept { return typename Container::reverse_iterator(self().end()); }
   /// Last element, going backwards.
   auto rbegin() const noexcept { return typename Container::const_reverse_iterator(self().end()); }
   /// Last element, going backwards (a const_reverse_iterator).
   auto crbegin() const noexcept { return rbegin(); }
   /// Before the first element, going backwards.
   auto rend() noexcept { return typename Container::reverse_iterator(self().begin()); }
   /// Before the first element, going backwards.
   auto rend() const noexcept { return typename Container::const_reverse_iterator(self().begin()); }
   /// Before the first element, going backwards (a const_reverse_iterator).
   auto crend() const noexcept { return rend(); }

private:
   Container &self() noexcept { return static_cast<Container &>(*this); }
   const Container &self() const noexcept { return static_cast<const Container &>(*this); }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_REVERSIBLE_RANGE_HPP
