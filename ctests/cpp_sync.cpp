// The C++ synchronisation classes at Boost's paths, across real processes (fork + exec):
// exact counters with scoped_lock, owner death by SIGKILL for every mutex kind (lock() does
// not throw; previous_owner_died() tells), named conditions and semaphores as
// producer/consumer, notify_all waking several processes, lock options and transfers,
// timeouts on steady_clock, system_clock, durations and (when installed) Boost ptime.
#include "check.h"
#include <interproc/mapped_region.hpp>
#include <interproc/shared_memory_object.hpp>
#include <interproc/sync/interprocess_condition.hpp>
#include <interproc/sync/interprocess_condition_any.hpp>
#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/interprocess_recursive_mutex.hpp>
#include <interproc/sync/interprocess_semaphore.hpp>
#include <interproc/sync/named_condition.hpp>
#include <interproc/sync/named_condition_any.hpp>
#include <interproc/sync/named_mutex.hpp>
#include <interproc/sync/named_recursive_mutex.hpp>
#include <interproc/sync/named_semaphore.hpp>
#include <interproc/sync/null_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>

#if __has_include(<boost/date_time/posix_time/posix_time.hpp>)
#include <boost/date_time/posix_time/posix_time.hpp>
#define HAVE_BOOST_DATE_TIME 1
#endif

#include <chrono>
#include <cstdio>
#include <mutex>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

using namespace interproc;
using namespace std::chrono;

enum { WORKERS = 4, INCREMENTS = 20000, ITEMS = 3000, SLEEPERS = 3 };

struct Shared {
   interprocess_mutex mutex;
   interprocess_recursive_mutex rmutex;
   interprocess_condition_any go;
   long counter = 0;
   long asleep = 0;
   bool go_flag = false;
   long slot = 0;
   bool full = false;
};

static std::string base;
static std::string nm(const char *tag) { return base + "_" + tag; }

static Shared *open_shared(shared_memory_object &shm, mapped_region &region) {
   shm = shared_memory_object(open_only, nm("shm").c_str(), read_write);
   region = mapped_region(shm, read_write);
   return static_cast<Shared *>(region.get_address());
}

static long ms_since(steady_clock::time_point t) {
   return static_cast<long>(duration_cast<milliseconds>(steady_clock::now() - t).count());
}

static int child(const std::string &role) {
   shared_memory_object shm;
   mapped_region region;
   Shared *s = open_shared(shm, region);
   if (role == "count") {
      // open_or_create by every worker at once: exactly one initialises it.
      named_mutex nmx(open_or_create, nm("count_mx").c_str());
      for (int i = 0; i < INCREMENTS; ++i) {
         if (i % 2) {
            scoped_lock<interprocess_mutex> lock(s->mutex);
            s->counter++;
         } else {
            scoped_lock<interprocess_mutex> lock(s->mutex);
            scoped_lock<named_mutex> nlock(nmx);
            s->counter++;
         }
      }
   } else if (role == "produce") {
      named_mutex mx(open_only, nm("pc_mx").c_str());
      named_condition not_empty(open_only, nm("pc_ne").c_str());
      named_condition not_full(open_only, nm("pc_nf").c_str());
      for (long i = 1; i <= ITEMS; ++i) {
         scoped_lock<named_mutex> lock(mx);
         not_full.wait(lock, [&] { return !s->full; });
         s->slot = i;
         s->full = true;
         not_empty.notify_one();
      }
   } else if (role == "sem_produce") {
      named_semaphore empty(open_only, nm("sem_empty").c_str());
      named_semaphore filled(open_only, nm("sem_full").c_str());
      for (long i = 1; i <= ITEMS; ++i) {
         empty.wait();
         s->slot = i;
         filled.post();
      }
   } else if (role == "sleeper") {
      scoped_lock<interprocess_mutex> lock(s->mutex);
      s->asleep++;
      s->go.wait(lock, [&] { return s->go_flag; });
   } else {
      named_semaphore held(open_only, nm("held").c_str());
      if (role == "hold_mutex") {
         s->mutex.lock();
      } else if (role == "hold_rmutex") {
         s->rmutex.lock();
         s->rmutex.lock();
      } else if (role == "hold_named_mutex") {
         named_mutex m(open_only, nm("dead_mx").c_str());
         m.lock();
         held.post();
         wait_for_kill();
      } else if (role == "hold_named_rmutex") {
         named_recursive_mutex m(open_only, nm("dead_rmx").c_str());
         m.lock();
         m.lock();
         held.post();
         wait_for_kill();
      } else {
         return 2;
      }
      held.post();
      wait_for_kill();
   }
   return 0;
}

static void counters(const char *self, Shared *s) {
   named_mutex::remove(nm("count_mx").c_str());
   s->counter = 0;
   std::vector<pid_t> pids;
   for (int i = 0; i < WORKERS; ++i) {
      pids.push_back(spawn_child(self, "count", base.c_str()));
   }
   for (pid_t p : pids) {
      CHECK(wait_bounded(p, 60) == 0);
   }
   CHECK(s->counter == long(WORKERS) * INCREMENTS);
   CHECK(named_mutex::remove(nm("count_mx").c_str()));
}

static void producer_consumer(const char *self, Shared *s) {
   named_mutex mx(create_only, nm("pc_mx").c_str());
   named_condition not_empty(create_only, nm("pc_ne").c_str());
   named_condition not_full(create_only, nm("pc_nf").c_str());
   s->full = false;
   pid_t pid = spawn_child(self, "produce", base.c_str());
   long sum = 0;
   for (long i = 1; i <= ITEMS; ++i) {
      scoped_lock<named_mutex> lock(mx);
      CHECK(not_empty.timed_wait(lock, steady_clock::now() + seconds(10), [&] { return s->full; }));
      CHECK(s->slot == i);
      sum += s->slot;
      s->full = false;
      not_full.notify_one();
   }
   CHECK(wait_bounded(pid, 60) == 0);
   CHECK(sum == long(ITEMS) * (ITEMS + 1) / 2);
   named_mutex::remove(nm("pc_mx").c_str());
   named_condition::remove(nm("pc_ne").c_str());
   named_condition::remove(nm("pc_nf").c_str());
}

static void semaphores(const char *self, Shared *s) {
   named_semaphore empty(create_only, nm("sem_empty").c_str(), 1);
   named_semaphore filled(create_only, nm("sem_full").c_str(), 0);
   pid_t pid = spawn_child(self, "sem_produce", base.c_str());
   long sum = 0;
   for (long i = 1; i <= ITEMS; ++i) {
      CHECK(filled.try_wait_for(seconds(10)));
      CHECK(s->slot == i);
      sum += s->slot;
      empty.post();
   }
   CHECK(wait_bounded(pid, 60) == 0);
   CHECK(sum == long(ITEMS) * (ITEMS + 1) / 2);
   named_semaphore::remove(nm("sem_empty").c_str());
   named_semaphore::remove(nm("sem_full").c_str());
}

static void notify_all(const char *self, Shared *s) {
   s->asleep = 0;
   s->go_flag = false;
   std::vector<pid_t> pids;
   for (int i = 0; i < SLEEPERS; ++i) {
      pids.push_back(spawn_child(self, "sleeper", base.c_str()));
   }
   auto start = steady_clock::now();
   for (;;) {
      {
         scoped_lock<interprocess_mutex> lock(s->mutex);
         if (s->asleep == SLEEPERS) {
            s->go_flag = true;
            break;
         }
      }
      CHECK(ms_since(start) < 20000);
      struct timespec nap = {0, 1000 * 1000};
      nanosleep(&nap, nullptr);
   }
   s->go.notify_all();
   for (pid_t p : pids) {
      CHECK(wait_bounded(p, 20) == 0);
   }
}

template <class Mutex> static void expect_owner_died_then_clean(Mutex &m) {
   {
      scoped_lock<Mutex> lock(m); // does not throw
      CHECK(lock.owns());
      CHECK(m.previous_owner_died());
   }
   {
      scoped_lock<Mutex> lock(m);
      CHECK(!m.previous_owner_died());
   }
}

static void kill_holder(const char *self, const char *role) {
   named_semaphore held(open_only, nm("held").c_str());
   pid_t pid = spawn_child(self, role, base.c_str());
   CHECK(held.timed_wait(system_clock::now() + seconds(20)));
   CHECK(kill(pid, SIGKILL) == 0);
   CHECK(waitpid(pid, nullptr, 0) == pid);
}

static void owner_death(const char *self, Shared *s) {
   named_semaphore held(create_only, nm("held").c_str(), 0);
   kill_holder(self, "hold_mutex");
   expect_owner_died_then_clean(s->mutex);
   kill_holder(self, "hold_rmutex");
   expect_owner_died_then_clean(s->rmutex);
   {
      named_mutex m(create_only, nm("dead_mx").c_str());
      kill_holder(self, "hold_named_mutex");
      expect_owner_died_then_clean(m);
      named_mutex::remove(nm("dead_mx").c_str());
   }
   {
      named_recursive_mutex m(create_only, nm("dead_rmx").c_str());
      kill_holder(self, "hold_named_rmutex");
      expect_owner_died_then_clean(m);
      named_recursive_mutex::remove(nm("dead_rmx").c_str());
   }
   named_semaphore::remove(nm("held").c_str());
}

static void named_errors() {
   const std::string n = nm("errs");
   named_mutex::remove(n.c_str());
   try {
      named_mutex m(open_only, n.c_str());
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == not_found_error);
   }
   {
      named_semaphore sem(create_only, n.c_str(), 0);
      try {
         named_semaphore again(create_only, n.c_str(), 0);
         CHECK(false);
      } catch (const interprocess_exception &e) {
         CHECK(e.get_error_code() == already_exists_error);
      }
      try {
         named_mutex wrong_kind(open_only, n.c_str());
         CHECK(false);
      } catch (const interprocess_exception &e) {
         CHECK(e.get_error_code() == corrupted_error);
      }
      try {
         named_condition_any wrong_kind(open_or_create, n.c_str());
         CHECK(false);
      } catch (const interprocess_exception &e) {
         CHECK(e.get_error_code() == corrupted_error);
      }
   }
   CHECK(named_semaphore::remove(n.c_str()));
   CHECK(!named_semaphore::remove(n.c_str()));
}

static void lock_types(Shared *s) {
   interprocess_mutex &m = s->mutex;
   {
      scoped_lock<interprocess_mutex> a(m, defer_lock);
      CHECK(!a.owns() && a.mutex() == &m);
      a.lock();
      CHECK(a.owns() && bool(a));
      try {
         a.lock();
         CHECK(false);
      } catch (const lock_exception &) {
      }
      scoped_lock<interprocess_mutex> b(std::move(a));
      CHECK(!a.owns() && b.owns() && a.mutex() == nullptr);
      interprocess_mutex *raw = b.release();
      CHECK(raw == &m && !b.owns());
      scoped_lock<interprocess_mutex> c(m, accept_ownership);
      CHECK(c.owns());
      scoped_lock<interprocess_mutex> d;
      d.swap(c);
      CHECK(d.owns() && !c.owns());
      d.unlock();
      CHECK(d.try_lock());
      try {
         c.unlock();
         CHECK(false);
      } catch (const lock_exception &) {
      }
   }
   {
      scoped_lock<interprocess_mutex> a(m, try_to_lock);
      CHECK(a.owns());
      scoped_lock<interprocess_mutex> timed(s->mutex, steady_clock::now() + milliseconds(1));
      (void)timed; // same thread, non-recursive: busy
   }
   {
      scoped_lock<interprocess_recursive_mutex> a(s->rmutex);
      scoped_lock<interprocess_recursive_mutex> b(s->rmutex, try_to_lock);
      CHECK(b.owns());
   }
   null_mutex nm_;
   scoped_lock<null_mutex> nl(nm_);
   CHECK(nl.owns());
   // Works with std locks too.
   {
      std::unique_lock<interprocess_mutex> ul(m);
      CHECK(s->go.wait_for(ul, milliseconds(5)) == cv_status::timeout);
      CHECK(ul.owns_lock());
   }
   static_assert(!std::is_copy_constructible<interprocess_mutex>::value, "not copyable");
   static_assert(!std::is_move_constructible<interprocess_mutex>::value, "not movable");
   static_assert(!std::is_move_constructible<named_mutex>::value, "not movable");
   static_assert(sizeof(interprocess_mutex) == 64 && alignof(interprocess_mutex) == 8, "layout");
   static_assert(sizeof(interprocess_condition) == 32 && sizeof(interprocess_semaphore) == 32, "layout");
}

template <class F> static void expect_timeout_ms(long lo, long hi, F f) {
   auto start = steady_clock::now();
   CHECK(!f());
   long ms = ms_since(start);
   if (ms < lo || ms > hi) {
      std::fprintf(stderr, "timeout took %ld ms, expected %ld..%ld\n", ms, lo, hi);
      std::exit(1);
   }
}

// Which clock each kind of deadline waits on: a steady deadline must be on the monotonic
// clock (so it does not move when the wall clock is changed), wall-clock ones on realtime.
static void deadline_clocks() {
   const interproc_deadline_t steady = detail::to_deadline(steady_clock::now() + seconds(5));
   CHECK(steady.clock == INTERPROC_CLOCK_MONOTONIC);
   const long long mono_now = duration_cast<seconds>(steady_clock::now().time_since_epoch()).count();
   CHECK(steady.sec >= mono_now + 4 && steady.sec <= mono_now + 6);
   const interproc_deadline_t wall = detail::to_deadline(system_clock::now() + seconds(5));
   CHECK(wall.clock == INTERPROC_CLOCK_REALTIME);
   const long long wall_now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
   CHECK(wall.sec >= wall_now + 4 && wall.sec <= wall_now + 6);
   CHECK(wall.nsec >= 0 && wall.nsec < 1000000000);
   const interproc_deadline_t rel = detail::deadline_after(milliseconds(1500));
   CHECK(rel.clock == INTERPROC_CLOCK_MONOTONIC && rel.sec >= mono_now + 1 && rel.sec <= mono_now + 3);
   const interproc_deadline_t never = detail::to_deadline(system_clock::time_point::max());
   CHECK(never.sec >= 9000000000LL); // year 2262: no overflow into the past
   const interproc_deadline_t past = detail::to_deadline(system_clock::time_point::min());
   CHECK(past.sec == 0 && past.nsec == 0);
#ifdef HAVE_BOOST_DATE_TIME
   const interproc_deadline_t pt =
      detail::to_deadline(boost::posix_time::microsec_clock::universal_time() + boost::posix_time::seconds(5));
   CHECK(pt.clock == INTERPROC_CLOCK_REALTIME && pt.sec >= wall_now + 4 && pt.sec <= wall_now + 6);
   const interproc_deadline_t epoch = detail::to_deadline(
      boost::posix_time::ptime(boost::gregorian::date(1970, 1, 1), boost::posix_time::milliseconds(1500)));
   CHECK(epoch.sec == 1 && epoch.nsec == 500000000);
#endif
}

static void timeouts() {
   deadline_clocks();
   interprocess_semaphore sem(0);
   expect_timeout_ms(25, 2000, [&] { return sem.timed_wait(steady_clock::now() + milliseconds(30)); });
   expect_timeout_ms(25, 2000, [&] { return sem.timed_wait(system_clock::now() + milliseconds(30)); });
   expect_timeout_ms(25, 2000, [&] { return sem.try_wait_for(milliseconds(30)); });
   expect_timeout_ms(0, 500, [&] { return sem.timed_wait(system_clock::now() - hours(1)); });
   expect_timeout_ms(0, 500, [&] { return sem.try_wait_for(seconds(-5)); });
   sem.post();
   CHECK(sem.timed_wait(steady_clock::time_point::max())); // "never" with a count: immediate
#ifdef HAVE_BOOST_DATE_TIME
   {
      // The seed's deadline form, unchanged.
      expect_timeout_ms(80, 2000, [&] {
         return sem.timed_wait(boost::posix_time::microsec_clock::universal_time() + boost::posix_time::milliseconds(100));
      });
      sem.post();
      CHECK(sem.timed_wait(boost::posix_time::microsec_clock::universal_time() + boost::posix_time::milliseconds(100)));
      interprocess_mutex m;
      CHECK(m.timed_lock(boost::posix_time::ptime(boost::posix_time::pos_infin)));
      m.unlock();
      CHECK(m.try_lock_for(boost::posix_time::milliseconds(10)));
      m.unlock();
   }
#endif
   interprocess_mutex m;
   interprocess_condition cond;
   scoped_lock<interprocess_mutex> lock(m);
   expect_timeout_ms(15, 2000, [&] { return cond.timed_wait(lock, steady_clock::now() + milliseconds(20)); });
   CHECK(lock.owns());
   expect_timeout_ms(15, 2000, [&] { return cond.wait_for(lock, milliseconds(20), [] { return false; }); });
   CHECK(cond.wait_until(lock, system_clock::now() + milliseconds(5)) == cv_status::timeout);
}

int main(int argc, char **argv) {
   if (argc == 4 && std::string(argv[1]) == "child") {
      base = argv[3];
      try {
         return child(argv[2]);
      } catch (const interprocess_exception &e) {
         std::fprintf(stderr, "child %s: %s\n", argv[2], e.what());
         return 3;
      }
   }
   char buf[64];
   test_name(buf, sizeof buf, "cpp_sync");
   base = buf;
   try {
      shared_memory_object::remove(nm("shm").c_str());
      remove_shared_memory_on_destroy cleanup(nm("shm").c_str());
      shared_memory_object shm(create_only, nm("shm").c_str(), read_write);
      shm.truncate(sizeof(Shared));
      mapped_region region(shm, read_write);
      Shared *s = new (region.get_address()) Shared;

      lock_types(s);
      named_errors();
      timeouts();
      counters(argv[0], s);
      producer_consumer(argv[0], s);
      semaphores(argv[0], s);
      notify_all(argv[0], s);
      owner_death(argv[0], s);
      s->~Shared();
   } catch (const interprocess_exception &e) {
      std::fprintf(stderr, "cpp_sync: %s (code %d)\n", e.what(), int(e.get_error_code()));
      return 1;
   }
   std::printf("cpp_sync: ok\n");
   return 0;
}
