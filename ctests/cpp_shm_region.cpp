// shared_memory_object, mapped_region, file_mapping, anonymous_shared_memory and the
// System V classes through the C++ wrapper, with Boost's names.
#include "check.h"
#include <interproc.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <type_traits>

using namespace interproc;

// Movable but not copyable, like Boost's.
static_assert(!std::is_copy_constructible_v<shared_memory_object>);
static_assert(!std::is_copy_assignable_v<shared_memory_object>);
static_assert(std::is_nothrow_move_constructible_v<shared_memory_object>);
static_assert(std::is_nothrow_move_assignable_v<shared_memory_object>);
static_assert(!std::is_copy_constructible_v<mapped_region>);
static_assert(std::is_nothrow_move_constructible_v<mapped_region>);
static_assert(!std::is_copy_constructible_v<file_mapping>);
static_assert(std::is_nothrow_move_constructible_v<file_mapping>);
static_assert(!std::is_copy_constructible_v<xsi_shared_memory>);
static_assert(std::is_nothrow_move_constructible_v<xsi_shared_memory>);
static_assert(std::is_base_of_v<interprocess_exception, bad_alloc>);
static_assert(std::is_base_of_v<interprocess_exception, lock_exception>);
static_assert(std::is_base_of_v<std::exception, interprocess_exception>);

static std::string name_for(const char *tag) {
   char buf[64];
   test_name(buf, sizeof buf, tag);
   return buf;
}

static void shm_and_regions() {
   const std::string name = name_for("cpp_basic");
   shared_memory_object::remove(name.c_str());
   remove_shared_memory_on_destroy cleanup(name.c_str());

   shared_memory_object shm(create_only, name.c_str(), read_write);
   CHECK(std::string(shm.get_name()) == name);
   CHECK(shm.get_mode() == read_write);
   offset_t size = -1;
   CHECK(shm.get_size(size) && size == 0);
   shm.truncate(10000);
   CHECK(shm.get_size(size) && size == 10000);

   struct stat st;
   CHECK(stat(("/dev/shm/" + name).c_str(), &st) == 0);
   CHECK((st.st_mode & 0777) == 0644);

   mapped_region region(shm, read_write);
   CHECK(region.get_size() == 10000);
   CHECK(region.get_mode() == read_write);
   auto *p = static_cast<unsigned char *>(region.get_address());
   for (std::size_t i = 0; i < region.get_size(); ++i) {
      p[i] = static_cast<unsigned char>(i % 253);
   }
   CHECK(region.flush());
   CHECK(region.flush(100, 200, false));
   CHECK(region.advise(mapped_region::advice_random));
   CHECK(mapped_region::get_page_size() >= 4096);

   // A second handle, read-only, mapped at an unaligned offset.
   shared_memory_object ro(open_only, name.c_str(), read_only);
   mapped_region part(ro, read_only, 5001, 1000);
   CHECK(part.get_size() == 1000);
   const auto *q = static_cast<const unsigned char *>(part.get_address());
   for (std::size_t i = 0; i < 1000; ++i) {
      CHECK(q[i] == static_cast<unsigned char>((5001 + i) % 253));
   }

   // read_private and copy_on_write keep private what they change.
   mapped_region priv(ro, read_private);
   mapped_region cow(ro, copy_on_write);
   static_cast<unsigned char *>(cow.get_address())[0] = 200;
   CHECK(p[0] == 0);
   CHECK(static_cast<const unsigned char *>(priv.get_address())[0] == 0);

   // Move and swap.
   mapped_region moved(std::move(region));
   CHECK(region.get_address() == nullptr && region.get_size() == 0);
   CHECK(moved.get_address() == p);
   mapped_region other;
   other.swap(moved);
   CHECK(other.get_address() == p && moved.get_address() == nullptr);
   moved = std::move(other);
   CHECK(moved.get_address() == p);

   shared_memory_object empty;
   CHECK(std::string(empty.get_name()).empty());
   CHECK(empty.get_mode() == invalid_mode);
   empty = std::move(shm);
   CHECK(std::string(empty.get_name()) == name);
   CHECK(std::string(shm.get_name()).empty());
   empty.swap(shm);
   CHECK(std::string(shm.get_name()) == name);

   // shrink_by: from the back keeps the address, from the front moves it.
   CHECK(moved.shrink_by(1000));
   CHECK(moved.get_size() == 9000 && moved.get_address() == p);
   CHECK(moved.shrink_by(4100, false));
   CHECK(moved.get_size() == 4900);
   CHECK(moved.get_address() == p + 4100);
   CHECK(*static_cast<unsigned char *>(moved.get_address()) == 4100 % 253);
   CHECK(!moved.shrink_by(5000));

   // open_or_create opens the existing object.
   shared_memory_object again(open_or_create, name.c_str(), read_write, permissions(0600));
   CHECK(again.get_size(size) && size == 10000);
}

static void permissions_class() {
   permissions p;
   CHECK(p.get_permissions() == 0644);
   p.set_unrestricted();
   CHECK(p.get_permissions() == 0666);
   p.set_permissions(0600);
   CHECK(p.get_permissions() == 0600);
   p.set_default();
   CHECK(p.get_permissions() == 0644);

   const std::string name = name_for("cpp_perm");
   shared_memory_object::remove(name.c_str());
   permissions unrestricted;
   unrestricted.set_unrestricted();
   ::mode_t old = umask(0077);
   shared_memory_object shm(create_only, name.c_str(), read_write, unrestricted);
   umask(old);
   struct stat st;
   CHECK(stat(("/dev/shm/" + name).c_str(), &st) == 0);
   CHECK((st.st_mode & 0777) == 0666);
   CHECK(shared_memory_object::remove(name.c_str()));
   CHECK(!shared_memory_object::remove(name.c_str()));
}

static void anonymous() {
   mapped_region r = anonymous_shared_memory(4096);
   CHECK(r.get_size() == 4096);
   auto *v = static_cast<volatile int *>(r.get_address());
   *v = 5;
   pid_t pid = fork();
   if (pid == 0) {
      *v = 6;
      _exit(0);
   }
   CHECK(wait_bounded(pid, 30) == 0);
   CHECK(*v == 6);
}

static void files() {
   const std::string path = "/tmp/" + name_for("cpp_file");
   {
      std::ofstream f(path, std::ios::binary);
      f << std::string(8192, 'a');
   }
   remove_file_on_destroy cleanup(path.c_str());
   file_mapping fm(path.c_str(), read_write);
   CHECK(std::string(fm.get_name()) == path);
   CHECK(fm.get_mode() == read_write);
   {
      mapped_region r(fm, read_write, 4095, 10);
      CHECK(r.get_size() == 10);
      std::memcpy(r.get_address(), "0123456789", 10);
      CHECK(r.flush(0, 0, false));
   }
   std::ifstream in(path, std::ios::binary);
   std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
   CHECK(content.size() == 8192);
   CHECK(content.substr(4094, 12) == "a0123456789a");
   file_mapping moved(std::move(fm));
   CHECK(std::string(moved.get_name()) == path);
}

static void xsi() {
   const std::string path = "/tmp/" + name_for("cpp_xsi");
   { std::ofstream f(path); }
   remove_file_on_destroy cleanup(path.c_str());
   xsi_key key(path.c_str(), 3);
   CHECK(key.get_key() != xsi_key().get_key());
   xsi_shared_memory seg(create_only, key, 6000);
   const int id = seg.get_shmid();
   CHECK(id >= 0);
   {
      xsi_shared_memory same(open_only, key);
      CHECK(same.get_shmid() == id);
      mapped_region a(seg, read_write);
      mapped_region b(same, read_only);
      CHECK(a.get_size() == 6000);
      static_cast<char *>(a.get_address())[5999] = 'q';
      CHECK(static_cast<const char *>(b.get_address())[5999] == 'q');
   }
   xsi_shared_memory again(open_or_create, key, 6000);
   CHECK(again.get_shmid() == id);
   CHECK(xsi_shared_memory::remove(id));
   CHECK(!xsi_shared_memory::remove(id));
}

int main() {
   shm_and_regions();
   permissions_class();
   anonymous();
   files();
   xsi();
   std::printf("cpp_shm_region: ok\n");
   return 0;
}
