// Seed 004 ("Boost.Interprocess 完全使用指南"), section 6: message_queue send/receive
// (6.1), try_ and timed_ operations with a Boost.DateTime deadline (6.2) and priorities
// (6.3). The seed gives these as fragments; this program calls them from main() and prints
// what each step did. Ported by the porting rule; Boost.DateTime stays as it is.
#include <interproc/ipc/message_queue.hpp>
#include <boost/date_time/posix_time/posix_time.hpp>
#include <cstring>
#include <iostream>

namespace bip = interproc;

// 发送端
void sender() {
    bip::message_queue::remove("my_queue");

    // 创建队列：最多 100 条消息，每条最大 256 字节
    bip::message_queue mq(
        bip::create_only,
        "my_queue",
        100,     // max_num_msg
        256      // max_msg_size
    );

    const char* msg = "Hello!";
    mq.send(msg, strlen(msg) + 1, 0);  // priority = 0
}

// 接收端
void receiver() {
    bip::message_queue mq(bip::open_only, "my_queue");

    char buffer[256];
    std::size_t recvd_size;
    unsigned int priority;

    mq.receive(buffer, sizeof(buffer), recvd_size, priority);
    std::cout << "Received: " << buffer << std::endl;
}

int main() {
    sender();
    receiver();

    bip::message_queue mq(bip::open_only, "my_queue");
    const char* msg = "Hello!";
    std::size_t size = strlen(msg) + 1;
    unsigned int priority = 0;
    char buffer[256];
    std::size_t recvd_size = 0;

    // 非阻塞发送
    if (mq.try_send(msg, size, priority)) {
        std::cout << "try_send: sent" << std::endl;
    }
    // 非阻塞接收
    if (mq.try_receive(buffer, sizeof(buffer), recvd_size, priority)) {
        std::cout << "try_receive: " << buffer << " (" << recvd_size << " bytes)" << std::endl;
    }
    if (!mq.try_receive(buffer, sizeof(buffer), recvd_size, priority)) {
        std::cout << "try_receive: queue empty" << std::endl;
    }

    // 带超时
    boost::posix_time::ptime timeout =
        boost::posix_time::microsec_clock::universal_time() +
        boost::posix_time::milliseconds(1000);
    if (mq.timed_send(msg, size, priority, timeout)) {
        std::cout << "timed_send: sent" << std::endl;
    }
    if (mq.timed_receive(buffer, sizeof(buffer), recvd_size, priority, timeout)) {
        std::cout << "timed_receive: " << buffer << std::endl;
    }
    boost::posix_time::ptime soon =
        boost::posix_time::microsec_clock::universal_time() +
        boost::posix_time::milliseconds(50);
    if (!mq.timed_receive(buffer, sizeof(buffer), recvd_size, priority, soon)) {
        std::cout << "timed_receive: timed out" << std::endl;
    }

    // 高优先级消息先被接收
    mq.send("urgent", 7, 10);   // priority = 10
    mq.send("normal", 7, 1);    // priority = 1
    std::cout << "messages waiting: " << mq.get_num_msg() << " of " << mq.get_max_msg() << std::endl;
    // 接收时 "urgent" 会先出队
    mq.receive(buffer, sizeof(buffer), recvd_size, priority);
    std::cout << "first: " << buffer << " priority " << priority << std::endl;
    mq.receive(buffer, sizeof(buffer), recvd_size, priority);
    std::cout << "second: " << buffer << " priority " << priority << std::endl;

    bip::message_queue::remove("my_queue");
    return 0;
}
