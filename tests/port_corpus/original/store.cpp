#include "ipc_fwd.hpp"

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include "boost/interprocess/sync/named_mutex.hpp"

#include <cstring>

// C++17 nested namespace: a forward declaration the way newer code writes it.
namespace boost::interprocess {
class named_semaphore;
}

namespace {
using Semaphore = ::boost::interprocess::named_semaphore;
Semaphore* no_semaphore = nullptr;
}  // namespace

Store open_store(const std::string& name, std::size_t size) {
  using namespace boost::interprocess;
  Store s;
  s.object = std::make_shared<shared_memory_object>(create_only, name.c_str(), read_write);
  s.object->truncate(static_cast<boost::interprocess::offset_t>(size));
  s.region = std::make_shared<mapped_region>(*s.object, read_write);
  std::memset(s.region->get_address(), 0, s.region->get_size());
  s.mutex = std::make_shared<bip::named_mutex>(bip::open_or_create, (name + "_mutex").c_str());
  (void)no_semaphore;
  return s;
}

void remove_store(const std::string& name) {
  boost::interprocess::shared_memory_object::remove(name.c_str());
  bip::named_mutex::remove((name + "_mutex").c_str());
}
