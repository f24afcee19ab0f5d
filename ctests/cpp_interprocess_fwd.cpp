// <interproc/interprocess_fwd.hpp> declares the classes of Boost's interprocess_fwd.hpp that
// interproc has, so a program's own header can name them (pointers, references, friend
// and member declarations) with only that include, as with Boost. After the full headers,
// the declared names are the classes themselves. (The names used here are those Boost 1.74's
// interprocess_fwd.hpp declares.)
// Porting rule: this program also builds against Boost and prints the same.
#include <interproc/interprocess_fwd.hpp>
#include <string>

typedef interproc::segment_manager<char, interproc::rbtree_best_fit<interproc::mutex_family>, interproc::iset_index> fwd_segment_manager;

// What a program's header declares with only the forward declarations.
struct Handles {
   interproc::message_queue *mq;
   interproc::node_allocator<int, fwd_segment_manager> *nodes;
   interproc::private_node_allocator<int, fwd_segment_manager> *private_nodes;
   interproc::cached_node_allocator<int, fwd_segment_manager> *cached_nodes;
   interproc::adaptive_pool<int, fwd_segment_manager> *pool;
   interproc::private_adaptive_pool<int, fwd_segment_manager> *private_pool;
   interproc::cached_adaptive_pool<int, fwd_segment_manager> *cached_pool;
   interproc::basic_bufferstream<char> *buffer_stream;
   interproc::basic_ivectorstream<std::string> *vector_stream;
   interproc::offset_ptr<int> *offset;
   interproc::shared_memory_object *shm;
   interproc::mapped_region *region;
   interproc::file_mapping *file;
   interproc::xsi_shared_memory *xsi;
   interproc::permissions *perm;
   interproc::managed_shared_memory *segment;
   interproc::managed_mapped_file *mapped_file;
   interproc::managed_heap_memory *heap;
   interproc::managed_external_buffer *buffer;
   interproc::managed_xsi_shared_memory *xsi_segment;
   interproc::interprocess_mutex *mutex;
   interproc::interprocess_recursive_mutex *recursive_mutex;
   interproc::interprocess_semaphore *semaphore;
   interproc::interprocess_condition *condition;
   interproc::interprocess_sharable_mutex *sharable_mutex;
   interproc::named_mutex *named;
   interproc::named_recursive_mutex *named_recursive;
   interproc::named_semaphore *named_sem;
   interproc::null_mutex *null;
   interproc::scoped_lock<interproc::named_mutex> *lock;
   interproc::sharable_lock<interproc::interprocess_sharable_mutex> *shared_lock;
   interproc::upgradable_lock<interproc::named_mutex> *upgrade_lock;
   interproc::message_queue_t<void *> *queue;
   const interproc::interprocess_exception *error;
   const interproc::bad_alloc *no_memory;
   const interproc::lock_exception *lock_error;
};

#include "check.h"
#include <interproc/exceptions.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/shared_memory_object.hpp>
#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>

#include <interproc/allocators/adaptive_pool.hpp>
#include <interproc/allocators/cached_adaptive_pool.hpp>
#include <interproc/allocators/cached_node_allocator.hpp>
#include <interproc/allocators/node_allocator.hpp>
#include <interproc/allocators/private_adaptive_pool.hpp>
#include <interproc/allocators/private_node_allocator.hpp>
#include <interproc/ipc/message_queue.hpp>
#include <interproc/streams/bufferstream.hpp>
#include <interproc/streams/vectorstream.hpp>

#include <cstdio>
#include <string>
#include <type_traits>

// The forward declarations' defaults are the definitions' defaults.
static_assert(std::is_same<decltype(Handles::mq), interproc::message_queue_t<interproc::offset_ptr<void>> *>::value, "message_queue");
static_assert(std::is_same<decltype(Handles::nodes), interproc::node_allocator<int, fwd_segment_manager, 64> *>::value, "node_allocator");
static_assert(std::is_same<decltype(Handles::cached_pool), interproc::cached_adaptive_pool<int, fwd_segment_manager, 64, 2, 5> *>::value, "cached_adaptive_pool");
static_assert(std::is_same<decltype(Handles::buffer_stream), interproc::bufferstream *>::value, "bufferstream");
static_assert(std::is_same<decltype(Handles::offset), interproc::offset_ptr<int, std::ptrdiff_t, interproc::uintptr_t, interproc::offset_type_alignment> *>::value, "offset_ptr");

static_assert(std::is_same<decltype(Handles::segment), interproc::managed_shared_memory *>::value, "the same class");
static_assert(std::is_same<decltype(Handles::lock), interproc::scoped_lock<interproc::named_mutex> *>::value, "the same template");
static_assert(std::is_base_of<interproc::interprocess_exception, interproc::bad_alloc>::value, "bad_alloc is an interprocess_exception");

int main() {
   char name[64];
   test_name(name, sizeof name, "fwd");
   interproc::shared_memory_object::remove(name);
   interproc::remove_shared_memory_on_destroy cleanup(name);
   interproc::managed_shared_memory segment(interproc::create_only, name, 65536);
   Handles h = {};
   h.segment = &segment;
   h.mutex = h.segment->construct<interproc::interprocess_mutex>("mutex")();
   {
      interproc::scoped_lock<interproc::interprocess_mutex> lock(*h.mutex);
      CHECK(lock.owns());
   }
   CHECK(h.segment->destroy<interproc::interprocess_mutex>("mutex"));
   std::printf("cpp_interprocess_fwd: ok\n");
   return 0;
}
