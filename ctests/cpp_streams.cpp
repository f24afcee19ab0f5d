// bufferstream and vectorstream: formatting into and parsing out of fixed buffers and
// character vectors, including a vector inside a managed segment.
#include "check.h"
#include <interproc/containers/string.hpp>
#include <interproc/containers/vector.hpp>
#include <interproc/managed_shared_memory.hpp>
#include <interproc/streams/bufferstream.hpp>
#include <interproc/streams/vectorstream.hpp>

#include <cstdio>
#include <string>
#include <vector>

using namespace interproc;

int main() {
   // A fixed buffer: formatting stops at its end instead of growing.
   char buf[32] = {};
   obufferstream os(buf, sizeof buf);
   os << 12345 << ' ' << "abc" << ' ' << 2.5;
   CHECK(os.good());
   CHECK(std::string(buf) == "12345 abc 2.5");
   ibufferstream is(buf, std::strlen(buf));
   int n = 0;
   std::string word;
   double d = 0;
   is >> n >> word >> d;
   CHECK(n == 12345 && word == "abc" && d == 2.5);
   char small[4] = {};
   obufferstream tiny(small, sizeof small);
   tiny << 123456;
   CHECK(!tiny.good());
   char rw[16] = {};
   bufferstream bs(rw, sizeof rw);
   bs << 77 << ' ';
   bs.seekg(0);
   int m = 0;
   bs >> m;
   CHECK(m == 77);

   // A std::vector<char> and std::string as the target.
   basic_vectorstream<std::vector<char>> vs;
   for (int i = 0; i < 1000; ++i) {
      vs << i << ',';
   }
   CHECK(vs.vector().size() > 3000);
   int first = -1;
   char comma = 0;
   vs >> first >> comma;
   CHECK(first == 0 && comma == ',');
   std::vector<char> out;
   vs.swap_vector(out);
   CHECK(std::string(out.begin(), out.begin() + 6) == "0,1,2,");

   // A string in shared memory as the target.
   char name[64];
   test_name(name, sizeof name, "cpp_streams");
   shared_memory_object::remove(name);
   remove_shared_memory_on_destroy cleanup(name);
   managed_shared_memory segment(create_only, name, 1 << 16);
   typedef allocator<char, managed_shared_memory::segment_manager> CharAlloc;
   typedef basic_string<char, std::char_traits<char>, CharAlloc> ShmString;
   basic_ovectorstream<ShmString> shm_os(CharAlloc(segment.get_segment_manager()));
   shm_os << "pi=" << 3.25 << " n=" << 42;
   ShmString *stored = segment.construct<ShmString>("text")(CharAlloc(segment.get_segment_manager()));
   shm_os.swap_vector(*stored);
   CHECK(std::string(stored->c_str()) == "pi=3.25 n=42");
   basic_ivectorstream<ShmString> shm_is(*stored);
   std::string a;
   shm_is >> a;
   CHECK(a == "pi=3.25");
   std::printf("cpp_streams: ok\n");
   return 0;
}
