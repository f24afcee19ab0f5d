// Seed 003 (The Boost C++ Libraries, chapter 33), example 33.1: creating shared memory.
// Ported by the porting rule alone.
#include <interproc/shared_memory_object.hpp>
#include <iostream>

using namespace interproc;

int main()
{
  shared_memory_object shdmem{open_or_create, "Boost", read_write};
  shdmem.truncate(1024);
  std::cout << shdmem.get_name() << '\n';
  offset_t size;
  if (shdmem.get_size(size))
    std::cout << size << '\n';
}
