// interproc C++ wrapper: <boost/interprocess/detail/workaround.hpp> holds Boost's platform
// switches. interproc has none for programs to read; this header exists so that code
// including Boost's builds unchanged, and declares nothing.
#ifndef INTERPROC_DETAIL_WORKAROUND_HPP
#define INTERPROC_DETAIL_WORKAROUND_HPP
#endif // INTERPROC_DETAIL_WORKAROUND_HPP
