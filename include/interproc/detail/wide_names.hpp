// interproc C++ wrapper: wide-character object names (wmanaged_* segments) to and from
// the UTF-8 the C ABI takes with INTERPROC_WIDE_NAMED_INSTANCE. Not for direct use.
#ifndef INTERPROC_DETAIL_WIDE_NAMES_HPP
#define INTERPROC_DETAIL_WIDE_NAMES_HPP

#include <interproc/exceptions.hpp>

#include <cstddef>
#include <string>

namespace interproc {
namespace detail {

/// The UTF-8 of a wide name (UTF-32 when wchar_t is 4 bytes, UTF-16 when it is 2). A
/// code unit that is no character throws `interprocess_exception` (`invalid_argument`).
inline std::string utf8_of(const wchar_t *name) {
   if (name == nullptr) {
      throw interprocess_exception(error_info(invalid_argument), "the object name is null");
   }
   std::string out;
   for (const wchar_t *w = name; *w; ++w) {
      char32_t c = static_cast<char32_t>(*w);
      if (sizeof(wchar_t) == 2 && c >= 0xD800 && c < 0xDC00 && w[1] >= 0xDC00 && w[1] < 0xE000) {
         c = 0x10000 + ((c - 0xD800) << 10) + (static_cast<char32_t>(w[1]) - 0xDC00);
         ++w;
      }
      if (c > 0x10FFFF || (c >= 0xD800 && c < 0xE000)) {
         throw interprocess_exception(error_info(invalid_argument), "the wide object name holds a code unit that is no character");
      }
      if (c < 0x80) {
         out += static_cast<char>(c);
      } else if (c < 0x800) {
         out += static_cast<char>(0xC0 | (c >> 6));
         out += static_cast<char>(0x80 | (c & 0x3F));
      } else if (c < 0x10000) {
         out += static_cast<char>(0xE0 | (c >> 12));
         out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
         out += static_cast<char>(0x80 | (c & 0x3F));
      } else {
         out += static_cast<char>(0xF0 | (c >> 18));
         out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
         out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
         out += static_cast<char>(0x80 | (c & 0x3F));
      }
   }
   return out;
}

/// The wide name of `len` bytes of UTF-8 (as the library checked it when it was stored).
inline std::wstring wide_of(const char *utf8, std::size_t len) {
   std::wstring out;
   const unsigned char *p = reinterpret_cast<const unsigned char *>(utf8);
   const unsigned char *end = p + len;
   while (p < end) {
      char32_t c = *p;
      int more = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
      c &= more == 0 ? 0x7F : more == 1 ? 0x1F : more == 2 ? 0x0F : 0x07;
      ++p;
      for (; more > 0 && p < end; --more, ++p) {
         c = (c << 6) | (*p & 0x3F);
      }
      if (sizeof(wchar_t) == 2 && c >= 0x10000) {
         out += static_cast<wchar_t>(0xD800 + ((c - 0x10000) >> 10));
         out += static_cast<wchar_t>(0xDC00 + ((c - 0x10000) & 0x3FF));
      } else {
         out += static_cast<wchar_t>(c);
      }
   }
   return out;
}

} // namespace detail
} // namespace interproc

#endif // INTERPROC_DETAIL_WIDE_NAMES_HPP
