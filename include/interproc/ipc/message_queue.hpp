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

   // ----- Zero-copy messages: an interproc extension (Boost's queue copies every message) -----

   /// A queue slot lent to the calling thread, to write a message in place (`loan`).
   /// Move-only. Write up to `size()` bytes at `data()`, then `send` it; destroyed unsent,
   /// the slot goes back to the queue. Send or drop it on the thread that took it, before
   /// the queue is destroyed. An empty one (`try_loan` found no slot) converts to false.
   class loan_type {
   public:
      loan_type() noexcept = default;
      loan_type(loan_type &&other) noexcept : m_loan(other.m_loan) { other.m_loan = nullptr; }
      loan_type &operator=(loan_type &&other) noexcept {
         if (this != &other) {
            reset();
            m_loan = other.m_loan;
            other.m_loan = nullptr;
         }
         return *this;
      }
      loan_type(const loan_type &) = delete;
      loan_type &operator=(const loan_type &) = delete;
      /// Gives the slot back unsent.
      ~loan_type() { reset(); }

      /// Whether this holds a slot.
      explicit operator bool() const noexcept { return m_loan != nullptr; }
      /// Where to write the message (64-byte aligned); null when empty.
      void *data() noexcept { return ::interproc_mq_loan_data(m_loan); }
      /// The size the loan was taken for.
      size_type size() const noexcept { return static_cast<size_type>(::interproc_mq_loan_size(m_loan)); }
      /// The bytes, as a range.
      unsigned char *begin() noexcept { return static_cast<unsigned char *>(data()); }
      unsigned char *end() noexcept { return begin() + size(); }

      /// Sends the message with `priority`, after every message of the same or a higher
      /// priority sent before, waiting while the queue is full; the loan is empty afterwards. Throws on an empty loan, or
      /// from another thread (the loan then stays as it was).
      void send(unsigned int priority) { finish(::interproc_mq_loan_send(m_loan, priority)); }
      /// Sends it if the queue has room now: true (the loan is empty afterwards), or false (it
      /// stays, to send later or drop). Throws as `send` does.
      bool try_send(unsigned int priority) {
         bool sent = false;
         const interproc_status_t st = ::interproc_mq_loan_try_send(m_loan, priority, &sent);
         finish_if_sent(st, sent);
         return sent;
      }
      /// Sends it, waiting until `abs_time` for room: true, or false (the loan stays).
      template <class TimePoint> bool timed_send(unsigned int priority, const TimePoint &abs_time) {
         const interproc_deadline_t d = detail::to_deadline(abs_time);
         bool sent = false;
         const interproc_status_t st = ::interproc_mq_loan_timed_send(m_loan, priority, &d, &sent);
         finish_if_sent(st, sent);
         return sent;
      }
      /// Gives the slot back unsent now (as the destructor does), reporting errors.
      void discard() {
         if (m_loan) {
            finish(::interproc_mq_loan_discard(m_loan));
         }
      }

   private:
      friend class message_queue_t;
      explicit loan_type(interproc_mq_loan_t *loan) noexcept : m_loan(loan) {}
      void finish_if_sent(interproc_status_t st, bool sent) {
         if (st == INTERPROC_OK && !sent) {
            return;
         }
         finish(st);
      }
      void finish(interproc_status_t st) {
         if (st != INTERPROC_INVALID_ARGUMENT) {
            m_loan = nullptr;
         }
         detail::check(st);
      }
      void reset() noexcept {
         if (m_loan) {
            (void)::interproc_mq_loan_discard(m_loan);
            m_loan = nullptr;
         }
      }
      interproc_mq_loan_t *m_loan = nullptr;
   };

   /// A message received in place (`receive_in_place`): a read-only view of its bytes in
   /// the queue slot, with its priority; the slot is freed when this is destroyed. Move-only;
   /// release it on the thread that received it, before the queue is destroyed. An empty
   /// one (nothing was received) converts to false.
   class received_type {
   public:
      received_type() noexcept = default;
      received_type(received_type &&other) noexcept : m_msg(other.m_msg) { other.m_msg = nullptr; }
      received_type &operator=(received_type &&other) noexcept {
         if (this != &other) {
            reset();
            m_msg = other.m_msg;
            other.m_msg = nullptr;
         }
         return *this;
      }
      received_type(const received_type &) = delete;
      received_type &operator=(const received_type &) = delete;
      /// Frees the slot.
      ~received_type() { reset(); }

      /// Whether this holds a message.
      explicit operator bool() const noexcept { return m_msg != nullptr; }
      /// The message's bytes (64-byte aligned); null when empty.
      const void *data() const noexcept { return ::interproc_mq_received_data(m_msg); }
      /// Its size in bytes.
      size_type size() const noexcept { return static_cast<size_type>(::interproc_mq_received_size(m_msg)); }
      /// The priority it was sent with.
      unsigned int priority() const noexcept { return ::interproc_mq_received_priority(m_msg); }
      /// The bytes, as a range.
      const unsigned char *begin() const noexcept { return static_cast<const unsigned char *>(data()); }
      const unsigned char *end() const noexcept { return begin() + size(); }
      /// Frees the slot now (as the destructor does), reporting errors.
      void release() {
         const interproc_status_t st = ::interproc_mq_release(m_msg);
         if (st != INTERPROC_INVALID_ARGUMENT) {
            m_msg = nullptr;
         }
         detail::check(st);
      }

   private:
      friend class message_queue_t;
      explicit received_type(interproc_mq_received_t *msg) noexcept : m_msg(msg) {}
      void reset() noexcept {
         if (m_msg) {
            (void)::interproc_mq_release(m_msg);
            m_msg = nullptr;
         }
      }
      interproc_mq_received_t *m_msg = nullptr;
   };

   /// Lends the calling thread a free slot of the loan pool (as many slots as the queue)
   /// for a message of `size` bytes, waiting while none is free (interproc extension). Larger than `get_max_msg_size()`: `size_error`.
   loan_type loan(size_type size) {
      interproc_mq_loan_t *l = nullptr;
      detail::check(::interproc_mq_loan(m_handle, size, &l));
      return loan_type(l);
   }
   /// Lends a slot if one is free now; an empty loan otherwise.
   loan_type try_loan(size_type size) {
      interproc_mq_loan_t *l = nullptr;
      bool loaned = false;
      detail::check(::interproc_mq_try_loan(m_handle, size, &l, &loaned));
      return loan_type(loaned ? l : nullptr);
   }
   /// Lends a slot, waiting until `abs_time`; an empty loan if none came free.
   template <class TimePoint> loan_type timed_loan(size_type size, const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      interproc_mq_loan_t *l = nullptr;
      bool loaned = false;
      detail::check(::interproc_mq_timed_loan(m_handle, size, &d, &l, &loaned));
      return loan_type(loaned ? l : nullptr);
   }
   /// Sends a loan's message with `priority` (`loan.send(priority)`).
   void send(loan_type &&loan, unsigned int priority) { loan.send(priority); }

   /// Receives the oldest message of the highest priority in place, waiting while the
   /// queue is empty (interproc extension).
   received_type receive_in_place() {
      interproc_mq_received_t *r = nullptr;
      detail::check(::interproc_mq_receive_in_place(m_handle, &r));
      return received_type(r);
   }
   /// Receives in place if a message is there now; an empty view otherwise.
   received_type try_receive_in_place() {
      interproc_mq_received_t *r = nullptr;
      bool got = false;
      detail::check(::interproc_mq_try_receive_in_place(m_handle, &r, &got));
      return received_type(got ? r : nullptr);
   }
   /// Receives in place, waiting until `abs_time`; an empty view if nothing came.
   template <class TimePoint> received_type timed_receive_in_place(const TimePoint &abs_time) {
      const interproc_deadline_t d = detail::to_deadline(abs_time);
      interproc_mq_received_t *r = nullptr;
      bool got = false;
      detail::check(::interproc_mq_timed_receive_in_place(m_handle, &d, &r, &got));
      return received_type(got ? r : nullptr);
   }

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
