// interproc C++ wrapper: mapped_region, as in <boost/interprocess/mapped_region.hpp>.
#ifndef INTERPROC_MAPPED_REGION_HPP
#define INTERPROC_MAPPED_REGION_HPP

#include <interproc/exceptions.hpp>
#include <interproc/interprocess_fwd.hpp>

namespace interproc {

namespace detail {
/// Tag for adopting a C region handle.
struct adopt_region_t {};
} // namespace detail

/// A range of a shared memory object, file or System V segment mapped into this process.
/// Movable, not copyable; destroying it unmaps the range.
class mapped_region {
public:
   /// Maps `size` bytes (0: to the end) of `mapping` from `offset` (any offset; page
   /// alignment is handled inside) with `mode`, at `address` if not null. Differences from
   /// Boost: a range past the object's end, or an empty object, throws `size_error` instead
   /// of faulting on access; a fixed `address` never replaces an existing mapping; only
   /// `default_map_options` is accepted.
   template <class MemoryMappable>
   mapped_region(const MemoryMappable &mapping, mode_t mode, offset_t offset = 0, std::size_t size = 0,
                 const void *address = nullptr, map_options_t map_options = default_map_options)
      : m_handle(map(mapping.get_mapping_handle(), mode, offset, size, address, map_options)) {}

   /// A region that maps nothing.
   mapped_region() noexcept : m_handle(nullptr) {}

   /// Takes ownership of a C region handle (used by `anonymous_shared_memory`).
   mapped_region(detail::adopt_region_t, interproc_region_t *handle) noexcept : m_handle(handle) {}

   mapped_region(const mapped_region &) = delete;
   mapped_region &operator=(const mapped_region &) = delete;

   /// Takes over `other`'s mapping; `other` then maps nothing.
   mapped_region(mapped_region &&other) noexcept : m_handle(other.m_handle) { other.m_handle = nullptr; }

   /// Takes over `other`'s mapping, unmapping the current one.
   mapped_region &operator=(mapped_region &&other) noexcept {
      mapped_region tmp(std::move(other));
      swap(tmp);
      return *this;
   }

   /// Unmaps the range.
   ~mapped_region() { ::interproc_region_free(m_handle); }

   /// Exchanges two regions.
   void swap(mapped_region &other) noexcept { std::swap(m_handle, other.m_handle); }

   /// The number of mapped bytes (0 for an empty region).
   std::size_t get_size() const noexcept { return ::interproc_region_get_size(m_handle); }

   /// The address of the first mapped byte (null for an empty region).
   void *get_address() const noexcept { return ::interproc_region_get_address(m_handle); }

   /// The mode the region was mapped with.
   mode_t get_mode() const noexcept { return static_cast<mode_t>(::interproc_region_get_mode(m_handle)); }

   /// Writes modified pages of `[mapping_offset, mapping_offset + numbytes)` (0: to the end)
   /// back to the object; false on failure.
   bool flush(std::size_t mapping_offset = 0, std::size_t numbytes = 0, bool async = true) noexcept {
      return ::interproc_region_flush(m_handle, mapping_offset, numbytes, async) == INTERPROC_OK;
   }

   /// Gives back `bytes` from the end or the start of the region; false on failure.
   bool shrink_by(std::size_t bytes, bool from_back = true) noexcept {
      return ::interproc_region_shrink_by(m_handle, bytes, from_back) == INTERPROC_OK;
   }

   /// Grows the region by `bytes` at its end, in place: the address never changes
   /// (`mremap` without moving). `mapping` is the object it maps, which must already hold
   /// the new range (truncate it first). Throws `size_error` past the object's end,
   /// `out_of_memory_error` when the addresses after the region are taken; either way the
   /// region stays as it was. (An interproc extension: Boost issue #253.)
   template <class MemoryMappable> void grow_by(const MemoryMappable &mapping, std::size_t bytes) {
      const detail::mapping_handle_t h = mapping.get_mapping_handle();
      interproc_status_t st = INTERPROC_INVALID_ARGUMENT;
      switch (h.kind) {
      case detail::mapping_handle_t::shm:
         st = ::interproc_region_grow_by_shm(m_handle, static_cast<const interproc_shm_t *>(h.ptr), bytes);
         break;
      case detail::mapping_handle_t::file:
         st = ::interproc_region_grow_by_file(m_handle, static_cast<const interproc_file_mapping_t *>(h.ptr), bytes);
         break;
      case detail::mapping_handle_t::xsi:
      case detail::mapping_handle_t::none:
         throw interprocess_exception(error_info(invalid_argument), "mapped_region: only shared memory and file regions grow");
      }
      detail::check(st);
   }

   /// Access-pattern advice.
   enum advice_types {
      advice_normal = INTERPROC_ADVICE_NORMAL,
      advice_sequential = INTERPROC_ADVICE_SEQUENTIAL,
      advice_random = INTERPROC_ADVICE_RANDOM,
      advice_willneed = INTERPROC_ADVICE_WILLNEED,
      advice_dontneed = INTERPROC_ADVICE_DONTNEED
   };

   /// Tells the OS how the region will be used; false on failure.
   bool advise(advice_types advise) noexcept {
      return ::interproc_region_advise(m_handle, static_cast<interproc_advice_t>(advise)) == INTERPROC_OK;
   }

   /// The system page size.
   static std::size_t get_page_size() noexcept { return ::interproc_page_size(); }

private:
   static interproc_region_t *map(detail::mapping_handle_t h, mode_t mode, offset_t offset, std::size_t size,
                                  const void *address, map_options_t options) {
      if (options != default_map_options) {
         throw interprocess_exception(error_info(invalid_argument),
                                      "mapped_region: map_options other than default_map_options are not supported");
      }
      interproc_region_t *r = nullptr;
      const auto m = static_cast<interproc_mode_t>(mode);
      interproc_status_t st = INTERPROC_INVALID_ARGUMENT;
      switch (h.kind) {
      case detail::mapping_handle_t::shm:
         st = ::interproc_region_map_shm(static_cast<const interproc_shm_t *>(h.ptr), m, offset, size, address, &r);
         break;
      case detail::mapping_handle_t::file:
         st = ::interproc_region_map_file(static_cast<const interproc_file_mapping_t *>(h.ptr), m, offset, size,
                                          address, &r);
         break;
      case detail::mapping_handle_t::xsi:
         st = ::interproc_region_map_xsi(static_cast<const interproc_xsi_shm_t *>(h.ptr), m, offset, size, address,
                                         &r);
         break;
      case detail::mapping_handle_t::none:
         throw interprocess_exception(error_info(invalid_argument), "mapped_region: nothing to map");
      }
      detail::check(st);
      return r;
   }

   interproc_region_t *m_handle;
};

/// Exchanges two regions.
inline void swap(mapped_region &a, mapped_region &b) noexcept { a.swap(b); }

} // namespace interproc

#endif // INTERPROC_MAPPED_REGION_HPP
