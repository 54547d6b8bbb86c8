#include "framework/text/wordpiece.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "framework/core/error.h"

namespace adaptlab::text {
namespace {

constexpr size_t kMaxWordChars = 100;  // longer words (in code points) become [UNK], as in BERT
// The Unicode version whose assignments count: that of Python 3.11's unicodedata (Debian 12's python3,
// the reference's). Code points assigned later (ICU 72 knows Unicode 15.0) are taken as unassigned,
// category Cn, which the cleaning step drops, as the reference does.
constexpr uint8_t kUnicodeMajor = 14, kUnicodeMinor = 0;
const char* const kUnk = "[UNK]";

// ---- UTF-8 ----------------------------------------------------------------------------------------

// Decodes one code point at s[i], advancing i; malformed input (bad lead or continuation byte,
// overlong form, surrogate, beyond U+10FFFF, truncated) yields U+FFFD and skips one byte.
char32_t next_code_point(const std::string& s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t len = 0;
  char32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) len = 2, cp = b0 & 0x1F, min = 0x80;
  else if ((b0 & 0xF0) == 0xE0) len = 3, cp = b0 & 0x0F, min = 0x800;
  else if ((b0 & 0xF8) == 0xF0) len = 4, cp = b0 & 0x07, min = 0x10000;
  bool ok = len != 0 && i + len <= s.size();
  for (size_t k = 1; ok && k < len; ++k) {
    ok = (byte(i + k) & 0xC0) == 0x80;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
  if (!ok) {
    ++i;
    return 0xFFFD;
  }
  i += len;
  return cp;
}

std::u32string decode_utf8(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(next_code_point(s, i));
  return out;
}

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const size_t at = i;
    if (next_code_point(s, i) == 0xFFFD && s.compare(at, 3, "\xEF\xBF\xBD") != 0) return false;
  }
  return true;
}

void append_utf8(std::string& out, char32_t c) {
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

// ---- ICU ------------------------------------------------------------------------------------------

icu::UnicodeString to_icu(const std::u32string& s) {
  return icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(s.data()), static_cast<int32_t>(s.size()));
}

std::u32string from_icu(const icu::UnicodeString& s) {
  std::u32string out;
  out.reserve(static_cast<size_t>(s.length()));
  for (int32_t i = 0; i < s.length(); i = s.moveIndex32(i, 1)) out.push_back(static_cast<char32_t>(s.char32At(i)));
  return out;
}

const icu::Normalizer2& normalizer(bool compose) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n =
      compose ? icu::Normalizer2::getNFCInstance(err) : icu::Normalizer2::getNFDInstance(err);
  if (U_FAILURE(err) || n == nullptr) fail("ICU: cannot load the {} normaliser: {}", compose ? "NFC" : "NFD", u_errorName(err));
  return *n;
}

std::u32string normalize(const std::u32string& s, bool compose) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::UnicodeString out = normalizer(compose).normalize(to_icu(s), err);
  if (U_FAILURE(err)) fail("ICU: {} normalisation failed: {}", compose ? "NFC" : "NFD", u_errorName(err));
  return from_icu(out);
}

int8_t category(char32_t c) { return u_charType(static_cast<UChar32>(c)); }

// ---- character classes, as BERT's basic tokenizer defines them --------------------------------------

// Assigned in a Unicode version after kUnicodeMajor.kUnicodeMinor.
bool newer_than_reference(char32_t c) {
  UVersionInfo age;
  u_charAge(static_cast<UChar32>(c), age);
  return age[0] > kUnicodeMajor || (age[0] == kUnicodeMajor && age[1] > kUnicodeMinor);
}

// Categories Cc, Cf, Cs, Co and Cn ("C*"), except \t \n \r which count as whitespace.
bool is_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  switch (category(c)) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_SURROGATE:
    case U_PRIVATE_USE_CHAR:
    case U_UNASSIGNED: return true;
    default: return c >= 0x80 && newer_than_reference(c);
  }
}

// What the cleaning step turns into a plain space.
bool is_whitespace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || category(c) == U_SPACE_SEPARATOR;
}

// Where Python's str.split() splits: its isspace() (Zs, or bidi class WS/B/S). After cleaning only the
// space, U+2028 and U+2029 can be left of these, but the whole set is kept for clarity.
bool is_split_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0x2028 || c == 0x2029 ||
         category(c) == U_SPACE_SEPARATOR;
}

// ASCII symbols count as punctuation too (BERT's choice), beside categories Pc Pd Ps Pe Pi Pf Po.
bool is_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  switch (category(c)) {
    case U_CONNECTOR_PUNCTUATION:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_OTHER_PUNCTUATION: return true;
    default: return false;
  }
}

// The CJK Unified Ideographs blocks (and compatibility ideographs) that BERT surrounds with spaces;
// Hangul, Hiragana and Katakana are not among them.
bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// ---- steps ----------------------------------------------------------------------------------------

// Drops invalid and control characters, turns whitespace into spaces, puts spaces around CJK ideographs.
std::u32string clean(const std::u32string& in) {
  std::u32string out;
  out.reserve(in.size());
  for (const char32_t c : in) {
    if (c == 0 || c == 0xFFFD || is_control(c)) continue;
    if (is_whitespace(c)) {
      out += U' ';
    } else if (is_cjk(c)) {
      out += U' ';
      out += c;
      out += U' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::u32string> split_on_space(const std::u32string& s) {
  std::vector<std::u32string> out;
  std::u32string cur;
  for (const char32_t c : s) {
    if (is_split_space(c)) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Lower-case (full case mapping, language-neutral, final sigma in context), then NFD without Mn marks.
std::u32string lower_strip_accents(const std::u32string& word) {
  icu::UnicodeString s = to_icu(word);
  s.toLower(icu::Locale::getRoot());
  std::u32string out;
  for (const char32_t c : normalize(from_icu(s), /*compose=*/false))
    if (category(c) != U_NON_SPACING_MARK) out += c;
  return out;
}

// Each punctuation character becomes a word of its own; the runs between them stay together.
std::vector<std::u32string> split_on_punctuation(const std::u32string& word) {
  std::vector<std::u32string> out;
  bool start_new = true;
  for (const char32_t c : word) {
    if (is_punctuation(c)) {
      out.push_back(std::u32string(1, c));
      start_new = true;
    } else {
      if (start_new) out.emplace_back();
      start_new = false;
      out.back() += c;
    }
  }
  return out;
}

// Splits a vocab file's text into lines the way Python's text mode reads them (\n, \r\n and \r end a
// line; a last line without an end counts only when non-empty).
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      lines.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) lines.push_back(std::move(cur));
  return lines;
}

}  // namespace

WordPiece WordPiece::load(const std::string& path, bool lower_case) {
  std::ifstream in(path, std::ios::binary);
  AL_CHECK(in.good(), "{}: cannot open vocabulary file", path);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  AL_CHECK(!in.bad(), "{}: cannot read vocabulary file", path);

  WordPiece wp;
  wp.path_ = path;
  wp.lower_case_ = lower_case;
  wp.tokens_ = split_lines(text);
  AL_CHECK(!wp.tokens_.empty(), "{}: empty vocabulary (expected one token per line)", path);
  wp.ids_.reserve(wp.tokens_.size());
  for (size_t i = 0; i < wp.tokens_.size(); ++i) {
    const std::string& t = wp.tokens_[i];
    AL_CHECK(valid_utf8(t), "{}:{}: token is not valid UTF-8", path, i + 1);
    const auto [it, added] = wp.ids_.emplace(t, static_cast<int64_t>(i));
    AL_CHECK(added, "{}:{}: duplicate token '{}' (first at line {})", path, i + 1, t, it->second + 1);
    wp.max_piece_bytes_ = std::max(wp.max_piece_bytes_, t.size());
  }
  std::vector<std::string> missing;
  const auto special = [&](const char* name) -> int64_t {
    const auto it = wp.ids_.find(name);
    if (it == wp.ids_.end()) {
      missing.emplace_back(name);
      return -1;
    }
    wp.specials_.emplace_back(name);
    return it->second;
  };
  wp.cls_ = special("[CLS]");
  wp.sep_ = special("[SEP]");
  wp.pad_ = special("[PAD]");
  wp.unk_ = special(kUnk);
  AL_CHECK(missing.empty(), "{}: vocabulary lacks the special token(s) {} (has {} tokens)", path,
           fmt::join(missing, ", "), wp.tokens_.size());
  // Like the reference, a vocab without [MASK] gets one appended (id = the number of lines).
  if (!wp.ids_.count("[MASK]")) {
    wp.ids_.emplace("[MASK]", static_cast<int64_t>(wp.tokens_.size()));
    wp.tokens_.emplace_back("[MASK]");
  }
  wp.specials_.emplace_back("[MASK]");
  return wp;
}

int64_t WordPiece::id(const std::string& token) const {
  const auto it = ids_.find(token);
  return it == ids_.end() ? unk_ : it->second;
}

const std::string& WordPiece::token(int64_t id) const {
  AL_CHECK(id >= 0 && static_cast<size_t>(id) < tokens_.size(), "{}: token id {} out of range [0, {})", path_, id,
           tokens_.size());
  return tokens_[static_cast<size_t>(id)];
}

void WordPiece::wordpiece(const std::u32string& word, std::vector<std::string>& out) const {
  if (word.size() > kMaxWordChars) {
    out.emplace_back(kUnk);
    return;
  }
  std::string bytes;
  std::vector<size_t> offset;  // offset[k]: byte where code point k starts; offset[n] = bytes.size()
  offset.reserve(word.size() + 1);
  for (const char32_t c : word) {
    offset.push_back(bytes.size());
    append_utf8(bytes, c);
  }
  offset.push_back(bytes.size());

  const size_t first = out.size();
  std::string key;
  for (size_t start = 0; start < word.size();) {
    size_t end = word.size();
    for (; end > start; --end) {
      const size_t len = offset[end] - offset[start];
      if (len > max_piece_bytes_) continue;  // longer than any entry: cannot match
      key.assign(start > 0 ? "##" : "");
      key.append(bytes, offset[start], len);
      if (ids_.count(key)) break;
    }
    if (end == start) {  // no piece matches here: the whole word is unknown
      out.resize(first);
      out.emplace_back(kUnk);
      return;
    }
    out.push_back(key);
    start = end;
  }
}

void WordPiece::tokenize_plain(const std::string& text, std::vector<std::string>& out) const {
  const std::u32string cleaned = normalize(clean(decode_utf8(text)), /*compose=*/true);
  for (const auto& word : split_on_space(cleaned)) {
    const std::u32string w = lower_case_ ? lower_strip_accents(word) : word;
    for (const auto& piece : split_on_punctuation(w))
      for (const auto& part : split_on_space(piece)) wordpiece(part, out);
  }
}

std::vector<std::string> WordPiece::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    // The leftmost special token (the longest if several start there) is kept whole.
    size_t at = std::string::npos;
    const std::string* hit = nullptr;
    for (const auto& s : specials_) {
      const size_t k = text.find(s, pos);
      if (k < at || (k == at && k != std::string::npos && s.size() > hit->size())) at = k, hit = &s;
    }
    tokenize_plain(text.substr(pos, at == std::string::npos ? std::string::npos : at - pos), out);
    if (hit == nullptr) break;
    out.push_back(*hit);
    pos = at + hit->size();
  }
  return out;
}

std::vector<int64_t> WordPiece::ids(const std::string& text) const {
  std::vector<int64_t> out;
  for (const auto& t : tokenize(text)) out.push_back(id(t));
  return out;
}

WordPiece::Encoding WordPiece::encode(const std::string& text, int max_length, bool pad_to_max_length) const {
  AL_CHECK(max_length >= 2, "WordPiece::encode: max_length must be at least 2 (room for [CLS] and [SEP]), got {}",
           max_length);
  std::vector<int64_t> body = ids(text);
  if (body.size() > static_cast<size_t>(max_length - 2)) body.resize(static_cast<size_t>(max_length - 2));
  Encoding e;
  e.input_ids.reserve(static_cast<size_t>(max_length));
  e.input_ids.push_back(cls_);
  e.input_ids.insert(e.input_ids.end(), body.begin(), body.end());
  e.input_ids.push_back(sep_);
  e.attention_mask.assign(e.input_ids.size(), 1);
  if (pad_to_max_length) {
    e.input_ids.resize(static_cast<size_t>(max_length), pad_);
    e.attention_mask.resize(static_cast<size_t>(max_length), 0);
  }
  e.token_type_ids.assign(e.input_ids.size(), 0);
  return e;
}

WordPiece::Encoding WordPiece::encode_pair(const std::string& a, const std::string& b, int max_length,
                                           bool pad_to_max_length) const {
  AL_CHECK(max_length >= 3, "WordPiece::encode_pair: max_length must be at least 3 ([CLS] and two [SEP]), got {}",
           max_length);
  std::vector<int64_t> first = ids(a), second = ids(b);
  const auto [cut1, cut2] = longest_first_cuts(static_cast<int64_t>(first.size()), static_cast<int64_t>(second.size()),
                                               max_length - 3);
  first.resize(first.size() - static_cast<size_t>(cut1));
  second.resize(second.size() - static_cast<size_t>(cut2));
  Encoding e;
  e.input_ids.push_back(cls_);
  e.input_ids.insert(e.input_ids.end(), first.begin(), first.end());
  e.input_ids.push_back(sep_);
  e.token_type_ids.assign(e.input_ids.size(), 0);
  e.input_ids.insert(e.input_ids.end(), second.begin(), second.end());
  e.input_ids.push_back(sep_);
  e.token_type_ids.resize(e.input_ids.size(), 1);
  e.attention_mask.assign(e.input_ids.size(), 1);
  if (pad_to_max_length) {
    e.input_ids.resize(static_cast<size_t>(max_length), pad_);
    e.attention_mask.resize(static_cast<size_t>(max_length), 0);
    e.token_type_ids.resize(static_cast<size_t>(max_length), 0);
  }
  return e;
}

}  // namespace adaptlab::text
