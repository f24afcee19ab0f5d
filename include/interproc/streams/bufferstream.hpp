// interproc C++ wrapper: bufferstream, as in <boost/interprocess/streams/bufferstream.hpp>:
// iostreams over a fixed character buffer (for example one in shared memory).
#ifndef INTERPROC_STREAMS_BUFFERSTREAM_HPP
#define INTERPROC_STREAMS_BUFFERSTREAM_HPP

#include <interproc/detail/config.hpp>
#include <interproc/interprocess_fwd.hpp>

#include <cstddef>
#include <ios>
#include <istream>
#include <ostream>
#include <streambuf>

namespace interproc {

/// A stream buffer over `[buf, buf + length)`: writes stop (badbit) at the end, nothing is
/// ever allocated.
template <class CharT, class CharTraits>
class basic_bufferbuf : public std::basic_streambuf<CharT, CharTraits> {
public:
   typedef CharT char_type;
   typedef typename CharTraits::int_type int_type;
   typedef typename CharTraits::pos_type pos_type;
   typedef typename CharTraits::off_type off_type;
   typedef CharTraits traits_type;
   typedef std::basic_streambuf<CharT, CharTraits> base_t;

   /// An empty buffer.
   explicit basic_bufferbuf(std::ios_base::openmode mode = std::ios_base::in | std::ios_base::out)
      : m_mode(mode), m_buffer(nullptr), m_length(0) {}
   /// A buffer over `[buf, buf + length)`.
   explicit basic_bufferbuf(CharT *buf, std::size_t length,
                            std::ios_base::openmode mode = std::ios_base::in | std::ios_base::out)
      : m_mode(mode), m_buffer(buf), m_length(length) {
      set_pointers();
   }

   /// The buffer and its length.
   std::pair<CharT *, std::size_t> buffer() const { return std::pair<CharT *, std::size_t>(m_buffer, m_length); }
   /// Uses `[buf, buf + length)` from now on, from its start.
   void buffer(CharT *buf, std::size_t length) {
      m_buffer = buf;
      m_length = length;
      set_pointers();
   }

protected:
   int_type underflow() override {
      return this->gptr() != nullptr && this->gptr() < this->egptr() ? CharTraits::to_int_type(*this->gptr())
                                                                     : CharTraits::eof();
   }
   int_type overflow(int_type c = CharTraits::eof()) override {
      // The buffer is full: a fixed buffer never grows.
      return CharTraits::eq_int_type(c, CharTraits::eof()) ? CharTraits::not_eof(c) : CharTraits::eof();
   }
   pos_type seekoff(off_type off, std::ios_base::seekdir dir,
                    std::ios_base::openmode which = std::ios_base::in | std::ios_base::out) override {
      bool in = (which & std::ios_base::in) && (m_mode & std::ios_base::in);
      bool out = (which & std::ios_base::out) && (m_mode & std::ios_base::out);
      if (!in && !out) {
         return pos_type(off_type(-1));
      }
      off_type base = 0;
      if (dir == std::ios_base::cur) {
         base = in ? this->gptr() - this->eback() : this->pptr() - this->pbase();
      } else if (dir == std::ios_base::end) {
         base = off_type(m_length);
      }
      const off_type pos = base + off;
      if (pos < 0 || pos > off_type(m_length)) {
         return pos_type(off_type(-1));
      }
      if (in) {
         this->setg(m_buffer, m_buffer + pos, m_buffer + m_length);
      }
      if (out) {
         this->setp(m_buffer, m_buffer + m_length);
         this->pbump(static_cast<int>(pos));
      }
      return pos_type(pos);
   }
   pos_type seekpos(pos_type pos, std::ios_base::openmode which = std::ios_base::in | std::ios_base::out) override {
      return seekoff(off_type(pos), std::ios_base::beg, which);
   }

private:
   void set_pointers() {
      if (m_mode & std::ios_base::in) {
         this->setg(m_buffer, m_buffer, m_buffer + m_length);
      }
      if (m_mode & std::ios_base::out) {
         this->setp(m_buffer, m_buffer + m_length);
      }
   }

   std::ios_base::openmode m_mode;
   CharT *m_buffer;
   std::size_t m_length;
};

/// An input stream over a fixed buffer.
template <class CharT, class CharTraits>
class basic_ibufferstream : private basic_bufferbuf<CharT, CharTraits>, public std::basic_istream<CharT, CharTraits> {
   typedef basic_bufferbuf<CharT, CharTraits> buf_t;

public:
   /// A stream over nothing yet.
   basic_ibufferstream(std::ios_base::openmode mode = std::ios_base::in)
      : buf_t(mode | std::ios_base::in), std::basic_istream<CharT, CharTraits>(static_cast<buf_t *>(this)) {}
   /// A stream reading `[buf, buf + length)`.
   basic_ibufferstream(const CharT *buf, std::size_t length, std::ios_base::openmode mode = std::ios_base::in)
      : buf_t(const_cast<CharT *>(buf), length, mode | std::ios_base::in),
        std::basic_istream<CharT, CharTraits>(static_cast<buf_t *>(this)) {}
   /// The stream buffer.
   buf_t *rdbuf() const { return const_cast<buf_t *>(static_cast<const buf_t *>(this)); }
   /// The buffer and its length.
   std::pair<const CharT *, std::size_t> buffer() const { return buf_t::buffer(); }
   /// Reads `[buf, buf + length)` from now on.
   void buffer(const CharT *buf, std::size_t length) {
      buf_t::buffer(const_cast<CharT *>(buf), length);
      this->clear();
   }
};

/// An output stream over a fixed buffer.
template <class CharT, class CharTraits>
class basic_obufferstream : private basic_bufferbuf<CharT, CharTraits>, public std::basic_ostream<CharT, CharTraits> {
   typedef basic_bufferbuf<CharT, CharTraits> buf_t;

public:
   /// A stream over nothing yet.
   basic_obufferstream(std::ios_base::openmode mode = std::ios_base::out)
      : buf_t(mode | std::ios_base::out), std::basic_ostream<CharT, CharTraits>(static_cast<buf_t *>(this)) {}
   /// A stream writing `[buf, buf + length)`.
   basic_obufferstream(CharT *buf, std::size_t length, std::ios_base::openmode mode = std::ios_base::out)
      : buf_t(buf, length, mode | std::ios_base::out), std::basic_ostream<CharT, CharTraits>(static_cast<buf_t *>(this)) {}
   /// The stream buffer.
   buf_t *rdbuf() const { return const_cast<buf_t *>(static_cast<const buf_t *>(this)); }
   /// The buffer and its length.
   std::pair<CharT *, std::size_t> buffer() const { return buf_t::buffer(); }
   /// Writes `[buf, buf + length)` from now on.
   void buffer(CharT *buf, std::size_t length) {
      buf_t::buffer(buf, length);
      this->clear();
   }
};

/// An input/output stream over a fixed buffer.
template <class CharT, class CharTraits>
class basic_bufferstream : private basic_bufferbuf<CharT, CharTraits>, public std::basic_iostream<CharT, CharTraits> {
   typedef basic_bufferbuf<CharT, CharTraits> buf_t;

public:
   /// A stream over nothing yet.
   basic_bufferstream(std::ios_base::openmode mode = std::ios_base::in | std::ios_base::out)
      : buf_t(mode), std::basic_iostream<CharT, CharTraits>(static_cast<buf_t *>(this)) {}
   /// A stream over `[buf, buf + length)`.
   basic_bufferstream(CharT *buf, std::size_t length, std::ios_base::openmode mode = std::ios_base::in | std::ios_base::out)
      : buf_t(buf, length, mode), std::basic_iostream<CharT, CharTraits>(static_cast<buf_t *>(this)) {}
   /// The stream buffer.
   buf_t *rdbuf() const { return const_cast<buf_t *>(static_cast<const buf_t *>(this)); }
   /// The buffer and its length.
   std::pair<CharT *, std::size_t> buffer() const { return buf_t::buffer(); }
   /// Uses `[buf, buf + length)` from now on.
   void buffer(CharT *buf, std::size_t length) {
      buf_t::buffer(buf, length);
      this->clear();
   }
};

typedef basic_bufferbuf<char> bufferbuf;
typedef basic_bufferstream<char> bufferstream;
typedef basic_ibufferstream<char> ibufferstream;
typedef basic_obufferstream<char> obufferstream;
typedef basic_bufferbuf<wchar_t> wbufferbuf;
typedef basic_bufferstream<wchar_t> wbufferstream;
typedef basic_ibufferstream<wchar_t> wibufferstream;
typedef basic_obufferstream<wchar_t> wobufferstream;

} // namespace interproc

#endif // INTERPROC_STREAMS_BUFFERSTREAM_HPP
