// interproc C++ wrapper: message_queue, as in <boost/interprocess/ipc/message_queue.hpp>.
#ifndef INTERPROC_IPC_MESSAGE_QUEUE_HPP
#define INTERPROC_IPC_MESSAGE_QUEUE_HPP

#include <interproc/creation_tags.hpp>
#include <interproc/exceptions.hpp>
#include <interproc/offset_ptr.hpp>
#include <interproc/permissions.hpp>
#include <interproc/sync/detail/sync_common.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>

namespace interproc {

/// A queue of messages in shared memory (`/dev/shm/<name>`): at most `max_num_msg`
/// messages of at most `max_msg_size` bytes; the highest priority comes out first, equal
/// priorities in the order they were sent. Not copyable. A process killed in the middle of
/// `send` or `receive` never wedges the queue; at most its message in flight is lost.
///
/// As in Boost, `VoidPointer` names the pointer type of the queue's bookkeeping and so its
/// `size_type` (the unsigned form of the pointer's difference type). interproc's queue keeps
/// offsets of its own whatever `VoidPointer` is, so it only decides the types programs see.
template <class VoidPointer> class message_queue_t {
public:
   /// The pointer type the queue is declared with.
   typedef VoidPointer void_pointer;
   /// Its signed distance type.
   typedef typename std::pointer_traits<typename std::pointer_traits<void_pointer>::template rebind<char>>::difference_type
      difference_type;
   /// Sizes and counts.
   typedef typename std::make_unsigned<difference_type>::type size_type;

   /// Creates the queue `name`; throws if it exists or a limit is 0 or absurd.
   message_queue_t(create_only_t, const char *name, size_type max_num_msg, size_type max_msg_size,
                 const permissions &perm = permissions())
      : m_handle(open(INTERPROC_CREATE_ONLY, name, max_num_msg, max_msg_size, perm)) {}
   /// Opens the queue `name`, creating it with these limits if it is missing.
   message_queue_t(open_or_create_t, const char *name, size_type max_num_msg, size_type max_msg_size,
                 const permissions &perm = permissions())
      : m_handle(open(INTERPROC_OPEN_OR_CREATE, name, max_num_msg, max_msg_size, perm)) {}
   /// Opens the existing queue `name`.
   message_queue_t(open_only_t, const char *name) : m_handle(open(INTERPROC_OPEN_ONLY, name, 0, 0, permissions())) {}

   message_queue_t(const message_queue_t &) = delete;
   message_queue_t &operator=(const message_queue_t &) = delete;

   /// Closes the queue (it stays until `remove`).
   ~message_queue_t() { ::interproc_mq_free(m_handle); }

   /// Sends `buffer_size` bytes with `priority`, waiting while the queue is full. A message
   /// larger than `get_max_msg_size()` throws `interprocess_exception` (`size_error`).
   void send(const void *buffer, size_type buffer_size, unsigned int priority) {
      detail::check(::interproc_mq_send(m_handle, buffer, buffer_size, priority));
   }
   /// Sends if there is room now; returns whether it was sent.
   bool try_send(const void *buffer, size_type buffer_size, unsigned int priority) {
      bool sent = false;
      detail::check(::interproc_mq_try_send(m_handle, buffer, buffer_size, priority, &sent));
      return sent;
   }
   /// Sends, waiting until `abs_time` (a std::chrono time point or a Boost `ptime` in UTC);
   /// returns whether it was sent.
   template <class TimePoint>
   bool timed_send(const void *buffer, size_type buffer_size, unsigned int priority, const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      bool sent = false;
      detail::check(::interproc_mq_timed_send(m_handle, buffer, buffer_size, priority, &d, &sent));
      return sent;
   }

   /// Receives the oldest message of the highest priority into `buffer`, waiting while the
   /// queue is empty. `buffer_size` must be at least `get_max_msg_size()` (`size_error`
   /// otherwise, as in Boost).
   void receive(void *buffer, size_type buffer_size, size_type &recvd_size, unsigned int &priority) {
      std::size_t n = 0;
      std::uint32_t p = 0;
      detail::check(::interproc_mq_receive(m_handle, buffer, buffer_size, &n, &p));
      recvd_size = static_cast<size_type>(n);
      priority = p;
   }
   /// Receives if a message is there now; returns whether one was received.
   bool try_receive(void *buffer, size_type buffer_size, size_type &recvd_size, unsigned int &priority) {
      std::size_t n = 0;
      std::uint32_t p = 0;
      bool got = false;
      detail::check(::interproc_mq_try_receive(m_handle, buffer, buffer_size, &n, &p, &got));
      if (got) {
         recvd_size = static_cast<size_type>(n);
         priority = p;
      }
      return got;
   }
   /// Receives, waiting until `abs_time`; returns whether a message was received.
   template <class TimePoint>
   bool timed_receive(void *buffer, size_type buffer_size, size_type &recvd_size, unsigned int &priority,
                      const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      std::size_t n = 0;
      std::uint32_t p = 0;
      bool got = false;
      detail::check(::interproc_mq_timed_receive(m_handle, buffer, buffer_size, &n, &p, &d, &got));
      if (got) {
         recvd_size = static_cast<size_type>(n);
         priority = p;
      }
      return got;
   }

   /// The most messages the queue holds.
   size_type get_max_msg() const noexcept { return static_cast<size_type>(::interproc_mq_get_max_msg(m_handle)); }
   /// The largest message in bytes.
   size_type get_max_msg_size() const noexcept { return static_cast<size_type>(::interproc_mq_get_max_msg_size(m_handle)); }
   /// The number of messages in the queue now.
   size_type get_num_msg() const noexcept { return static_cast<size_type>(::interproc_mq_get_num_msg(m_handle)); }

   /// Removes the queue `name`; false if there was none. Never throws.
   static bool remove(const char *name) noexcept { return ::interproc_mq_remove(name); }

private:
   static interproc_mq_t *open(interproc_creation_t c, const char *name, size_type max_num_msg, size_type max_msg_size,
                               const permissions &perm) {
      interproc_mq_t *h = nullptr;
      detail::check(::interproc_mq_open(c, name, max_num_msg, max_msg_size,
                                        static_cast<std::uint32_t>(perm.get_permissions()), &h));
      return h;
   }

   interproc_mq_t *m_handle;
};

/// The queue programs use (Boost's typedef).
typedef message_queue_t<offset_ptr<void>> message_queue;

} // namespace interproc

#endif // INTERPROC_IPC_MESSAGE_QUEUE_HPP
