// interproc C++ wrapper: what the memory algorithm policies (rbtree_best_fit,
// simple_seq_fit) declare. Not for direct use.
#ifndef INTERPROC_MEM_ALGO_DETAIL_MEMORY_ALGORITHM_POLICY_HPP
#define INTERPROC_MEM_ALGO_DETAIL_MEMORY_ALGORITHM_POLICY_HPP

#include <interproc/detail/multiallocation_chain.hpp>
#include <interproc/interprocess_fwd.hpp>
#include <interproc/offset_ptr.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>

namespace interproc {
namespace detail {

/// The bytes of bookkeeping interproc's allocator keeps in front of every allocation.
inline constexpr std::size_t allocation_header_bytes = 16;
/// The alignment of every allocation interproc's allocator hands out.
inline constexpr std::size_t allocation_alignment = 16;

/// A memory algorithm as a policy: its types and constants. interproc's segments have one
/// allocator, in the library; the policy decides the pointer type of the segment's
/// allocators and containers (`VoidPointer`), the alignment of every allocation
/// (`Alignment`), and carries `MutexFamily` for programs that read it. It is never an
/// object: the segment manager is the whole interface.
template <class MutexFamily, class VoidPointer, std::size_t MemAlignment> class memory_algorithm_policy {
   static_assert(MemAlignment == 0 || (MemAlignment & (MemAlignment - 1)) == 0,
                 "the alignment of a memory algorithm must be 0 (the default) or a power of two");
   typedef typename std::pointer_traits<VoidPointer>::template rebind<char> char_pointer;

public:
   /// The mutex family named by the program (see the README: interproc's segments always
   /// keep their robust lock).
   typedef MutexFamily mutex_family;
   /// The pointer the segment's allocators and containers are built on.
   typedef VoidPointer void_pointer;
   /// Signed distances, as the void pointer measures them.
   typedef typename std::pointer_traits<char_pointer>::difference_type difference_type;
   /// Sizes, the unsigned form of `difference_type` (as in Boost: 32 bits for an
   /// `offset_ptr<void, std::int32_t, ...>`).
   typedef typename std::make_unsigned<difference_type>::type size_type;
   /// The list of buffers of `allocate_many`/`deallocate_many`.
   typedef basic_multiallocation_chain<VoidPointer> multiallocation_chain;
   /// The alignment of every allocation: `MemAlignment`, or 16 when it is 0. Allocations
   /// are never less than 16-aligned.
   static const size_type Alignment = MemAlignment ? MemAlignment : allocation_alignment;
   /// Bytes of bookkeeping per allocation.
   static const size_type PayloadPerAllocation = allocation_header_bytes;

   memory_algorithm_policy() = delete;
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_MEM_ALGO_DETAIL_MEMORY_ALGORITHM_POLICY_HPP
