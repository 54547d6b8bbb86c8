// T5's tokenizer: a SentencePiece model (spiece.model) through Debian's libsentencepiece, with the
// layout of transformers' T5Tokenizer: pieces, then </s> (id 1); a pair is a </s> b </s>; padding id 0;
// the 100 sentinels <extra_id_0> … <extra_id_99> take the ids after the model's pieces in reverse
// (<extra_id_0> = pieces + 99). Special tokens written in the text (<extra_id_N>, </s>, <pad>, <unk>) are
// single ids, as the reference's added tokens; the text between them is encoded by the model (its own
// normaliser: NFKC, whitespace collapsed). As in the reference, only the registered strings are special:
// "<extra_id_N>" with N < extra_ids written without leading zeros; "<extra_id_100>", "<extra_id_007>" or
// "<extra_id_" followed by any number of digits is ordinary text (found by a linear scan, no regex).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "framework/text/tokenizer.h"

namespace adaptlab::text {

class SentencePiece : public Tokenizer {
 public:
  // `model_file`: a SentencePiece model; an error naming the file when it does not load.
  explicit SentencePiece(const std::string& model_file, int extra_ids = 100);
  ~SentencePiece() override;

  Encoding encode(const std::string& text, int max_length, bool pad_to_max_length) const override;
  Encoding encode_pair(const std::string& a, const std::string& b, int max_length,
                       bool pad_to_max_length) const override;
  int64_t pad_id() const override { return 0; }
  std::string kind() const override { return "sentencepiece"; }

  // The ids of a text without </s> (special tokens recognised).
  std::vector<int64_t> ids(const std::string& text) const;
  // The id of one token ("<extra_id_0>", "▁positive"), or -1 when the vocabulary lacks it.
  int64_t token_id(const std::string& token) const;
  int64_t vocab_size() const;  // pieces + sentinels
  int64_t id_count() const override { return vocab_size(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int extra_ids_;
  std::string file_;
};

}  // namespace adaptlab::text
