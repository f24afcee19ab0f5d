// Seed 001 ("Boost共享内存"), reader process; runs after 001a_shm_writer. The seed shows
// only main(); the includes and `using namespace` of its writer are spelled out here.
#include <iostream>
#include <interproc/shared_memory_object.hpp>
#include <interproc/mapped_region.hpp>
using namespace interproc;

int main() {
    // 1. 打开已有共享内存
    shared_memory_object shm(open_only, "MySharedMemory", read_only);

    // 2. 映射内存
    mapped_region region(shm, read_only);

    // 3. 读取数据
    char* data = static_cast<char*>(region.get_address());
    std::cout << "Received: " << data << std::endl;

    // 4. 清理（通常由最后一个进程执行）
    shared_memory_object::remove("MySharedMemory");
    return 0;
}
