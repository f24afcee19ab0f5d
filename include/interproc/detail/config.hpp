// interproc C++ wrapper: common includes and helpers (not part of the public API).
#ifndef INTERPROC_DETAIL_CONFIG_HPP
#define INTERPROC_DETAIL_CONFIG_HPP

#include <interproc.h>
// Every Boost.Interprocess header includes its workaround.hpp; programs test its macros.
#include <interproc/detail/workaround.hpp>

// Boost.Interprocess pulls these in through its own headers, and existing programs rely on
// them (assert, placement new, std::strcpy, std::size_t, std::string, std::move), so the
// wrapper does too.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <utility>

// Boost.Interprocess's headers bring in Boost.Move, and programs call `boost::move` on
// interprocess objects with no include of their own. Where Boost.Move is installed the
// wrapper includes it too (interproc itself never needs it, and defines nothing in namespace
// `boost`). Define INTERPROC_NO_BOOST_MOVE to leave it out.
#if !defined(INTERPROC_NO_BOOST_MOVE) && defined(__has_include)
#if __has_include(<boost/move/utility_core.hpp>)
#include <boost/move/utility_core.hpp>
#endif
#endif

#if __cplusplus < 201703L
#error "the interproc C++ wrapper needs C++17 or later"
#endif

#endif // INTERPROC_DETAIL_CONFIG_HPP
