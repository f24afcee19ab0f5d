// Seed 004 ("Boost.Interprocess 完全使用指南", 5.6 嵌套容器): map<string, vector<int>> in
// a managed segment. Ported by the porting rule. The seed gives only the body; it is
// completed minimally: the includes, main, the segment (with the seeds' remover idiom),
// and one line that prints what the map holds.
#include <interproc/managed_shared_memory.hpp>
#include <interproc/containers/map.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/containers/string.hpp>
#include <interproc/allocators/allocator.hpp>
#include <functional>
#include <iostream>
#include <utility>

namespace bip = interproc;

typedef bip::managed_shared_memory::segment_manager SegmentManager;

int main() {
    struct shm_remove {
        shm_remove() { bip::shared_memory_object::remove("MySharedMemory"); }
        ~shm_remove() { bip::shared_memory_object::remove("MySharedMemory"); }
    } remover;
    bip::managed_shared_memory segment(bip::create_only, "MySharedMemory", 65536);

    // Map<string, vector<int>> 在共享内存中

    typedef bip::allocator<char, SegmentManager> CharAlloc;
    typedef bip::basic_string<char, std::char_traits<char>, CharAlloc> ShmString;

    typedef bip::allocator<int, SegmentManager> IntAlloc;
    typedef bip::vector<int, IntAlloc> ShmIntVector;

    typedef std::pair<const ShmString, ShmIntVector> MapValue;
    typedef bip::allocator<MapValue, SegmentManager> MapAlloc;
    typedef bip::map<ShmString, ShmIntVector, std::less<ShmString>, MapAlloc> ShmMap;

    // 构造时需要传递分配器
    ShmMap* mymap = segment.construct<ShmMap>("mymap")
        (std::less<ShmString>(), segment.get_segment_manager());

    // 插入元素
    ShmString key("key1", segment.get_segment_manager());
    ShmIntVector value(segment.get_segment_manager());
    value.push_back(1);
    value.push_back(2);

    mymap->insert(std::make_pair(key, value));

    for (const MapValue& kv : *mymap) {
        std::cout << kv.first << ": " << kv.second.size() << " ints, " << kv.second[0] << " " << kv.second[1] << "\n";
    }
    return 0;
}
