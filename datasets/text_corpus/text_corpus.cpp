#include "datasets/text_corpus/text_corpus.h"

#include <ATen/ATen.h>

#include <cstring>
#include <fstream>
#include <vector>

#include "framework/core/error.h"
#include "framework/registry/registries.h"
#include "framework/text/model_folder.h"
#include "framework/text/text_file.h"
#include "framework/text/tokenizer.h"

namespace adaptlab {
namespace {

class TextCorpus : public Dataset {
 public:
  explicit TextCorpus(const TextCorpusOptions& o) : o_(o) {
    std::ifstream f(o.file, std::ios::binary);
    AL_CHECK(f.good(), "{}: cannot read the corpus", o.file);
    // Lines end at "\n", "\r\n" or a lone "\r" (a CR-only file is not one passage), and a UTF-8 byte-order
    // mark before the first is stripped, as Python's `utf-8-sig` codec and pandas do (framework/text/text_file.h;
    // Hugging Face's GLUE script special-cases the "\ufeffQuality" a BOM leaves in MRPC, see datasets/glue).
    std::vector<std::string> lines;
    text::LineReader reader(f, o.file);
    for (std::string line; reader.next(line);)
      if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(std::move(line));
    const size_t held = static_cast<size_t>(o.val_size) + static_cast<size_t>(o.test_size);
    AL_CHECK(lines.size() > held, "{}: {} passages, not more than val_size + test_size = {}", o.file, lines.size(), held);
    size_t train_n = lines.size() - held;
    if (o.train_size > 0) {
      AL_CHECK(static_cast<size_t>(o.train_size) <= train_n, "{}: {} passages after val and test, fewer than train_size = {}",
               o.file, train_n, o.train_size);
      train_n = static_cast<size_t>(o.train_size);
    }
    // As glue's: a vocab.txt or .model file, or a folder (a path, or a model folder's name under models/)
    // with vocab.txt (WordPiece), vocab.json + merges.txt (byte-level BPE) or spiece.model (T5).
    const auto tok = load_model_tokenizer(o.vocab, o.lower_case);
    const auto encode = [&](size_t from, size_t n) {
      auto x = at::empty({static_cast<int64_t>(n), o.max_length}, at::kLong);
      int64_t* dst = x.data_ptr<int64_t>();
      for (size_t i = 0; i < n; ++i) {
        const auto enc = tok->encode(lines[from + i], o.max_length, /*pad_to_max_length=*/true);
        std::memcpy(dst + static_cast<int64_t>(i) * o.max_length, enc.input_ids.data(), sizeof(int64_t) * o.max_length);
      }
      return x;
    };
    x_[static_cast<int>(Split::val)] = encode(0, static_cast<size_t>(o.val_size));
    x_[static_cast<int>(Split::test)] = encode(static_cast<size_t>(o.val_size), static_cast<size_t>(o.test_size));
    x_[static_cast<int>(Split::train)] = encode(held, train_n);
    for (int s = 0; s < 3; ++s) y_[s] = at::zeros({x_[s].size(0)}, at::kLong);
  }

  DataInfo info() const override { return DataInfo{2, {o_.max_length}, false}; }
  const at::Tensor& inputs(Split s) const override { return x_[static_cast<int>(s)]; }
  const at::Tensor& labels(Split s) const override { return y_[static_cast<int>(s)]; }
  bool labelled() const override { return false; }
  std::vector<std::string> metric_names() const override { return {"unlabelled"}; }
  std::map<std::string, double> compute_metrics(const at::Tensor&, const at::Tensor&) const override {
    return {{"unlabelled", 0.0}};
  }

 private:
  TextCorpusOptions o_;
  at::Tensor x_[3], y_[3];
};

}  // namespace

std::unique_ptr<Dataset> make_text_corpus(const TextCorpusOptions& o) { return std::make_unique<TextCorpus>(o); }

void register_text_corpus(Registries& r) {
  add_entry<TextCorpusOptions>(r.datasets, "text_corpus",
                               "plain text without labels (WordPiece, BPE or SentencePiece ids), for label-free training (Variator "
                               "plugin pre-training)",
                               [](const TextCorpusOptions& o) { return make_text_corpus(o); },
      EntryMeta{.inputs = {{"file", InputPath::file}, {"vocab", InputPath::any, true}}});  // checked at plan time
}

}  // namespace adaptlab
