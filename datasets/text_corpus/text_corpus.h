// Plain text without labels, for label-free training (Variator's plugin pre-training, distill: hidden):
// one passage a line (blank lines skipped), each WordPiece-encoded as [CLS] … [SEP], truncated and padded
// to max_length. The first val_size and the next test_size passages are the validation and test splits,
// the rest (or its first train_size) the training split. Labels are all 0 and mean nothing: training on
// it needs a method that leaves the task loss out (Dataset::labelled() is false), and its only metric,
// `unlabelled`, is 0. data/wordnet-corpus (tools/data/build_wordnet_corpus.py) is one such corpus.
#pragma once
#include <memory>
#include <string>

#include "framework/data/dataset.h"

namespace adaptlab {

struct TextCorpusOptions {
  std::string file;                        // plain text, one passage a line
  std::string vocab = "all-MiniLM-L6-v2";  // tokenizer, as glue's
  int max_length = 64;
  bool lower_case = true;
  int train_size = 0;  // 0 = every passage left after val and test
  int val_size = 64;
  int test_size = 64;

  template <class V>
  void visit(V& v) {
    v.required("file", file, "plain-text file, one passage a line (blank lines skipped)");
    v("vocab", vocab,
      "tokenizer (as glue's): a model folder (a name under models/, or a path) with vocab.txt, vocab.json + "
      "merges.txt or spiece.model, or a path to a vocab.txt or .model file");
    v("max_length", max_length, "token ids per passage, [CLS] and [SEP] included");
    v("lower_case", lower_case, "lower-case and strip accents before WordPiece (uncased models)");
    v("train_size", train_size, "training passages: the first N after val and test (0 = all of them)");
    v("val_size", val_size, "validation passages: the file's first N");
    v("test_size", test_size, "test passages: the N after the validation ones");
    v.check(max_length >= 2, "max_length", "must be >= 2 (room for [CLS] and [SEP])");
    v.check(train_size >= 0, "train_size", "must be >= 0 (0 = all)");
    v.check(val_size >= 1 && test_size >= 1, "val_size", "val_size and test_size must be >= 1");
  }
};

std::unique_ptr<Dataset> make_text_corpus(const TextCorpusOptions& options);

}  // namespace adaptlab
