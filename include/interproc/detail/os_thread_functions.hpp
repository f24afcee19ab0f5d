// interproc C++ wrapper: the process helpers that code written for Boost reaches for in
// <boost/interprocess/detail/os_thread_functions.hpp>, in Boost's namespace `ipcdetail`.
// Only what is declared here is promised; nothing else under detail/ is.
#ifndef INTERPROC_DETAIL_OS_THREAD_FUNCTIONS_HPP
#define INTERPROC_DETAIL_OS_THREAD_FUNCTIONS_HPP

#include <interproc/detail/config.hpp>

#include <chrono>
#include <cstdio>
#include <sys/types.h>
#include <thread>

namespace interproc {
namespace ipcdetail {

/// A process id (`pid_t`, as in Boost on POSIX systems).
typedef pid_t OS_process_id_t;

/// The calling process's id.
inline OS_process_id_t get_current_process_id() noexcept {
   return static_cast<OS_process_id_t>(::interproc_current_process_id());
}

/// An id no process has (0, as in Boost).
inline OS_process_id_t get_invalid_process_id() noexcept { return OS_process_id_t(0); }

/// Lets another thread run.
inline void thread_yield() noexcept { std::this_thread::yield(); }

/// Sleeps for `ms` milliseconds.
inline void thread_sleep(unsigned int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

/// The number of processors, at least 1.
inline unsigned int get_num_cores() noexcept {
   const unsigned int n = std::thread::hardware_concurrency();
   return n ? n : 1u;
}

/// Room for a process id in decimal, with its terminating NUL.
typedef char pid_str_t[sizeof(OS_process_id_t) * 3 + 1];

/// Writes `pid` in decimal into `pid_str`.
inline void get_pid_str(pid_str_t &pid_str, OS_process_id_t pid) noexcept {
   std::snprintf(pid_str, sizeof(pid_str_t), "%ld", static_cast<long>(pid));
}

/// Writes the calling process's id in decimal into `pid_str`.
inline void get_pid_str(pid_str_t &pid_str) noexcept { get_pid_str(pid_str, get_current_process_id()); }

} // namespace ipcdetail
} // namespace interproc

#endif // INTERPROC_DETAIL_OS_THREAD_FUNCTIONS_HPP
