// message_queue through the C++ wrapper with Boost's names: order, limits, chrono
// deadlines, exceptions, and a child process consuming what the parent sends.
#include "check.h"
#include <interproc/ipc/message_queue.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>

using namespace interproc;

static_assert(!std::is_copy_constructible_v<message_queue>);

struct Record {
   int id;
   double value;
   char tag[8];
};

static int child(const char *name) {
   message_queue mq(open_only, name);
   Record r;
   message_queue::size_type n = 0;
   unsigned int prio = 0;
   long sum = 0;
   for (int i = 0; i < 1000; ++i) {
      mq.receive(&r, sizeof r, n, prio);
      if (n != sizeof r || std::strcmp(r.tag, "rec") != 0 || r.value != r.id * 0.5) {
         return 2;
      }
      sum += r.id;
   }
   return sum == 999L * 1000 / 2 ? 0 : 3;
}

int main(int argc, char **argv) {
   if (argc == 4 && std::string(argv[1]) == "child") {
      try {
         return child(argv[3]);
      } catch (const interprocess_exception &e) {
         std::fprintf(stderr, "child: %s\n", e.what());
         return 4;
      }
   }
   char buf[64];
   test_name(buf, sizeof buf, "cpp_mq");
   const std::string name = buf;
   message_queue::remove(name.c_str());

   message_queue mq(create_only, name.c_str(), 8, sizeof(Record));
   CHECK(mq.get_max_msg() == 8 && mq.get_max_msg_size() == sizeof(Record) && mq.get_num_msg() == 0);
   Record r{1, 0.5, "rec"};
   mq.send(&r, sizeof r, 3);
   r.id = 2;
   mq.send(&r, sizeof r, 9);
   r.id = 3;
   mq.send(&r, sizeof r, 3);
   Record got;
   message_queue::size_type n = 0;
   unsigned int prio = 0;
   mq.receive(&got, sizeof got, n, prio);
   CHECK(got.id == 2 && prio == 9 && n == sizeof got);
   CHECK(mq.try_receive(&got, sizeof got, n, prio) && got.id == 1 && prio == 3);
   CHECK(mq.try_receive(&got, sizeof got, n, prio) && got.id == 3);
   CHECK(!mq.try_receive(&got, sizeof got, n, prio));

   // Deadlines: steady and system clocks, and a duration-based deadline in the past.
   auto t0 = std::chrono::steady_clock::now();
   CHECK(!mq.timed_receive(&got, sizeof got, n, prio, t0 + std::chrono::milliseconds(30)));
   CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(25));
   CHECK(!mq.timed_receive(&got, sizeof got, n, prio, std::chrono::system_clock::now() + std::chrono::milliseconds(10)));
   for (int i = 0; i < 8; ++i) {
      CHECK(mq.try_send(&r, sizeof r, 0));
   }
   CHECK(!mq.try_send(&r, sizeof r, 0));
   CHECK(!mq.timed_send(&r, sizeof r, 0, std::chrono::steady_clock::now() + std::chrono::milliseconds(10)));
   CHECK(mq.get_num_msg() == 8);

   // Errors keep the queue intact.
   char big[sizeof(Record) + 1] = {};
   try {
      mq.send(big, sizeof big, 0);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == size_error);
   }
   try {
      char small[4];
      mq.receive(small, sizeof small, n, prio);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == size_error);
   }
   try {
      message_queue again(create_only, name.c_str(), 8, 8);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == already_exists_error);
   }
   try {
      message_queue zero(create_only, (name + "_zero").c_str(), 0, 8);
      CHECK(false);
   } catch (const interprocess_exception &e) {
      CHECK(e.get_error_code() == invalid_argument);
   }
   CHECK(mq.get_num_msg() == 8);
   while (mq.try_receive(&got, sizeof got, n, prio)) {
   }

   // A child process consumes 1000 records; the parent blocks whenever the queue is full.
   pid_t pid = fork();
   if (pid == 0) {
      execl(argv[0], argv[0], "child", "consume", name.c_str(), static_cast<char *>(nullptr));
      _exit(127);
   }
   for (int i = 0; i < 1000; ++i) {
      Record rec{i, i * 0.5, "rec"};
      mq.send(&rec, sizeof rec, static_cast<unsigned>(i % 4));
   }
   CHECK(wait_bounded(pid, 60) == 0);
   CHECK(mq.get_num_msg() == 0);
   CHECK(message_queue::remove(name.c_str()));
   CHECK(!message_queue::remove(name.c_str()));
   std::printf("cpp_mq: ok\n");
   return 0;
}
