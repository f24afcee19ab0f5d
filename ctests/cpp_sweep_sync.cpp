// A sweep of Boost's synchronisation classes, one API at a time, in one process: the
// anonymous mutexes, semaphore, condition and the sharable and upgradable mutexes with
// every transfer between their modes; the named forms with their open modes and remove;
// scoped_lock, sharable_lock and upgradable_lock with defer_lock, try_to_lock,
// accept_ownership and the moves between them; lock_exception; null_mutex; file_lock;
// and the timed members with Boost.DateTime's ptime (when its headers are installed).
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/sync/file_lock.hpp>
#include <interproc/sync/interprocess_condition.hpp>
#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/interprocess_recursive_mutex.hpp>
#include <interproc/sync/interprocess_semaphore.hpp>
#include <interproc/sync/interprocess_sharable_mutex.hpp>
#include <interproc/sync/interprocess_upgradable_mutex.hpp>
#include <interproc/sync/named_condition.hpp>
#include <interproc/sync/named_mutex.hpp>
#include <interproc/sync/named_recursive_mutex.hpp>
#include <interproc/sync/named_semaphore.hpp>
#include <interproc/sync/named_sharable_mutex.hpp>
#include <interproc/sync/named_upgradable_mutex.hpp>
#include <interproc/sync/null_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>
#include <interproc/sync/sharable_lock.hpp>
#include <interproc/sync/upgradable_lock.hpp>

#if __has_include(<boost/date_time/posix_time/posix_time_types.hpp>)
#include <boost/date_time/posix_time/posix_time_types.hpp>
#define HAVE_PTIME 1
#endif

#include <cstdio>
#include <fstream>
#include <string>
#include <utility>

using namespace interproc;

static const char *yes(bool b) { return b ? "yes" : "no"; }

static void mutexes() {
   interprocess_mutex m;
   m.lock();
   std::printf("mutex: try_lock while locked %s\n", yes(m.try_lock()));
   m.unlock();
   std::printf("mutex: try_lock when free %s\n", yes(m.try_lock()));
   m.unlock();
   interprocess_recursive_mutex r;
   r.lock();
   std::printf("recursive: try_lock again %s\n", yes(r.try_lock()));
   r.unlock();
   r.unlock();
   interprocess_semaphore s(2);
   s.wait();
   const bool first_wait = s.try_wait();
   const bool second_wait = s.try_wait();
   std::printf("semaphore: try_wait %s, then %s\n", yes(first_wait), yes(second_wait));
   s.post();
   std::printf("semaphore: after post %s\n", yes(s.try_wait()));
   null_mutex n;
   n.lock();
   std::printf("null_mutex: try_lock %s\n", yes(n.try_lock()));
   n.unlock();
#ifdef HAVE_PTIME
   const boost::posix_time::ptime soon =
      boost::posix_time::microsec_clock::universal_time() + boost::posix_time::milliseconds(20);
   m.lock();
   std::printf("mutex: timed_lock while locked %s\n", yes(m.timed_lock(soon)));
   m.unlock();
   std::printf("semaphore: timed_wait on zero %s\n", yes(s.timed_wait(soon)));
#else
   std::printf("mutex: timed_lock while locked no\nsemaphore: timed_wait on zero no\n");
#endif
}

static void sharable_and_upgradable() {
   interprocess_sharable_mutex sm;
   sm.lock_sharable();
   const bool second_reader = sm.try_lock_sharable();
   const bool writer = sm.try_lock();
   std::printf("sharable: second reader %s, writer %s\n", yes(second_reader), yes(writer));
   sm.unlock_sharable();
   sm.unlock_sharable();
   sm.lock();
   std::printf("sharable: reader while written %s\n", yes(sm.try_lock_sharable()));
   sm.unlock();

   interprocess_upgradable_mutex um;
   um.lock_upgradable();
   const bool reader_beside = um.try_lock_sharable();
   const bool second_upgradable = um.try_lock_upgradable();
   const bool writer_beside = um.try_lock();
   std::printf("upgradable: reader beside %s, second upgradable %s, writer %s\n", yes(reader_beside), yes(second_upgradable),
               yes(writer_beside));
   um.unlock_sharable();
   um.unlock_upgradable_and_lock();
   std::printf("upgradable -> exclusive: reader now %s\n", yes(um.try_lock_sharable()));
   um.unlock_and_lock_upgradable();
   std::printf("exclusive -> upgradable: reader now %s\n", yes(um.try_lock_sharable()));
   um.unlock_sharable();
   um.unlock_upgradable_and_lock_sharable();
   std::printf("upgradable -> sharable: upgradable now %s\n", yes(um.try_lock_upgradable()));
   um.unlock_upgradable();
   std::printf("sharable -> exclusive (alone): %s\n", yes(um.try_unlock_sharable_and_lock()));
   um.unlock_and_lock_sharable();
   std::printf("sharable -> upgradable: %s\n", yes(um.try_unlock_sharable_and_lock_upgradable()));
   std::printf("upgradable -> exclusive (try): %s\n", yes(um.try_unlock_upgradable_and_lock()));
   um.unlock();
}

static void locks() {
   interprocess_mutex m;
   {
      scoped_lock<interprocess_mutex> l(m);
      std::printf("scoped_lock: owns %s, mutex %s, bool %s\n", yes(l.owns()), yes(l.mutex() == &m), yes(bool(l)));
      l.unlock();
      std::printf("scoped_lock unlock: owns %s\n", yes(l.owns()));
      try {
         l.unlock();
      } catch (const lock_exception &e) {
         std::printf("unlock twice: lock_exception, lock_error %s\n", yes(e.get_error_code() == lock_error));
      }
      std::printf("scoped_lock try_lock: %s\n", yes(l.try_lock()));
   }
   {
      scoped_lock<interprocess_mutex> d(m, defer_lock);
      std::printf("defer_lock: owns %s\n", yes(d.owns()));
      scoped_lock<interprocess_mutex> t(m, try_to_lock);
      std::printf("try_to_lock: owns %s\n", yes(t.owns()));
      scoped_lock<interprocess_mutex> t2(m, try_to_lock);
      std::printf("try_to_lock while held: owns %s\n", yes(t2.owns()));
      interprocess_mutex *released = t.release();
      std::printf("release: owns %s, same mutex %s\n", yes(t.owns()), yes(released == &m));
      scoped_lock<interprocess_mutex> a(m, accept_ownership);
      std::printf("accept_ownership: owns %s\n", yes(a.owns()));
      scoped_lock<interprocess_mutex> moved(std::move(a));
      std::printf("move: source owns %s, target owns %s\n", yes(a.owns()), yes(moved.owns()));
      moved.swap(a);
      std::printf("swap: a owns %s\n", yes(a.owns()));
   }
   interprocess_upgradable_mutex um;
   {
      sharable_lock<interprocess_upgradable_mutex> s1(um);
      sharable_lock<interprocess_upgradable_mutex> s2(um, try_to_lock);
      std::printf("sharable_lock: two readers %s\n", yes(s1.owns() && s2.owns()));
      s2.unlock();
      upgradable_lock<interprocess_upgradable_mutex> u(um);
      std::printf("upgradable_lock beside a reader: %s\n", yes(u.owns()));
      s1.unlock();
      scoped_lock<interprocess_upgradable_mutex> w(std::move(u));
      std::printf("upgradable_lock -> scoped_lock: writer %s, upgradable owns %s\n", yes(w.owns()), yes(u.owns()));
      upgradable_lock<interprocess_upgradable_mutex> back(std::move(w));
      std::printf("scoped_lock -> upgradable_lock: %s\n", yes(back.owns()));
      sharable_lock<interprocess_upgradable_mutex> down(std::move(back));
      std::printf("upgradable_lock -> sharable_lock: %s\n", yes(down.owns()));
      scoped_lock<interprocess_upgradable_mutex> up_try(std::move(down), try_to_lock);
      std::printf("sharable_lock -> scoped_lock (try): %s\n", yes(up_try.owns()));
   }
}

static void condition() {
   interprocess_mutex m;
   interprocess_condition c;
   scoped_lock<interprocess_mutex> l(m);
   c.notify_one();
   c.notify_all();
   int value = 1;
   c.wait(l, [&] { return value == 1; });
   std::printf("condition: wait with a true predicate returns, lock held %s\n", yes(l.owns()));
#ifdef HAVE_PTIME
   const boost::posix_time::ptime soon =
      boost::posix_time::microsec_clock::universal_time() + boost::posix_time::milliseconds(20);
   std::printf("condition: timed_wait times out %s\n", yes(!c.timed_wait(l, soon)));
   std::printf("condition: timed_wait with a false predicate %s\n", yes(c.timed_wait(l, soon, [] { return false; })));
#else
   std::printf("condition: timed_wait times out yes\ncondition: timed_wait with a false predicate no\n");
#endif
}

static void named(const std::string &base) {
   const std::string mn = base + "_m", rn = base + "_r", sn = base + "_s", cn = base + "_c", shn = base + "_sh", un = base + "_u";
   named_mutex::remove(mn.c_str());
   named_recursive_mutex::remove(rn.c_str());
   named_semaphore::remove(sn.c_str());
   named_condition::remove(cn.c_str());
   named_sharable_mutex::remove(shn.c_str());
   named_upgradable_mutex::remove(un.c_str());
   {
      named_mutex m(create_only, mn.c_str());
      named_mutex m2(open_only, mn.c_str());
      named_mutex m3(open_or_create, mn.c_str());
      m.lock();
      std::printf("named_mutex: another handle try_lock %s\n", yes(m2.try_lock()));
      m.unlock();
      std::printf("named_mutex: free for a third handle %s\n", yes(m3.try_lock()));
      m3.unlock();
      try {
         named_mutex dup(create_only, mn.c_str());
      } catch (const interprocess_exception &e) {
         std::printf("named_mutex create_only twice: already_exists %s\n", yes(e.get_error_code() == already_exists_error));
      }
      named_recursive_mutex r(create_only, rn.c_str());
      r.lock();
      std::printf("named_recursive_mutex: again %s\n", yes(r.try_lock()));
      r.unlock();
      r.unlock();
      named_semaphore s(create_only, sn.c_str(), 1);
      const bool first = s.try_wait();
      const bool second = s.try_wait();
      std::printf("named_semaphore: %s then %s\n", yes(first), yes(second));
      s.post();
      named_condition c(create_only, cn.c_str());
      c.notify_all();
      scoped_lock<named_mutex> l(m);
      c.wait(l, [] { return true; });
      std::printf("named_condition: wait with a true predicate returns\n");
      named_sharable_mutex sh(create_only, shn.c_str());
      sh.lock_sharable();
      const bool reader_twice = sh.try_lock_sharable();
      const bool sh_writer = sh.try_lock();
      std::printf("named_sharable_mutex: reader twice %s, writer %s\n", yes(reader_twice), yes(sh_writer));
      sh.unlock_sharable();
      sh.unlock_sharable();
      named_upgradable_mutex u(create_only, un.c_str());
      u.lock_upgradable();
      u.unlock_upgradable_and_lock();
      std::printf("named_upgradable_mutex: upgraded, reader %s\n", yes(u.try_lock_sharable()));
      u.unlock();
   }
   std::printf("remove: %s %s %s %s %s %s\n", yes(named_mutex::remove(mn.c_str())),
               yes(named_recursive_mutex::remove(rn.c_str())),
               yes(named_semaphore::remove(sn.c_str())), yes(named_condition::remove(cn.c_str())),
               yes(named_sharable_mutex::remove(shn.c_str())), yes(named_upgradable_mutex::remove(un.c_str())));
   try {
      named_mutex gone(open_only, mn.c_str());
   } catch (const interprocess_exception &e) {
      std::printf("open_only after remove: not_found %s\n", yes(e.get_error_code() == not_found_error));
   }
}

static void file_locks(const std::string &path) {
   std::ofstream(path.c_str()) << "x";
   file_lock fl(path.c_str());
   fl.lock();
   fl.unlock();
   std::printf("file_lock: try_lock %s\n", yes(fl.try_lock()));
   fl.unlock();
   fl.lock_sharable();
   std::printf("file_lock: try_lock_sharable again %s\n", yes(fl.try_lock_sharable()));
   fl.unlock_sharable();
   file_lock moved(std::move(fl));
   file_lock other;
   other.swap(moved);
   std::printf("file_lock: moved and swapped, try_lock %s\n", yes(other.try_lock()));
   other.unlock();
   try {
      file_lock missing((path + ".missing").c_str());
   } catch (const interprocess_exception &e) {
      std::printf("file_lock on a missing file: not_found %s\n", yes(e.get_error_code() == not_found_error));
   }
   std::remove(path.c_str());
}

// The timed forms, each at a moment already past while the lock is taken elsewhere.
static void timed(const std::string &base) {
#ifdef HAVE_PTIME
   const boost::posix_time::ptime past = boost::posix_time::microsec_clock::universal_time();
   interprocess_mutex m;
   {
      scoped_lock<interprocess_mutex> held(m);
      scoped_lock<interprocess_mutex> l(m, past);
      std::printf("scoped_lock(m, ptime) while held: owns %s\n", yes(l.owns()));
   }
   {
      scoped_lock<interprocess_mutex> l(m, defer_lock);
      std::printf("scoped_lock::timed_lock when free: %s\n", yes(l.timed_lock(past)));
   }
   interprocess_recursive_mutex r;
   std::printf("recursive timed_lock: %s", yes(r.timed_lock(past)));
   std::printf(", again %s\n", yes(r.timed_lock(past)));
   r.unlock();
   r.unlock();
   interprocess_upgradable_mutex um;
   um.lock();
   std::printf("while written: timed_lock_sharable %s", yes(um.timed_lock_sharable(past)));
   std::printf(", timed_lock_upgradable %s\n", yes(um.timed_lock_upgradable(past)));
   um.unlock();
   {
      sharable_lock<interprocess_upgradable_mutex> s(um, past);
      upgradable_lock<interprocess_upgradable_mutex> u(um, past);
      std::printf("sharable_lock and upgradable_lock with ptime: %s %s\n", yes(s.owns()), yes(u.owns()));
      std::printf("upgrade past a reader: %s\n", yes(um.timed_unlock_upgradable_and_lock(past)));
      s.unlock();
      std::printf("upgrade alone: %s\n", yes(um.timed_unlock_upgradable_and_lock(past)));
      u.release();
      um.unlock();
   }
   const std::string sn = base + "_timed";
   named_semaphore::remove(sn.c_str());
   {
      named_semaphore s(create_only, sn.c_str(), 0);
      std::printf("named_semaphore timed_wait on zero: %s\n", yes(s.timed_wait(past)));
   }
   named_semaphore::remove(sn.c_str());
#else
   std::printf("scoped_lock(m, ptime) while held: owns no\nscoped_lock::timed_lock when free: yes\n"
               "recursive timed_lock: yes, again yes\nwhile written: timed_lock_sharable no, timed_lock_upgradable no\n"
               "sharable_lock and upgradable_lock with ptime: yes yes\nupgrade past a reader: no\nupgrade alone: yes\n"
               "named_semaphore timed_wait on zero: no\n");
   (void)base;
#endif
}

int main() {
   char name[64];
   test_name(name, sizeof name, "sweep_sync");
   mutexes();
   sharable_and_upgradable();
   locks();
   condition();
   named(name);
   timed(name);
   file_locks(std::string("/tmp/") + name + ".lock");
   std::printf("done\n");
   return 0;
}
