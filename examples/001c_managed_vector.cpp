// Seed 001 ("Boost共享内存", 三、高级应用：共享内存中使用STL容器): a vector in a managed
// segment, found or constructed by name. Ported by the porting rule. It prints nothing.
// The seed's fragment relies on a `using namespace` it never writes; it is spelled out
// here. It also leaves "ManagedSHM" behind for other processes; the remover below (the
// seeds' own idiom) is added so that a later run, or Boost's build of this program, does
// not open a segment in the other library's format.
#include <interproc/managed_shared_memory.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/allocators/allocator.hpp>
using namespace interproc;

typedef int ValueType;
typedef allocator<ValueType, managed_shared_memory::segment_manager> ShmemAllocator;
typedef vector<ValueType, ShmemAllocator> SharedVector;

int main() {
    struct shm_remove {
        shm_remove() { shared_memory_object::remove("ManagedSHM"); }
        ~shm_remove() { shared_memory_object::remove("ManagedSHM"); }
    } remover;

    // 创建托管共享内存（自动管理生命周期）
    managed_shared_memory segment(open_or_create, "ManagedSHM", 65536);

    // 构造共享vector
    SharedVector* vec = segment.find_or_construct<SharedVector>("MyVector")
        (segment.get_allocator<ValueType>());

    // 添加数据
    vec->push_back(42);
    vec->push_back(88);

    // 其他进程可通过相同名称访问该vector
    return 0;
}
