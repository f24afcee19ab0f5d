// Message queue benchmark, built twice from this source: against interproc and, with
// -DBENCH_BOOST, against Boost.Interprocess. The interproc build also measures POSIX
// mq_send/mq_receive. Prints "name value" lines (nanoseconds, or messages per second for
// the *_msgs_per_s lines). benches/run.sh runs both builds and prints the ratios.
#ifdef BENCH_BOOST
#include <boost/interprocess/ipc/message_queue.hpp>
namespace ipc = boost::interprocess;
#define IMPL "boost"
#else
#include <interproc/ipc/message_queue.hpp>
namespace ipc = interproc;
#define IMPL "interproc"
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

void pin(int cpu) {
   cpu_set_t set;
   CPU_ZERO(&set);
   CPU_SET(cpu % std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)), &set);
   sched_setaffinity(0, sizeof set, &set);
}

std::string qname(const char *what) { return std::string("bench_mq_") + what + "_" + std::to_string(getpid()); }

struct stats {
   double mean, p50, p99;
};

stats summarize(std::vector<double> v) {
   std::sort(v.begin(), v.end());
   double sum = 0;
   for (double x : v) {
      sum += x;
   }
   return {sum / double(v.size()), v[v.size() / 2], v[v.size() * 99 / 100]};
}

// Round trips of 64-byte messages: parent sends on `a`, child answers on `b`.
stats pingpong(int rounds, int parent_cpu, int child_cpu) {
   const std::string a = qname("a"), b = qname("b");
   ipc::message_queue::remove(a.c_str());
   ipc::message_queue::remove(b.c_str());
   ipc::message_queue qa(ipc::create_only, a.c_str(), 16, 64);
   ipc::message_queue qb(ipc::create_only, b.c_str(), 16, 64);
   pid_t pid = fork();
   if (pid == 0) {
      pin(child_cpu);
      ipc::message_queue in(ipc::open_only, a.c_str()), out(ipc::open_only, b.c_str());
      char buf[64];
      ipc::message_queue::size_type n;
      unsigned p;
      for (int i = 0; i < rounds + 100; ++i) {
         in.receive(buf, sizeof buf, n, p);
         out.send(buf, n, p);
      }
      _exit(0);
   }
   pin(parent_cpu);
   char msg[64] = {1}, buf[64];
   ipc::message_queue::size_type n;
   unsigned p;
   std::vector<double> times;
   times.reserve(rounds);
   for (int i = 0; i < rounds + 100; ++i) {
      auto t = clock_type::now();
      qa.send(msg, sizeof msg, 0);
      qb.receive(buf, sizeof buf, n, p);
      if (i >= 100) {
         times.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - t).count());
      }
   }
   waitpid(pid, nullptr, 0);
   ipc::message_queue::remove(a.c_str());
   ipc::message_queue::remove(b.c_str());
   return summarize(times);
}

// Streams `messages` messages of `size` bytes from the parent to a child through a queue of
// 256, the parent on `parent_cpu` and the child on `child_cpu`.
double throughput(int messages, std::size_t size, int parent_cpu, int child_cpu) {
   const std::string a = qname("t");
   ipc::message_queue::remove(a.c_str());
   ipc::message_queue q(ipc::create_only, a.c_str(), 256, size);
   pin(parent_cpu);
   auto t = clock_type::now();
   pid_t pid = fork();
   if (pid == 0) {
      pin(child_cpu);
      ipc::message_queue in(ipc::open_only, a.c_str());
      std::vector<char> buf(size);
      ipc::message_queue::size_type n;
      unsigned p;
      for (int i = 0; i < messages; ++i) {
         in.receive(buf.data(), size, n, p);
      }
      _exit(0);
   }
   std::vector<char> msg(size, 7);
   for (int i = 0; i < messages; ++i) {
      q.send(msg.data(), size, 0);
   }
   waitpid(pid, nullptr, 0);
   double secs = std::chrono::duration<double>(clock_type::now() - t).count();
   ipc::message_queue::remove(a.c_str());
   return messages / secs;
}

// Fills a message as a producer would: every byte written.
void produce(void *at, std::size_t size, int i) { std::memset(at, i & 0xff, size); }

// Reads a message as a consumer would: one byte of every cache line.
unsigned consume(const void *at, std::size_t size) {
   const unsigned char *b = static_cast<const unsigned char *>(at);
   unsigned sum = 0;
   for (std::size_t k = 0; k < size; k += 64) {
      sum += b[k];
   }
   return sum;
}

// Streams `messages` messages of `size` bytes from a producer (the parent, CPU 0) to a
// consumer (a child, CPU 1) through a queue of 64, where the producer writes every byte of
// each message and the consumer reads every cache line of it. With `loans` (interproc
// only) the producer writes into a loaned slot and the consumer reads in place; otherwise
// each side copies through its own buffer.
double stream(int messages, std::size_t size, bool loans) {
#ifdef BENCH_BOOST
   (void)loans;
#endif
   const std::string a = qname("s");
   ipc::message_queue::remove(a.c_str());
   ipc::message_queue q(ipc::create_only, a.c_str(), 64, size);
   pin(0);
   auto t = clock_type::now();
   pid_t pid = fork();
   if (pid == 0) {
      pin(1);
      ipc::message_queue in(ipc::open_only, a.c_str());
      std::vector<char> buf(size);
      ipc::message_queue::size_type n;
      unsigned p, sum = 0;
      for (int i = 0; i < messages; ++i) {
#ifndef BENCH_BOOST
         if (loans) {
            ipc::message_queue::received_type r = in.receive_in_place();
            sum += consume(r.data(), r.size());
            continue;
         }
#endif
         in.receive(buf.data(), size, n, p);
         sum += consume(buf.data(), n);
      }
      _exit(sum == 1 ? 1 : 0);
   }
   std::vector<char> msg(size);
   for (int i = 0; i < messages; ++i) {
#ifndef BENCH_BOOST
      if (loans) {
         ipc::message_queue::loan_type l = q.loan(size);
         produce(l.data(), size, i);
         l.send(0);
         continue;
      }
#endif
      produce(msg.data(), size, i);
      q.send(msg.data(), size, 0);
   }
   waitpid(pid, nullptr, 0);
   double secs = std::chrono::duration<double>(clock_type::now() - t).count();
   ipc::message_queue::remove(a.c_str());
   return messages / secs;
}

#ifndef BENCH_BOOST
stats posix_pingpong(int rounds, int parent_cpu, int child_cpu) {
   const std::string a = "/" + qname("pa"), b = "/" + qname("pb");
   mq_unlink(a.c_str());
   mq_unlink(b.c_str());
   mq_attr attr{};
   attr.mq_maxmsg = 10;
   attr.mq_msgsize = 64;
   mqd_t qa = mq_open(a.c_str(), O_CREAT | O_RDWR, 0600, &attr);
   mqd_t qb = mq_open(b.c_str(), O_CREAT | O_RDWR, 0600, &attr);
   if (qa == (mqd_t)-1 || qb == (mqd_t)-1) {
      std::perror("mq_open");
      std::exit(1);
   }
   pid_t pid = fork();
   if (pid == 0) {
      pin(child_cpu);
      char buf[64];
      unsigned p;
      for (int i = 0; i < rounds + 100; ++i) {
         ssize_t n = mq_receive(qa, buf, sizeof buf, &p);
         mq_send(qb, buf, std::size_t(n), p);
      }
      _exit(0);
   }
   pin(parent_cpu);
   char msg[64] = {1}, buf[64];
   unsigned p;
   std::vector<double> times;
   for (int i = 0; i < rounds + 100; ++i) {
      auto t = clock_type::now();
      mq_send(qa, msg, sizeof msg, 0);
      mq_receive(qb, buf, sizeof buf, &p);
      if (i >= 100) {
         times.push_back(std::chrono::duration<double, std::nano>(clock_type::now() - t).count());
      }
   }
   waitpid(pid, nullptr, 0);
   mq_close(qa);
   mq_close(qb);
   mq_unlink(a.c_str());
   mq_unlink(b.c_str());
   return summarize(times);
}
#endif

void print(const char *name, stats s) {
   std::printf("%s_mean %.0f\n%s_p50 %.0f\n%s_p99 %.0f\n", name, s.mean, name, s.p50, name, s.p99);
}

} // namespace

int main(int argc, char **argv) {
   const int scale = argc > 1 ? std::atoi(argv[1]) : 1;
   const bool posix = argc > 2 && std::strcmp(argv[2], "posix") == 0;
   // `stream`: only the stream rows (for alternating rounds of them alone).
   const bool streams_only = argc > 2 && std::strcmp(argv[2], "stream") == 0;
#ifndef BENCH_BOOST
   if (posix) {
      print("pingpong_two_cpus", posix_pingpong(20000 * scale, 0, 1));
      print("pingpong_one_cpu", posix_pingpong(20000 * scale, 0, 0));
      return 0;
   }
#else
   (void)posix;
#endif
   if (!streams_only) {
      print("pingpong_two_cpus", pingpong(20000 * scale, 0, 1));
      print("pingpong_one_cpu", pingpong(20000 * scale, 0, 0));
      std::printf("throughput_64B_two_cpus_msgs_per_s %.0f\n", throughput(2000000 * scale, 64, 0, 1));
      std::printf("throughput_4KiB_two_cpus_msgs_per_s %.0f\n", throughput(200000 * scale, 4096, 0, 1));
      std::printf("throughput_64B_one_cpu_msgs_per_s %.0f\n", throughput(2000000 * scale, 64, 0, 0));
      std::printf("throughput_4KiB_one_cpu_msgs_per_s %.0f\n", throughput(200000 * scale, 4096, 0, 0));
   }
   // Producer writes, consumer reads, two CPUs. The loan rows use interproc's loans; Boost
   // has none, so its build prints its copying stream there too.
   // 64-byte messages: the fixed cost per message of each path, with little data to move.
   std::printf("stream_64B_copy_msgs_per_s %.0f\n", stream(1000000 * scale, 64, false));
   std::printf("stream_64B_loan_msgs_per_s %.0f\n", stream(1000000 * scale, 64, true));
   std::printf("stream_4KiB_copy_msgs_per_s %.0f\n", stream(200000 * scale, 4096, false));
   std::printf("stream_4KiB_loan_msgs_per_s %.0f\n", stream(200000 * scale, 4096, true));
   std::printf("stream_64KiB_copy_msgs_per_s %.0f\n", stream(20000 * scale, 65536, false));
   std::printf("stream_64KiB_loan_msgs_per_s %.0f\n", stream(20000 * scale, 65536, true));
   return 0;
}
