// interproc C++ wrapper: the searches and comparisons of basic_string, over its
// characters as a string view (not part of the public API).
#ifndef INTERPROC_CONTAINERS_DETAIL_STRING_SEARCH_HPP
#define INTERPROC_CONTAINERS_DETAIL_STRING_SEARCH_HPP

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace interproc {
namespace detail {

/// find, rfind, the find_*_of family, compare, starts_with and ends_with of `String`
/// (a `basic_string`, which derives from this), read through its public `data()` and
/// `size()`. No data of its own: the string's layout is unchanged.
template <class String, class CharT, class Traits, class SizeType> class string_search {
public:
   typedef SizeType size_type;
   typedef std::basic_string_view<CharT, Traits> view_type;

   /// First occurrence of `s` (`n` characters) at or after `pos`.
   size_type find(const CharT *s, size_type pos, size_type n) const noexcept { return to_pos(view().find(s, pos, n)); }
   /// First occurrence of `s` at or after `pos`.
   size_type find(const String &s, size_type pos = 0) const noexcept { return find(s.data(), pos, s.size()); }
   /// First occurrence of the null-terminated `s` at or after `pos`.
   size_type find(const CharT *s, size_type pos = 0) const noexcept { return find(s, pos, Traits::length(s)); }
   /// First occurrence of `c` at or after `pos`.
   size_type find(CharT c, size_type pos = 0) const noexcept { return to_pos(view().find(c, pos)); }
   /// Last occurrence of `s` (`n` characters) starting at or before `pos`.
   size_type rfind(const CharT *s, size_type pos, size_type n) const noexcept { return to_pos(view().rfind(s, pos, n)); }
   /// Last occurrence of `s` starting at or before `pos`.
   size_type rfind(const String &s, size_type pos = npos) const noexcept { return rfind(s.data(), pos, s.size()); }
   /// Last occurrence of the null-terminated `s` starting at or before `pos`.
   size_type rfind(const CharT *s, size_type pos = npos) const noexcept { return rfind(s, pos, Traits::length(s)); }
   /// Last occurrence of `c` at or before `pos`.
   size_type rfind(CharT c, size_type pos = npos) const noexcept { return to_pos(view().rfind(c, pos)); }
   /// First character at or after `pos` that is one of the `n` at `s`.
   size_type find_first_of(const CharT *s, size_type pos, size_type n) const noexcept {
      return to_pos(view().find_first_of(s, pos, n));
   }
   /// First character at or after `pos` that is in `s`.
   size_type find_first_of(const String &s, size_type pos = 0) const noexcept { return find_first_of(s.data(), pos, s.size()); }
   /// First character at or after `pos` that is in the null-terminated `s`.
   size_type find_first_of(const CharT *s, size_type pos = 0) const noexcept { return find_first_of(s, pos, Traits::length(s)); }
   /// First `c` at or after `pos`.
   size_type find_first_of(CharT c, size_type pos = 0) const noexcept { return find(c, pos); }
   /// Last character at or before `pos` that is one of the `n` at `s`.
   size_type find_last_of(const CharT *s, size_type pos, size_type n) const noexcept {
      return to_pos(view().find_last_of(s, pos, n));
   }
   /// Last character at or before `pos` that is in `s`.
   size_type find_last_of(const String &s, size_type pos = npos) const noexcept { return find_last_of(s.data(), pos, s.size()); }
   /// Last character at or before `pos` that is in the null-terminated `s`.
   size_type find_last_of(const CharT *s, size_type pos = npos) const noexcept { return find_last_of(s, pos, Traits::length(s)); }
   /// Last `c` at or before `pos`.
   size_type find_last_of(CharT c, size_type pos = npos) const noexcept { return rfind(c, pos); }
   /// First character at or after `pos` that is none of the `n` at `s`.
   size_type find_first_not_of(const CharT *s, size_type pos, size_type n) const noexcept {
      return to_pos(view().find_first_not_of(s, pos, n));
   }
   /// First character at or after `pos` that is not in `s`.
   size_type find_first_not_of(const String &s, size_type pos = 0) const noexcept {
      return find_first_not_of(s.data(), pos, s.size());
   }
   /// First character at or after `pos` that is not in the null-terminated `s`.
   size_type find_first_not_of(const CharT *s, size_type pos = 0) const noexcept {
      return find_first_not_of(s, pos, Traits::length(s));
   }
   /// First character at or after `pos` other than `c`.
   size_type find_first_not_of(CharT c, size_type pos = 0) const noexcept { return to_pos(view().find_first_not_of(c, pos)); }
   /// Last character at or before `pos` that is none of the `n` at `s`.
   size_type find_last_not_of(const CharT *s, size_type pos, size_type n) const noexcept {
      return to_pos(view().find_last_not_of(s, pos, n));
   }
   /// Last character at or before `pos` that is not in `s`.
   size_type find_last_not_of(const String &s, size_type pos = npos) const noexcept {
      return find_last_not_of(s.data(), pos, s.size());
   }
   /// Last character at or before `pos` that is not in the null-terminated `s`.
   size_type find_last_not_of(const CharT *s, size_type pos = npos) const noexcept {
      return find_last_not_of(s, pos, Traits::length(s));
   }
   /// Last character at or before `pos` other than `c`.
   size_type find_last_not_of(CharT c, size_type pos = npos) const noexcept { return to_pos(view().find_last_not_of(c, pos)); }

   /// Three-way comparison with `s` (negative, zero, positive).
   int compare(const String &s) const noexcept { return view().compare(view_of(s)); }
   /// Compares `n1` characters at `pos1` with `s`.
   int compare(size_type pos1, size_type n1, const String &s) const { return sub_view(pos1, n1).compare(view_of(s)); }
   /// Compares `n1` characters at `pos1` with `n2` characters of `s` at `pos2`.
   int compare(size_type pos1, size_type n1, const String &s, size_type pos2, size_type n2 = npos) const {
      return sub_view(pos1, n1).compare(sub_view_of(s, pos2, n2));
   }
   /// Compares with the null-terminated `s`.
   int compare(const CharT *s) const noexcept { return view().compare(view_type(s)); }
   /// Compares `n1` characters at `pos1` with the null-terminated `s`.
   int compare(size_type pos1, size_type n1, const CharT *s) const { return sub_view(pos1, n1).compare(view_type(s)); }
   /// Compares `n1` characters at `pos1` with the first `n2` characters at `s`.
   int compare(size_type pos1, size_type n1, const CharT *s, size_type n2) const {
      return sub_view(pos1, n1).compare(view_type(s, n2));
   }

   /// Whether it starts with `s`.
   bool starts_with(view_type s) const noexcept { return self().size() >= s.size() && view().substr(0, s.size()) == s; }
   /// Whether it ends with `s`.
   bool ends_with(view_type s) const noexcept { return self().size() >= s.size() && view().substr(self().size() - s.size()) == s; }

protected:
   /// "Until the end" / "not found" (`basic_string::npos`).
   static constexpr size_type npos = size_type(-1);

   static view_type view_of(const String &s) noexcept { return view_type(s.data(), s.size()); }
   /// The characters of `s` from `pos`, at most `n`; throws std::out_of_range if `pos` is
   /// past the end.
   static view_type sub_view_of(const String &s, size_type pos, size_type n) {
      check_pos_in(s, pos);
      return view_type(s.data() + pos, std::min(n, s.size() - pos));
   }
   static void check_pos_in(const String &s, size_type pos) {
      if (pos > s.size()) {
         throw std::out_of_range("interproc::basic_string: position out of range");
      }
   }
   static size_type to_pos(typename view_type::size_type p) noexcept {
      return p == view_type::npos ? npos : static_cast<size_type>(p);
   }

   view_type view() const noexcept { return view_of(self()); }
   view_type sub_view(size_type pos, size_type n) const { return sub_view_of(self(), pos, n); }
   void check_pos(size_type pos) const { check_pos_in(self(), pos); }

private:
   const String &self() const noexcept { return static_cast<const String &>(*this); }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_STRING_SEARCH_HPP
