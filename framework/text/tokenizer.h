// What datasets need from a tokenizer: a text or a sentence pair as model inputs (ids, attention mask,
// token types), truncated and padded to a length. WordPiece (BERT family, vocab.txt) and byte-level
// BPE (RoBERTa / GPT-2 family, vocab.json + merges.txt) implement it; load_tokenizer picks by the files.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace adaptlab::text {

struct Encoding {
  std::vector<int64_t> input_ids, attention_mask, token_type_ids;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // The model's special-token layout around one text, truncated to max_length, padded when asked.
  virtual Encoding encode(const std::string& text, int max_length, bool pad_to_max_length) const = 0;
  // The same for a pair (longest-first truncation as Hugging Face's tokenizers).
  virtual Encoding encode_pair(const std::string& a, const std::string& b, int max_length,
                               bool pad_to_max_length) const = 0;
  virtual int64_t pad_id() const = 0;
  // One more than the largest id encode() can give: the embedding rows a model needs for it.
  virtual int64_t id_count() const = 0;
  virtual std::string kind() const = 0;  // "wordpiece" | "bpe" | "sentencepiece"
};

// A WordPiece vocab.txt (or a folder holding one), a folder with vocab.json + merges.txt (byte-level
// BPE with RoBERTa's special tokens), or a SentencePiece .model (or a folder with spiece.model: T5). `lower_case` applies to WordPiece. Errors say what was looked for.
// The tokenizer loaded is noted (framework/text/token_ids.h: its file and id count) for the backbones'
// token-id checks to name in their errors.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path, bool lower_case);

// Hugging Face's truncation="longest_first" for a pair: how many pieces to cut from each side so that
// n1 + n2 fits `room` — the longer side first down to the other's length, the rest split, the second
// side taking the odd one.
std::pair<int64_t, int64_t> longest_first_cuts(int64_t n1, int64_t n2, int64_t room);

}  // namespace adaptlab::text
