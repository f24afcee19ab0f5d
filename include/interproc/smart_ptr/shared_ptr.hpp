// interproc C++ wrapper: shared_ptr, as in <boost/interprocess/smart_ptr/shared_ptr.hpp>.
#ifndef INTERPROC_SMART_PTR_SHARED_PTR_HPP
#define INTERPROC_SMART_PTR_SHARED_PTR_HPP

#include <interproc/offset_ptr.hpp>
#include <interproc/smart_ptr/deleter.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <ostream>
#include <new>
#include <type_traits>
#include <utility>

namespace interproc {

template <class T, class VoidAllocator, class Deleter> class shared_ptr;
template <class T, class VoidAllocator, class Deleter> class weak_ptr;
template <class T, class VoidAllocator, class Deleter> class enable_shared_from_this;

namespace detail {

/// The reference counts of a shared_ptr, allocated with its allocator so that it lives in
/// the same segment as the object and works from every process (the counts are lock-free
/// atomics, which are process-shared).
template <class VoidAllocator, class Deleter> struct sp_counts {
   std::atomic<std::uint32_t> use;
   /// Weak references, plus one while `use` is above zero.
   std::atomic<std::uint32_t> weak;
   Deleter deleter;
   VoidAllocator allocator;
   /// The pointer as it was given, for the deleter (a shared_ptr may have been converted).
   typename Deleter::pointer owned;

   template <class P>
   sp_counts(const VoidAllocator &a, const Deleter &d, const P &p) : use(1), weak(1), deleter(d), allocator(a), owned(p) {}
};

template <class VoidAllocator, class Deleter> using sp_counts_allocator =
   typename std::allocator_traits<VoidAllocator>::template rebind_alloc<sp_counts<VoidAllocator, Deleter>>;
template <class VoidAllocator, class Deleter> using sp_counts_pointer =
   typename std::allocator_traits<sp_counts_allocator<VoidAllocator, Deleter>>::pointer;

template <class C> void release_counts(const C &counts) {
   auto *c = to_raw_pointer(counts);
   if (c->weak.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      typedef typename std::remove_reference<decltype(*c)>::type counts_type;
      typename std::allocator_traits<decltype(c->allocator)>::template rebind_alloc<counts_type> a(c->allocator);
      c->~counts_type();
      a.deallocate(counts, 1);
   }
}

} // namespace detail

/// What `shared_ptr`'s constructor from a `weak_ptr` throws when the object is gone (as in
/// Boost, a std::exception and not an interprocess_exception).
class bad_weak_ptr : public std::exception {
public:
   const char *what() const noexcept override { return "interproc::bad_weak_ptr"; }
};

/// A reference-counted pointer for objects in a managed segment: the object is destroyed
/// with `Deleter` (typically `deleter<T, segment_manager>`) when the last shared_ptr goes,
/// and the counts live in the segment (allocated with `VoidAllocator`), so shared_ptrs
/// stored in shared memory share ownership across processes.
template <class T, class VoidAllocator, class Deleter> class shared_ptr {
   // What the pointer converts to: tests as a bool and converts to nothing else.
   typedef void (shared_ptr::*unspecified_bool_type)() const;
   void unspecified_bool_type_func() const {}

public:
   typedef T element_type;
   typedef T value_type;
   /// A reference to the object (`detail::nat &` for `void`, as offset_ptr's).
   typedef typename detail::add_reference<T>::type reference;
   typedef typename detail::add_reference<const T>::type const_reference;
   /// A pointer to a const allocator (the allocator's pointer rebound).
   typedef typename std::pointer_traits<typename std::allocator_traits<VoidAllocator>::pointer>::template rebind<
      const VoidAllocator>
      const_allocator_pointer;
   typedef typename std::pointer_traits<typename std::allocator_traits<VoidAllocator>::pointer>::template rebind<T> pointer;
   typedef Deleter deleter_type;
   typedef VoidAllocator allocator_type;

   /// An empty pointer.
   shared_ptr() noexcept : m_ptr(), m_counts() {}

   /// Owns `p` (which may be null), to be destroyed with `d`; the counts are allocated with
   /// `a`. If that allocation fails, `p` is destroyed with `d` and the exception propagates.
   explicit shared_ptr(const pointer &p, const VoidAllocator &a = VoidAllocator(), const Deleter &d = Deleter())
      : m_ptr(p), m_counts() {
      if (!p) {
         return;
      }
      counts_allocator ca(a);
      counts_pointer c;
      try {
         c = ca.allocate(1);
      } catch (...) {
         Deleter del(d);
         del(p);
         throw;
      }
      ::new (static_cast<void *>(to_raw_pointer(c))) counts_type(a, d, to_raw_pointer(p));
      m_counts = c;
      enable_from_this(to_raw_pointer(p));
   }

   shared_ptr(const shared_ptr &other) noexcept : m_ptr(other.m_ptr), m_counts(other.m_counts) {
      if (m_counts) {
         to_raw_pointer(m_counts)->use.fetch_add(1, std::memory_order_relaxed);
      }
   }
   shared_ptr(shared_ptr &&other) noexcept : m_ptr(other.m_ptr), m_counts(other.m_counts) {
      other.m_ptr = pointer();
      other.m_counts = counts_pointer();
   }
   /// Shares ownership with `other`, converting the pointer.
   template <class U, class = typename std::enable_if<std::is_convertible<U *, T *>::value>::type>
   shared_ptr(const shared_ptr<U, VoidAllocator, Deleter> &other) noexcept
      : m_ptr(pointer(static_cast<T *>(to_raw_pointer(other.get())))), m_counts(other.counts()) {
      if (m_counts) {
         to_raw_pointer(m_counts)->use.fetch_add(1, std::memory_order_relaxed);
      }
   }
   /// Shares ownership with `other` but points to `p` (the aliasing constructor).
   template <class U> shared_ptr(const shared_ptr<U, VoidAllocator, Deleter> &other, const pointer &p) noexcept
      : m_ptr(p), m_counts(other.counts()) {
      if (m_counts) {
         to_raw_pointer(m_counts)->use.fetch_add(1, std::memory_order_relaxed);
      }
   }

   /// Shares ownership with the owners `r` observes; throws `bad_weak_ptr` if the object is
   /// gone (`r.lock()` gives an empty pointer instead).
   template <class U, class = typename std::enable_if<std::is_convertible<U *, T *>::value>::type>
   explicit shared_ptr(const weak_ptr<U, VoidAllocator, Deleter> &r) : m_ptr(), m_counts() {
      shared_ptr<U, VoidAllocator, Deleter> owner = r.lock();
      if (!owner) {
         throw bad_weak_ptr();
      }
      shared_ptr(owner).swap(*this);
   }

   ~shared_ptr() { release(); }

   shared_ptr &operator=(const shared_ptr &other) noexcept {
      shared_ptr(other).swap(*this);
      return *this;
   }
   shared_ptr &operator=(shared_ptr &&other) noexcept {
      shared_ptr(std::move(other)).swap(*this);
      return *this;
   }

   /// Drops ownership.
   void reset() noexcept { shared_ptr().swap(*this); }
   /// Owns `p` instead (any pointer that converts to `pointer`).
   template <class Pointer>
   void reset(const Pointer &p, const VoidAllocator &a = VoidAllocator(), const Deleter &d = Deleter()) {
      shared_ptr(pointer(p), a, d).swap(*this);
   }
   /// Shares ownership with `r` but points to `p` (the aliasing reset).
   template <class Y> void reset(const shared_ptr<Y, VoidAllocator, Deleter> &r, const pointer &p) {
      shared_ptr(r, p).swap(*this);
   }

   /// The pointer.
   const pointer &get() const noexcept { return m_ptr; }
   /// The object.
   T &operator*() const noexcept { return *m_ptr; }
   /// Member access.
   T *operator->() const noexcept { return to_raw_pointer(m_ptr); }
   /// Whether it points to something, converting implicitly as Boost's does.
   operator unspecified_bool_type() const noexcept { return m_ptr ? &shared_ptr::unspecified_bool_type_func : nullptr; }
   /// Whether it is empty.
   bool operator!() const noexcept { return !m_ptr; }
   /// Whether it is the only owner.
   bool unique() const noexcept { return use_count() == 1; }
   /// The number of owners.
   long use_count() const noexcept {
      return m_counts ? long(to_raw_pointer(m_counts)->use.load(std::memory_order_acquire)) : 0;
   }
   /// Exchanges two pointers.
   void swap(shared_ptr &other) noexcept {
      using std::swap;
      swap(m_ptr, other.m_ptr);
      swap(m_counts, other.m_counts);
   }

   /// A pointer to the deleter (`Deleter` rebound from the allocator's pointer).
   typedef typename std::pointer_traits<pointer>::template rebind<const Deleter> const_deleter_pointer;
   /// The deleter that will destroy the object; null for an empty pointer (Boost's).
   const_deleter_pointer get_deleter() const noexcept {
      return m_counts ? const_deleter_pointer(&to_raw_pointer(m_counts)->deleter) : const_deleter_pointer();
   }

   /// Ordering by control block (as `owner_before`).
   template <class U> bool owner_before(const shared_ptr<U, VoidAllocator, Deleter> &other) const noexcept {
      return std::less<void *>()(to_raw_pointer(m_counts), to_raw_pointer(other.counts()));
   }

   /// The shared counts (for weak_ptr and conversions).
   typedef detail::sp_counts<VoidAllocator, Deleter> counts_type;
   typedef detail::sp_counts_pointer<VoidAllocator, Deleter> counts_pointer;
   const counts_pointer &counts() const noexcept { return m_counts; }
   /// Adopts counts whose use count the caller has already raised (for weak_ptr::lock).
   shared_ptr(const pointer &p, const counts_pointer &c, int) noexcept : m_ptr(p), m_counts(c) {}

private:
   typedef detail::sp_counts_allocator<VoidAllocator, Deleter> counts_allocator;

   void release() noexcept {
      if (!m_counts) {
         return;
      }
      counts_type *c = to_raw_pointer(m_counts);
      if (c->use.fetch_sub(1, std::memory_order_acq_rel) == 1) {
         c->deleter(c->owned);
         detail::release_counts(m_counts);
      }
   }

   template <class U> void enable_from_this(U *p) {
      if constexpr (std::is_base_of<enable_shared_from_this<T, VoidAllocator, Deleter>, U>::value) {
         p->internal_accept_owner(*this);
      }
   }

   pointer m_ptr;
   counts_pointer m_counts;
};

template <class T, class A, class D, class U>
bool operator==(const shared_ptr<T, A, D> &a, const shared_ptr<U, A, D> &b) noexcept {
   return to_raw_pointer(a.get()) == to_raw_pointer(b.get());
}
template <class T, class A, class D, class U>
bool operator!=(const shared_ptr<T, A, D> &a, const shared_ptr<U, A, D> &b) noexcept {
   return !(a == b);
}
template <class T, class A, class D, class U>
bool operator<(const shared_ptr<T, A, D> &a, const shared_ptr<U, A, D> &b) noexcept {
   return a.owner_before(b);
}
/// Exchanges two pointers.
template <class T, class A, class D> void swap(shared_ptr<T, A, D> &a, shared_ptr<T, A, D> &b) noexcept { a.swap(b); }

/// `static_cast` of the pointed-to type, sharing ownership.
template <class T, class A, class D, class U> shared_ptr<T, A, D> static_pointer_cast(const shared_ptr<U, A, D> &r) {
   typedef typename shared_ptr<T, A, D>::pointer P;
   return shared_ptr<T, A, D>(r, P(static_cast<T *>(to_raw_pointer(r.get()))));
}
/// `const_cast` of the pointed-to type, sharing ownership.
template <class T, class A, class D, class U> shared_ptr<T, A, D> const_pointer_cast(const shared_ptr<U, A, D> &r) {
   typedef typename shared_ptr<T, A, D>::pointer P;
   return shared_ptr<T, A, D>(r, P(const_cast<T *>(to_raw_pointer(r.get()))));
}
/// `dynamic_cast` of the pointed-to type, sharing ownership (empty if the cast fails).
template <class T, class A, class D, class U> shared_ptr<T, A, D> dynamic_pointer_cast(const shared_ptr<U, A, D> &r) {
   typedef typename shared_ptr<T, A, D>::pointer P;
   T *p = dynamic_cast<T *>(to_raw_pointer(r.get()));
   return p ? shared_ptr<T, A, D>(r, P(p)) : shared_ptr<T, A, D>();
}
/// The raw pointer.
template <class T, class A, class D> T *to_raw_pointer(const shared_ptr<T, A, D> &p) { return to_raw_pointer(p.get()); }
/// Writes `p.get()` (for an offset_ptr, its offset), as Boost's does.
template <class E, class Tr, class T, class A, class D>
std::basic_ostream<E, Tr> &operator<<(std::basic_ostream<E, Tr> &os, const shared_ptr<T, A, D> &p) {
   return os << p.get();
}

/// The shared_ptr type for T in the managed segment type ManagedMemory.
template <class T, class ManagedMemory> struct managed_shared_ptr {
   typedef typename ManagedMemory::template allocator<void>::type void_allocator;
   typedef typename ManagedMemory::template deleter<T>::type deleter;
   typedef shared_ptr<T, void_allocator, deleter> type;
};

/// A shared_ptr owning `constructed_object` (constructed in `managed_memory`).
template <class T, class ManagedMemory>
typename managed_shared_ptr<T, ManagedMemory>::type make_managed_shared_ptr(T *constructed_object, ManagedMemory &managed_memory) {
   return typename managed_shared_ptr<T, ManagedMemory>::type(
      constructed_object, managed_memory.template get_allocator<void>(), managed_memory.template get_deleter<T>());
}

/// As `make_managed_shared_ptr`, returning an empty pointer instead of throwing.
template <class T, class ManagedMemory>
typename managed_shared_ptr<T, ManagedMemory>::type make_managed_shared_ptr(T *constructed_object, ManagedMemory &managed_memory,
                                                                           const std::nothrow_t &) {
   try {
      return make_managed_shared_ptr(constructed_object, managed_memory);
   } catch (...) {
      return typename managed_shared_ptr<T, ManagedMemory>::type();
   }
}

} // namespace interproc

#include <interproc/smart_ptr/weak_ptr.hpp>
#include <interproc/smart_ptr/enable_shared_from_this.hpp>

#endif // INTERPROC_SMART_PTR_SHARED_PTR_HPP
