#include "framework/text/text_file.h"

#include <fmt/format.h>

#include <cstdint>

#include "framework/core/error.h"

namespace adaptlab::text {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// One step of UTF-8 decoding at s[i]: the code point and its length in bytes; length 0 for a byte that
// does not start a valid, shortest-form sequence (it is then one character of its own).
std::pair<char32_t, size_t> decode(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return {c, 1};
  size_t n = 0;
  char32_t cp = 0, min = 0;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07, min = 0x10000;
  else return {0, 0};
  if (i + n > s.size()) return {0, 0};
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, n};
}

// Characters that show nothing or look like another one: controls, format characters (the BOM, zero-width
// and bidi marks), spaces other than U+0020, variation selectors, private use, noncharacters.
bool invisible(char32_t c) {
  if (c < 0x20 || c == 0x7F) return true;
  if (c < 0x80) return false;
  if (c <= 0xA0 || c == 0xAD || c == 0x34F || c == 0x61C || c == 0x115F || c == 0x1160 || c == 0x1680 || c == 0x180E)
    return true;
  if ((c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) || (c >= 0x205F && c <= 0x206F)) return true;
  if (c == 0x3000 || c == 0x3164 || c == 0xFFA0 || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF) return true;
  if ((c >= 0xE000 && c <= 0xF8FF) || (c >= 0xFFF0 && c <= 0xFFFB) || (c & 0xFFFE) == 0xFFFE) return true;
  if (c >= 0xE0000) return true;  // tags, variation selectors supplement, private use planes
  return false;
}

}  // namespace

bool strip_utf8_bom(std::string& s) {
  if (s.compare(0, kBom.size(), kBom) != 0) return false;
  s.erase(0, kBom.size());
  return true;
}

std::string visible(std::string_view s, size_t max_chars) {
  std::string out;
  size_t shown = 0, i = 0;
  for (; i < s.size() && shown < max_chars; ++shown) {
    const auto [cp, n] = decode(s, i);
    if (n == 0) {  // not UTF-8: the byte (code points U+0080.. are written \u00XX, so the two never look alike)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (cp == '\\') out += "\\\\";
    else if (cp == '\t') out += "\\t";
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (cp < 0x80 && invisible(cp)) out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    else if (invisible(cp)) out += cp <= 0xFFFF ? fmt::format("\\u{:04x}", static_cast<uint32_t>(cp))
                                                 : fmt::format("\\U{:08x}", static_cast<uint32_t>(cp));
    else out.append(s.substr(i, n));
    i += n;
  }
  if (i < s.size()) {
    size_t more = 0;
    while (i < s.size()) {
      const size_t n = decode(s, i).second;
      i += n == 0 ? 1 : n;
      ++more;
    }
    out += fmt::format("…({} more)", more);
  }
  return out;
}

std::string visible_list(const std::vector<std::string>& items, size_t max_chars) {
  std::string out;
  for (size_t k = 0; k < items.size(); ++k) {
    std::string piece = "'" + visible(items[k], max_chars) + "'";
    if (k > 0 && out.size() + 2 + piece.size() > max_chars) {
      out += fmt::format(", …({} more)", items.size() - k);
      break;
    }
    if (k > 0) out += ", ";
    out += piece;
  }
  return out;
}

LineReader::LineReader(std::istream& in, std::string path) : in_(in), path_(std::move(path)) {}

bool LineReader::next(std::string& line) {
  for (;;) {
    if (chunk_left_) {
      const size_t cr = chunk_.find('\r', pos_);
      if (cr == std::string::npos) {
        line.assign(chunk_, pos_, std::string::npos);
        chunk_left_ = false;
      } else {  // "\r\n" or a lone "\r": a line end either way
        line.assign(chunk_, pos_, cr - pos_);
        pos_ = cr + 1;
        chunk_left_ = pos_ < chunk_.size();
      }
      ++number_;
      return true;
    }
    if (!std::getline(in_, chunk_)) return false;
    pos_ = 0;
    chunk_left_ = true;
    if (!started_) {
      started_ = true;
      bom_ = strip_utf8_bom(chunk_);
      AL_CHECK(chunk_.compare(0, 2, "\xFF\xFE") != 0 && chunk_.compare(0, 2, "\xFE\xFF") != 0,
               "{}: the file is UTF-16 (it begins with a UTF-16 byte-order mark); save it as UTF-8", path_);
    }
  }
}

}  // namespace adaptlab::text
