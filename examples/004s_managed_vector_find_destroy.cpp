// Seed 004 ("Boost.Interprocess 完全使用指南", 2.1 managed_shared_memory): a vector
// constructed by name, found and destroyed. Ported by the porting rule. The seed uses
// std::cout without including <iostream> (Boost's headers do not bring it in either); the
// include is added.
#include <interproc/managed_shared_memory.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/allocators/allocator.hpp>
#include <iostream>

namespace bip = interproc;

// RAII 清理器 - 处理崩溃残留
struct shm_remove {
    const char* name;
    shm_remove(const char* n) : name(n) {
        bip::shared_memory_object::remove(name);  // 清理上次残留
    }
    ~shm_remove() {
        bip::shared_memory_object::remove(name);  // 正常清理
    }
};

int main() {
    shm_remove remover("MySharedMemory");

    // 创建 1MB 共享内存段
    bip::managed_shared_memory segment(
        bip::create_only,
        "MySharedMemory",
        1024 * 1024  // 1MB
    );

    // 定义共享内存分配器
    typedef bip::allocator<int, bip::managed_shared_memory::segment_manager>
        ShmAllocator;
    typedef bip::vector<int, ShmAllocator> ShmVector;

    // 在共享内存中构造命名对象
    ShmVector* vec = segment.construct<ShmVector>("MyVector")
        (segment.get_segment_manager());  // 传入分配器参数

    vec->push_back(1);
    vec->push_back(2);
    vec->push_back(3);

    // 查找已存在的对象
    auto found = segment.find<ShmVector>("MyVector");
    if (found.first) {
        std::cout << "Found vector with " << found.second << " elements\n";
    }

    // 销毁对象
    segment.destroy<ShmVector>("MyVector");

    return 0;
}
