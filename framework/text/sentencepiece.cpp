#include "framework/text/sentencepiece.h"

#include <sentencepiece_processor.h>

#include <string_view>

#include "framework/core/error.h"

namespace adaptlab::text {

struct SentencePiece::Impl {
  sentencepiece::SentencePieceProcessor sp;
};

SentencePiece::SentencePiece(const std::string& model_file, int extra_ids)
    : impl_(std::make_unique<Impl>()), extra_ids_(extra_ids), file_(model_file) {
  const auto st = impl_->sp.Load(model_file);
  AL_CHECK(st.ok(), "{}: not a SentencePiece model ({})", model_file, st.ToString());
  // T5's layout: <pad> 0, </s> 1, <unk> 2 (what the reference assumes).
  AL_CHECK(impl_->sp.pad_id() == 0 && impl_->sp.eos_id() == 1 && impl_->sp.unk_id() == 2,
           "{}: T5's layout needs <pad> = 0, </s> = 1, <unk> = 2; this model has pad {}, eos {}, unk {}", model_file,
           impl_->sp.pad_id(), impl_->sp.eos_id(), impl_->sp.unk_id());
}

SentencePiece::~SentencePiece() = default;

int64_t SentencePiece::vocab_size() const { return impl_->sp.GetPieceSize() + extra_ids_; }

namespace {

constexpr std::string_view kSentinel = "<extra_id_";

// N of "<extra_id_N>" written exactly as transformers' T5Tokenizer registers its additional special
// tokens ("<extra_id_0>" … "<extra_id_{extra_ids - 1}>": decimal, no sign, no leading zero), -1 for any
// other text. Only those registered strings are special there: "<extra_id_100>" (with 100 sentinels),
// "<extra_id_007>" or "<extra_id_99999999999999999999>" are ordinary text, tokenized by the model.
int64_t sentinel_index(std::string_view s, int extra_ids) {
  if (!s.starts_with(kSentinel) || !s.ends_with('>')) return -1;
  const std::string_view digits = s.substr(kSentinel.size(), s.size() - kSentinel.size() - 1);
  if (digits.empty() || digits.size() > 10 || (digits.size() > 1 && digits[0] == '0')) return -1;
  int64_t v = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');  // at most 10 digits: no overflow
  }
  return v < extra_ids ? v : -1;
}

// The length of the special token (</s>, <pad>, <unk>, a registered sentinel) that starts at text[at],
// 0 when none does. A hand-written scan, no regex: it looks at no more than the 10 digits a sentinel can
// have, so a '<' followed by 200,000 digits costs nothing (std::regex recursed once per character and
// overflowed the stack).
size_t special_at(std::string_view text, size_t at, int extra_ids) {
  const std::string_view rest = text.substr(at);
  for (const std::string_view fixed : {std::string_view("</s>"), std::string_view("<pad>"), std::string_view("<unk>")})
    if (rest.starts_with(fixed)) return fixed.size();
  if (!rest.starts_with(kSentinel)) return 0;
  size_t j = kSentinel.size();
  while (j < rest.size() && j - kSentinel.size() <= 10 && rest[j] >= '0' && rest[j] <= '9') ++j;
  if (j >= rest.size() || rest[j] != '>') return 0;
  return sentinel_index(rest.substr(0, j + 1), extra_ids) >= 0 ? j + 1 : 0;
}

}  // namespace

int64_t SentencePiece::token_id(const std::string& token) const {
  if (token.starts_with(kSentinel)) {
    const int64_t i = sentinel_index(token, extra_ids_);
    if (i >= 0) return impl_->sp.GetPieceSize() + extra_ids_ - 1 - i;
  }
  const int id = impl_->sp.PieceToId(token);
  return id == impl_->sp.unk_id() && token != "<unk>" ? -1 : id;
}

std::vector<int64_t> SentencePiece::ids(const std::string& text) const {
  std::vector<int64_t> out;
  auto plain = [&](std::string_view s) {
    std::vector<int> v;
    const auto st = impl_->sp.Encode(s, &v);
    AL_CHECK(st.ok(), "{}: cannot encode text ({})", file_, st.ToString());
    out.insert(out.end(), v.begin(), v.end());
  };
  // Special tokens are cut out of the text (the leftmost first, as the reference's trie of added tokens);
  // the stretches between them are encoded by the model.
  const std::string_view t(text);
  size_t from = 0;
  for (size_t at = t.find('<'); at != std::string_view::npos; at = t.find('<', at)) {
    const size_t len = special_at(t, at, extra_ids_);
    if (len == 0) {
      ++at;
      continue;
    }
    plain(t.substr(from, at - from));
    out.push_back(token_id(std::string(t.substr(at, len))));
    at += len;
    from = at;
  }
  plain(t.substr(from));
  return out;
}

namespace {
Encoding finish(std::vector<int64_t> ids, int max_length, bool pad) {
  Encoding e;
  e.attention_mask.assign(ids.size(), 1);
  if (pad && static_cast<int>(ids.size()) < max_length) {
    e.attention_mask.resize(max_length, 0);
    ids.resize(max_length, 0);
  }
  e.token_type_ids.assign(ids.size(), 0);
  e.input_ids = std::move(ids);
  return e;
}
}  // namespace

Encoding SentencePiece::encode(const std::string& text, int max_length, bool pad_to_max_length) const {
  AL_CHECK(max_length >= 1, "sentencepiece: max_length {} leaves no room for </s>", max_length);
  auto v = ids(text);
  if (static_cast<int>(v.size()) > max_length - 1) v.resize(max_length - 1);
  v.push_back(1);
  return finish(std::move(v), max_length, pad_to_max_length);
}

Encoding SentencePiece::encode_pair(const std::string& a, const std::string& b, int max_length,
                                    bool pad_to_max_length) const {
  AL_CHECK(max_length >= 2, "sentencepiece: max_length {} leaves no room for two </s>", max_length);
  auto x = ids(a), y = ids(b);
  const auto n1 = static_cast<int64_t>(x.size()), n2 = static_cast<int64_t>(y.size());
  const auto [c1, c2] = longest_first_cuts(n1, n2, max_length - 2);
  x.resize(n1 - c1);
  y.resize(n2 - c2);
  x.push_back(1);
  x.insert(x.end(), y.begin(), y.end());
  x.push_back(1);
  return finish(std::move(x), max_length, pad_to_max_length);
}

}  // namespace adaptlab::text
