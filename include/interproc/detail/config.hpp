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

#if __cplusplus < 201703L
#error "the interproc C++ wrapper needs C++17 or later"
#endif

#endif // INTERPROC_DETAIL_CONFIG_HPP
