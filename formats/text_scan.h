// Reading line-oriented text formats (OBJ, OFF, PCD headers, XYZ, PTS) from bytes in
// memory: lines end at "\n", "\r\n" or a lone "\r", tokens are separated by any ASCII
// white space, and numbers are parsed without locale or overflow surprises. Every
// reader shares these, so no two of them can disagree about where a line ends.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "formats/file_io.h"

namespace scenezip::text {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

class Lines {
 public:
  explicit Lines(const Bytes& bytes, std::size_t pos = 0)
      : text_(reinterpret_cast<const char*>(bytes.data()), bytes.size()), pos_(pos) {}

  // The next line without its ending; false at the end of the text.
  bool next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    std::size_t stop = pos_;
    while (stop < text_.size() && text_[stop] != '\n' && text_[stop] != '\r') ++stop;
    *line = text_.substr(pos_, stop - pos_);
    pos_ = stop;
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++number_;
    return true;
  }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return text_.size() - pos_; }
  std::uint64_t line_number() const { return number_; }  // of the line `next` gave last

 private:
  std::string_view text_;
  std::size_t pos_;
  std::uint64_t number_ = 0;
};

inline std::string_view strip(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Next white-space separated token of `s`, consumed from it; empty at the end.
inline std::string_view next_token(std::string_view* s) {
  std::size_t i = 0;
  while (i < s->size() && is_space((*s)[i])) ++i;
  std::size_t j = i;
  while (j < s->size() && !is_space((*s)[j])) ++j;
  const std::string_view token = s->substr(i, j - i);
  s->remove_prefix(j);
  return token;
}

// A whole token as a signed 64-bit integer; false on anything else, overflow included.
inline bool parse_int(std::string_view token, std::int64_t* value) {
  const char* begin = token.data();
  const char* end = begin + token.size();
  if (begin != end && *begin == '+') ++begin;
  const auto r = std::from_chars(begin, end, *value);
  return !token.empty() && r.ec == std::errc() && r.ptr == end;
}

// A whole token as a number. "nan", "inf" and their signed and capitalised spellings,
// which some writers use for missing values, are accepted (callers decide whether a
// non-finite value is allowed where they use it).
inline bool parse_double(std::string_view token, double* value) {
  const char* begin = token.data();
  const char* end = begin + token.size();
  if (begin != end && *begin == '+') ++begin;
  const auto r = std::from_chars(begin, end, *value);
  if (!token.empty() && r.ec == std::errc() && r.ptr == end) return true;
  // Values beyond double's range: from_chars reports them and leaves *value alone.
  if (r.ec == std::errc::result_out_of_range && r.ptr == end) {
    *value = token.front() == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  std::string lower;
  for (char c : token.substr(0, 5)) lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  if (token.size() > 5) return false;
  if (lower == "nan" || lower == "-nan" || lower == "+nan") return (*value = std::nan("")), true;
  if (lower == "inf" || lower == "+inf") return (*value = std::numeric_limits<double>::infinity()), true;
  if (lower == "-inf") return (*value = -std::numeric_limits<double>::infinity()), true;
  return false;
}

// A float parsed as float (correctly rounded, like the C library's strtof), not as a
// double rounded twice.
inline bool parse_float(std::string_view token, float* value) {
  const char* begin = token.data();
  const char* end = begin + token.size();
  if (begin != end && *begin == '+') ++begin;
  const auto r = std::from_chars(begin, end, *value);
  if (!token.empty() && r.ec == std::errc() && r.ptr == end) return true;
  double d = 0;
  if (!parse_double(token, &d)) return false;
  *value = static_cast<float>(d);  // nan, inf, or out of float's range
  return true;
}

// Text from a file made safe to quote inside a one-line message: control and non-ASCII
// bytes become \xNN escapes, and anything past `limit` characters is cut with "...".
inline std::string quote(std::string_view raw, std::size_t limit = 40) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "'";
  std::size_t shown = 0;
  for (const char c : raw) {
    if (shown == limit) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '\'' || c == '\\') {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
    ++shown;
  }
  return out + "'";
}

}  // namespace scenezip::text
