// interproc C++ wrapper: intrusive_ptr, as in <boost/interprocess/smart_ptr/intrusive_ptr.hpp>.
#ifndef INTERPROC_SMART_PTR_INTRUSIVE_PTR_HPP
#define INTERPROC_SMART_PTR_INTRUSIVE_PTR_HPP

#include <interproc/offset_ptr.hpp>

#include <functional>
#include <memory>
#include <ostream>
#include <type_traits>
#include <utility>

namespace interproc {

/// A pointer to an object that counts its own references: it calls
/// `intrusive_ptr_add_ref(T*)` and `intrusive_ptr_release(T*)` (found by argument-dependent
/// lookup). `VoidPointer` (such as offset_ptr<void>) decides how the pointer is stored.
template <class T, class VoidPointer> class intrusive_ptr {
   // What the pointer converts to: tests as a bool and converts to nothing else.
   typedef void (intrusive_ptr::*unspecified_bool_type)() const;
   void unspecified_bool_type_func() const {}

public:
   typedef typename std::pointer_traits<VoidPointer>::template rebind<T> pointer;
   typedef T element_type;

   /// An empty pointer.
   intrusive_ptr() noexcept : m_ptr() {}
   /// Points to `p`, adding a reference unless `add_ref` is false.
   intrusive_ptr(const pointer &p, bool add_ref = true) noexcept : m_ptr(p) {
      if (m_ptr && add_ref) {
         intrusive_ptr_add_ref(to_raw_pointer(m_ptr));
      }
   }
   /// Points to the raw `p`, adding a reference unless `add_ref` is false.
   template <class U = T, class = typename std::enable_if<!std::is_same<pointer, U *>::value>::type>
   intrusive_ptr(U *p, bool add_ref = true) : m_ptr(p) {
      if (m_ptr && add_ref) {
         intrusive_ptr_add_ref(to_raw_pointer(m_ptr));
      }
   }
   /// Points where `other` points, adding a reference (`intrusive_ptr_add_ref` must not
   /// throw, as in Boost).
   intrusive_ptr(const intrusive_ptr &other) noexcept : m_ptr(other.m_ptr) {
      if (m_ptr) {
         intrusive_ptr_add_ref(to_raw_pointer(m_ptr));
      }
   }
   /// Takes `other`'s reference; `other` is left empty.
   intrusive_ptr(intrusive_ptr &&other) noexcept : m_ptr(other.m_ptr) { other.m_ptr = pointer(); }
   /// Points where `other` (to a type convertible to T) points, adding a reference.
   template <class U, class = typename std::enable_if<std::is_convertible<U *, T *>::value>::type>
   intrusive_ptr(const intrusive_ptr<U, VoidPointer> &other) : m_ptr(to_raw_pointer(other.get())) {
      if (m_ptr) {
         intrusive_ptr_add_ref(to_raw_pointer(m_ptr));
      }
   }
   ~intrusive_ptr() { reset(); }
   /// Drops the reference held, if any, and is left empty.
   void reset() noexcept {
      if (m_ptr) {
         pointer p = m_ptr;
         m_ptr = pointer();
         intrusive_ptr_release(to_raw_pointer(p));
      }
   }
   intrusive_ptr &operator=(const intrusive_ptr &other) {
      intrusive_ptr(other).swap(*this);
      return *this;
   }
   /// Takes `other`'s reference, dropping the one held.
   intrusive_ptr &operator=(intrusive_ptr &&other) noexcept {
      intrusive_ptr(std::move(other)).swap(*this);
      return *this;
   }
   intrusive_ptr &operator=(const pointer &p) {
      intrusive_ptr(p).swap(*this);
      return *this;
   }

   /// The pointer.
   const pointer &get() const noexcept { return m_ptr; }
   /// The object.
   T &operator*() const noexcept { return *m_ptr; }
   /// Member access.
   T *operator->() const noexcept { return to_raw_pointer(m_ptr); }
   /// Whether it points to something, converting implicitly as Boost's does.
   operator unspecified_bool_type() const noexcept { return m_ptr ? &intrusive_ptr::unspecified_bool_type_func : nullptr; }
   bool operator!() const noexcept { return !m_ptr; }
   /// Exchanges two pointers.
   void swap(intrusive_ptr &other) noexcept {
      pointer p = m_ptr;
      m_ptr = other.m_ptr;
      other.m_ptr = p;
   }

private:
   pointer m_ptr;
};

template <class T, class U, class VP> bool operator==(const intrusive_ptr<T, VP> &a, const intrusive_ptr<U, VP> &b) {
   return to_raw_pointer(a.get()) == to_raw_pointer(b.get());
}
template <class T, class U, class VP> bool operator!=(const intrusive_ptr<T, VP> &a, const intrusive_ptr<U, VP> &b) {
   return !(a == b);
}
/// Whether `a` points to `b`.
template <class T, class VP> bool operator==(const intrusive_ptr<T, VP> &a, const typename intrusive_ptr<T, VP>::pointer &b) {
   return a.get() == b;
}
template <class T, class VP> bool operator!=(const intrusive_ptr<T, VP> &a, const typename intrusive_ptr<T, VP>::pointer &b) {
   return a.get() != b;
}
template <class T, class VP> bool operator==(const typename intrusive_ptr<T, VP>::pointer &a, const intrusive_ptr<T, VP> &b) {
   return a == b.get();
}
template <class T, class VP> bool operator!=(const typename intrusive_ptr<T, VP>::pointer &a, const intrusive_ptr<T, VP> &b) {
   return a != b.get();
}
/// Ordering by address.
template <class T, class VP> bool operator<(const intrusive_ptr<T, VP> &a, const intrusive_ptr<T, VP> &b) {
   return std::less<T *>()(to_raw_pointer(a.get()), to_raw_pointer(b.get()));
}
/// Writes `p.get()` (for an offset_ptr, its offset), as Boost's does.
template <class E, class Tr, class T, class VP>
std::basic_ostream<E, Tr> &operator<<(std::basic_ostream<E, Tr> &os, const intrusive_ptr<T, VP> &p) {
   return os << p.get();
}
/// Exchanges two pointers.
template <class T, class VP> void swap(intrusive_ptr<T, VP> &a, intrusive_ptr<T, VP> &b) noexcept { a.swap(b); }
/// The raw pointer.
template <class T, class VP> T *to_raw_pointer(const intrusive_ptr<T, VP> &p) { return to_raw_pointer(p.get()); }

} // namespace interproc

#endif // INTERPROC_SMART_PTR_INTRUSIVE_PTR_HPP
