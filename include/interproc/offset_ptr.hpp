// interproc C++ wrapper: offset_ptr, as in <boost/interprocess/offset_ptr.hpp>.
#ifndef INTERPROC_OFFSET_PTR_HPP
#define INTERPROC_OFFSET_PTR_HPP

#include <interproc/detail/config.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <ostream>
#include <type_traits>

namespace interproc {

namespace detail {
/// The type a reference to `void` stands for (Boost's `ipcdetail::nat`): `offset_ptr<void>`
/// needs a well-formed `reference` so that generic code (`boost::intrusive::pointer_traits`,
/// Boost.Container) can name `pointer_to(reference)` for every pointer it rebinds to.
struct nat {};
template <class T> struct add_reference { typedef T &type; };
template <class T> struct add_reference<T &> { typedef T &type; };
template <> struct add_reference<void> { typedef nat &type; };
template <> struct add_reference<const void> { typedef const nat &type; };
template <> struct add_reference<volatile void> { typedef volatile nat &type; };
template <> struct add_reference<const volatile void> { typedef const volatile nat &type; };

/// The number of zero bits at the bottom of `n` (0 for 0).
constexpr std::size_t low_zero_bits(std::size_t n) noexcept {
   std::size_t bits = 0;
   while (n != 0 && (n & 1u) == 0) {
      n >>= 1u;
      ++bits;
   }
   return bits;
}
} // namespace detail

/// A pointer that stores the distance from itself to the object it points to, so it stays
/// valid when the memory holding both is mapped at different addresses in different
/// processes. Null is stored as the distance 1 (as Boost does): an offset_ptr never points
/// to the byte right after itself.
template <class PointedType, class DifferenceType = std::ptrdiff_t, class OffsetType = std::size_t,
          std::size_t OffsetAlignment = 0>
class offset_ptr {
public:
   /// The pointed-to type.
   typedef PointedType element_type;
   /// A raw pointer to it.
   typedef PointedType *pointer;
   /// A reference to it (`detail::nat &` for `void`, as in Boost).
   typedef typename detail::add_reference<PointedType>::type reference;
   /// The pointed-to type without cv-qualifiers.
   typedef typename std::remove_cv<PointedType>::type value_type;
   /// Signed distance type.
   typedef DifferenceType difference_type;
   /// offset_ptr is a random access iterator.
   typedef std::random_access_iterator_tag iterator_category;
   /// The stored offset's type.
   typedef OffsetType offset_type;
   /// The same pointer to another type.
   template <class U> struct rebind { typedef offset_ptr<U, DifferenceType, OffsetType, OffsetAlignment> other; };

   /// A null pointer.
   offset_ptr() noexcept : m_offset(1) {}
   /// Points to `p` (null if `p` is null).
   offset_ptr(pointer p) noexcept : m_offset(encode(p)) {}
   /// Points to `p`, converting from a compatible raw pointer.
   template <class U, class = typename std::enable_if<std::is_convertible<U *, pointer>::value>::type>
   offset_ptr(U *p) noexcept : m_offset(encode(static_cast<pointer>(p))) {}
   /// Points where `other` points (the offset is recomputed for this address).
   offset_ptr(const offset_ptr &other) noexcept : m_offset(encode(other.get())) {}
   /// Points where `other` points, converting from a compatible offset_ptr.
   template <class U, class = typename std::enable_if<std::is_convertible<U *, pointer>::value>::type>
   offset_ptr(const offset_ptr<U, DifferenceType, OffsetType, OffsetAlignment> &other) noexcept
      : m_offset(encode(static_cast<pointer>(other.get()))) {}

   /// Points where `other` points, converting with `static_cast` from a pointer the other
   /// way round (`offset_ptr<Derived>` from `offset_ptr<Base>`, `offset_ptr<T>` from
   /// `offset_ptr<void>`), as Boost allows explicitly.
   template <class U, class = typename std::enable_if<!std::is_convertible<U *, pointer>::value &&
                                                      std::is_constructible<U *, pointer>::value>::type,
             class = void>
   explicit offset_ptr(const offset_ptr<U, DifferenceType, OffsetType, OffsetAlignment> &other) noexcept
      : m_offset(encode(static_cast<pointer>(other.get()))) {}

   /// Points where `other` points.
   offset_ptr &operator=(const offset_ptr &other) noexcept {
      m_offset = encode(other.get());
      return *this;
   }
   /// Points to `p`.
   offset_ptr &operator=(pointer p) noexcept {
      m_offset = encode(p);
      return *this;
   }
   /// Points where a compatible offset_ptr points.
   template <class U, class = typename std::enable_if<std::is_convertible<U *, pointer>::value>::type>
   offset_ptr &operator=(const offset_ptr<U, DifferenceType, OffsetType, OffsetAlignment> &other) noexcept {
      m_offset = encode(static_cast<pointer>(other.get()));
      return *this;
   }

   /// The raw pointer.
   pointer get() const noexcept {
      return m_offset == 1 ? nullptr
                           : reinterpret_cast<pointer>(reinterpret_cast<std::uintptr_t>(this) + m_offset);
   }
   /// The stored offset.
   offset_type get_offset() const noexcept { return m_offset; }
   /// The stored offset itself, for code that packs bits into it (Boost's
   /// `boost::intrusive::pointer_plus_bits` for offset_ptr, below). Not for other uses.
   offset_type &priv_offset() noexcept { return m_offset; }
   const offset_type &priv_offset() const noexcept { return m_offset; }

   /// Member access.
   pointer operator->() const noexcept { return get(); }
   /// Dereference.
   template <class R = reference, class = typename std::enable_if<!std::is_void<PointedType>::value, R>::type>
   R operator*() const noexcept {
      return *get();
   }
   /// Element `idx` of the array pointed to.
   template <class R = reference, class = typename std::enable_if<!std::is_void<PointedType>::value, R>::type>
   R operator[](difference_type idx) const noexcept {
      return get()[idx];
   }

   /// Whether it is not null.
   explicit operator bool() const noexcept { return m_offset != 1; }
   /// Whether it is null.
   bool operator!() const noexcept { return m_offset == 1; }

   /// An offset_ptr to the object `r` refers to (for std::pointer_traits and
   /// boost::intrusive::pointer_traits). `r` is taken by reference: the result points at
   /// the caller's object, never at a copy.
   static offset_ptr pointer_to(reference r) noexcept { return offset_ptr(std::addressof(r)); }

   offset_ptr &operator+=(difference_type n) noexcept { return *this = get() + n; }
   offset_ptr &operator-=(difference_type n) noexcept { return *this = get() - n; }
   offset_ptr &operator++() noexcept { return *this += 1; }
   offset_ptr &operator--() noexcept { return *this -= 1; }
   offset_ptr operator++(int) noexcept {
      offset_ptr t(*this);
      ++*this;
      return t;
   }
   offset_ptr operator--(int) noexcept {
      offset_ptr t(*this);
      --*this;
      return t;
   }
   friend offset_ptr operator+(offset_ptr p, difference_type n) noexcept { return p += n; }
   friend offset_ptr operator+(difference_type n, offset_ptr p) noexcept { return p += n; }
   friend offset_ptr operator-(offset_ptr p, difference_type n) noexcept { return p -= n; }
   friend difference_type operator-(const offset_ptr &a, const offset_ptr &b) noexcept { return a.get() - b.get(); }

   friend bool operator==(const offset_ptr &a, const offset_ptr &b) noexcept { return a.get() == b.get(); }
   friend bool operator!=(const offset_ptr &a, const offset_ptr &b) noexcept { return a.get() != b.get(); }
   friend bool operator<(const offset_ptr &a, const offset_ptr &b) noexcept { return std::less<pointer>()(a.get(), b.get()); }
   friend bool operator<=(const offset_ptr &a, const offset_ptr &b) noexcept { return !(b < a); }
   friend bool operator>(const offset_ptr &a, const offset_ptr &b) noexcept { return b < a; }
   friend bool operator>=(const offset_ptr &a, const offset_ptr &b) noexcept { return !(a < b); }
   friend bool operator==(const offset_ptr &a, pointer b) noexcept { return a.get() == b; }
   friend bool operator==(pointer a, const offset_ptr &b) noexcept { return a == b.get(); }
   friend bool operator!=(const offset_ptr &a, pointer b) noexcept { return a.get() != b; }
   friend bool operator!=(pointer a, const offset_ptr &b) noexcept { return a != b.get(); }
   friend bool operator<(const offset_ptr &a, pointer b) noexcept { return std::less<pointer>()(a.get(), b); }
   friend bool operator<(pointer a, const offset_ptr &b) noexcept { return std::less<pointer>()(a, b.get()); }
   friend bool operator<=(const offset_ptr &a, pointer b) noexcept { return !(b < a); }
   friend bool operator<=(pointer a, const offset_ptr &b) noexcept { return !(b < a); }
   friend bool operator>(const offset_ptr &a, pointer b) noexcept { return b < a; }
   friend bool operator>(pointer a, const offset_ptr &b) noexcept { return b < a; }
   friend bool operator>=(const offset_ptr &a, pointer b) noexcept { return !(a < b); }
   friend bool operator>=(pointer a, const offset_ptr &b) noexcept { return !(a < b); }
   /// Exchanges the targets of two offset_ptrs.
   friend void swap(offset_ptr &a, offset_ptr &b) noexcept {
      pointer t = a.get();
      a = b.get();
      b = t;
   }

private:
   offset_type encode(pointer p) const noexcept {
      if (!p) {
         return 1;
      }
      return static_cast<offset_type>(reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(this));
   }

   offset_type m_offset;
};

/// Prints the offset (`get_offset()`), as Boost's does: the distance from the pointer to
/// what it points at (1 for null), the same in every process.
template <class E, class Tr, class T, class D, class O, std::size_t A>
std::basic_ostream<E, Tr> &operator<<(std::basic_ostream<E, Tr> &os, const offset_ptr<T, D, O, A> &p) {
   return os << p.get_offset();
}

/// The raw pointer of an offset_ptr (Boost's `to_raw_pointer` / `ipcdetail::to_raw_pointer`).
template <class T, class D, class O, std::size_t A> inline T *to_raw_pointer(const offset_ptr<T, D, O, A> &p) noexcept {
   return p.get();
}
/// The raw pointer itself.
template <class T> inline T *to_raw_pointer(T *p) noexcept { return p; }

/// `static_cast` of the pointed-to type.
template <class T, class U, class D, class O, std::size_t A>
inline offset_ptr<T, D, O, A> static_pointer_cast(const offset_ptr<U, D, O, A> &p) noexcept {
   return offset_ptr<T, D, O, A>(static_cast<T *>(p.get()));
}
/// `const_cast` of the pointed-to type.
template <class T, class U, class D, class O, std::size_t A>
inline offset_ptr<T, D, O, A> const_pointer_cast(const offset_ptr<U, D, O, A> &p) noexcept {
   return offset_ptr<T, D, O, A>(const_cast<T *>(p.get()));
}
/// `dynamic_cast` of the pointed-to type.
template <class T, class U, class D, class O, std::size_t A>
inline offset_ptr<T, D, O, A> dynamic_pointer_cast(const offset_ptr<U, D, O, A> &p) noexcept {
   return offset_ptr<T, D, O, A>(dynamic_cast<T *>(p.get()));
}
/// `reinterpret_cast` of the pointed-to type.
template <class T, class U, class D, class O, std::size_t A>
inline offset_ptr<T, D, O, A> reinterpret_pointer_cast(const offset_ptr<U, D, O, A> &p) noexcept {
   return offset_ptr<T, D, O, A>(reinterpret_cast<T *>(p.get()));
}

// Boost's own forms name the whole target type, `static_pointer_cast<T, D, O, A>(p)`, and
// may change the offset_ptr form as well as the pointed-to type.

/// `static_cast` to `offset_ptr<T1, P1, O1, A1>`.
template <class T1, class P1, class O1, std::size_t A1, class T2, class P2, class O2, std::size_t A2>
inline offset_ptr<T1, P1, O1, A1> static_pointer_cast(const offset_ptr<T2, P2, O2, A2> &p) noexcept {
   return offset_ptr<T1, P1, O1, A1>(static_cast<T1 *>(p.get()));
}
/// `const_cast` to `offset_ptr<T1, P1, O1, A1>`.
template <class T1, class P1, class O1, std::size_t A1, class T2, class P2, class O2, std::size_t A2>
inline offset_ptr<T1, P1, O1, A1> const_pointer_cast(const offset_ptr<T2, P2, O2, A2> &p) noexcept {
   return offset_ptr<T1, P1, O1, A1>(const_cast<T1 *>(p.get()));
}
/// `dynamic_cast` to `offset_ptr<T1, P1, O1, A1>`.
template <class T1, class P1, class O1, std::size_t A1, class T2, class P2, class O2, std::size_t A2>
inline offset_ptr<T1, P1, O1, A1> dynamic_pointer_cast(const offset_ptr<T2, P2, O2, A2> &p) noexcept {
   return offset_ptr<T1, P1, O1, A1>(dynamic_cast<T1 *>(p.get()));
}
/// `reinterpret_cast` to `offset_ptr<T1, P1, O1, A1>`.
template <class T1, class P1, class O1, std::size_t A1, class T2, class P2, class O2, std::size_t A2>
inline offset_ptr<T1, P1, O1, A1> reinterpret_pointer_cast(const offset_ptr<T2, P2, O2, A2> &p) noexcept {
   return offset_ptr<T1, P1, O1, A1>(reinterpret_cast<T1 *>(p.get()));
}

} // namespace interproc

/// `std::pointer_traits` for offset_ptr: `rebind<U>` names offset_ptr<U> (offset_ptr's own
/// member `rebind<U>` is Boost's struct with `::other`).
template <class T, class D, class O, std::size_t A> struct std::pointer_traits<interproc::offset_ptr<T, D, O, A>> {
   typedef interproc::offset_ptr<T, D, O, A> pointer;
   typedef T element_type;
   typedef D difference_type;
   template <class U> using rebind = interproc::offset_ptr<U, D, O, A>;

   /// An offset_ptr to the object `r` refers to.
   static pointer pointer_to(typename pointer::reference r) noexcept { return pointer::pointer_to(r); }
};

namespace boost {
namespace intrusive {

// Boost.Intrusive's templates (boost/intrusive/pointer_plus_bits.hpp), declared again so
// that offset_ptr can specialise them without including Boost, as Boost.Interprocess does.
template <class VoidPointer, std::size_t Alignment> struct max_pointer_plus_bits;
template <class Pointer, std::size_t NumBits> struct pointer_plus_bits;

/// How many bits an offset_ptr to objects aligned to `Alignment` can carry: one fewer than
/// the alignment's zero low bits, as in Boost, because the lowest bit marks null (offset 1).
/// With this, Boost.Intrusive's and Boost.Container's trees over offset_ptr keep the colour
/// or balance in the parent pointer (compact nodes), exactly as over Boost's offset_ptr.
template <std::size_t Alignment, class D, class O, std::size_t A>
struct max_pointer_plus_bits<interproc::offset_ptr<void, D, O, A>, Alignment> {
   static const std::size_t value =
      interproc::detail::low_zero_bits(Alignment) > 0 ? interproc::detail::low_zero_bits(Alignment) - 1 : 0;
};

/// Packs `NumBits` bits into an offset_ptr's offset, above the null bit (Boost's layout).
/// Pointers carrying bits are only ever read through these functions.
template <class T, class D, class O, std::size_t A, std::size_t NumBits>
struct pointer_plus_bits<interproc::offset_ptr<T, D, O, A>, NumBits> {
   typedef interproc::offset_ptr<T, D, O, A> pointer;
   static const O Mask = ((static_cast<O>(1) << NumBits) - static_cast<O>(1)) << 1;
   static_assert((Mask & 1) == 0, "the null bit stays free");

   // Arguments are references: a copy of a null pointer carrying bits would not be null.

   /// The pointer without its bits.
   static pointer get_pointer(const pointer &n) noexcept {
      pointer p;
      const O off = n.priv_offset() & ~Mask;
      // Rebase the offset from n's address to p's (null stays the distance 1).
      const std::uintptr_t shift = reinterpret_cast<std::uintptr_t>(&n) - reinterpret_cast<std::uintptr_t>(&p);
      p.priv_offset() = off == 1 ? off : static_cast<O>(off + shift);
      return p;
   }
   /// Points `n` where `p` points, keeping `n`'s bits.
   static void set_pointer(pointer &n, const pointer &p) noexcept {
      const O bits = n.priv_offset() & Mask;
      n = p;
      n.priv_offset() |= bits;
   }
   /// The bits.
   static std::size_t get_bits(const pointer &n) noexcept { return static_cast<std::size_t>((n.priv_offset() & Mask) >> 1u); }
   /// Stores `b` (below 2^NumBits) as the bits.
   static void set_bits(pointer &n, std::size_t b) noexcept {
      n.priv_offset() = static_cast<O>((n.priv_offset() & ~Mask) | (static_cast<O>(b) << 1u));
   }
};

} // namespace intrusive
} // namespace boost

#endif // INTERPROC_OFFSET_PTR_HPP
