// Byte-level BPE (GPT-2, RoBERTa): the same tokens and ids as Hugging Face's RobertaTokenizer (the
// `tokenizers` ByteLevel pre-tokenizer with add_prefix_space=False, and the BPE model of a vocab.json
// and merges.txt). Pipeline: split the text with GPT-2's pattern ('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+|
// ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+, ICU's regex engine) → each piece's UTF-8 bytes as the
// printable code points of bytes_to_unicode → merges by rank → ids. RoBERTa's layout: <s> a </s>, and
// <s> a </s></s> b </s> for pairs; token types all 0.
#pragma once
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "framework/text/tokenizer.h"

namespace adaptlab::text {

class ByteLevelBpe : public Tokenizer {
 public:
  // Errors name the file and line (a merge that is not two tokens, a vocabulary that is not a JSON
  // object of ids, missing <s> </s> <pad> <unk>).
  static std::unique_ptr<ByteLevelBpe> load(const std::string& vocab_json, const std::string& merges_txt);
  std::vector<std::string> tokenize(const std::string& text) const;  // BPE tokens (byte-mapped strings)
  std::vector<int64_t> ids(const std::string& text) const;
  Encoding encode(const std::string& text, int max_length, bool pad_to_max_length) const override;
  Encoding encode_pair(const std::string& a, const std::string& b, int max_length, bool pad_to_max_length) const override;
  int64_t pad_id() const override { return pad_; }
  std::string kind() const override { return "bpe"; }
  int64_t id_count() const override { return id_count_; }
  int64_t bos_id() const { return bos_; }
  int64_t eos_id() const { return eos_; }

 private:
  std::vector<std::string> bpe(const std::string& mapped) const;  // one pre-token's merges
  std::unordered_map<std::string, int64_t> vocab_;
  std::unordered_map<std::string, int> ranks_;  // "a b" → rank
  std::vector<std::string> byte_char_;          // byte → its code point as UTF-8
  int64_t bos_ = 0, eos_ = 0, pad_ = 0, unk_ = 0;
  int64_t id_count_ = 0;  // the largest id in vocab.json + 1
};

}  // namespace adaptlab::text
