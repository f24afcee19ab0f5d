// message_queue's zero-copy extension through the C++ wrapper: loans written in place and
// messages received in place, mixed with copies in order, try and timed forms, move-only
// handles, errors, and a child process that sends through loans to a parent that reads
// in place.
#include "child.hpp"
#include <interproc/ipc/message_queue.hpp>

#include <chrono>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

using namespace interproc;

static_assert(!std::is_copy_constructible_v<message_queue::loan_type>);
static_assert(std::is_nothrow_move_constructible_v<message_queue::loan_type>);
static_assert(!std::is_copy_constructible_v<message_queue::received_type>);
static_assert(std::is_nothrow_move_constructible_v<message_queue::received_type>);

enum { ROUNDS = 3000 };

// Sends `text` (with its NUL) through a loan.
static void loan_send(message_queue &mq, const char *text, unsigned int priority) {
   message_queue::loan_type l = mq.loan(std::strlen(text) + 1);
   CHECK(l && l.size() == std::strlen(text) + 1);
   std::memcpy(l.data(), text, l.size());
   mq.send(std::move(l), priority);
   CHECK(!l);
}

// Receives in place and checks the text and priority.
static void expect_in_place(message_queue &mq, const char *text, unsigned int priority) {
   message_queue::received_type r = mq.receive_in_place();
   CHECK(r && r.size() == std::strlen(text) + 1);
   CHECK(std::strcmp(static_cast<const char *>(r.data()), text) == 0 && r.priority() == priority);
}

static int child(const char *name) {
   message_queue mq(open_only, name);
   for (int i = 0; i < ROUNDS; ++i) {
      message_queue::loan_type l = mq.loan(sizeof(int) * 16);
      int *v = static_cast<int *>(l.data());
      for (int k = 0; k < 16; ++k) {
         v[k] = i + k;
      }
      l.send(static_cast<unsigned int>(i % 2));
   }
   return 0;
}

int main(int argc, char **argv) {
   if (is_child(argc, argv)) {
      return as_child(argv, child, 1);
   }
   char name[64];
   test_name(name, sizeof name, "cpp_mq_loans");
   message_queue::remove(name);
   {
      message_queue mq(create_only, name, 3, 64);

      // Mixed with copies: priority first, then send order.
      message_queue::loan_type early = mq.loan(6);
      std::memcpy(early.data(), "early", 6);
      mq.send("a", 2, 1);
      loan_send(mq, "b", 2);
      early.send(1);
      char buf[64];
      message_queue::size_type n = 0;
      unsigned int prio = 0;
      mq.receive(buf, sizeof buf, n, prio);
      CHECK(std::strcmp(buf, "b") == 0 && prio == 2);
      expect_in_place(mq, "a", 1);
      mq.receive(buf, sizeof buf, n, prio);
      CHECK(std::strcmp(buf, "early") == 0 && prio == 1);

      // Empty: try and timed receives in place find nothing.
      CHECK(!mq.try_receive_in_place());
      auto t0 = std::chrono::steady_clock::now();
      CHECK(!mq.timed_receive_in_place(t0 + std::chrono::milliseconds(30)));
      CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(25));

      // The loan pool (as many slots as the queue) full: no loan, but copies still go; a
      // dropped loan gives its slot back.
      {
         message_queue::loan_type a = mq.try_loan(64);
         CHECK(a && a.size() == 64);
         message_queue::loan_type b = mq.timed_loan(1, std::chrono::system_clock::now() + std::chrono::seconds(1));
         CHECK(b);
         message_queue::loan_type c = mq.loan(1);
         CHECK(!mq.try_loan(1));
         CHECK(!mq.timed_loan(1, std::chrono::steady_clock::now() + std::chrono::milliseconds(10)));
         CHECK(mq.try_send("c", 2, 0));
         message_queue::loan_type moved = std::move(a);
         CHECK(!a && moved);
         moved.discard();
         CHECK(!moved);
         CHECK(mq.try_loan(1));  // a temporary, given back at once
      }
      {
         message_queue::received_type r = mq.try_receive_in_place();
         CHECK(r && std::strcmp(static_cast<const char *>(r.data()), "c") == 0);
         CHECK(std::string(r.begin(), r.end()) == std::string("c", 2));
         // A message sent by copy and received in place holds no slot.
         CHECK(mq.try_send("x", 2, 0) && mq.try_send("y", 2, 0) && mq.try_send("z", 2, 0));
         r.release();
         CHECK(!r);
      }
      // The queue full: a loan's try and timed sends keep the loan until there is room.
      {
         message_queue::loan_type l = mq.loan(2);
         std::memcpy(l.data(), "w", 2);
         CHECK(!l.try_send(0) && l);
         CHECK(!l.timed_send(0, std::chrono::steady_clock::now() + std::chrono::milliseconds(10)) && l);
         expect_in_place(mq, "x", 0);
         CHECK(l.try_send(0) && !l);
      }
      expect_in_place(mq, "y", 0);
      expect_in_place(mq, "z", 0);
      expect_in_place(mq, "w", 0);

      // Errors: too large; an empty loan cannot be sent.
      try {
         (void)mq.loan(65);
         CHECK(false);
      } catch (const interprocess_exception &e) {
         CHECK(e.get_error_code() == size_error);
      }
      try {
         message_queue::loan_type empty;
         empty.send(0);
         CHECK(false);
      } catch (const interprocess_exception &) {
      }
      CHECK(mq.get_num_msg() == 0);

      // A child sends through loans; this process reads in place. Priorities alternate, so
      // each message is checked whole rather than by position.
      const pid_t pid = spawn_child(argv[0], "loans", name);
      CHECK(pid > 0);
      long sum = 0;
      for (int i = 0; i < ROUNDS; ++i) {
         message_queue::received_type r = mq.receive_in_place();
         CHECK(r.size() == sizeof(int) * 16);
         const int *v = static_cast<const int *>(r.data());
         for (int k = 1; k < 16; ++k) {
            CHECK(v[k] == v[0] + k);
         }
         CHECK(r.priority() == static_cast<unsigned int>(v[0] % 2));
         sum += v[0];
      }
      CHECK(sum == long(ROUNDS) * (ROUNDS - 1) / 2);
      CHECK(wait_bounded(pid, 60) == 0);
      CHECK(mq.get_num_msg() == 0);
   }
   CHECK(message_queue::remove(name));
   std::printf("cpp_mq_loans ok\n");
   return 0;
}
