#include "framework/text/bpe.h"
#include "framework/text/sentencepiece.h"

#include <nlohmann/json.hpp>
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>

#include "framework/core/error.h"
#include "framework/text/token_ids.h"
#include "framework/text/wordpiece.h"

namespace adaptlab::text {
namespace {

std::string utf8_of(UChar32 c) {
  std::string out;
  icu::UnicodeString(c).toUTF8String(out);
  return out;
}

// GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to 256, 257, ...
std::vector<std::string> byte_chars() {
  std::vector<int> bs;
  for (int b = '!'; b <= '~'; ++b) bs.push_back(b);
  for (int b = 0xA1; b <= 0xAC; ++b) bs.push_back(b);
  for (int b = 0xAE; b <= 0xFF; ++b) bs.push_back(b);
  std::vector<std::string> out(256);
  for (int b : bs) out[static_cast<size_t>(b)] = utf8_of(b);
  int n = 0;
  for (int b = 0; b < 256; ++b)
    if (std::find(bs.begin(), bs.end(), b) == bs.end()) out[static_cast<size_t>(b)] = utf8_of(256 + n++);
  return out;
}

// Code points of a UTF-8 string, each as its own UTF-8 string.
std::vector<std::string> chars_of(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

const icu::RegexPattern& gpt2_pattern() {
  static const icu::RegexPattern* p = [] {
    UErrorCode err = U_ZERO_ERROR;
    UParseError pe;
    auto* pat = icu::RegexPattern::compile(
        icu::UnicodeString::fromUTF8(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)"), pe,
        err);
    AL_CHECK(U_SUCCESS(err), "byte-level BPE: cannot compile the pre-tokenizer pattern: {}", u_errorName(err));
    return pat;
  }();
  return *p;
}

}  // namespace

std::unique_ptr<ByteLevelBpe> ByteLevelBpe::load(const std::string& vocab_json, const std::string& merges_txt) {
  std::unique_ptr<ByteLevelBpe> t(new ByteLevelBpe());
  {
    std::ifstream f(vocab_json, std::ios::binary);
    AL_CHECK(f.good(), "{}: cannot read the BPE vocabulary", vocab_json);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(f);
    } catch (const std::exception& e) {
      fail("{}: not JSON: {}", vocab_json, e.what());
    }
    AL_CHECK(j.is_object(), "{}: expected a JSON object of token → id", vocab_json);
    for (auto it = j.begin(); it != j.end(); ++it) {
      AL_CHECK(it.value().is_number_integer(), "{}: the id of '{}' is not an integer", vocab_json, it.key());
      const auto id = it.value().get<int64_t>();
      AL_CHECK(id >= 0, "{}: the id of '{}' is negative ({})", vocab_json, it.key(), id);
      t->vocab_[it.key()] = id;
      t->id_count_ = std::max(t->id_count_, id + 1);
    }
  }
  {
    std::ifstream f(merges_txt, std::ios::binary);
    AL_CHECK(f.good(), "{}: cannot read the BPE merges", merges_txt);
    std::string line;
    int rank = 0;
    for (size_t n = 1; std::getline(f, line); ++n) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || (n == 1 && line.rfind("#version", 0) == 0)) continue;
      const auto sp = line.find(' ');
      AL_CHECK(sp != std::string::npos && sp > 0 && sp + 1 < line.size() && line.find(' ', sp + 1) == std::string::npos,
               "{}:{}: a merge is two tokens separated by one space, got '{}'", merges_txt, n, line);
      t->ranks_.emplace(line, rank++);
    }
  }
  auto special = [&](const char* name) {
    const auto it = t->vocab_.find(name);
    AL_CHECK(it != t->vocab_.end(), "{}: the vocabulary has no '{}' (RoBERTa's special tokens are needed)", vocab_json, name);
    return it->second;
  };
  t->bos_ = special("<s>");
  t->eos_ = special("</s>");
  t->pad_ = special("<pad>");
  t->unk_ = special("<unk>");
  t->byte_char_ = byte_chars();
  return t;
}

std::vector<std::string> ByteLevelBpe::bpe(const std::string& mapped) const {
  std::vector<std::string> word = chars_of(mapped);
  while (word.size() > 1) {
    int best = INT_MAX;
    size_t at = 0;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      const auto it = ranks_.find(word[i] + " " + word[i + 1]);
      if (it != ranks_.end() && it->second < best) best = it->second, at = i;
    }
    if (best == INT_MAX) break;
    const std::string first = word[at], second = word[at + 1];
    std::vector<std::string> merged;
    for (size_t i = 0; i < word.size();) {  // every occurrence of the pair, left to right
      if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
        merged.push_back(first + second);
        i += 2;
      } else {
        merged.push_back(word[i++]);
      }
    }
    word = std::move(merged);
  }
  return word;
}

std::vector<std::string> ByteLevelBpe::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  UErrorCode err = U_ZERO_ERROR;
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  std::unique_ptr<icu::RegexMatcher> m(gpt2_pattern().matcher(u, err));
  AL_CHECK(U_SUCCESS(err), "byte-level BPE: regex matcher: {}", u_errorName(err));
  while (m->find()) {
    std::string piece;
    m->group(err).toUTF8String(piece);
    std::string mapped;
    for (unsigned char b : piece) mapped += byte_char_[b];
    for (auto& tok : bpe(mapped)) out.push_back(std::move(tok));
  }
  return out;
}

std::vector<int64_t> ByteLevelBpe::ids(const std::string& text) const {
  std::vector<int64_t> out;
  for (const auto& tok : tokenize(text)) {
    const auto it = vocab_.find(tok);
    out.push_back(it == vocab_.end() ? unk_ : it->second);
  }
  return out;
}

namespace {
void pad_to(Encoding& e, int max_length, int64_t pad) {
  e.input_ids.resize(static_cast<size_t>(max_length), pad);
  e.attention_mask.resize(static_cast<size_t>(max_length), 0);
  e.token_type_ids.resize(static_cast<size_t>(max_length), 0);
}
}  // namespace

Encoding ByteLevelBpe::encode(const std::string& text, int max_length, bool pad) const {
  AL_CHECK(max_length >= 2, "byte-level BPE: max_length must be at least 2 (<s> and </s>), got {}", max_length);
  auto body = ids(text);
  if (body.size() > static_cast<size_t>(max_length - 2)) body.resize(static_cast<size_t>(max_length - 2));
  Encoding e;
  e.input_ids.push_back(bos_);
  e.input_ids.insert(e.input_ids.end(), body.begin(), body.end());
  e.input_ids.push_back(eos_);
  e.attention_mask.assign(e.input_ids.size(), 1);
  e.token_type_ids.assign(e.input_ids.size(), 0);
  if (pad) pad_to(e, max_length, pad_);
  return e;
}

Encoding ByteLevelBpe::encode_pair(const std::string& a, const std::string& b, int max_length, bool pad) const {
  AL_CHECK(max_length >= 4, "byte-level BPE: max_length must be at least 4 (<s> </s></s> </s>), got {}", max_length);
  auto first = ids(a), second = ids(b);
  const auto [c1, c2] = longest_first_cuts(static_cast<int64_t>(first.size()), static_cast<int64_t>(second.size()),
                                           max_length - 4);
  first.resize(first.size() - static_cast<size_t>(c1));
  second.resize(second.size() - static_cast<size_t>(c2));
  Encoding e;
  e.input_ids.push_back(bos_);
  e.input_ids.insert(e.input_ids.end(), first.begin(), first.end());
  e.input_ids.push_back(eos_);
  e.input_ids.push_back(eos_);
  e.input_ids.insert(e.input_ids.end(), second.begin(), second.end());
  e.input_ids.push_back(eos_);
  e.attention_mask.assign(e.input_ids.size(), 1);
  e.token_type_ids.assign(e.input_ids.size(), 0);
  if (pad) pad_to(e, max_length, pad_);
  return e;
}

std::pair<int64_t, int64_t> longest_first_cuts(int64_t n1, int64_t n2, int64_t room) {
  const int64_t over = n1 + n2 - room;
  if (over <= 0) return {0, 0};
  const int64_t uneven = std::min<int64_t>(std::abs(n1 - n2), over), shared = over - uneven;
  const int64_t cut1 = n1 > n2 ? uneven + shared / 2 : shared / 2;
  return {std::min(cut1, n1), std::min(over - cut1, n2)};
}

namespace {
std::unique_ptr<Tokenizer> noted(std::unique_ptr<Tokenizer> t, const std::string& file) {
  note_loaded_tokenizer({file, t->kind(), t->id_count()});
  return t;
}
}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path, bool lower_case) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) {
    const fs::path d(path);
    if (fs::exists(d / "vocab.json") && fs::exists(d / "merges.txt"))
      return noted(ByteLevelBpe::load((d / "vocab.json").string(), (d / "merges.txt").string()),
                   (d / "vocab.json").string());
    if (fs::exists(d / "vocab.txt"))
      return noted(std::make_unique<WordPiece>(WordPiece::load((d / "vocab.txt").string(), lower_case)),
                   (d / "vocab.txt").string());
    if (fs::exists(d / "spiece.model"))
      return noted(std::make_unique<SentencePiece>((d / "spiece.model").string()), (d / "spiece.model").string());
    fail("{}: no tokenizer files (expected vocab.txt for WordPiece, vocab.json and merges.txt for byte-level BPE, or "
         "spiece.model for T5's SentencePiece)",
         path);
  }
  AL_CHECK(fs::is_regular_file(path), "{}: no such tokenizer file or folder", path);
  if (path.ends_with(".model")) return noted(std::make_unique<SentencePiece>(path), path);
  return noted(std::make_unique<WordPiece>(WordPiece::load(path, lower_case)), path);
}

}  // namespace adaptlab::text
