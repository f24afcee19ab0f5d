// A sweep of Boost's memory objects and the message queue, one API at a time:
// shared_memory_object (open modes, truncate, get_size, get_name, get_mode, swap, remove),
// mapped_region (offsets, sizes, flush, shrink_by, advise, get_page_size, swap),
// file_mapping, anonymous_shared_memory, permissions, xsi_key and xsi_shared_memory, and
// message_queue (send, try_send, receive, try_receive, priorities, the limits and remove).
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/anonymous_shared_memory.hpp>
#include <interproc/file_mapping.hpp>
#include <interproc/ipc/message_queue.hpp>
#include <interproc/mapped_region.hpp>
#include <interproc/permissions.hpp>
#include <interproc/shared_memory_object.hpp>
#include <interproc/xsi_key.hpp>
#include <interproc/xsi_shared_memory.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

using namespace interproc;

static const char *yes(bool b) { return b ? "yes" : "no"; }

static void shm_objects(const char *name) {
   shared_memory_object::remove(name);
   {
      permissions perm;
      perm.set_unrestricted();
      shared_memory_object shm(create_only, name, read_write, perm);
      offset_t size = -1;
      const bool sized = shm.get_size(size);
      std::printf("new object: size %d (%s), name %s, mode read_write %s\n", int(sized), yes(size == 0),
                  yes(std::strcmp(shm.get_name(), name) == 0), yes(shm.get_mode() == read_write));
      shm.truncate(3 * mapped_region::get_page_size());
      shm.get_size(size);
      std::printf("truncated to three pages: %s\n", yes(size == offset_t(3 * mapped_region::get_page_size())));
      mapped_region whole(shm, read_write);
      std::memset(whole.get_address(), 'a', whole.get_size());
      std::printf("whole region: size %s, mode %s\n", yes(whole.get_size() == std::size_t(size)),
                  yes(whole.get_mode() == read_write));
      const std::size_t page = mapped_region::get_page_size();
      mapped_region second(shm, read_only, page, page);
      std::printf("region at one page: sees 'a' %s, size one page %s\n", yes(*static_cast<char *>(second.get_address()) == 'a'),
                  yes(second.get_size() == page));
      std::printf("flush: %s, flush part: %s\n", yes(whole.flush()), yes(whole.flush(0, 10, false)));
      std::printf("advise sequential: %s\n", yes(whole.advise(mapped_region::advice_sequential)));
      const bool shrunk = whole.shrink_by(page);
      std::printf("shrink_by one page: %s, size two pages %s\n", yes(shrunk), yes(whole.get_size() == 2 * page));
      mapped_region swapped;
      swapped.swap(whole);
      std::printf("swap: empty %s, other size two pages %s\n", yes(whole.get_address() == nullptr && whole.get_size() == 0),
                  yes(swapped.get_size() == 2 * page));
      shared_memory_object opened(open_only, name, read_only);
      std::printf("open_only read_only: mode %s\n", yes(opened.get_mode() == read_only));
      shared_memory_object both(open_or_create, name, read_write);
      shared_memory_object moved(std::move(both));
      shared_memory_object other;
      other.swap(moved);
      std::printf("moved and swapped: name %s\n", yes(std::strcmp(other.get_name(), name) == 0));
      try {
         mapped_region bad(opened, read_write);
      } catch (const interprocess_exception &) {
         std::printf("a read_write region of a read_only object: interprocess_exception\n");
      }
   }
   const bool removed = shared_memory_object::remove(name);
   const bool removed_again = shared_memory_object::remove(name);
   std::printf("remove: %s, again %s\n", yes(removed), yes(removed_again));
   try {
      shared_memory_object gone(open_only, name, read_only);
   } catch (const interprocess_exception &e) {
      std::printf("open_only after remove: not_found %s\n", yes(e.get_error_code() == not_found_error));
   }
}

static void files(const std::string &path) {
   {
      std::ofstream f(path.c_str(), std::ios::binary);
      f << std::string(5000, 'f');
   }
   file_mapping fm(path.c_str(), read_write);
   std::printf("file_mapping: name %s, mode %s\n", yes(path == fm.get_name()), yes(fm.get_mode() == read_write));
   mapped_region r(fm, read_write, 100, 50);
   static_cast<char *>(r.get_address())[0] = 'g';
   std::printf("file region: size %u, flush %s\n", unsigned(r.get_size()), yes(r.flush()));
   mapped_region all(fm, read_only);
   std::printf("whole file: size %u, byte 100 '%c'\n", unsigned(all.get_size()),
               static_cast<const char *>(all.get_address())[100]);
   std::printf("file_mapping::remove: %s\n", yes(file_mapping::remove(path.c_str())));
}

static void anonymous_and_permissions() {
   mapped_region anon(anonymous_shared_memory(8192));
   std::memset(anon.get_address(), 1, anon.get_size());
   std::printf("anonymous_shared_memory: size %u\n", unsigned(anon.get_size()));
   permissions p;
   std::printf("permissions default 0644: %s\n", yes(p.get_permissions() == 0644));
   p.set_unrestricted();
   std::printf("set_unrestricted 0666: %s\n", yes(p.get_permissions() == 0666));
   p.set_permissions(0600);
   std::printf("set_permissions 0600: %s\n", yes(p.get_permissions() == 0600));
   p.set_default();
   std::printf("set_default: %s\n", yes(p.get_permissions() == 0644));
   permissions q(0640);
   std::printf("permissions(0640): %s\n", yes(q.get_permissions() == 0640));
}

static void xsi(const std::string &path) {
   std::ofstream(path.c_str()) << "k";
   xsi_key key(path.c_str(), 3);
   xsi_key same(path.c_str(), 3);
   std::printf("xsi_key: same path and id give the same key %s\n", yes(key.get_key() == same.get_key()));
   xsi_shared_memory shm(create_only, key, 4096);
   std::printf("xsi_shared_memory: id valid %s, mapping handle is the id %s\n", yes(shm.get_shmid() >= 0),
               yes(shm.get_mapping_handle().handle == shm.get_shmid()));
   {
      mapped_region r(shm, read_write);
      std::strcpy(static_cast<char *>(r.get_address()), "xsi");
      xsi_shared_memory opened(open_only, key);
      xsi_shared_memory by_id(open_only, shm.get_shmid());
      std::printf("open_only by id: same id %s\n", yes(by_id.get_shmid() == shm.get_shmid()));
      mapped_region r2(opened, read_only);
      std::printf("second handle reads: %s\n", static_cast<const char *>(r2.get_address()));
   }
   std::printf("xsi remove: %s\n", yes(xsi_shared_memory::remove(shm.get_shmid())));
   std::remove(path.c_str());
}

static void queues(const char *name) {
   message_queue::remove(name);
   {
      message_queue mq(create_only, name, 3, sizeof(int));
      std::printf("message_queue: max_msg %u, max_msg_size %u, num_msg %u\n", unsigned(mq.get_max_msg()),
                  unsigned(mq.get_max_msg_size()), unsigned(mq.get_num_msg()));
      for (int i = 1; i <= 3; ++i) {
         mq.send(&i, sizeof i, unsigned(i));
      }
      const int extra = 99;
      const bool sent = mq.try_send(&extra, sizeof extra, 0);
      std::printf("try_send when full: %s, num_msg %u\n", yes(sent), unsigned(mq.get_num_msg()));
      message_queue::size_type got = 0;
      unsigned prio = 0;
      int v = 0;
      mq.receive(&v, sizeof v, got, prio);
      std::printf("receive: highest priority first: value %d, priority %u, size %u\n", v, prio, unsigned(got));
      message_queue other(open_only, name);
      other.receive(&v, sizeof v, got, prio);
      std::printf("second handle receives: %d\n", v);
      std::printf("try_receive: %s", yes(mq.try_receive(&v, sizeof v, got, prio)));
      std::printf(" value %d; empty now %s\n", v, yes(!mq.try_receive(&v, sizeof v, got, prio)));
      try {
         const long long big = 1;
         mq.send(&big, sizeof big, 0);
      } catch (const interprocess_exception &e) {
         std::printf("a message larger than the limit: interprocess_exception, size_error %s\n",
                     yes(e.get_error_code() == size_error));
      }
      char tiny[1];
      mq.send(&extra, sizeof extra, 0);
      try {
         mq.receive(tiny, sizeof tiny, got, prio);
      } catch (const interprocess_exception &e) {
         std::printf("a buffer smaller than the limit: interprocess_exception, size_error %s\n",
                     yes(e.get_error_code() == size_error));
      }
      message_queue opened(open_or_create, name, 3, sizeof(int));
      std::printf("open_or_create opened: num_msg %u\n", unsigned(opened.get_num_msg()));
   }
   const bool removed = message_queue::remove(name);
   const bool removed_again = message_queue::remove(name);
   std::printf("message_queue::remove: %s, again %s\n", yes(removed), yes(removed_again));
}

int main() {
   char name[64];
   test_name(name, sizeof name, "sweep_obj");
   shm_objects(name);
   files(std::string("/tmp/") + name + ".map");
   anonymous_and_permissions();
   xsi(std::string("/tmp/") + name + ".key");
   queues(name);
   std::printf("done\n");
   return 0;
}
