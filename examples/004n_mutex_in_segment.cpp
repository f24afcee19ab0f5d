// Seed 004 ("Boost.Interprocess 完全使用指南"), section 4.2: an interprocess_mutex inside a
// struct constructed in a managed segment. Ported by the porting rule alone. It prints
// nothing.
#include <interproc/managed_shared_memory.hpp>
#include <interproc/sync/interprocess_mutex.hpp>
#include <interproc/sync/scoped_lock.hpp>

namespace bip = interproc;

struct SharedData {
    bip::interprocess_mutex mutex;
    int counter;
};

int main() {
    bip::managed_shared_memory segment(
        bip::open_or_create, "MyShm", 65536
    );
    
    SharedData* data = segment.find_or_construct<SharedData>("Data")();
    
    {
        bip::scoped_lock<bip::interprocess_mutex> lock(data->mutex);
        data->counter++;
    }
    
    return 0;
}
