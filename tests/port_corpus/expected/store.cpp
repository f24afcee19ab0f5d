#include "ipc_fwd.hpp"

#include <interproc/mapped_region.hpp>
#include <interproc/shared_memory_object.hpp>
#include <interproc/sync/named_mutex.hpp>

#include <cstring>

// C++17 nested namespace: a forward declaration the way newer code writes it.
namespace interproc {
class named_semaphore;
}

namespace {
using Semaphore = ::interproc::named_semaphore;
Semaphore* no_semaphore = nullptr;
}  // namespace

Store open_store(const std::string& name, std::size_t size) {
  using namespace interproc;
  Store s;
  s.object = std::make_shared<shared_memory_object>(create_only, name.c_str(), read_write);
  s.object->truncate(static_cast<interproc::offset_t>(size));
  s.region = std::make_shared<mapped_region>(*s.object, read_write);
  std::memset(s.region->get_address(), 0, s.region->get_size());
  s.mutex = std::make_shared<bip::named_mutex>(bip::open_or_create, (name + "_mutex").c_str());
  (void)no_semaphore;
  return s;
}

void remove_store(const std::string& name) {
  interproc::shared_memory_object::remove(name.c_str());
  bip::named_mutex::remove((name + "_mutex").c_str());
}
