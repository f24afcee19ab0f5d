// interproc C++ wrapper: cv_status, as in <boost/interprocess/sync/cv_status.hpp> (Boost
// 1.78 and later): what `wait_until` and `wait_for` of the condition variables return.
#ifndef INTERPROC_SYNC_CV_STATUS_HPP
#define INTERPROC_SYNC_CV_STATUS_HPP

// cv_status (`no_timeout`, `timeout`) is declared with the deadline helpers every condition
// variable includes.
#include <interproc/sync/detail/sync_common.hpp>

#endif // INTERPROC_SYNC_CV_STATUS_HPP
