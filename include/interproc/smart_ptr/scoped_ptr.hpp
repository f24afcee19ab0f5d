// interproc C++ wrapper: scoped_ptr, as in <boost/interprocess/smart_ptr/scoped_ptr.hpp>.
#ifndef INTERPROC_SMART_PTR_SCOPED_PTR_HPP
#define INTERPROC_SMART_PTR_SCOPED_PTR_HPP

#include <interproc/offset_ptr.hpp>

namespace interproc {

/// Owns one object and destroys it with `Deleter` when it goes out of scope. Not copyable.
template <class T, class Deleter> class scoped_ptr : private Deleter {
   // What the pointer converts to: tests as a bool and converts to nothing else.
   typedef typename Deleter::pointer scoped_ptr::*unspecified_bool_type;

public:
   typedef typename Deleter::pointer pointer;
   typedef T element_type;
   typedef Deleter deleter_type;

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
   /// Whether it owns something, converting implicitly as Boost's does.
   operator unspecified_bool_type() const noexcept { return m_ptr ? &scoped_ptr::m_ptr : nullptr; }
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

/// Exchanges two scoped pointers.
template <class T, class D> void swap(scoped_ptr<T, D> &a, scoped_ptr<T, D> &b) noexcept { a.swap(b); }
/// The raw pointer.
template <class T, class D> T *to_raw_pointer(const scoped_ptr<T, D> &p) { return to_raw_pointer(p.get()); }

} // namespace interproc

#endif // INTERPROC_SMART_PTR_SCOPED_PTR_HPP
