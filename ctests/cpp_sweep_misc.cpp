// A sweep of the rest of Boost's API, one call at a time: the segment's allocator<T> and
// deleter<T> helpers (on the segment and on its manager), wide-character segments,
// interprocess_condition_any and named_condition_any, message_queue_t over offset_ptr, and
// the timed calls of the queue and the locks with Boost.DateTime's ptime (when its headers
// are installed).
// Porting rule: this program also builds against Boost and prints the same.
#include "check.h"
#include <interproc/ipc/message_queue.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/smart_ptr/deleter.hpp>
#include <interproc/sync/interprocess_condition_any.hpp>
#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/named_condition_any.hpp>
#include <interproc/sync/named_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>

#if __has_include(<boost/date_time/posix_time/posix_time_types.hpp>)
#include <boost/date_time/posix_time/posix_time_types.hpp>
#define HAVE_PTIME 1
#endif

#include <cstdio>
#include <string>

using namespace interproc;

static const char *yes(bool b) { return b ? "yes" : "no"; }

static void helpers(const char *name) {
   shared_memory_object::remove(name);
   managed_shared_memory seg(create_only, name, 65536);
   managed_shared_memory::allocator<int>::type a = seg.get_allocator<int>();
   managed_shared_memory::segment_manager::allocator<int>::type ma = seg.get_segment_manager()->get_allocator<int>();
   std::printf("get_allocator: same segment %s, equal %s\n", yes(a.get_segment_manager() == seg.get_segment_manager()),
               yes(a == ma));
   managed_shared_memory::deleter<int>::type d = seg.get_deleter<int>();
   int *p = seg.construct<int>(anonymous_instance)(5);
   d(p);
   std::printf("get_deleter destroyed the object: %s\n", yes(seg.all_memory_deallocated()));
   shared_memory_object::remove(name);
}

static void wide(const char *name) {
   shared_memory_object::remove(name);
   {
      wmanaged_shared_memory seg(create_only, name, 65536);
      seg.construct<int>(L"wide name")(7);
      seg.construct<int>(L"другое")[3](1);
      std::pair<int *, wmanaged_shared_memory::size_type> f = seg.find<int>(L"wide name");
      std::printf("wide: found %d, named %u, array of %u\n", *f.first, unsigned(seg.get_num_named_objects()),
                  unsigned(seg.find<int>(L"другое").second));
      std::wstring names;
      for (auto it = seg.named_begin(); it != seg.named_end(); ++it) {
         names += std::wstring(it->name(), it->name_length()) + L";";
      }
      std::printf("wide names: %u characters, has \"wide name;\" %s\n", unsigned(names.size()),
                  yes(names.find(L"wide name;") != std::wstring::npos));
      const std::wstring instance_name = wmanaged_shared_memory::get_instance_name(f.first);
      std::printf("wide instance name matches: %s\n", yes(instance_name == L"wide name"));
      std::printf("wide destroy: %s\n", yes(seg.destroy<int>(L"wide name")));
   }
   shared_memory_object::remove(name);
}

static void conditions_any(const char *name) {
   interprocess_mutex m;
   interprocess_condition_any c;
   scoped_lock<interprocess_mutex> l(m);
   c.notify_one();
   c.wait(l, [] { return true; });
   std::printf("condition_any: wait with a true predicate returns, lock held %s\n", yes(l.owns()));
   const std::string cn = std::string(name) + "_cany", mn = std::string(name) + "_many";
   named_condition_any::remove(cn.c_str());
   named_mutex::remove(mn.c_str());
   {
      named_condition_any nc(create_only, cn.c_str());
      named_mutex nm(create_only, mn.c_str());
      scoped_lock<named_mutex> nl(nm);
      nc.notify_all();
      nc.wait(nl, [] { return true; });
      std::printf("named_condition_any: wait with a true predicate returns\n");
#ifdef HAVE_PTIME
      const boost::posix_time::ptime soon =
         boost::posix_time::microsec_clock::universal_time() + boost::posix_time::milliseconds(20);
      std::printf("named_condition_any: timed_wait times out %s\n", yes(!nc.timed_wait(nl, soon)));
#else
      std::printf("named_condition_any: timed_wait times out yes\n");
#endif
   }
   std::printf("named_condition_any::remove: %s\n", yes(named_condition_any::remove(cn.c_str())));
   named_mutex::remove(mn.c_str());
}

static void queues(const char *name) {
   const std::string qn = std::string(name) + "_q";
   message_queue_t<offset_ptr<void>>::remove(qn.c_str());
   {
      message_queue_t<offset_ptr<void>> mq(create_only, qn.c_str(), 2, 16);
      unsigned prio = 0;
      message_queue_t<offset_ptr<void>>::size_type got = 0;
      char buf[16];
#ifdef HAVE_PTIME
      const boost::posix_time::ptime soon =
         boost::posix_time::microsec_clock::universal_time() + boost::posix_time::milliseconds(20);
      std::printf("timed_receive on empty: %s\n", yes(mq.timed_receive(buf, sizeof buf, got, prio, soon)));
      mq.send("a", 1, 1);
      mq.send("b", 1, 2);
      std::printf("timed_send on full: %s\n", yes(mq.timed_send("c", 1, 0, soon)));
      const bool received = mq.timed_receive(buf, sizeof buf, got, prio, soon);
      std::printf("timed_receive: %s, '%c', priority %u\n", yes(received), buf[0], prio);
#else
      std::printf("timed_receive on empty: no\n");
      mq.send("a", 1, 1);
      mq.send("b", 1, 2);
      std::printf("timed_send on full: no\n");
      mq.receive(buf, sizeof buf, got, prio);
      std::printf("timed_receive: yes, '%c', priority %u\n", buf[0], prio);
#endif
      std::printf("message_queue_t: num_msg %u, max_msg_size %u\n", unsigned(mq.get_num_msg()), unsigned(mq.get_max_msg_size()));
   }
   message_queue_t<offset_ptr<void>>::remove(qn.c_str());
}

int main() {
   char name[64];
   test_name(name, sizeof name, "sweep_misc");
   helpers(name);
   wide(name);
   conditions_any(name);
   queues(name);
   std::printf("done\n");
   return 0;
}
