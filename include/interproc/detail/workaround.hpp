// interproc C++ wrapper: <boost/interprocess/detail/workaround.hpp> holds Boost's platform
// switches. interproc defines the few that Boost's documented examples read: the feature
// macros of the POSIX systems it runs on (mapped files, System V shared memory) and the
// exception macros of recent Boost (`BOOST_INTERPROCESS_TRY` ... `_CATCH_END`), spelled
// as Boost spells them with exceptions on, so that including both headers is harmless.
#ifndef INTERPROC_DETAIL_WORKAROUND_HPP
#define INTERPROC_DETAIL_WORKAROUND_HPP

#ifndef BOOST_INTERPROCESS_MAPPED_FILES
#define BOOST_INTERPROCESS_MAPPED_FILES
#endif
#ifndef BOOST_INTERPROCESS_XSI_SHARED_MEMORY_OBJECTS
#define BOOST_INTERPROCESS_XSI_SHARED_MEMORY_OBJECTS
#endif

#ifndef BOOST_INTERPROCESS_TRY
#define BOOST_INTERPROCESS_TRY { try
#define BOOST_INTERPROCESS_CATCH(x) catch(x)
#define BOOST_INTERPROCESS_RETHROW throw;
#define BOOST_INTERPROCESS_CATCH_END }
#endif

#endif // INTERPROC_DETAIL_WORKAROUND_HPP
