// Seed 004 ("Boost.Interprocess 完全使用指南"), section 3.2: file_mapping + mapped_region
// over a file created with std::filebuf. Ported by the porting rule alone. It prints
// nothing; it leaves myfile.dat in the working directory, as the original does.
#include <interproc/file_mapping.hpp>
#include <interproc/mapped_region.hpp>
#include <fstream>

namespace bip = interproc;

int main() {
    const char* filename = "myfile.dat";
    const std::size_t file_size = 1024 * 1024;

    // 1. 创建/扩展文件
    {
        std::filebuf fbuf;
        fbuf.open(filename, std::ios::out | std::ios::binary | std::ios::trunc);
        fbuf.pubseekoff(file_size - 1, std::ios::beg);
        fbuf.sputc(0);
    }

    // 2. 创建文件映射对象
    bip::file_mapping mapping(filename, bip::read_write);

    // 3. 映射到内存区域
    bip::mapped_region region(mapping, bip::read_write);

    // 4. 直接访问内存
    void* addr = region.get_address();
    std::size_t size = region.get_size();

    // 写入数据
    std::memset(addr, 0, size);

    // 刷新到文件
    region.flush();

    return 0;
}
