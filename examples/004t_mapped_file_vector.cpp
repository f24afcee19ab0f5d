// Seed 004 ("Boost.Interprocess 完全使用指南", 3.1 managed_mapped_file): a vector in a
// 100 MB managed mapped file, found or constructed by name. Ported by the porting rule.
// It prints nothing and, like the seed, leaves "data.bin" behind. The seed includes only
// managed_mapped_file.hpp but uses vector and allocator: their headers are added. The
// first line of main is added too: Boost's build of this program and the port run in the
// same directory, and each would otherwise open the other library's file.
#include <interproc/managed_mapped_file.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/allocators/allocator.hpp>
#include <cstdio>

namespace bip = interproc;

int main() {
    std::remove("data.bin");

    // 自动管理的映射文件
    bip::managed_mapped_file file(
        bip::open_or_create,
        "data.bin",
        1024 * 1024 * 100  // 100MB
    );

    // 用法与 managed_shared_memory 完全一致
    typedef bip::allocator<int, bip::managed_mapped_file::segment_manager>
        FileAllocator;
    typedef bip::vector<int, FileAllocator> FileVector;

    FileVector* vec = file.find_or_construct<FileVector>("data")
        (file.get_segment_manager());

    vec->push_back(42);

    // 显式刷新到磁盘（可选）
    file.flush();

    return 0;
}
