// BERT's WordPiece tokenizer (uncased): the same tokens and ids as Hugging Face's BertTokenizer
// (the pure-Python one; `BertTokenizerLegacy` in transformers 5) with do_lower_case=True,
// strip_accents following lower-casing and tokenize_chinese_chars=True.
//
// Pipeline of tokenize(): the special tokens ([CLS] [SEP] [PAD] [UNK] [MASK], written exactly so)
// are cut out of the text first and kept whole; every other stretch goes through
//   clean (drop U+0000, U+FFFD and categories C* except \t \n \r; \t \n \r and Zs become spaces)
//   → spaces around CJK ideographs → NFC → split on whitespace
//   → lower-case + NFD + drop Mn (when lower_case) → split off punctuation (ASCII symbols and P*)
//   → greedy longest-match-first WordPiece with "##" continuations (> 100 code points: [UNK]).
// Unicode data (categories, case mapping, normalisation) comes from ICU. Invalid UTF-8 in the
// input decodes to U+FFFD, which the cleaning step drops.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "framework/text/tokenizer.h"

namespace adaptlab::text {

class WordPiece : public Tokenizer {
 public:
  // Reads a vocab.txt (one token a line; the line number minus one is the id). Throws adaptlab::Error
  // naming the file when it cannot be read, is empty, lacks [CLS]/[SEP]/[PAD]/[UNK], or repeats a token
  // (naming the line). A vocab without [MASK] gets it appended as one more entry, as Hugging Face does.
  static WordPiece load(const std::string& vocab_txt_path, bool lower_case = true);

  // Word pieces of `text`, without [CLS]/[SEP].
  std::vector<std::string> tokenize(const std::string& text) const;
  // Their ids.
  std::vector<int64_t> ids(const std::string& text) const;

  using Encoding = text::Encoding;
  // [CLS] pieces… [SEP], the pieces truncated so that the whole is at most max_length (>= 2) ids;
  // with pad_to_max_length, [PAD] ids (attention mask 0) fill it up to max_length. Token types are 0.
  Encoding encode(const std::string& text, int max_length, bool pad_to_max_length) const override;
  // A sentence pair: [CLS] a… [SEP] b… [SEP], token types 0 up to the first [SEP] and 1 after it. When
  // the whole exceeds max_length (>= 3), pieces are cut from the ends as Hugging Face's
  // truncation="longest_first" does: the longer side first down to the other's length, the rest
  // shared, the second side taking the odd one.
  Encoding encode_pair(const std::string& a, const std::string& b, int max_length,
                       bool pad_to_max_length) const override;

  // Id of a vocabulary entry; the [UNK] id when it is not one.
  int64_t id(const std::string& token) const;
  // The entry with that id; throws adaptlab::Error when out of range.
  const std::string& token(int64_t id) const;
  // Entries, [MASK] included when it was appended.
  size_t vocab_size() const { return tokens_.size(); }
  int64_t id_count() const override { return static_cast<int64_t>(tokens_.size()); }

  int64_t cls_id() const { return cls_; }
  int64_t sep_id() const { return sep_; }
  int64_t pad_id() const override { return pad_; }
  std::string kind() const override { return "wordpiece"; }
  int64_t unk_id() const { return unk_; }

 private:
  WordPiece() = default;
  // Basic tokenization + WordPiece of a stretch of text without special tokens, appended to `out`.
  void tokenize_plain(const std::string& text, std::vector<std::string>& out) const;
  // WordPiece of one word (no whitespace, already normalised), appended to `out`.
  void wordpiece(const std::u32string& word, std::vector<std::string>& out) const;

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> ids_;
  std::vector<std::string> specials_;  // [CLS] [SEP] [PAD] [UNK] [MASK]: cut out of the text before tokenizing
  size_t max_piece_bytes_ = 0;         // longest entry, in UTF-8 bytes: no longer candidate can match
  bool lower_case_ = true;
  int64_t cls_ = -1, sep_ = -1, pad_ = -1, unk_ = -1;
  std::string path_;
};

}  // namespace adaptlab::text
