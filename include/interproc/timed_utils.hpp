// interproc C++ wrapper: ustime and usduration, as in <boost/interprocess/timed_utils.hpp>
// (Boost 1.78 and later): a time point and a duration in microseconds for programs that
// want timed waits without std::chrono or Boost.DateTime. Every timed function of interproc
// (timed_lock, timed_wait, wait_until, wait_for, timed_send, ...) takes them.
#ifndef INTERPROC_TIMED_UTILS_HPP
#define INTERPROC_TIMED_UTILS_HPP

#include <interproc/sync/detail/sync_common.hpp>

#include <chrono>
#include <cstdint>

namespace interproc {

/// A duration in microseconds.
class usduration {
public:
   /// `microsecs` microseconds.
   explicit usduration(std::uint64_t microsecs = 0u) noexcept : m_microsecs(microsecs) {}
   /// The count of microseconds.
   std::uint64_t get_microsecs() const noexcept { return m_microsecs; }

   bool operator<(const usduration &other) const noexcept { return m_microsecs < other.m_microsecs; }
   bool operator>(const usduration &other) const noexcept { return m_microsecs > other.m_microsecs; }
   bool operator<=(const usduration &other) const noexcept { return m_microsecs <= other.m_microsecs; }
   bool operator>=(const usduration &other) const noexcept { return m_microsecs >= other.m_microsecs; }

private:
   std::uint64_t m_microsecs;
};

/// A time point: microseconds since the epoch, in UTC (the wall clock).
class ustime {
public:
   /// `microsecs` microseconds after the epoch.
   explicit ustime(std::uint64_t microsecs = 0u) noexcept : m_microsecs(microsecs) {}

   ustime &operator+=(const usduration &d) noexcept {
      m_microsecs += d.get_microsecs();
      return *this;
   }
   ustime &operator-=(const usduration &d) noexcept {
      m_microsecs -= d.get_microsecs();
      return *this;
   }
   ustime operator+(const usduration &d) const noexcept { return ustime(m_microsecs + d.get_microsecs()); }
   ustime operator-(const usduration &d) const noexcept { return ustime(m_microsecs - d.get_microsecs()); }
   /// The time from `r` to `l`.
   friend usduration operator-(const ustime &l, const ustime &r) noexcept {
      return usduration(l.m_microsecs - r.m_microsecs);
   }

   bool operator<(const ustime &other) const noexcept { return m_microsecs < other.m_microsecs; }
   bool operator>(const ustime &other) const noexcept { return m_microsecs > other.m_microsecs; }
   bool operator<=(const ustime &other) const noexcept { return m_microsecs <= other.m_microsecs; }
   bool operator>=(const ustime &other) const noexcept { return m_microsecs >= other.m_microsecs; }

   /// The microseconds since the epoch.
   std::uint64_t get_microsecs() const noexcept { return m_microsecs; }

private:
   std::uint64_t m_microsecs;
};

/// `sec` seconds.
inline usduration usduration_from_seconds(std::uint64_t sec) noexcept { return usduration(sec * 1000000u); }

/// `millisec` milliseconds.
inline usduration usduration_from_milliseconds(std::uint64_t millisec) noexcept { return usduration(millisec * 1000u); }

/// The time `msecs` milliseconds from now.
inline ustime ustime_delay_milliseconds(unsigned msecs) {
   const auto now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
   return ustime(static_cast<std::uint64_t>(now.count())) + usduration(std::uint64_t(msecs) * 1000u);
}

} // namespace interproc

#endif // INTERPROC_TIMED_UTILS_HPP
