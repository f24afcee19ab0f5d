// ipc_fwd.hpp: forward declarations, so that users of Store need not include
// Boost.Interprocess (boost::interprocess headers are slow to compile).
#ifndef CORPUS_IPC_FWD_HPP
#define CORPUS_IPC_FWD_HPP

#include <cstddef>
#include <memory>
#include <string>

namespace boost {
namespace interprocess {
class mapped_region;
class file_lock;
}  // namespace interprocess
}  // namespace boost

namespace boost { namespace interprocess { class shared_memory_object; } }

namespace boost {
namespace corpus_detail {
struct tag {};
}  // namespace corpus_detail
namespace interprocess {
class named_mutex;
}
}  // namespace boost

namespace bip = boost::interprocess;

// The namespace through a macro, as some code bases spell it.
#define CORPUS_IPC ::boost::interprocess

struct Store {
  std::shared_ptr<boost::interprocess::mapped_region> region;
  std::shared_ptr<bip::shared_memory_object> object;
  std::shared_ptr<CORPUS_IPC::named_mutex> mutex;
};

/// Creates shared memory object `name` of `size` bytes and maps it.
Store open_store(const std::string& name, std::size_t size);

/// Removes what open_store created.
void remove_store(const std::string& name);

#endif
