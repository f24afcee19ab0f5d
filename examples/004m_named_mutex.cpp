// Seed 004 ("Boost.Interprocess 完全使用指南"), section 4.1: a named mutex with scoped_lock.
// Ported by the porting rule alone. It prints nothing.
#include <interproc/sync/named_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>

namespace bip = interproc;

int main() {
    // 创建或打开命名互斥锁
    bip::named_mutex mutex(bip::open_or_create, "my_mutex");
    
    {
        // RAII 锁定
        bip::scoped_lock<bip::named_mutex> lock(mutex);
        
        // 临界区操作...
        
    }  // 自动解锁
    
    // 清理（通常在程序结束时）
    bip::named_mutex::remove("my_mutex");
    
    return 0;
}
