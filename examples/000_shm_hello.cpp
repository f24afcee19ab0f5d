// Seed 000 (CSDN, "Boost.InterProcess配置使用"): shared memory read/write example.
// Ported by the porting rule alone.
#include <interproc/shared_memory_object.hpp>
#include <interproc/mapped_region.hpp>
#include <iostream>

using namespace interproc;

int main()
{
    // 创建或打开共享内存对象
    shared_memory_object shm(open_or_create, "my_shared_memory", read_write);

    // 设置共享内存对象的大小
    shm.truncate(1024);

    // 映射共享内存到当前进程的地址空间
    mapped_region region(shm, read_write);

    // 获取共享内存的首地址
    void* addr = region.get_address();

    // 写入数据到共享内存
    const char* str = "Hello, Boost.Interprocess!";
    std::strcpy(static_cast<char*>(addr), str);

    // 从共享内存读取数据
    char buffer[1024];
    std::strcpy(buffer, static_cast<char*>(addr));

    // 输出读取到的数据
    std::cout << "Message from shared memory: " << buffer << std::endl;

    // 删除共享内存对象
    shared_memory_object::remove("my_shared_memory");

    return 0;
}
