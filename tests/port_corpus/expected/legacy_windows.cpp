// Code the tool cannot port: it reports it and leaves it as it is.
#include <boost/interprocess/windows_shared_memory.hpp>
#include <boost/interprocess/detail/utilities.hpp>

void legacy() {
  interproc::windows_shared_memory shm(interproc::create_only, "x",
                                                 interproc::read_write, 1000);
  interproc::ipcdetail::to_raw_pointer(&shm);
}
