// Code the tool cannot port: it reports it and leaves it as it is.
#include <boost/interprocess/windows_shared_memory.hpp>
#include <boost/interprocess/detail/utilities.hpp>

void legacy() {
  boost::interprocess::windows_shared_memory shm(boost::interprocess::create_only, "x",
                                                 boost::interprocess::read_write, 1000);
  boost::interprocess::ipcdetail::to_raw_pointer(&shm);
}
