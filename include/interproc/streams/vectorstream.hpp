// interproc C++ wrapper: vectorstream, as in <boost/interprocess/streams/vectorstream.hpp>:
// iostreams that format into and parse out of a character vector (for example an
// interproc::vector or basic_string in shared memory).
#ifndef INTERPROC_STREAMS_VECTORSTREAM_HPP
#define INTERPROC_STREAMS_VECTORSTREAM_HPP

#include <interproc/detail/config.hpp>
#include <interproc/interprocess_fwd.hpp>

#include <algorithm>
#include <ios>
#include <istream>
#include <ostream>
#include <streambuf>

namespace interproc {

/// A stream buffer that writes into (and reads from) a `CharVector`, which grows as needed.
template <class CharVector, class CharTraits>
class basic_vectorbuf : public std::basic_streambuf<typename CharVector::value_type, CharTraits> {
public:
   typedef CharVector vector_type;
   typedef typename CharVector::value_type char_type;
   typedef typename CharTraits::int_type int_type;
   typedef typename CharTraits::pos_type pos_type;
   typedef typename CharTraits::off_type off_type;
   typedef CharTraits traits_type;

   /// An empty vector, using `a` (the vector's allocator) when given.
   explicit basic_vectorbuf(std::ios_base::openmode mode = std::ios_base::in | std::ios_base::out)
      : m_mode(mode), m_vec(), m_used(0) {
      sync_pointers(0, 0);
   }
   /// A buffer over a copy of `param`.
   template <class VectorParameter>
   explicit basic_vectorbuf(const VectorParameter &param, std::ios_base::openmode mode = std::ios_base::in | std::ios_base::out)
      : m_mode(mode), m_vec(param), m_used(m_vec.size()) {
      sync_pointers(0, (mode & std::ios_base::ate) ? m_used : 0);
   }

   /// Exchanges the written characters with `vect` (the vector ends exactly at what was
   /// written).
   void swap_vector(vector_type &vect) {
      commit();
      m_vec.resize(m_used);
      m_vec.swap(vect);
      m_used = m_vec.size();
      sync_pointers(0, (m_mode & std::ios_base::ate) ? m_used : 0);
   }
   /// The vector, trimmed to what was written.
   const vector_type &vector() const {
      const_cast<basic_vectorbuf *>(this)->commit();
      const_cast<vector_type &>(m_vec).resize(m_used);
      const_cast<basic_vectorbuf *>(this)->sync_pointers(get_pos(), m_used);
      return m_vec;
   }
   /// Reserves room for `size` characters.
   void reserve(typename vector_type::size_type size) {
      const std::size_t g = get_pos(), p = put_pos();
      if (size > m_vec.size()) {
         m_vec.resize(size);
      }
      sync_pointers(g, p);
   }
   /// Empties the vector.
   void clear() {
      m_vec.clear();
      m_used = 0;
      sync_pointers(0, 0);
   }

protected:
   int_type overflow(int_type c = CharTraits::eof()) override {
      if (!(m_mode & std::ios_base::out)) {
         return CharTraits::eof();
      }
      if (CharTraits::eq_int_type(c, CharTraits::eof())) {
         return CharTraits::not_eof(c);
      }
      const std::size_t g = get_pos(), p = put_pos();
      commit();
      m_vec.resize(std::max<std::size_t>(16, m_vec.size() * 2));
      sync_pointers(g, p);
      *this->pptr() = CharTraits::to_char_type(c);
      this->pbump(1);
      return c;
   }
   int_type underflow() override {
      commit();
      if (!(m_mode & std::ios_base::in) || get_pos() >= m_used) {
         return CharTraits::eof();
      }
      this->setg(data(), this->gptr(), data() + m_used);
      return CharTraits::to_int_type(*this->gptr());
   }
   int_type pbackfail(int_type c = CharTraits::eof()) override {
      if (this->gptr() == this->eback()) {
         return CharTraits::eof();
      }
      this->gbump(-1);
      if (!CharTraits::eq_int_type(c, CharTraits::eof())) {
         *this->gptr() = CharTraits::to_char_type(c);
      }
      return CharTraits::not_eof(c);
   }
   pos_type seekoff(off_type off, std::ios_base::seekdir dir,
                    std::ios_base::openmode which = std::ios_base::in | std::ios_base::out) override {
      commit();
      const bool in = (which & std::ios_base::in) && (m_mode & std::ios_base::in);
      const bool out = (which & std::ios_base::out) && (m_mode & std::ios_base::out);
      if (!in && !out) {
         return pos_type(off_type(-1));
      }
      off_type base = 0;
      if (dir == std::ios_base::cur) {
         base = off_type(in ? get_pos() : put_pos());
      } else if (dir == std::ios_base::end) {
         base = off_type(m_used);
      }
      const off_type pos = base + off;
      if (pos < 0 || pos > off_type(m_used)) {
         return pos_type(off_type(-1));
      }
      sync_pointers(in ? std::size_t(pos) : get_pos(), out ? std::size_t(pos) : put_pos());
      return pos_type(pos);
   }
   pos_type seekpos(pos_type pos, std::ios_base::openmode which = std::ios_base::in | std::ios_base::out) override {
      return seekoff(off_type(pos), std::ios_base::beg, which);
   }

private:
   char_type *data() { return m_vec.empty() ? nullptr : &m_vec[0]; }
   std::size_t get_pos() const { return this->gptr() ? std::size_t(this->gptr() - this->eback()) : 0; }
   std::size_t put_pos() const { return this->pptr() ? std::size_t(this->pptr() - this->pbase()) : 0; }
   /// Records how far writing has got.
   void commit() { m_used = std::max(m_used, put_pos()); }
   void sync_pointers(std::size_t g, std::size_t p) {
      char_type *d = data();
      if (m_mode & std::ios_base::in) {
         this->setg(d, d + std::min(g, m_used), d + m_used);
      }
      if (m_mode & std::ios_base::out) {
         this->setp(d, d + m_vec.size());
         this->pbump(static_cast<int>(p));
      }
   }

   std::ios_base::openmode m_mode;
   vector_type m_vec;
   std::size_t m_used;
};

/// An input/output stream over a character vector.
template <class CharVector, class CharTraits>
class basic_vectorstream : private basic_vectorbuf<CharVector, CharTraits>,
                           public std::basic_iostream<typename CharVector::value_type, CharTraits> {
   typedef basic_vectorbuf<CharVector, CharTraits> buf_t;

public:
   typedef CharVector vector_type;
   /// An empty stream.
   basic_vectorstream(std::ios_base::openmode mode = std::ios_base::in | std::ios_base::out)
      : buf_t(mode), std::basic_iostream<typename CharVector::value_type, CharTraits>(static_cast<buf_t *>(this)) {}
   /// A stream over a copy of `param` (a vector or the argument of its constructor, such
   /// as an allocator).
   template <class VectorParameter>
   basic_vectorstream(const VectorParameter &param, std::ios_base::openmode mode = std::ios_base::in | std::ios_base::out)
      : buf_t(param, mode), std::basic_iostream<typename CharVector::value_type, CharTraits>(static_cast<buf_t *>(this)) {}
   /// The stream buffer.
   buf_t *rdbuf() const { return const_cast<buf_t *>(static_cast<const buf_t *>(this)); }
   /// Exchanges the written characters with `vect`.
   void swap_vector(vector_type &vect) { buf_t::swap_vector(vect); }
   /// The vector, trimmed to what was written.
   const vector_type &vector() const { return buf_t::vector(); }
   /// Reserves room for `size` characters.
   void reserve(typename vector_type::size_type size) { buf_t::reserve(size); }
   /// Empties the vector.
   void clear() { buf_t::clear(); }
};

/// An output stream into a character vector.
template <class CharVector, class CharTraits>
class basic_ovectorstream : public basic_vectorstream<CharVector, CharTraits> {
public:
   /// An empty stream.
   basic_ovectorstream(std::ios_base::openmode mode = std::ios_base::out)
      : basic_vectorstream<CharVector, CharTraits>(mode | std::ios_base::out) {}
   /// A stream over a copy of `param`.
   template <class VectorParameter>
   basic_ovectorstream(const VectorParameter &param, std::ios_base::openmode mode = std::ios_base::out)
      : basic_vectorstream<CharVector, CharTraits>(param, mode | std::ios_base::out) {}
};

/// An input stream over a character vector.
template <class CharVector, class CharTraits>
class basic_ivectorstream : public basic_vectorstream<CharVector, CharTraits> {
public:
   /// An empty stream.
   basic_ivectorstream(std::ios_base::openmode mode = std::ios_base::in)
      : basic_vectorstream<CharVector, CharTraits>(mode | std::ios_base::in) {}
   /// A stream over a copy of `param`.
   template <class VectorParameter>
   basic_ivectorstream(const VectorParameter &param, std::ios_base::openmode mode = std::ios_base::in)
      : basic_vectorstream<CharVector, CharTraits>(param, mode | std::ios_base::in) {}
};

} // namespace interproc

#endif // INTERPROC_STREAMS_VECTORSTREAM_HPP
