#include "framework/text/sentencepiece.h"

#include <sentencepiece_processor.h>

#include <regex>

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

int64_t SentencePiece::token_id(const std::string& token) const {
  static const std::regex sentinel(R"(<extra_id_(\d+)>)");
  std::smatch m;
  if (std::regex_match(token, m, sentinel)) {
    const long i = std::stol(m[1]);
    return i < extra_ids_ ? impl_->sp.GetPieceSize() + extra_ids_ - 1 - i : -1;
  }
  const int id = impl_->sp.PieceToId(token);
  return id == impl_->sp.unk_id() && token != "<unk>" ? -1 : id;
}

std::vector<int64_t> SentencePiece::ids(const std::string& text) const {
  static const std::regex special(R"(<extra_id_\d+>|</s>|<pad>|<unk>)");
  std::vector<int64_t> out;
  auto plain = [&](const std::string& s) {
    std::vector<int> v;
    const auto st = impl_->sp.Encode(s, &v);
    AL_CHECK(st.ok(), "{}: cannot encode text ({})", file_, st.ToString());
    out.insert(out.end(), v.begin(), v.end());
  };
  if (text.find('<') == std::string::npos) {  // no special token possible: skip the regex (most texts)
    plain(text);
    return out;
  }
  auto it = std::sregex_iterator(text.begin(), text.end(), special);
  size_t at = 0;
  for (; it != std::sregex_iterator(); ++it) {
    const int64_t id = token_id(it->str());
    if (id < 0) continue;  // <extra_id_N> beyond the sentinels: plain text
    plain(text.substr(at, it->position() - at));
    out.push_back(id);
    at = it->position() + it->length();
  }
  plain(text.substr(at));
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
