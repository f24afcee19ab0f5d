// Every bad input of the foundation throws interprocess_exception with Boost's error code
// through the C++ wrapper, and leaves other objects intact.
#include "check.h"
#include <interproc.hpp>

#include <cstdio>
#include <string>

using namespace interproc;

// Runs `f`, which must throw interprocess_exception with code `expected` and a message.
template <class F> static void expect_error(const char *what, error_code_t expected, F f) {
   try {
      f();
   } catch (const interprocess_exception &e) {
      if (e.get_error_code() != expected || std::string(e.what()).empty()) {
         std::fprintf(stderr, "%s: got code %d (%s), expected %d\n", what, static_cast<int>(e.get_error_code()),
                      e.what(), static_cast<int>(expected));
         std::exit(1);
      }
      return;
   }
   std::fprintf(stderr, "%s: no exception\n", what);
   std::exit(1);
}

int main() {
   char buf[64];
   test_name(buf, sizeof buf, "cpp_bad");
   const std::string name = buf;
   shared_memory_object::remove(name.c_str());

   expect_error("open_only missing", not_found_error,
                [&] { shared_memory_object s(open_only, name.c_str(), read_write); });

   shared_memory_object shm(create_only, name.c_str(), read_write);
   shm.truncate(4096);
   mapped_region region(shm, read_write);
   std::strcpy(static_cast<char *>(region.get_address()), "intact");

   expect_error("create_only existing", already_exists_error,
                [&] { shared_memory_object s(create_only, name.c_str(), read_write); });
   expect_error("slash inside", path_error, [] { shared_memory_object s(open_or_create, "a/b", read_write); });
   expect_error("empty name", path_error, [] { shared_memory_object s(open_or_create, "", read_write); });
   const std::string long_name(300, 'x');
   expect_error("long name", path_error, [&] { shared_memory_object s(open_or_create, long_name.c_str(), read_write); });
   expect_error("null name", invalid_argument, [] { shared_memory_object s(open_or_create, nullptr, read_write); });
   expect_error("copy_on_write object", mode_error,
                [&] { shared_memory_object s(open_only, name.c_str(), copy_on_write); });

   shared_memory_object ro(open_only, name.c_str(), read_only);
   expect_error("truncate read_only", mode_error, [&] { ro.truncate(8192); });
   expect_error("truncate negative", invalid_argument, [&] { shm.truncate(-1); });
   try {
      shm.truncate(offset_t(1) << 60);
      std::fprintf(stderr, "absurd truncate succeeded\n");
      return 1;
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == out_of_space_error || e.get_error_code() == out_of_memory_error);
   }
   offset_t size = 0;
   CHECK(shm.get_size(size) && size == 4096);

   expect_error("map read_write on read_only", security_error, [&] { mapped_region r(ro, read_write); });
   expect_error("offset at end", size_error, [&] { mapped_region r(shm, read_write, 4096); });
   expect_error("size past end", size_error, [&] { mapped_region r(shm, read_write, 100, 4000); });
   expect_error("invalid mode", mode_error, [&] { mapped_region r(shm, invalid_mode); });
   expect_error("map options", invalid_argument, [&] { mapped_region r(shm, read_write, 0, 0, nullptr, 0x40); });
   expect_error("map nothing", invalid_argument, [] {
      shared_memory_object none;
      mapped_region r(none, read_only);
   });
   expect_error("anonymous 0", size_error, [] { mapped_region r = anonymous_shared_memory(0); });

   {
      char ebuf[64];
      test_name(ebuf, sizeof ebuf, "cpp_bad_empty");
      remove_shared_memory_on_destroy cleanup(ebuf);
      shared_memory_object empty(open_or_create, ebuf, read_write);
      expect_error("map empty", size_error, [&] { mapped_region r(empty, read_only); });
   }

   CHECK(!region.flush(5000));
   CHECK(!region.shrink_by(5000));

   expect_error("missing file", not_found_error, [] { file_mapping f("/nonexistent/interproc/file", read_only); });
   expect_error("file mode", mode_error, [] { file_mapping f("/tmp", read_private); });
   expect_error("xsi key path", not_found_error, [] { xsi_key k("/nonexistent/interproc", 1); });
   expect_error("xsi size 0", size_error, [] { xsi_shared_memory s(create_only, xsi_key(), 0); });
   {
      xsi_shared_memory seg(create_only, xsi_key(), 4096, permissions(0600));
      expect_error("xsi offset", invalid_argument, [&] { mapped_region r(seg, read_write, 4096); });
      expect_error("xsi cow", mode_error, [&] { mapped_region r(seg, copy_on_write); });
      CHECK(xsi_shared_memory::remove(seg.get_shmid()));
   }

   // lock_exception and bad_alloc carry their codes.
   CHECK(lock_exception().get_error_code() == lock_error);
   CHECK(bad_alloc().get_error_code() == out_of_memory_error);
   CHECK(interprocess_exception("plain").get_error_code() == other_error);
   CHECK(std::string(interprocess_exception("plain").what()) == "plain");

   // A native error comes through.
   try {
      shared_memory_object s(open_only, name.c_str(), read_write);
      shared_memory_object missing(open_only, (name + "_missing").c_str(), read_write);
      return 1;
   } catch (const interprocess_exception &e) {
      CHECK(e.get_native_error() == ENOENT);
      CHECK(std::string(e.what()).find("_missing") != std::string::npos);
   }

   CHECK(std::string(static_cast<const char *>(region.get_address())) == "intact");
   CHECK(shm.get_size(size) && size == 4096);
   CHECK(shared_memory_object::remove(name.c_str()));
   std::printf("cpp_bad_input: ok\n");
   return 0;
}
