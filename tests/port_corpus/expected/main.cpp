/* main.cpp: a counter in shared memory, written for Boost.Interprocess.
   Build: g++ main.cpp store.cpp -lrt -pthread (needs boost/interprocess). */
#include "ipc_fwd.hpp"
#include <interproc/managed_shared_memory.hpp>
#include <interproc/mapped_region.hpp>
#include <interproc/sync/named_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>
#include <boost/move/utility_core.hpp>
#include <boost/date_time/posix_time/posix_time_types.hpp>
#include <boost/assert.hpp>
#include <boost/static_assert.hpp>
#include <boost/cstdint.hpp>

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
  interproc::shared_memory_object::remove(name.c_str());
  interproc::managed_shared_memory segment(interproc::create_only, name.c_str(), 65536);
  boost::uint32_t* counter = segment.construct<boost::uint32_t>("counter")(0u);
  BOOST_STATIC_ASSERT(sizeof(boost::uint32_t) == 4);

  Store store = open_store(name + "_store", 4096);
  {
    interproc::named_mutex& mutex = *store.mutex;
    for (int i = 0; i < 5; ++i) {
      interproc::scoped_lock<interproc::named_mutex> lock(mutex);
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
  interproc::managed_shared_memory moved(boost::move(segment));
  std::printf("%s\n%s\n", kBanner, kRaw);
  std::printf("counter: %u\n", static_cast<unsigned>(*moved.find<boost::uint32_t>("counter").first));
  std::printf("handles: %d %d\n", a.value(), b.value());
  std::printf("store: %zu bytes\n", store.region->get_size());

  remove_store(name + "_store");
  interproc::shared_memory_object::remove(name.c_str());
  return 0;
}
