// interproc C++ wrapper: allocator protocol versions, as in
// <boost/interprocess/containers/version_type.hpp>.
#ifndef INTERPROC_CONTAINERS_VERSION_TYPE_HPP
#define INTERPROC_CONTAINERS_VERSION_TYPE_HPP

#include <interproc/detail/config.hpp>

#include <type_traits>

namespace interproc {

/// A protocol version `V` tagged with the type `T` it belongs to.
template <class T, unsigned V> struct version_type : public std::integral_constant<unsigned, V> {
   /// The type whose version this is.
   typedef T type;
};

namespace detail {
template <class T, class = void> struct allocator_version : std::integral_constant<unsigned, 1> {};
template <class T>
struct allocator_version<T, std::void_t<typename T::version>>
   : std::integral_constant<unsigned, T::version::value> {};
} // namespace detail

/// The allocator protocol version of `T`: its nested `version`'s value, or 1 when it has
/// none (a standard allocator). interproc's segment allocators say 2.
template <class T> struct version : public std::integral_constant<unsigned, detail::allocator_version<T>::value> {};

} // namespace interproc

#endif // INTERPROC_CONTAINERS_VERSION_TYPE_HPP
