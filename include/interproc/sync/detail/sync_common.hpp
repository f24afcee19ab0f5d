// interproc C++ wrapper: deadlines and lock statuses shared by the synchronisation classes
// (not part of the public API).
#ifndef INTERPROC_SYNC_DETAIL_SYNC_COMMON_HPP
#define INTERPROC_SYNC_DETAIL_SYNC_COMMON_HPP

#include <interproc/exceptions.hpp>

#include <chrono>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace interproc {

/// Whether a timed condition wait ended by the deadline (Boost's `cv_status`).
enum class cv_status { no_timeout, timeout };

// The microsecond time point and duration of <interproc/timed_utils.hpp>; every timed
// function takes them once that header is included.
class ustime;
class usduration;

namespace detail {

/// Far enough to mean "never" (about 35 000 years) and safe for every kernel interface.
inline constexpr std::int64_t far_seconds = std::int64_t(1) << 40;

template <class T> struct dependent_false : std::false_type {};

/// A std::chrono::duration.
template <class T> struct is_chrono_duration : std::false_type {};
template <class R, class P> struct is_chrono_duration<std::chrono::duration<R, P>> : std::true_type {};

/// A std::chrono::time_point.
template <class T> struct is_chrono_time_point : std::false_type {};
template <class C, class D> struct is_chrono_time_point<std::chrono::time_point<C, D>> : std::true_type {};

/// Looks like boost::posix_time::ptime (detected by shape, so no Boost header is needed).
template <class T, class = void> struct is_ptime_like : std::false_type {};
template <class T>
struct is_ptime_like<T, std::void_t<typename T::date_type, typename T::time_duration_type,
                                    decltype(std::declval<const T &>().is_special()),
                                    decltype(std::declval<const T &>().is_pos_infinity())>> : std::true_type {};

/// Looks like boost::posix_time::time_duration.
template <class T, class = void> struct is_time_duration_like : std::false_type {};
template <class T>
struct is_time_duration_like<T, std::void_t<decltype(std::declval<const T &>().ticks()), decltype(T::ticks_per_second()),
                                            decltype(std::declval<const T &>().is_special())>> : std::true_type {};

/// A deadline `sec` seconds and `nsec` nanoseconds after the epoch of `clock`, clamped.
inline interproc_deadline_t make_deadline(interproc_clock_t clock, std::int64_t sec, std::int64_t nsec) noexcept {
   if (sec > far_seconds) {
      sec = far_seconds;
      nsec = 0;
   }
   if (sec < 0) {
      sec = 0;
      nsec = 0;
   }
   interproc_deadline_t d;
   d.clock = clock;
   d.sec = sec;
   d.nsec = nsec;
   return d;
}

/// The deadline `d` after the epoch of `clock` (a chrono duration since that epoch).
template <class Rep, class Period>
interproc_deadline_t from_epoch(interproc_clock_t clock, const std::chrono::duration<Rep, Period> &d) noexcept {
   using namespace std::chrono;
   // Compared in floating point: converting `far_seconds` into a fine unit would overflow.
   if (duration<double>(d).count() >= static_cast<double>(far_seconds)) {
      return make_deadline(clock, far_seconds, 0);
   }
   if (d <= d.zero()) {
      return make_deadline(clock, 0, 0);
   }
   const seconds s = floor<seconds>(d);
   const nanoseconds ns = ceil<nanoseconds>(d - s);
   return make_deadline(clock, static_cast<std::int64_t>(s.count()), static_cast<std::int64_t>(ns.count()));
}

/// A deadline from tick counts (Boost.DateTime's representation).
inline interproc_deadline_t from_ticks(interproc_clock_t clock, std::int64_t ticks, std::int64_t per_second) noexcept {
   std::int64_t sec = ticks / per_second;
   std::int64_t rem = ticks % per_second;
   if (rem < 0) {
      rem += per_second;
      sec -= 1;
   }
   return make_deadline(clock, sec, rem * (1000000000 / per_second));
}

/// The monotonic deadline `d` from now.
template <class Duration> interproc_deadline_t deadline_after(const Duration &d) {
   using namespace std::chrono;
   if constexpr (is_chrono_duration<Duration>::value) {
      if (d <= d.zero()) {
         return from_epoch(INTERPROC_CLOCK_MONOTONIC, steady_clock::now().time_since_epoch());
      }
      if (duration<double>(d).count() >= static_cast<double>(far_seconds)) {
         return make_deadline(INTERPROC_CLOCK_MONOTONIC, far_seconds, 0);
      }
      return from_epoch(INTERPROC_CLOCK_MONOTONIC, steady_clock::now().time_since_epoch() + ceil<nanoseconds>(d));
   } else if constexpr (std::is_same<Duration, usduration>::value) {
      const std::uint64_t limit = static_cast<std::uint64_t>(far_seconds) * 1000000u;
      const std::uint64_t us = d.get_microsecs() < limit ? d.get_microsecs() : limit;
      return deadline_after(microseconds(static_cast<std::int64_t>(us)));
   } else if constexpr (is_time_duration_like<Duration>::value) {
      if (d.is_pos_infinity()) {
         return make_deadline(INTERPROC_CLOCK_MONOTONIC, far_seconds, 0);
      }
      if (d.is_special()) {
         return from_epoch(INTERPROC_CLOCK_MONOTONIC, steady_clock::now().time_since_epoch());
      }
      const std::int64_t per = static_cast<std::int64_t>(Duration::ticks_per_second());
      const std::int64_t ticks = static_cast<std::int64_t>(d.ticks());
      const std::int64_t sec = ticks / per;
      const std::int64_t nsec = (ticks % per) * (1000000000 / per);
      return deadline_after(seconds(sec) + nanoseconds(nsec));
   } else {
      static_assert(dependent_false<Duration>::value, "interproc: unsupported duration type");
   }
}

/// The absolute deadline of a time point: system_clock and ptime (UTC) on the wall clock,
/// steady_clock on the monotonic clock (it does not move when the wall clock is changed);
/// other chrono clocks are converted through their distance from now.
template <class TimePoint> interproc_deadline_t to_deadline(const TimePoint &t) {
   using namespace std::chrono;
   if constexpr (is_chrono_time_point<TimePoint>::value) {
      typedef typename TimePoint::clock clock_type;
      if constexpr (std::is_same<clock_type, system_clock>::value) {
         return from_epoch(INTERPROC_CLOCK_REALTIME, t.time_since_epoch());
      } else if constexpr (std::is_same<clock_type, steady_clock>::value) {
         return from_epoch(INTERPROC_CLOCK_MONOTONIC, t.time_since_epoch());
      } else {
         return deadline_after(t - clock_type::now());
      }
   } else if constexpr (std::is_same<TimePoint, ustime>::value) {
      // Microseconds since the epoch in UTC (Boost's universal time), on the wall clock.
      const std::uint64_t limit = static_cast<std::uint64_t>(far_seconds) * 1000000u;
      const std::uint64_t us = t.get_microsecs() < limit ? t.get_microsecs() : limit;
      return from_epoch(INTERPROC_CLOCK_REALTIME, microseconds(static_cast<std::int64_t>(us)));
   } else if constexpr (is_ptime_like<TimePoint>::value) {
      if (t.is_pos_infinity()) {
         return make_deadline(INTERPROC_CLOCK_REALTIME, far_seconds, 0);
      }
      if (t.is_special()) {
         return make_deadline(INTERPROC_CLOCK_REALTIME, 0, 0);
      }
      typedef typename TimePoint::date_type date_type;
      typedef typename TimePoint::time_duration_type td_type;
      const td_type since = t - TimePoint(date_type(1970, 1, 1));
      return from_ticks(INTERPROC_CLOCK_REALTIME, static_cast<std::int64_t>(since.ticks()),
                        static_cast<std::int64_t>(td_type::ticks_per_second()));
   } else {
      static_assert(dependent_false<TimePoint>::value, "interproc: unsupported time point type");
   }
}

/// Lock calls: success and "owner died, you hold it now" both mean the lock is held.
inline void lock_status(interproc_status_t st) {
   if (st != INTERPROC_OK && st != INTERPROC_OWNER_DEAD_ERROR) {
      throw_status(st);
   }
}

/// Try and timed calls: true when held, false when busy or timed out, throws otherwise.
inline bool try_status(interproc_status_t st) {
   switch (st) {
   case INTERPROC_OK:
   case INTERPROC_OWNER_DEAD_ERROR:
      return true;
   case INTERPROC_BUSY_ERROR:
   case INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR:
   case INTERPROC_TIMEOUT_WHEN_WAITING_ERROR:
      return false;
   default:
      throw_status(st);
   }
}

/// A lock type with `owns()` (Boost's lock types).
template <class L, class = void> struct has_owns : std::false_type {};
template <class L> struct has_owns<L, std::void_t<decltype(std::declval<const L &>().owns())>> : std::true_type {};

/// Throws `lock_exception` if `lock` is a Boost-style lock that does not own its mutex.
template <class L> void require_owned(const L &lock) {
   if constexpr (has_owns<L>::value) {
      if (!lock.owns()) {
         throw lock_exception();
      }
   }
}

/// Waits on `c` with any lock (Boost's `condition_any` protocol): register while `lock` is
/// held, release it, sleep, take it again. Returns the wait's status.
template <class L> interproc_status_t ticket_wait(interproc_condition_t *c, L &lock, const interproc_deadline_t *d) {
   require_owned(lock);
   std::uint32_t ticket = 0;
   check(::interproc_condition_prepare_wait(c, &ticket));
   lock.unlock();
   const interproc_status_t st = ::interproc_condition_wait_ticket(c, ticket, d);
   lock.lock();
   return st;
}

} // namespace detail
} // namespace interproc

#endif // INTERPROC_SYNC_DETAIL_SYNC_COMMON_HPP
