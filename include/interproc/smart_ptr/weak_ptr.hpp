// interproc C++ wrapper: weak_ptr, as in <boost/interprocess/smart_ptr/weak_ptr.hpp>.
#ifndef INTERPROC_SMART_PTR_WEAK_PTR_HPP
#define INTERPROC_SMART_PTR_WEAK_PTR_HPP

#include <interproc/smart_ptr/shared_ptr.hpp>

#include <utility>

namespace interproc {

/// A non-owning reference to an object owned by shared_ptrs; `lock()` gives a shared_ptr
/// while the object lives.
template <class T, class VoidAllocator, class Deleter> class weak_ptr {
public:
   typedef T element_type;
   typedef T value_type;
   typedef shared_ptr<T, VoidAllocator, Deleter> shared_type;
   typedef typename shared_type::pointer pointer;
   typedef typename shared_type::counts_pointer counts_pointer;

   /// An empty weak pointer.
   weak_ptr() noexcept : m_ptr(), m_counts() {}
   /// Observes what `r` owns.
   weak_ptr(const shared_type &r) noexcept : m_ptr(r.get()), m_counts(r.counts()) { add(); }
   weak_ptr(const weak_ptr &other) noexcept : m_ptr(other.m_ptr), m_counts(other.m_counts) { add(); }
   /// Observes what `r` owns, converting the pointer (`weak_ptr<Base>` from
   /// `shared_ptr<Derived>`).
   template <class Y, class = typename std::enable_if<std::is_convertible<Y *, T *>::value>::type>
   weak_ptr(const shared_ptr<Y, VoidAllocator, Deleter> &r) noexcept
      : m_ptr(pointer(static_cast<T *>(to_raw_pointer(r.get())))), m_counts(r.counts()) {
      add();
   }
   /// Observes what `r` observes, converting the pointer (null when the object is gone).
   template <class Y, class = typename std::enable_if<std::is_convertible<Y *, T *>::value>::type>
   weak_ptr(const weak_ptr<Y, VoidAllocator, Deleter> &r) noexcept
      : m_ptr(pointer(static_cast<T *>(to_raw_pointer(r.lock().get())))), m_counts(r.counts()) {
      add();
   }
   /// Observes what `r` owns or observes, converting the pointer.
   template <class Y, class = typename std::enable_if<std::is_convertible<Y *, T *>::value>::type>
   weak_ptr &operator=(const shared_ptr<Y, VoidAllocator, Deleter> &r) noexcept {
      weak_ptr(r).swap(*this);
      return *this;
   }
   template <class Y, class = typename std::enable_if<std::is_convertible<Y *, T *>::value>::type>
   weak_ptr &operator=(const weak_ptr<Y, VoidAllocator, Deleter> &r) noexcept {
      weak_ptr(r).swap(*this);
      return *this;
   }
   weak_ptr &operator=(const weak_ptr &other) noexcept {
      weak_ptr(other).swap(*this);
      return *this;
   }
   weak_ptr &operator=(const shared_type &r) noexcept {
      weak_ptr(r).swap(*this);
      return *this;
   }
   ~weak_ptr() {
      if (m_counts) {
         detail::release_counts(m_counts);
      }
   }

   /// A shared_ptr to the object, or an empty one if it is gone.
   shared_type lock() const noexcept {
      if (!m_counts) {
         return shared_type();
      }
      auto *c = to_raw_pointer(m_counts);
      std::uint32_t n = c->use.load(std::memory_order_acquire);
      while (n != 0) {
         if (c->use.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel)) {
            return shared_type(m_ptr, m_counts, 0);
         }
      }
      return shared_type();
   }
   /// The number of owners.
   long use_count() const noexcept {
      return m_counts ? long(to_raw_pointer(m_counts)->use.load(std::memory_order_acquire)) : 0;
   }
   /// Whether the object is gone.
   bool expired() const noexcept { return use_count() == 0; }
   /// Forgets the object.
   void reset() noexcept { weak_ptr().swap(*this); }
   /// The shared counts (for conversions).
   const counts_pointer &counts() const noexcept { return m_counts; }
   /// Ordering by control block (as shared_ptr's `owner_before`).
   template <class Y> bool owner_before(const weak_ptr<Y, VoidAllocator, Deleter> &other) const noexcept {
      return std::less<void *>()(to_raw_pointer(m_counts), to_raw_pointer(other.counts()));
   }
   /// Exchanges two weak pointers.
   void swap(weak_ptr &other) noexcept {
      using std::swap;
      swap(m_ptr, other.m_ptr);
      swap(m_counts, other.m_counts);
   }

private:
   void add() noexcept {
      if (m_counts) {
         to_raw_pointer(m_counts)->weak.fetch_add(1, std::memory_order_relaxed);
      }
   }

   pointer m_ptr;
   counts_pointer m_counts;
};

/// Ordering by control block: weak_ptrs to one object are equivalent.
template <class T, class U, class A, class D>
bool operator<(const weak_ptr<T, A, D> &a, const weak_ptr<U, A, D> &b) noexcept {
   return a.owner_before(b);
}
/// Exchanges two weak pointers.
template <class T, class A, class D> void swap(weak_ptr<T, A, D> &a, weak_ptr<T, A, D> &b) noexcept { a.swap(b); }

/// The weak_ptr type for T in the managed segment type ManagedMemory.
template <class T, class ManagedMemory> struct managed_weak_ptr {
   typedef weak_ptr<T, typename ManagedMemory::template allocator<void>::type,
                    typename ManagedMemory::template deleter<T>::type>
      type;
};

/// A weak_ptr observing `constructed_object`... (as Boost, from an existing shared owner).
template <class T, class ManagedMemory>
typename managed_weak_ptr<T, ManagedMemory>::type make_managed_weak_ptr(T *constructed_object, ManagedMemory &managed_memory) {
   return typename managed_weak_ptr<T, ManagedMemory>::type(make_managed_shared_ptr(constructed_object, managed_memory));
}

} // namespace interproc

#endif // INTERPROC_SMART_PTR_WEAK_PTR_HPP
