// interproc C++ wrapper: enable_shared_from_this, as in
// <boost/interprocess/smart_ptr/enable_shared_from_this.hpp>.
#ifndef INTERPROC_SMART_PTR_ENABLE_SHARED_FROM_THIS_HPP
#define INTERPROC_SMART_PTR_ENABLE_SHARED_FROM_THIS_HPP

#include <interproc/smart_ptr/shared_ptr.hpp>
#include <interproc/smart_ptr/weak_ptr.hpp>

namespace interproc {

/// A base that lets an object owned by shared_ptrs make another shared_ptr to itself.
template <class T, class A, class D> class enable_shared_from_this {
public:
   /// A shared_ptr sharing ownership of this object (empty if no shared_ptr owns it).
   shared_ptr<T, A, D> shared_from_this() { return m_weak_this.lock(); }
   /// As above, for a const object.
   shared_ptr<const T, A, D> shared_from_this() const { return m_weak_this.lock(); }

   /// Called by shared_ptr when it takes ownership.
   template <class U> void internal_accept_owner(const shared_ptr<U, A, D> &owner) {
      if (m_weak_this.expired()) {
         m_weak_this = shared_ptr<T, A, D>(owner);
      }
   }

protected:
   enable_shared_from_this() noexcept {}
   enable_shared_from_this(const enable_shared_from_this &) noexcept {}
   enable_shared_from_this &operator=(const enable_shared_from_this &) noexcept { return *this; }
   ~enable_shared_from_this() {}

private:
   weak_ptr<T, A, D> m_weak_this;
};

} // namespace interproc

#endif // INTERPROC_SMART_PTR_ENABLE_SHARED_FROM_THIS_HPP
