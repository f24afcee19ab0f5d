// interproc C++ wrapper: the segment manager of managed segments, as in
// <boost/interprocess/segment_manager.hpp>: allocation and named objects.
#ifndef INTERPROC_SEGMENT_MANAGER_HPP
#define INTERPROC_SEGMENT_MANAGER_HPP

#include <interproc/allocators/allocator.hpp>
#include <interproc/containers/detail/uses_allocator.hpp>
#include <interproc/containers/allocation_type.hpp>
#include <interproc/detail/allocation_command.hpp>
#include <interproc/detail/wide_names.hpp>
#include <interproc/exceptions.hpp>
#include <interproc/interprocess_fwd.hpp>
#include <interproc/mem_algo/detail/memory_algorithm_policy.hpp>
#include <interproc/smart_ptr/deleter.hpp>

#include <cstddef>
#include <exception>
#include <iterator>
#include <new>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace interproc {

/// Tag: construct an object without a name.
struct anonymous_instance_t {};
/// Tag: construct the one object of a type; its name is the type's name.
struct unique_instance_t {};
/// Value of `anonymous_instance_t`.
inline constexpr anonymous_instance_t anonymous_instance{};
/// Value of `unique_instance_t`.
inline constexpr unique_instance_t unique_instance{};

/// How an object was constructed (Boost's `instance_type`).
enum instance_type {
   anonymous_type = INTERPROC_ANONYMOUS_INSTANCE,
   named_type = INTERPROC_NAMED_INSTANCE,
   unique_type = INTERPROC_UNIQUE_INSTANCE,
   max_allocation_type
};

namespace detail {

/// An object's kind and name as the C ABI takes them: a narrow name is the caller's
/// string, a wide one its UTF-8, kept here.
class object_name {
public:
   object_name(interproc_instance_kind_t kind, const char *narrow) : kind(kind), m_narrow(narrow) {}
   object_name(const wchar_t *wide) : kind(INTERPROC_WIDE_NAMED_INSTANCE), m_narrow(nullptr), m_utf8(utf8_of(wide)) {}
   /// The name for the C ABI.
   const char *c_str() const noexcept { return m_narrow ? m_narrow : m_utf8.c_str(); }
   interproc_instance_kind_t kind;

private:
   const char *m_narrow;
   std::string m_utf8;
};

inline object_name name_of(const char *name) { return object_name(INTERPROC_NAMED_INSTANCE, name); }
inline object_name name_of(const wchar_t *name) { return object_name(name); }
inline object_name name_of(anonymous_instance_t) { return object_name(INTERPROC_ANONYMOUS_INSTANCE, ""); }
template <class T> object_name unique_name() { return object_name(INTERPROC_UNIQUE_INSTANCE, typeid(T).name()); }

/// The C kind of the named objects of a segment whose names are CharType.
template <class CharType> constexpr interproc_instance_kind_t named_kind() noexcept {
   return std::is_same<CharType, wchar_t>::value ? INTERPROC_WIDE_NAMED_INSTANCE : INTERPROC_NAMED_INSTANCE;
}

/// Throws the exception for a failed allocation-like status (bad_alloc when out of memory).
[[noreturn]] inline void throw_alloc_status(interproc_status_t st) {
   if (st == INTERPROC_OUT_OF_MEMORY_ERROR) {
      throw bad_alloc(error_info(out_of_memory_error, ::interproc_last_error_native()),
                      ::interproc_last_error_message());
   }
   // A segment that could not grow because /dev/shm or the disk is full.
   if (st == INTERPROC_OUT_OF_SPACE_ERROR) {
      throw bad_alloc(error_info(out_of_space_error, ::interproc_last_error_native()),
                      ::interproc_last_error_message());
   }
   throw_status(st);
}

/// Runs the destructors of `count` objects of type T, last first.
template <class T> void destroy_n(void *, void *object, std::size_t count) noexcept {
   T *p = static_cast<T *>(object);
   while (count > 0) {
      --count;
      p[count].~T();
   }
}

template <class T> interproc_destroy_fn destructor_of() noexcept {
   if constexpr (std::is_trivially_destructible<T>::value) {
      return nullptr;
   } else {
      return &destroy_n<T>;
   }
}

/// The function object behind `construct<T>(name)[n](args...)` and its relatives.
/// With `IsIterator`, each argument is an iterator and element i is built from the i-th
/// value of each; otherwise every element is built from the same arguments, by
/// uses-allocator construction when T uses an allocator the segment converts to
/// (`std::uses_allocator<T, allocator<void, SegmentManager>>`, or else
/// `std::uses_allocator<T, SegmentManager *>`): `T(allocator_arg, alloc, args...)` if T has
/// that constructor, else `T(args..., alloc)` if it has that one, else `T(args...)`. A
/// program that passes the allocator itself (an argument that converts to T's
/// `allocator_type`) has T built from its arguments.
template <class T, bool IsIterator, class SegmentManager> class named_proxy {
public:
   named_proxy(interproc_segment_manager_t *mgr, const object_name &name, bool find, bool dothrow,
               std::size_t align = alignof(T)) noexcept
      : m_mgr(mgr), m_name(name), m_find(find), m_dothrow(dothrow), m_count(1), m_align(align < alignof(T) ? alignof(T) : align) {}

   /// An array of `n` elements.
   named_proxy operator[](std::size_t n) const noexcept {
      named_proxy p(*this);
      p.m_count = n;
      return p;
   }

   /// Constructs (or finds) the object(s) from `args`; returns the address, or null when
   /// constructed with `std::nothrow` and it failed. An exception thrown by T's
   /// constructor leaves nothing behind and reaches the caller.
   template <class... Args> T *operator()(Args &&...args) const {
      auto tup = std::forward_as_tuple(std::forward<Args>(args)...);
      context<decltype(tup)> ctx{&tup, m_mgr, nullptr};
      void *out = nullptr;
      bool created = false;
      const interproc_status_t st = ::interproc_segment_construct(
         m_mgr, m_name.kind, m_name.c_str(), sizeof(T), m_align, m_count, m_find, &run<decltype(tup)>, &ctx, &out,
         &created);
      if (st == INTERPROC_OK) {
         return static_cast<T *>(out);
      }
      if (ctx.error) {
         std::rethrow_exception(ctx.error);
      }
      if (!m_dothrow) {
         return nullptr;
      }
      throw_alloc_status(st);
   }

private:
   template <class Tuple> struct context {
      Tuple *args;
      interproc_segment_manager_t *mgr;
      std::exception_ptr error;
   };

   template <class Tuple, std::size_t... I>
   static void build(interproc_segment_manager_t *mgr, T *p, std::size_t count, Tuple &args, std::size_t &done,
                     std::index_sequence<I...>) {
      if constexpr (IsIterator) {
         auto its = std::make_tuple(std::get<I>(args)...);
         for (; done < count; ++done) {
            ::new (static_cast<void *>(p + done)) T(*std::get<I>(its)++...);
         }
      } else {
         // The segment's allocator: `allocator<void, segment_manager>` when T's allocator
         // converts from it (an allocator of its own type, never taken for an iterator
         // pair), else the segment manager itself.
         typedef typename SegmentManager::template allocator<void>::type void_allocator;
         SegmentManager *const sm = SegmentManager::from_native(mgr);
         const auto alloc = [sm] {
            if constexpr (std::uses_allocator<T, void_allocator>::value) {
               return void_allocator(sm);
            } else {
               return sm;
            }
         }();
         // A program that passes the allocator itself has T built from its arguments.
         constexpr bool own = passes_allocator<std::tuple_element_t<I, Tuple>...>();
         if (count == 1) {
            if constexpr (own) {
               ::new (static_cast<void *>(p)) T(std::forward<std::tuple_element_t<I, Tuple>>(std::get<I>(args))...);
            } else {
               construct_from_tuple(p, uses_alloc_args<T>(alloc, std::forward<std::tuple_element_t<I, Tuple>>(std::get<I>(args))...));
            }
            done = 1;
         } else {
            for (; done < count; ++done) {
               if constexpr (own) {
                  ::new (static_cast<void *>(p + done)) T(std::get<I>(args)...);
               } else {
                  construct_from_tuple(p + done, uses_alloc_args<T>(alloc, std::get<I>(args)...));
               }
            }
         }
      }
   }

   /// Whether one of the arguments is an allocator of T's (or converts to one): then the
   /// program passes the allocator itself.
   template <class... Args> static constexpr bool passes_allocator() {
      if constexpr (has_allocator_type<T>::value) {
         return (std::is_convertible<std::decay_t<Args>, typename T::allocator_type>::value || ...);
      } else {
         return false;
      }
   }
   template <class U, class = void> struct has_allocator_type : std::false_type {};
   template <class U> struct has_allocator_type<U, std::void_t<typename U::allocator_type>> : std::true_type {};

   template <class Tuple> static std::int32_t run(void *vctx, void *object, std::size_t count) noexcept {
      auto *ctx = static_cast<context<Tuple> *>(vctx);
      T *p = static_cast<T *>(object);
      std::size_t done = 0;
      try {
         build(ctx->mgr, p, count, *ctx->args, done, std::make_index_sequence<std::tuple_size<Tuple>::value>());
         return 0;
      } catch (...) {
         destroy_n<T>(nullptr, p, done);
         ctx->error = std::current_exception();
         return 1;
      }
   }

   interproc_segment_manager_t *m_mgr;
   object_name m_name;
   bool m_find;
   bool m_dothrow;
   std::size_t m_count;
   std::size_t m_align;
};

/// One entry of the named or unique object iteration; `name()` is a `CharType` string.
template <class CharType> class basic_object_entry {
public:
   basic_object_entry() noexcept : m_info() {}
   explicit basic_object_entry(const interproc_object_info_t &info) : m_info(info) {
      if constexpr (!std::is_same<CharType, char>::value) {
         m_name = wide_of(info.name, info.name_len);
      }
   }
   /// The object's name.
   const CharType *name() const noexcept {
      if constexpr (std::is_same<CharType, char>::value) {
         return m_info.name;
      } else {
         return m_name.c_str();
      }
   }
   /// The name's length in characters.
   std::size_t name_length() const noexcept {
      if constexpr (std::is_same<CharType, char>::value) {
         return m_info.name_len;
      } else {
         return m_name.size();
      }
   }
   /// The object's address.
   const void *value() const noexcept { return m_info.object; }

private:
   interproc_object_info_t m_info;
   std::basic_string<CharType> m_name;
};
typedef basic_object_entry<char> object_entry;

/// Iterates the named (or unique) objects of a segment.
template <class CharType> class basic_object_iterator {
public:
   typedef std::forward_iterator_tag iterator_category;
   typedef basic_object_entry<CharType> value_type;
   typedef std::ptrdiff_t difference_type;
   typedef const value_type *pointer;
   typedef const value_type &reference;

   basic_object_iterator() noexcept : m_mgr(nullptr), m_kind(0), m_cursor(0), m_end(true) {}
   basic_object_iterator(interproc_segment_manager_t *mgr, interproc_instance_kind_t kind)
      : m_mgr(mgr), m_kind(kind), m_cursor(0), m_end(false) {
      advance();
   }

   reference operator*() const noexcept { return m_entry; }
   pointer operator->() const noexcept { return &m_entry; }
   basic_object_iterator &operator++() {
      advance();
      return *this;
   }
   basic_object_iterator operator++(int) {
      basic_object_iterator t(*this);
      advance();
      return t;
   }
   friend bool operator==(const basic_object_iterator &a, const basic_object_iterator &b) noexcept {
      return a.m_end == b.m_end && (a.m_end || a.m_cursor == b.m_cursor);
   }
   friend bool operator!=(const basic_object_iterator &a, const basic_object_iterator &b) noexcept { return !(a == b); }

private:
   void advance() {
      interproc_object_info_t info;
      bool found = false;
      check(::interproc_segment_next_object(m_mgr, m_kind, &m_cursor, &info, &found));
      if (found) {
         m_entry = value_type(info);
      } else {
         m_end = true;
      }
   }

   interproc_segment_manager_t *m_mgr;
   interproc_instance_kind_t m_kind;
   std::uint64_t m_cursor;
   bool m_end;
   value_type m_entry;
};
typedef basic_object_iterator<char> object_iterator;

/// The unique object `shrink_to_fit_indexes` makes and removes at once.
struct index_release_marker {
   char unused;
};

} // namespace detail

/// The segment manager: lives at the start of every managed segment; obtained with
/// `get_segment_manager()`, never constructed. Its address is all it needs, so it works
/// from every process that maps the segment. The template parameters are the segment's
/// policies (see `basic_managed_shared_memory`): `CharType` the character type of names,
/// `MemoryAlgorithm` the pointer type and alignment of allocations, `IndexType` whether
/// the segment keeps named objects at all (`null_index`: no). One segment in the library
/// serves every combination.
template <class CharType, class MemoryAlgorithm, template <class IndexConfig> class IndexType>
class segment_manager {
   static constexpr bool keeps_names = detail::index_keeps_names<IndexType>::value;

public:
   /// The memory algorithm policy.
   typedef MemoryAlgorithm memory_algorithm;
   /// The pointer the segment's allocators are built on.
   typedef typename MemoryAlgorithm::void_pointer void_pointer;
   /// The mutex family the program named.
   typedef typename MemoryAlgorithm::mutex_family mutex_family;
   /// The list of buffers of `allocate_many`/`deallocate_many`.
   typedef typename MemoryAlgorithm::multiallocation_chain multiallocation_chain;
   typedef typename MemoryAlgorithm::size_type size_type;
   typedef typename MemoryAlgorithm::difference_type difference_type;
   /// The character type of names.
   typedef CharType char_type;
   /// Bytes of bookkeeping per allocation.
   static const size_type PayloadPerAllocation = MemoryAlgorithm::PayloadPerAllocation;
   /// The alignment of every allocation.
   static const size_type MemAlignment = MemoryAlgorithm::Alignment;
   /// Iterates the named objects; names are `CharType` strings.
   typedef detail::basic_object_iterator<CharType> const_named_iterator;
   /// Iterates the unique objects; their names are type names, `char` strings (as Boost's).
   typedef detail::basic_object_iterator<char> const_unique_iterator;
   /// The allocator type for T in this segment.
   template <class T> struct allocator {
      typedef interproc::allocator<T, segment_manager> type;
   };
   /// The deleter type for T in this segment.
   template <class T> struct deleter {
      typedef interproc::deleter<T, segment_manager> type;
   };
   /// The proxy type returned by `construct<T>`.
   template <class T> struct construct_proxy {
      typedef detail::named_proxy<T, false, segment_manager> type;
   };
   /// The proxy type returned by `construct_it<T>`.
   template <class T> struct construct_iter_proxy {
      typedef detail::named_proxy<T, true, segment_manager> type;
   };

   segment_manager() = delete;
   segment_manager(const segment_manager &) = delete;
   segment_manager &operator=(const segment_manager &) = delete;

   /// The C handle of this segment manager.
   interproc_segment_manager_t *native() const noexcept {
      return reinterpret_cast<interproc_segment_manager_t *>(const_cast<segment_manager *>(this));
   }
   /// The segment manager at a C handle.
   static segment_manager *from_native(interproc_segment_manager_t *m) noexcept {
      return reinterpret_cast<segment_manager *>(m);
   }

   /// Allocates `nbytes` (aligned to `MemAlignment`); throws `bad_alloc` when the segment
   /// is full.
   void *allocate(size_type nbytes) { return allocate_aligned(nbytes, MemAlignment); }
   /// Allocates `nbytes`; null when the segment is full.
   void *allocate(size_type nbytes, const std::nothrow_t &tag) noexcept { return allocate_aligned(nbytes, MemAlignment, tag); }
   /// Allocates `nbytes` aligned to `alignment` (a power of two; never less than
   /// `MemAlignment`); throws `bad_alloc`.
   void *allocate_aligned(size_type nbytes, size_type alignment) {
      void *p = nullptr;
      const interproc_status_t st = priv_allocate(nbytes, alignment, &p);
      if (st != INTERPROC_OK) {
         detail::throw_alloc_status(st);
      }
      return p;
   }
   /// Allocates `nbytes` aligned to `alignment`; null on failure.
   void *allocate_aligned(size_type nbytes, size_type alignment, const std::nothrow_t &) noexcept {
      void *p = nullptr;
      return priv_allocate(nbytes, alignment, &p) == INTERPROC_OK ? p : nullptr;
   }
   /// Frees memory from `allocate`. A pointer that is not such memory throws
   /// `interprocess_exception` (`invalid_argument`) and changes nothing.
   void deallocate(void *addr) { detail::check(::interproc_segment_deallocate(native(), addr)); }
   /// Grows the memory at `addr` (from `allocate`) in place, keeping its address and
   /// contents, to at least `min_size` bytes, and up to `preferred_size` when that much is
   /// free right after it. Returns its usable size afterwards: below `min_size` when it
   /// could not grow, and then nothing changed. (An interproc extension.)
   size_type expand_in_place(void *addr, size_type min_size, size_type preferred_size) {
      std::size_t got = 0;
      detail::check(::interproc_segment_expand_in_place(native(), addr, min_size, preferred_size, &got));
      return got;
   }

   /// Boost's allocation command, counting in objects of T (see
   /// `<interproc/containers/allocation_type.hpp>`): `allocate_new`, `expand_fwd`,
   /// `expand_bwd`, `shrink_in_place`, `try_shrink_in_place`, with `nothrow_allocation` and
   /// `zero_memory`. `prefer_in_recvd_out_size` goes in as the preferred count and comes out
   /// as the count received; `reuse` is the buffer to grow or shrink, and becomes null when
   /// a new buffer is returned. A backward expansion returns the new start and leaves the
   /// objects where they were, for the caller to move. Fails with `bad_alloc` (null with
   /// `nothrow_allocation`).
   template <class T>
   T *allocation_command(allocation_type command, size_type limit_size, size_type &prefer_in_recvd_out_size, T *&reuse) {
      void *r = reuse;
      void *p = raw_allocation_command(command, limit_size, prefer_in_recvd_out_size, r, sizeof(T));
      reuse = static_cast<T *>(r);
      return static_cast<T *>(p);
   }
   /// As `allocation_command`, for objects of `sizeof_object` bytes.
   void *raw_allocation_command(allocation_type command, size_type limit_objects, size_type &prefer_in_recvd_out_size,
                                void *&reuse, size_type sizeof_object = 1) {
      std::size_t n = prefer_in_recvd_out_size;
      void *p = detail::allocation_command(native(), command, limit_objects, n, reuse, sizeof_object,
                                           [this](std::size_t b) { return allocate(static_cast<size_type>(b), std::nothrow); });
      prefer_in_recvd_out_size = static_cast<size_type>(n);
      return p;
   }
   /// The usable size of the allocation at `ptr` (at least what was asked).
   size_type size(const void *ptr) const { return static_cast<size_type>(detail::allocation_bytes(native(), ptr)); }

   /// Allocates `n_elements` buffers of `elem_bytes` each onto `chain`; throws `bad_alloc`
   /// (and allocates none) when the segment runs out.
   void allocate_many(size_type elem_bytes, size_type n_elements, multiallocation_chain &chain) {
      priv_allocate_many(chain, n_elements, [=](std::size_t) { return elem_bytes; }, false);
   }
   /// Allocates `n_elements` buffers, the i-th of `element_lengths[i] * sizeof_element`
   /// bytes, onto `chain`; throws `bad_alloc` (and allocates none) when the segment runs out.
   void allocate_many(const size_type *element_lengths, size_type n_elements, size_type sizeof_element,
                      multiallocation_chain &chain) {
      priv_allocate_many(chain, n_elements, [=](std::size_t i) { return detail::bytes_of(element_lengths[i], sizeof_element); },
                         false);
   }
   /// As `allocate_many`, leaving `chain` unchanged instead of throwing.
   void allocate_many(const std::nothrow_t &, size_type elem_bytes, size_type n_elements, multiallocation_chain &chain) {
      priv_allocate_many(chain, n_elements, [=](std::size_t) { return elem_bytes; }, true);
   }
   void allocate_many(const std::nothrow_t &, const size_type *element_lengths, size_type n_elements, size_type sizeof_element,
                      multiallocation_chain &chain) {
      priv_allocate_many(chain, n_elements, [=](std::size_t i) { return detail::bytes_of(element_lengths[i], sizeof_element); },
                         true);
   }
   /// The `allocate_many` forms of recent Boost that take the buffers' least alignment
   /// (a power of two).
   void allocate_many(size_type elem_bytes, size_type n_elements, size_type min_alignment, multiallocation_chain &chain) {
      priv_allocate_many(chain, n_elements, [=](std::size_t) { return elem_bytes; }, false, min_alignment);
   }
   void allocate_many(const std::nothrow_t &, size_type elem_bytes, size_type n_elements, size_type min_alignment,
                      multiallocation_chain &chain) {
      priv_allocate_many(chain, n_elements, [=](std::size_t) { return elem_bytes; }, true, min_alignment);
   }
   void allocate_many(const size_type *element_lengths, size_type n_elements, size_type sizeof_element, size_type min_alignment,
                      multiallocation_chain &chain) {
      priv_allocate_many(chain, n_elements, [=](std::size_t i) { return detail::bytes_of(element_lengths[i], sizeof_element); },
                         false, min_alignment);
   }
   void allocate_many(const std::nothrow_t &, const size_type *element_lengths, size_type n_elements, size_type sizeof_element,
                      size_type min_alignment, multiallocation_chain &chain) {
      priv_allocate_many(chain, n_elements, [=](std::size_t i) { return detail::bytes_of(element_lengths[i], sizeof_element); },
                         true, min_alignment);
   }
   /// Gives back every buffer of `chain`, leaving it empty.
   void deallocate_many(multiallocation_chain &chain) {
      detail::deallocate_many(chain, [this](void *p) { deallocate(p); });
   }

   /// The smallest size a segment of this type may be created with.
   static size_type get_min_size() noexcept { return static_cast<size_type>(::interproc_managed_min_size()); }
   /// The smallest segment with room for `extra_bytes` more of header.
   static size_type get_min_size(size_type extra_bytes) noexcept { return get_min_size() + extra_bytes; }
   /// Gives the free memory at the end of the segment back: the segment's size becomes
   /// what it uses (the mapping stays; `grow` takes it back). Boost's
   /// `basic_managed_*::shrink_to_fit(name)` does this and then truncates the object.
   void shrink_to_fit() { detail::check(::interproc_segment_shrink_to_fit(native())); }

   /// `construct<T>(name)(args...)`: throws if the name exists or memory runs out.
   template <class T> detail::named_proxy<T, false, segment_manager> construct(const char_type *name) {
      return proxy<T, false>(named(name), false, true);
   }
   template <class T> detail::named_proxy<T, false, segment_manager> construct(anonymous_instance_t) {
      return proxy<T, false>(detail::name_of(anonymous_instance), false, true);
   }
   template <class T> detail::named_proxy<T, false, segment_manager> construct(unique_instance_t) {
      return proxy<T, false>(unique<T>(), false, true);
   }
   /// As `construct`, returning null instead of throwing.
   template <class T> detail::named_proxy<T, false, segment_manager> construct(const char_type *name, const std::nothrow_t &) {
      return proxy<T, false>(named(name), false, false);
   }
   template <class T> detail::named_proxy<T, false, segment_manager> construct(anonymous_instance_t, const std::nothrow_t &) {
      return proxy<T, false>(detail::name_of(anonymous_instance), false, false);
   }
   template <class T> detail::named_proxy<T, false, segment_manager> construct(unique_instance_t, const std::nothrow_t &) {
      return proxy<T, false>(unique<T>(), false, false);
   }
   /// `find_or_construct<T>(name)(args...)`: the existing object, or a new one.
   template <class T> detail::named_proxy<T, false, segment_manager> find_or_construct(const char_type *name) {
      return proxy<T, false>(named(name), true, true);
   }
   template <class T> detail::named_proxy<T, false, segment_manager> find_or_construct(unique_instance_t) {
      return proxy<T, false>(unique<T>(), true, true);
   }
   template <class T> detail::named_proxy<T, false, segment_manager> find_or_construct(const char_type *name, const std::nothrow_t &) {
      return proxy<T, false>(named(name), true, false);
   }
   template <class T> detail::named_proxy<T, false, segment_manager> find_or_construct(unique_instance_t, const std::nothrow_t &) {
      return proxy<T, false>(unique<T>(), true, false);
   }
   /// `construct_it<T>(name)[n](it...)`: element i built from the i-th value of each iterator.
   template <class T> detail::named_proxy<T, true, segment_manager> construct_it(const char_type *name) {
      return proxy<T, true>(named(name), false, true);
   }
   template <class T> detail::named_proxy<T, true, segment_manager> construct_it(anonymous_instance_t) {
      return proxy<T, true>(detail::name_of(anonymous_instance), false, true);
   }
   template <class T> detail::named_proxy<T, true, segment_manager> construct_it(unique_instance_t) {
      return proxy<T, true>(unique<T>(), false, true);
   }
   template <class T> detail::named_proxy<T, true, segment_manager> construct_it(const char_type *name, const std::nothrow_t &) {
      return proxy<T, true>(named(name), false, false);
   }
   template <class T> detail::named_proxy<T, true, segment_manager> find_or_construct_it(const char_type *name) {
      return proxy<T, true>(named(name), true, true);
   }
   template <class T> detail::named_proxy<T, true, segment_manager> find_or_construct_it(unique_instance_t) {
      return proxy<T, true>(unique<T>(), true, true);
   }
   template <class T> detail::named_proxy<T, true, segment_manager> find_or_construct_it(const char_type *name, const std::nothrow_t &) {
      return proxy<T, true>(named(name), true, false);
   }

   /// The named object `name`: its address and element count, `{0, 0}` when missing.
   /// Asking with a type of another size than it was constructed with throws
   /// `interprocess_exception` (`invalid_argument`) where Boost would return a mistyped
   /// pointer.
   template <class T> std::pair<T *, size_type> find(const char_type *name) { return priv_find<T>(named(name)); }
   /// The unique object of type T.
   template <class T> std::pair<T *, size_type> find(unique_instance_t) { return priv_find<T>(unique<T>()); }
   /// As `find` (interproc always locks; finding is cheap).
   template <class T> std::pair<T *, size_type> find_no_lock(const char_type *name) { return find<T>(name); }

   /// Destroys the named object `name` (destructors run); false if it does not exist.
   template <class T> bool destroy(const char_type *name) { return priv_destroy<T>(named(name)); }
   /// Destroys the unique object of type T.
   template <class T> bool destroy(unique_instance_t) { return priv_destroy<T>(unique<T>()); }
   /// Destroys the object constructed at `p` (named, unique or anonymous).
   template <class T> void destroy_ptr(const T *p) {
      detail::check(::interproc_segment_destroy_ptr(native(), const_cast<T *>(p), detail::destructor_of<T>(), nullptr));
   }

   /// The name of the object constructed at `p` (null for anonymous objects or a pointer
   /// that is not a constructed object). A wide name is decoded into a buffer of this
   /// thread, valid until its next call (a narrow name lives in the segment).
   template <class T> static const char_type *get_instance_name(const T *p) {
      interproc_object_info_t info;
      if (::interproc_segment_instance(nullptr, p, &info) != INTERPROC_OK || info.kind == INTERPROC_ANONYMOUS_INSTANCE) {
         return nullptr;
      }
      if constexpr (std::is_same<CharType, char>::value) {
         return info.name;
      } else {
         thread_local std::basic_string<CharType> decoded;
         decoded = detail::wide_of(info.name, info.name_len);
         return decoded.c_str();
      }
   }
   /// The element count of the object constructed at `p` (0 if it is not one).
   template <class T> static size_type get_instance_length(const T *p) {
      interproc_object_info_t info;
      return ::interproc_segment_instance(nullptr, p, &info) == INTERPROC_OK ? info.count : 0;
   }
   /// How the object at `p` was constructed.
   template <class T> static instance_type get_instance_type(const T *p) {
      interproc_object_info_t info;
      detail::check(::interproc_segment_instance(nullptr, p, &info));
      // A wide name is a named instance to the program.
      return info.kind == INTERPROC_WIDE_NAMED_INSTANCE ? named_type : static_cast<instance_type>(info.kind);
   }

   /// Number of named objects.
   size_type get_num_named_objects() { return query(&::interproc_segment_num_named_objects); }
   /// Number of unique objects.
   size_type get_num_unique_objects() { return query(&::interproc_segment_num_unique_objects); }
   /// Makes room in the index for `num` more named objects.
   void reserve_named_objects(size_type num) { detail::check(::interproc_segment_reserve_named_objects(native(), num)); }
   /// Makes room in the index for `num` more unique objects.
   void reserve_unique_objects(size_type num) { reserve_named_objects(num); }
   /// Boost's `shrink_to_fit_indexes`: gives back the room `reserve_named_objects` and
   /// `reserve_unique_objects` made. interproc's name index gives its table back to the
   /// segment with its last name, so with no named or unique object left the room goes back;
   /// a table that still holds names keeps its size.
   void shrink_to_fit_indexes() {
      if constexpr (keeps_names) {
         if (get_num_named_objects() == 0 && get_num_unique_objects() == 0) {
            // One entry, made and removed: the index drops its table with its last entry.
            construct<detail::index_release_marker>(unique_instance)();
            destroy<detail::index_release_marker>(unique_instance);
         }
      }
   }
   /// Iterates the named objects.
   const_named_iterator named_begin() const { return const_named_iterator(native(), detail::named_kind<CharType>()); }
   /// End of the named objects.
   const_named_iterator named_end() const { return const_named_iterator(); }
   /// Iterates the unique objects.
   const_unique_iterator unique_begin() const { return const_unique_iterator(native(), INTERPROC_UNIQUE_INSTANCE); }
   /// End of the unique objects.
   const_unique_iterator unique_end() const { return const_unique_iterator(); }

   /// The segment size in bytes.
   size_type get_size() const { return query(&::interproc_segment_get_size); }
   /// The size the segment may grow to while mapped (its size if it has no maximum).
   /// (An interproc extension.)
   size_type get_max_size() const { return query(&::interproc_segment_get_max_size); }
   /// How many times the segment has grown while mapped. (An interproc extension.)
   std::uint32_t get_generation() const { return query(&::interproc_segment_get_generation); }
   /// Grows the segment by `extra_bytes` while it is mapped here and elsewhere: a segment
   /// created with a `max_size_t`, up to it. Throws `size_error` beyond the maximum,
   /// `out_of_space_error` when `/dev/shm` or the disk is full, `invalid_argument` for a
   /// segment without a maximum; then nothing changed. (An interproc extension.)
   void grow(size_type extra_bytes) { detail::check(::interproc_segment_grow(native(), extra_bytes)); }
   /// Bytes available for allocation.
   size_type get_free_memory() const { return query(&::interproc_segment_get_free_memory); }
   /// Whether every allocation and object has been given back.
   bool all_memory_deallocated() {
      bool b = false;
      detail::check(::interproc_segment_all_memory_deallocated(native(), &b));
      return b;
   }
   /// Whether every block, free list and index entry is consistent.
   bool check_sanity() noexcept { return ::interproc_segment_check_sanity(native()) == INTERPROC_OK; }
   /// Zeroes the free memory.
   void zero_free_memory() { detail::check(::interproc_segment_zero_free_memory(native())); }
   /// Whether `ptr` points into the segment.
   bool belongs_to_segment(const void *ptr) const noexcept { return ::interproc_segment_belongs_to_segment(native(), ptr); }

   /// Runs `f()` while holding the segment lock.
   template <class Func> void atomic_func(Func &f) {
      std::exception_ptr error;
      auto ctx = std::make_pair(&f, &error);
      detail::check(::interproc_segment_atomic_func(native(), &run_func<Func>, &ctx));
      if (error) {
         std::rethrow_exception(error);
      }
   }
   /// Runs `f()` if the segment lock is free right now; returns whether it ran.
   template <class Func> bool try_atomic_func(Func &f) {
      std::exception_ptr error;
      auto ctx = std::make_pair(&f, &error);
      bool ran = false;
      detail::check(::interproc_segment_try_atomic_func(native(), &run_func<Func>, &ctx, &ran));
      if (error) {
         std::rethrow_exception(error);
      }
      return ran;
   }

   /// An allocator of T for this segment.
   template <class T> interproc::allocator<T, segment_manager> get_allocator() {
      return interproc::allocator<T, segment_manager>(this);
   }
   /// A deleter of T for this segment.
   template <class T> interproc::deleter<T, segment_manager> get_deleter() {
      return interproc::deleter<T, segment_manager>(this);
   }

private:
   interproc_status_t priv_allocate(size_type nbytes, size_type alignment, void **out) const noexcept {
      if (alignment <= detail::allocation_alignment && MemAlignment <= detail::allocation_alignment) {
         return ::interproc_segment_allocate(native(), nbytes, out);
      }
      return ::interproc_segment_allocate_aligned(native(), nbytes, alignment < MemAlignment ? MemAlignment : alignment, out);
   }

   template <class SizeOf>
   void priv_allocate_many(multiallocation_chain &chain, size_type n, SizeOf size_of, bool nothrow, size_type alignment = 1) {
      detail::allocate_many(
         chain, n, size_of,
         [this, alignment](std::size_t bytes) { return allocate_aligned(static_cast<size_type>(bytes), alignment, std::nothrow); },
         [this](void *p) { deallocate(p); }, nothrow);
   }

   /// The C form of a name; a segment whose index is null_index has none.
   static detail::object_name named(const char_type *name) {
      static_assert(keeps_names, "this segment's index is null_index: it keeps no named objects (construct, find and "
                                 "destroy by name need another index, such as iset_index)");
      return detail::name_of(name);
   }
   template <class T> static detail::object_name unique() {
      static_assert(keeps_names, "this segment's index is null_index: it keeps no unique objects (unique_instance "
                                 "needs another index, such as iset_index)");
      return detail::unique_name<T>();
   }
   template <class T, bool IsIterator>
   detail::named_proxy<T, IsIterator, segment_manager> proxy(const detail::object_name &n, bool find, bool dothrow) const {
      return detail::named_proxy<T, IsIterator, segment_manager>(native(), n, find, dothrow, MemAlignment);
   }

   template <class Func> static void run_func(void *vctx) noexcept {
      auto *ctx = static_cast<std::pair<Func *, std::exception_ptr *> *>(vctx);
      try {
         (*ctx->first)();
      } catch (...) {
         *ctx->second = std::current_exception();
      }
   }

   template <class V> V query(interproc_status_t (*f)(interproc_segment_manager_t *, V *)) const {
      V v{};
      detail::check(f(native(), &v));
      return v;
   }

   template <class T> std::pair<T *, size_type> priv_find(const detail::object_name &n) {
      void *p = nullptr;
      std::size_t count = 0;
      detail::check(::interproc_segment_find_aligned(native(), n.kind, n.c_str(), sizeof(T), alignof(T), &p, &count));
      return std::pair<T *, size_type>(static_cast<T *>(p), count);
   }

   template <class T> bool priv_destroy(const detail::object_name &n) {
      bool destroyed = false;
      detail::check(::interproc_segment_destroy(native(), n.kind, n.c_str(), sizeof(T), detail::destructor_of<T>(), nullptr,
                                                &destroyed));
      return destroyed;
   }
};

} // namespace interproc

#endif // INTERPROC_SEGMENT_MANAGER_HPP
