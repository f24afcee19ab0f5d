// interproc C++ wrapper: enable_shared_from_this, as in
// <boost/interprocess/smart_ptr/enable_shared_from_this.hpp>.
#ifndef INTERPROC_SMART_PTR_ENABLE_SHARED_FROM_THIS_HPP
#define INTERPROC_SMART_PTR_ENABLE_SHARED_FROM_THIS_HPP

#include <interproc/smart_ptr/shared_ptr.hpp>
#include <interproc/smart_ptr/weak_ptr.hpp>

namespace interproc {

/// A base that lets an object owned by shared_ptrs make another shared_ptr to itself.
/// The first shared_ptr that takes ownership of the object records itself here; copying
/// or assigning the object never copies that record, so a copy is owned by no one until a
/// shared_ptr takes it, and an assigned-to object keeps its owners.
template <class T, class A, class D> class enable_shared_from_this {
protected:
   enable_shared_from_this() noexcept {}
   enable_shared_from_this(const enable_shared_from_this &) noexcept {}
   enable_shared_from_this &operator=(const enable_shared_from_this &) noexcept { return *this; }
   ~enable_shared_from_this() {}

public:
   /// A shared_ptr sharing ownership of this object; throws `bad_weak_ptr` when no
   /// shared_ptr owns it (a copy of an owned object, or one whose owners are gone).
   shared_ptr<T, A, D> shared_from_this() {
      shared_ptr<T, A, D> p(_internal_weak_this);
      assert(to_raw_pointer(p.get()) == this);
      return p;
   }
   /// As above, for a const object.
   shared_ptr<const T, A, D> shared_from_this() const {
      shared_ptr<const T, A, D> p(_internal_weak_this);
      assert(to_raw_pointer(p.get()) == this);
      return p;
   }

   /// Called by shared_ptr when it takes ownership: records the first owner.
   template <class U> void internal_accept_owner(const shared_ptr<U, A, D> &owner) const {
      if (_internal_weak_this.expired()) {
         _internal_weak_this = shared_ptr<T, A, D>(owner);
      }
   }

   /// The type whose owners are recorded.
   typedef T element_type;
   /// The first owner (Boost's name; not for programs to use).
   mutable weak_ptr<element_type, A, D> _internal_weak_this;
};

} // namespace interproc

#endif // INTERPROC_SMART_PTR_ENABLE_SHARED_FROM_THIS_HPP
