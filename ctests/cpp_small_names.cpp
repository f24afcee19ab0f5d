// Small names of Boost's API, each used as Boost documents it:
// - <interproc/sync/cv_status.hpp> and <interproc/timed_utils.hpp> (Boost 1.78+): ustime
//   and usduration deadlines for mutexes, conditions and the message queue, and what the
//   condition's wait_until/wait_for return;
// - message_queue_t<VoidPointer>, whose size_type follows the pointer;
// - scoped_ptr::reset(p, d) with a deleter of its own;
// - intrusive_ptr::reset(), its move and its conversion to a base;
// - offset_ptr<Derived> from offset_ptr<Base> (explicit only, as a static_cast);
// - bad_weak_ptr, thrown by shared_ptr's constructor from an expired weak_ptr;
// - mapping_handle_t: the descriptor behind a shared memory object or a file mapping, and a
//   mappable class of the program's own that hands on another's handle.
#include "check.h"
#include <interproc/file_mapping.hpp>
#include <interproc/mapped_region.hpp>
#include <interproc/shared_memory_object.hpp>
#include <interproc/ipc/message_queue.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/offset_ptr.hpp>
#include <interproc/smart_ptr/deleter.hpp>
#include <interproc/smart_ptr/intrusive_ptr.hpp>
#include <interproc/smart_ptr/scoped_ptr.hpp>
#include <interproc/smart_ptr/shared_ptr.hpp>
#include <interproc/smart_ptr/weak_ptr.hpp>
#include <interproc/sync/cv_status.hpp>
#include <interproc/sync/interprocess_condition.hpp>
#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>
#include <interproc/timed_utils.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <string>
#include <thread>
#include <type_traits>

using namespace interproc;

static std::uint64_t now_us() {
   return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

static void timed_utils() {
   // The arithmetic of the two types.
   CHECK(usduration_from_seconds(2).get_microsecs() == 2000000u);
   CHECK(usduration_from_milliseconds(3).get_microsecs() == 3000u);
   ustime t(1000);
   t += usduration(500);
   CHECK(t.get_microsecs() == 1500u);
   t -= usduration(200);
   CHECK(t.get_microsecs() == 1300u);
   CHECK((t + usduration(7)).get_microsecs() == 1307u && (t - usduration(7)).get_microsecs() == 1293u);
   CHECK((ustime(50) - ustime(20)).get_microsecs() == 30u);
   CHECK(ustime(1) < ustime(2) && ustime(2) > ustime(1) && ustime(2) <= ustime(2) && ustime(2) >= ustime(2));
   CHECK(usduration(1) < usduration(2) && usduration(3) > usduration(2) && usduration(2) <= usduration(2));
   const std::uint64_t before = now_us();
   const ustime soon = ustime_delay_milliseconds(100);
   CHECK(soon.get_microsecs() >= before + 100000u && soon.get_microsecs() < now_us() + 100000u + 1000u);

   // A held mutex: timed_lock with a ustime and try_lock_for with a usduration give up at
   // the deadline, not before.
   interprocess_mutex m;
   m.lock();
   std::thread other([&] {
      std::uint64_t start = now_us();
      CHECK(!m.timed_lock(ustime_delay_milliseconds(40)));
      CHECK(now_us() - start >= 39000u);
      start = now_us();
      CHECK(!m.try_lock_for(usduration_from_milliseconds(30)));
      CHECK(now_us() - start >= 29000u);
      // A deadline in the past is a try.
      CHECK(!m.timed_lock(ustime(0)));
   });
   other.join();
   m.unlock();
   CHECK(m.timed_lock(ustime_delay_milliseconds(10)));
   m.unlock();

   // A condition nobody notifies times out, and says so with cv_status.
   interprocess_mutex cm;
   interprocess_condition cond;
   scoped_lock<interprocess_mutex> lock(cm);
   const std::uint64_t start = now_us();
   CHECK(cond.wait_until(lock, ustime_delay_milliseconds(30)) == cv_status::timeout);
   CHECK(now_us() - start >= 29000u);
   CHECK(cond.wait_for(lock, usduration_from_milliseconds(5)) == cv_status::timeout);
   CHECK(!cond.timed_wait(lock, ustime_delay_milliseconds(5)));
   CHECK(lock.owns());
   static_assert(cv_status::no_timeout != cv_status::timeout, "two states");
}

// A queue declared over a 32-bit offset_ptr counts in 32 bits, as in Boost.
typedef message_queue_t<offset_ptr<void, std::int32_t, std::uint64_t>> SmallQueue;
static_assert(std::is_same<SmallQueue::size_type, std::uint32_t>::value, "size_type follows the void pointer");
static_assert(std::is_same<SmallQueue::difference_type, std::int32_t>::value, "difference_type");
static_assert(std::is_same<message_queue::size_type, std::size_t>::value, "message_queue counts in size_t");
static_assert(std::is_same<message_queue, message_queue_t<offset_ptr<void>>>::value, "message_queue is the typedef");

static void queues() {
   char name[64];
   test_name(name, sizeof name, "small_q");
   SmallQueue::remove(name);
   SmallQueue q(create_only, name, 4, 16);
   CHECK(q.get_max_msg() == 4u && q.get_max_msg_size() == 16u);
   const int v = 42;
   q.send(&v, sizeof v, 3);
   message_queue same(open_only, name);
   CHECK(same.get_num_msg() == 1u);
   int got[4] = {0, 0, 0, 0}; // a receive buffer holds the largest message
   SmallQueue::size_type n = 0;
   unsigned int prio = 0;
   CHECK(q.timed_receive(got, sizeof got, n, prio, ustime_delay_milliseconds(100)));
   CHECK(got[0] == 42 && n == sizeof v && prio == 3);
   const std::uint64_t start = now_us();
   CHECK(!q.timed_receive(got, sizeof got, n, prio, ustime_delay_milliseconds(20)));
   CHECK(now_us() - start >= 19000u);
   CHECK(SmallQueue::remove(name));
}

// Counts deletions; scoped_ptr destroys with the deleter it was last given.
struct CountingDeleter {
   typedef int *pointer;
   int *count;
   explicit CountingDeleter(int *c = nullptr) : count(c) {}
   void operator()(int *p) {
      ++*count;
      delete p;
   }
};

static void scoped_ptr_reset() {
   int first = 0, second = 0;
   {
      scoped_ptr<int, CountingDeleter> p(new int(1), CountingDeleter(&first));
      p.reset(new int(2), CountingDeleter(&second));
      CHECK(first == 1 && second == 0 && *p == 2);
      p.reset(new int(3));
      CHECK(second == 1 && *p == 3);
   }
   CHECK(first == 1 && second == 2);

   // With Boost's deleter, in a segment.
   char name[64];
   test_name(name, sizeof name, "small_sp");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory segment(create_only, name, 65536);
   typedef deleter<int, managed_shared_memory::segment_manager> D;
   D d(segment.get_segment_manager());
   const auto free_before = segment.get_free_memory();
   {
      scoped_ptr<int, D> sp(segment.construct<int>(anonymous_instance)(5), d);
      sp.reset(segment.construct<int>(anonymous_instance)(6), d);
      CHECK(*sp == 6);
      CHECK(segment.get_free_memory() < free_before);
   }
   CHECK(segment.get_free_memory() == free_before); // both ints destroyed
}

struct Counted {
   int refs = 0;
   bool destroyed = false;
   virtual ~Counted() = default;
};
struct CountedDerived : Counted {
   int extra = 9;
};
static void intrusive_ptr_add_ref(Counted *p) { ++p->refs; }
static void intrusive_ptr_release(Counted *p) {
   if (--p->refs == 0) {
      p->destroyed = true;
   }
}

static void intrusive_ptr_reset() {
   CountedDerived obj;
   typedef intrusive_ptr<CountedDerived, offset_ptr<void>> DerivedPtr;
   typedef intrusive_ptr<Counted, offset_ptr<void>> BasePtr;
   DerivedPtr a(&obj);
   CHECK(obj.refs == 1);
   BasePtr b(a); // to the base, another reference
   CHECK(obj.refs == 2 && b.get().get() == static_cast<Counted *>(&obj));
   DerivedPtr c(std::move(a)); // a move takes the reference over
   CHECK(obj.refs == 2 && !a && c);
   c.reset();
   CHECK(obj.refs == 1 && !c && !obj.destroyed);
   c.reset(); // resetting an empty pointer does nothing
   CHECK(obj.refs == 1);
   b.reset();
   CHECK(obj.refs == 0 && obj.destroyed && !b);
   BasePtr d;
   d = BasePtr(&obj);
   CHECK(obj.refs == 1);
   BasePtr e;
   e = std::move(d);
   CHECK(obj.refs == 1 && !d && e);
}

struct Base {
   int b = 1;
};
struct Other {
   int o = 2;
};
struct Derived : Other, Base {
   int d = 3;
};

// Implicit only towards the base (or void); explicit back down, as a static_cast.
static_assert(std::is_convertible<offset_ptr<Derived>, offset_ptr<Base>>::value, "up: implicit");
static_assert(!std::is_convertible<offset_ptr<Base>, offset_ptr<Derived>>::value, "down: not implicit");
static_assert(std::is_constructible<offset_ptr<Derived>, offset_ptr<Base>>::value, "down: explicit");
static_assert(std::is_constructible<offset_ptr<int>, offset_ptr<void>>::value, "from void: explicit");
static_assert(!std::is_convertible<offset_ptr<void>, offset_ptr<int>>::value, "from void: not implicit");
static_assert(!std::is_constructible<offset_ptr<Derived>, offset_ptr<long>>::value, "unrelated: no");

static void offset_ptr_conversions() {
   Derived obj;
   offset_ptr<Base> base(&obj);
   CHECK(base.get() == static_cast<Base *>(&obj));
   CHECK(static_cast<void *>(base.get()) != static_cast<void *>(&obj)); // Base is not first
   offset_ptr<Derived> back(base);
   CHECK(back.get() == &obj && back->d == 3);
   CHECK(back == static_pointer_cast<Derived>(base));
   offset_ptr<Base> null_base;
   CHECK(!offset_ptr<Derived>(null_base)); // null stays null, not a shifted address
   offset_ptr<void> v(&obj.d);
   offset_ptr<int> i(v);
   CHECK(i.get() == &obj.d && *i == 3);
   const offset_ptr<const Base> cbase(base);
   CHECK(offset_ptr<const Derived>(cbase).get() == &obj); // down, keeping const
}

// A program's own mappable class: mapped_region takes anything with get_mapping_handle()
// and get_mode().
class Wrapped {
public:
   explicit Wrapped(const shared_memory_object &shm) : m_shm(shm) {}
   mapping_handle_t get_mapping_handle() const { return m_shm.get_mapping_handle(); }
   interproc::mode_t get_mode() const { return m_shm.get_mode(); }

private:
   const shared_memory_object &m_shm;
};

static void mapping_handles() {
   char name[64];
   test_name(name, sizeof name, "small_mh");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   shared_memory_object shm(create_only, name, read_write);
   shm.truncate(8192);
   const mapping_handle_t h = shm.get_mapping_handle();
   CHECK(!h.is_xsi && h.handle >= 0);
   struct stat st;
   CHECK(fstat(h.handle, &st) == 0 && st.st_size == 8192);
   mapped_region r(Wrapped(shm), read_write);
   CHECK(r.get_size() == 8192);
   std::memset(r.get_address(), 7, 8192);

   char path[64];
   test_name(path, sizeof path, "small_mh_file");
   {
      std::FILE *f = std::fopen(path, "wb");
      CHECK(f && std::fwrite("0123456789", 1, 10, f) == 10);
      std::fclose(f);
   }
   remove_file_on_destroy file_cleanup(path);
   file_mapping fm(path, read_only);
   const mapping_handle_t fh = fm.get_mapping_handle();
   CHECK(!fh.is_xsi && fh.handle >= 0 && fh.handle != h.handle);
   CHECK(fstat(fh.handle, &st) == 0 && st.st_size == 10);
}

static void weak_to_shared() {
   char name[64];
   test_name(name, sizeof name, "small_wp");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory segment(create_only, name, 65536);
   typedef managed_shared_ptr<int, managed_shared_memory>::type SharedInt;
   typedef managed_weak_ptr<int, managed_shared_memory>::type WeakInt;
   SharedInt owner = make_managed_shared_ptr(segment.construct<int>(anonymous_instance)(11), segment);
   WeakInt watcher(owner);
   {
      SharedInt again(watcher); // the object lives: a second owner
      CHECK(*again == 11 && owner.use_count() == 2);
   }
   owner.reset();
   CHECK(watcher.expired() && !watcher.lock());
   bool thrown = false;
   try {
      SharedInt gone(watcher);
   } catch (const bad_weak_ptr &e) {
      thrown = std::string(e.what()).find("bad_weak_ptr") != std::string::npos;
   }
   CHECK(thrown);
   static_assert(std::is_base_of<std::exception, bad_weak_ptr>::value, "a std::exception, as in Boost");
}

int main() {
   timed_utils();
   weak_to_shared();
   mapping_handles();
   queues();
   scoped_ptr_reset();
   intrusive_ptr_reset();
   offset_ptr_conversions();
   std::printf("cpp_small_names: ok\n");
   return 0;
}
