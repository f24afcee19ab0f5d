/* main.cpp: a counter in shared memory, written for Boost.Interprocess.
   Build: g++ main.cpp store.cpp -lrt -pthread (needs boost/interprocess). */
#include "ipc_fwd.hpp"
#include <boost/interprocess/managed_shared_memory.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/sync/named_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>

#include <cstdio>
#include <string>

using namespace boost;

// A move-only handle, written the Boost.Move way.
class Handle {
  BOOST_MOVABLE_BUT_NOT_COPYABLE(Handle)

 public:
  explicit Handle(int v) : v_(v) {}
  Handle(BOOST_RV_REF(Handle) other) : v_(other.v_) { other.v_ = 0; }
  Handle& operator=(BOOST_RV_REF(Handle) other) {
    v_ = other.v_;
    other.v_ = 0;
    return *this;
  }
  int value() const { return v_; }

 private:
  int v_;
};

static const char* const kBanner = "counter (boost::interprocess::managed_shared_memory)";
static const char* const kRaw = R"doc(namespace boost { namespace interprocess { } })doc";

int main(int argc, char** argv) {
  const std::string name = argc > 1 ? argv[1] : "port_corpus";
  interprocess::shared_memory_object::remove(name.c_str());
  interprocess::managed_shared_memory segment(interprocess::create_only, name.c_str(), 65536);
  boost::uint32_t* counter = segment.construct<boost::uint32_t>("counter")(0u);
  BOOST_STATIC_ASSERT(sizeof(boost::uint32_t) == 4);

  Store store = open_store(name + "_store", 4096);
  {
    interprocess::named_mutex& mutex = *store.mutex;
    for (int i = 0; i < 5; ++i) {
      interprocess::scoped_lock<interprocess::named_mutex> lock(mutex);
      ++*counter;
    }
    // A deadline already past: the mutex is free, so the lock is taken at once.
    const boost::posix_time::ptime deadline(boost::gregorian::date(2000, 1, 1),
                                            boost::posix_time::milliseconds(100));
    const bool locked = mutex.timed_lock(deadline);
    BOOST_ASSERT(locked);
    std::printf("timed_lock: %d\n", locked ? 1 : 0);
    mutex.unlock();
  }

  Handle a(7);
  Handle b(boost::move(a));
  interprocess::managed_shared_memory moved(boost::move(segment));
  std::printf("%s\n%s\n", kBanner, kRaw);
  std::printf("counter: %u\n", static_cast<unsigned>(*moved.find<boost::uint32_t>("counter").first));
  std::printf("handles: %d %d\n", a.value(), b.value());
  std::printf("store: %zu bytes\n", store.region->get_size());

  remove_store(name + "_store");
  interprocess::shared_memory_object::remove(name.c_str());
  return 0;
}
