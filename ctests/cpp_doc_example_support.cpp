// What Boost's current documented examples (example/doc_*.cpp) reach for beyond Boost
// 1.74, so that they build by the porting rule: ipcdetail::get_temporary_path (through
// file_mapping.hpp, as Boost's headers bring it), the BOOST_INTERPROCESS_TRY/CATCH/
// RETHROW/CATCH_END macros and the POSIX feature macros of detail/workaround.hpp (through
// any header, as Boost's), and allocate_many with a least alignment.
#include "check.h"
#include <interproc/managed_mapped_file.hpp>
#include <interproc/managed_shared_memory.hpp>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#if !defined(BOOST_INTERPROCESS_MAPPED_FILES) || !defined(BOOST_INTERPROCESS_XSI_SHARED_MEMORY_OBJECTS)
#error "the POSIX feature macros come with every header"
#endif

using namespace interproc;

static int rethrows() {
   BOOST_INTERPROCESS_TRY { throw std::runtime_error("inner"); }
   BOOST_INTERPROCESS_CATCH(const std::runtime_error &) { BOOST_INTERPROCESS_RETHROW }
   BOOST_INTERPROCESS_CATCH_END
   return 0;
}

int main() {
   // The directory for temporary files, in both forms.
   CHECK(ipcdetail::get_temporary_path() == "/tmp");
   char small[3];
   std::size_t need = 0;
   CHECK(!ipcdetail::get_temporary_path(small, sizeof small, need) && need == 5);
   char big[16];
   CHECK(ipcdetail::get_temporary_path(big, sizeof big, need) && std::string(big) == "/tmp");

   // The exception macros: a try/catch pair, rethrow included.
   bool caught = false;
   BOOST_INTERPROCESS_TRY { rethrows(); }
   BOOST_INTERPROCESS_CATCH(const std::runtime_error &e) { caught = std::string(e.what()) == "inner"; }
   BOOST_INTERPROCESS_CATCH_END
   CHECK(caught);

   // allocate_many with a least alignment, throwing and not, by size and by sizes.
   char name[64];
   test_name(name, sizeof name, "docsupport");
   shared_memory_object::remove(name);
   {
      managed_shared_memory seg(create_only, name, 65536);
      managed_shared_memory::multiallocation_chain chain;
      seg.allocate_many(std::nothrow, 100, 16, 64, chain);
      CHECK(chain.size() == 16);
      const managed_shared_memory::size_type sizes[4] = {1, 30, 7, 200};
      seg.allocate_many(sizes, 4, 3, 128, chain);
      CHECK(chain.size() == 20);
      std::size_t i = 0;
      for (auto it = chain.begin(); it != chain.end(); ++it, ++i) {
         const std::uintptr_t a = reinterpret_cast<std::uintptr_t>(to_raw_pointer(*it));
         CHECK(a % (i < 16 ? 64 : 128) == 0);
      }
      seg.deallocate_many(chain);
      seg.allocate_many(std::nothrow, 60000, 4, 64, chain);
      CHECK(chain.empty());
      CHECK(seg.all_memory_deallocated());
   }
   shared_memory_object::remove(name);
   std::printf("cpp_doc_example_support: ok\n");
   return 0;
}
