// Token ids against a text model's embedding rows. A dataset encodes with one tokenizer (its `vocab`
// option) and the backbone embeds with its own vocabulary size (an option, or its config.json); when the
// tokenizer has more ids than the model has rows, LibTorch's embedding fails with "index out of range in
// self" on the CPU and a fatal device-side assert on CUDA. check_token_ids says what does not fit instead.
//
// The dataset and the backbone are built apart (the backbone sees only DataInfo), so load_tokenizer notes
// the tokenizer it loaded (its file and id count) and the check names it when it is the one that does not
// fit. The note is a process-wide "last loaded": in a run (one per process) that is the dataset's.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>

namespace adaptlab::text {

struct LoadedTokenizer {
  std::string file;  // vocab.txt, vocab.json or the .model
  std::string kind;  // wordpiece | bpe | sentencepiece
  int64_t id_count = 0;
};
void note_loaded_tokenizer(const LoadedTokenizer& t);
std::optional<LoadedTokenizer> last_loaded_tokenizer();

// An adaptlab::Error unless every id in `ids` lies in [0, rows): "<model>: token id 899 does not fit the
// model's 60 embedding rows (<rows_from>); the tokenizer <file> (sentencepiece) gives 900 ids: …".
// `rows_from` says where the row count came from ("vocab_size in <dir>/config.json", "the option
// vocab_size"). One reduction and one device-to-host copy of two numbers.
void check_token_ids(const at::Tensor& ids, int64_t rows, const std::string& model, const std::string& rows_from);

}  // namespace adaptlab::text
