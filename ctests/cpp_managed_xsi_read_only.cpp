// managed_xsi_shared_memory opened read-only, as Boost offers it: a second process
// attaches the System V segment of a key with open_read_only, finds the objects the
// creator built, and every call that would write throws mode_error and changes nothing.
// Opening a key that has no segment read-only throws not_found_error.
#include "check.h"
#include <interproc/managed_xsi_shared_memory.hpp>

#include <cstdio>
#include <string>

using namespace interproc;

static void expect_mode_error(void (*f)(managed_xsi_shared_memory &), managed_xsi_shared_memory &ro) {
   try {
      f(ro);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == mode_error);
   }
}

static int reader(const xsi_key &key) {
   managed_xsi_shared_memory ro(open_read_only, key);
   CHECK(ro.get_this_pointer() == &ro);
   const std::pair<int *, std::size_t> found = ro.find<int>("value");
   CHECK(found.first != nullptr && found.second == 3);
   CHECK(found.first[0] == 7 && found.first[1] == 8 && found.first[2] == 9);
   CHECK(ro.get_num_named_objects() == 1);
   expect_mode_error([](managed_xsi_shared_memory &m) { m.construct<int>("other")(1); }, ro);
   expect_mode_error([](managed_xsi_shared_memory &m) { m.allocate(16); }, ro);
   expect_mode_error([](managed_xsi_shared_memory &m) { m.destroy<int>("value"); }, ro);
   return 0;
}

int main(int argc, char **argv) {
   char name[64];
   test_name(name, sizeof name, "xsi_ro");
   const std::string path = std::string("/tmp/") + name;
   if (argc == 4) {
      return reader(xsi_key(argv[3], 1));
   }
   std::FILE *f = std::fopen(path.c_str(), "w");
   CHECK(f != nullptr);
   std::fclose(f);
   const xsi_key key(path.c_str(), 1);
   {
      managed_xsi_shared_memory rw(create_only, key, 65536, nullptr, permissions(0600));
      int *value = rw.construct<int>("value")[3](0);
      value[0] = 7;
      value[1] = 8;
      value[2] = 9;
      const std::size_t free_before = rw.get_free_memory();
      CHECK(run_child(argv[0], "reader", path.c_str()) == 0);
      // The reader changed nothing.
      CHECK(rw.get_free_memory() == free_before && rw.get_num_named_objects() == 1);
      CHECK(managed_xsi_shared_memory::remove(rw.get_shmid()));
   }
   // No segment for the key any more.
   try {
      managed_xsi_shared_memory missing(open_read_only, key);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == not_found_error);
   }
   std::remove(path.c_str());
   std::printf("cpp_managed_xsi_read_only: ok\n");
   return 0;
}
