// Readers-writer locks through the C++ wrapper: sharable_lock, upgradable_lock and
// scoped_lock with every transfer Boost documents, std::shared_lock compatibility, a
// multi-process counter on a named_sharable_mutex, and owner death by SIGKILL for the
// sharable and upgradable mutexes (locking does not throw; previous_owner_died() tells).
#include "check.h"
#include <interproc/mapped_region.hpp>
#include <interproc/shared_memory_object.hpp>
#include <interproc/sync/file_lock.hpp>
#include <interproc/sync/interprocess_sharable_mutex.hpp>
#include <interproc/sync/interprocess_upgradable_mutex.hpp>
#include <interproc/sync/named_semaphore.hpp>
#include <interproc/sync/named_sharable_mutex.hpp>
#include <interproc/sync/named_upgradable_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>
#include <interproc/sync/sharable_lock.hpp>
#include <interproc/sync/upgradable_lock.hpp>

#include <chrono>
#include <cstdio>
#include <new>
#include <shared_mutex>
#include <string>
#include <vector>

using namespace interproc;
using namespace std::chrono;

enum { WORKERS = 3, ROUNDS = 3000 };

struct Shared {
   interprocess_sharable_mutex sharable;
   long counter = 0;
   long violations = 0;
   volatile bool writer_inside = false;
};

static std::string base;
static std::string nm(const char *tag) { return base + "_" + tag; }

static int child(const std::string &role) {
   shared_memory_object shm(open_only, nm("shm").c_str(), read_write);
   mapped_region region(shm, read_write);
   Shared *s = static_cast<Shared *>(region.get_address());
   if (role == "mix") {
      named_sharable_mutex m(open_or_create, nm("rw").c_str());
      for (int i = 0; i < ROUNDS; ++i) {
         if (i % 3 == 0) {
            scoped_lock<named_sharable_mutex> lock(m);
            s->writer_inside = true;
            s->counter++;
            s->writer_inside = false;
         } else {
            sharable_lock<named_sharable_mutex> lock(m);
            if (s->writer_inside) {
               __atomic_fetch_add(&s->violations, 1, __ATOMIC_RELAXED);
            }
         }
      }
      return 0;
   }
   if (role == "file_busy") {
      file_lock fl(nm("file").c_str());
      CHECK(!fl.try_lock());
      CHECK(fl.try_lock_sharable()); // the parent holds it sharable
      fl.unlock_sharable();
      CHECK(!fl.timed_lock(steady_clock::now() + milliseconds(20)));
      return 0;
   }
   named_semaphore held(open_only, nm("held").c_str());
   if (role == "hold_sharable_mutex") {
      s->sharable.lock();
   } else if (role == "hold_named_upgradable") {
      named_upgradable_mutex m(open_only, nm("up").c_str());
      m.lock_upgradable();
      held.post();
      wait_for_kill();
   } else if (role == "hold_named_exclusive") {
      named_upgradable_mutex m(open_only, nm("up").c_str());
      m.lock();
      held.post();
      wait_for_kill();
   } else {
      return 2;
   }
   held.post();
   wait_for_kill();
}

static void kill_holder(const char *self, const char *role) {
   named_semaphore held(open_only, nm("held").c_str());
   pid_t pid = spawn_child(self, role, base.c_str());
   CHECK(held.timed_wait(steady_clock::now() + seconds(20)));
   CHECK(kill(pid, SIGKILL) == 0);
   CHECK(waitpid(pid, nullptr, 0) == pid);
}

static void transfers() {
   interprocess_upgradable_mutex m;
   {
      sharable_lock<interprocess_upgradable_mutex> r1(m);
      sharable_lock<interprocess_upgradable_mutex> r2(m, try_to_lock);
      CHECK(r1.owns() && r2.owns());
      upgradable_lock<interprocess_upgradable_mutex> u(m, try_to_lock);
      CHECK(u.owns());
      scoped_lock<interprocess_upgradable_mutex> w(std::move(u), try_to_lock);
      CHECK(!w.owns() && u.owns()); // readers present: upgrade refused, u keeps it
      scoped_lock<interprocess_upgradable_mutex> w2(std::move(u), steady_clock::now() + milliseconds(20));
      CHECK(!w2.owns() && u.owns());
      r1.unlock();
      r2.unlock();
      scoped_lock<interprocess_upgradable_mutex> w3(std::move(u)); // upgrade
      CHECK(w3.owns() && !u.owns() && u.mutex() == nullptr);
      CHECK(!m.try_lock_sharable());
      upgradable_lock<interprocess_upgradable_mutex> u2(std::move(w3)); // demote to upgradable
      CHECK(u2.owns() && !w3.owns());
      sharable_lock<interprocess_upgradable_mutex> r3(std::move(u2)); // demote to sharable
      CHECK(r3.owns());
      upgradable_lock<interprocess_upgradable_mutex> u3(std::move(r3), try_to_lock);
      CHECK(u3.owns() && !r3.owns());
      scoped_lock<interprocess_upgradable_mutex> w4(std::move(u3));
      sharable_lock<interprocess_upgradable_mutex> r4(std::move(w4)); // exclusive -> sharable
      scoped_lock<interprocess_upgradable_mutex> w5(std::move(r4), try_to_lock); // only reader
      CHECK(w5.owns());
      CHECK(!m.timed_lock_sharable(system_clock::now() + milliseconds(10)));
   }
   {
      interprocess_sharable_mutex sm;
      std::shared_lock<interprocess_sharable_mutex> a(sm);
      std::shared_lock<interprocess_sharable_mutex> b(sm);
      CHECK(!sm.try_lock());
      CHECK(!sm.try_lock_for(milliseconds(10)));
   }
   {
      interprocess_sharable_mutex sm;
      scoped_lock<interprocess_sharable_mutex> w(sm);
      sharable_lock<interprocess_sharable_mutex> r(sm, defer_lock);
      CHECK(!r.try_lock());
      CHECK(!r.timed_lock(steady_clock::now() + milliseconds(5)));
   }
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
   test_name(buf, sizeof buf, "cpp_sync_rw");
   base = buf;
   try {
      shared_memory_object::remove(nm("shm").c_str());
      remove_shared_memory_on_destroy cleanup(nm("shm").c_str());
      shared_memory_object shm(create_only, nm("shm").c_str(), read_write);
      shm.truncate(sizeof(Shared));
      mapped_region region(shm, read_write);
      Shared *s = new (region.get_address()) Shared;

      transfers();
      {
         std::FILE *f = std::fopen(nm("file").c_str(), "w");
         CHECK(f != nullptr);
         std::fclose(f);
         file_lock fl(nm("file").c_str());
         fl.lock_sharable();
         CHECK(wait_bounded(spawn_child(argv[0], "file_busy", base.c_str()), 20) == 0);
         fl.unlock_sharable();
         file_lock moved(std::move(fl));
         CHECK(moved.try_lock_for(milliseconds(100)));
         moved.unlock();
         std::remove(nm("file").c_str());
         try {
            file_lock missing(nm("file").c_str());
            CHECK(false);
         } catch (const interprocess_exception &e) {
            CHECK(e.get_error_code() == not_found_error);
         }
      }

      named_sharable_mutex::remove(nm("rw").c_str());
      std::vector<pid_t> pids;
      for (int i = 0; i < WORKERS; ++i) {
         pids.push_back(spawn_child(argv[0], "mix", base.c_str()));
      }
      for (pid_t p : pids) {
         CHECK(wait_bounded(p, 60) == 0);
      }
      CHECK(s->counter == long(WORKERS) * (ROUNDS / 3));
      CHECK(s->violations == 0);
      CHECK(named_sharable_mutex::remove(nm("rw").c_str()));

      named_semaphore held(create_only, nm("held").c_str(), 0);
      kill_holder(argv[0], "hold_sharable_mutex");
      {
         sharable_lock<interprocess_sharable_mutex> r(s->sharable); // recovers, no throw
         CHECK(r.owns());
      }
      {
         scoped_lock<interprocess_sharable_mutex> w(s->sharable);
         CHECK(s->sharable.previous_owner_died()); // the reader's recovery is reported
      }
      {
         scoped_lock<interprocess_sharable_mutex> w(s->sharable);
         CHECK(!s->sharable.previous_owner_died());
      }
      named_upgradable_mutex up(create_only, nm("up").c_str());
      kill_holder(argv[0], "hold_named_upgradable");
      {
         upgradable_lock<named_upgradable_mutex> u(up);
         CHECK(up.previous_owner_died());
      }
      kill_holder(argv[0], "hold_named_exclusive");
      {
         scoped_lock<named_upgradable_mutex> w(up, steady_clock::now() + seconds(5));
         CHECK(w.owns() && up.previous_owner_died());
      }
      try {
         named_sharable_mutex wrong(open_only, nm("up").c_str());
         CHECK(false);
      } catch (const interprocess_exception &e) {
         CHECK(e.get_error_code() == corrupted_error);
      }
      named_upgradable_mutex::remove(nm("up").c_str());
      named_semaphore::remove(nm("held").c_str());
      s->~Shared();
   } catch (const interprocess_exception &e) {
      std::fprintf(stderr, "cpp_sync_rw: %s (code %d)\n", e.what(), int(e.get_error_code()));
      return 1;
   }
   std::printf("cpp_sync_rw: ok\n");
   return 0;
}
