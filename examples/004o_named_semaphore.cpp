// Seed 004 ("Boost.Interprocess 完全使用指南"), section 4.4: a named semaphore with wait,
// post, try_wait and a boost::posix_time deadline. Ported by the porting rule alone (the
// Boost.DateTime include stays). It prints nothing.
#include <interproc/sync/named_semaphore.hpp>
#include <boost/date_time/posix_time/posix_time.hpp>

namespace bip = interproc;

int main() {
    // 创建初始值为 3 的信号量
    bip::named_semaphore sem(bip::open_or_create, "my_sem", 3);
    
    sem.wait();      // P 操作，-1
    // 临界区...
    sem.post();      // V 操作，+1
    
    // 非阻塞尝试
    if (sem.try_wait()) {
        // 获得资源
    }
    
    // 带超时
    boost::posix_time::ptime timeout = 
        boost::posix_time::microsec_clock::universal_time() +
        boost::posix_time::milliseconds(100);
    if (sem.timed_wait(timeout)) {
        // 在超时前获得资源
    }
    
    return 0;
}
