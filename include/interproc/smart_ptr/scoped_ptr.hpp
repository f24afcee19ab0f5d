// interproc C++ wrapper: scoped_ptr, as in <boost/interprocess/smart_ptr/scoped_ptr.hpp>.
#ifndef INTERPROC_SMART_PTR_SCOPED_PTR_HPP
#define INTERPROC_SMART_PTR_SCOPED_PTR_HPP

#include <interproc/offset_ptr.hpp>

namespace interproc {

/// Owns one object and destroys it with `Deleter` when it goes out of scope. Not copyable.
template <class T, class Deleter> class scoped_ptr : private Deleter {
public:
   typedef typename Deleter::pointer pointer;
   typedef T element_type;

   /// Owns `p`.
   explicit scoped_ptr(const pointer &p = pointer(), const Deleter &d = Deleter()) : Deleter(d), m_ptr(p) {}
   scoped_ptr(const scoped_ptr &) = delete;
   scoped_ptr &operator=(const scoped_ptr &) = delete;
   /// Destroys the object.
   ~scoped_ptr() {
      if (m_ptr) {
         static_cast<Deleter &>(*this)(m_ptr);
      }
   }

   /// Destroys the object and owns `p` instead.
   void reset(const pointer &p = pointer()) {
      scoped_ptr tmp(p, static_cast<const Deleter &>(*this));
      swap(tmp);
   }
   /// Destroys the object and owns `p` instead, to be destroyed with `d`.
   void reset(const pointer &p, const Deleter &d) {
      scoped_ptr tmp(p, d);
      swap(tmp);
   }
   /// Gives up ownership and returns the pointer.
   pointer release() noexcept {
      pointer p = m_ptr;
      m_ptr = pointer();
      return p;
   }
   /// The object.
   T &operator*() const noexcept { return *m_ptr; }
   /// Member access.
   T *operator->() const noexcept { return to_raw_pointer(m_ptr); }
   /// The pointer.
   pointer &get() noexcept { return m_ptr; }
   const pointer &get() const noexcept { return m_ptr; }
   /// Whether it owns something.
   explicit operator bool() const noexcept { return !!m_ptr; }
   bool operator!() const noexcept { return !m_ptr; }
   /// Exchanges two scoped pointers.
   void swap(scoped_ptr &other) noexcept {
      pointer p = m_ptr;
      m_ptr = other.m_ptr;
      other.m_ptr = p;
      std::swap(static_cast<Deleter &>(*this), static_cast<Deleter &>(other));
   }

private:
   pointer m_ptr;
};

} // namespace interproc

#endif // INTERPROC_SMART_PTR_SCOPED_PTR_HPP
