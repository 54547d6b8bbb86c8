// Text classification from a folder of TSV files (e.g. data/wordnet-lex, built by tools/setup.sh):
//   labels.txt                 one label a line; the line number minus one is the class index
//   train.tsv val.tsv test.tsv `label<TAB>text` a line, no header; in the text \\ \t \n \r stand for a
//                              backslash, tab, newline and carriage return (any other escape is an error)
// Every text is WordPiece-encoded ([CLS] … [SEP], truncated, padded with the vocabulary's [PAD] id, which
// the text encoder masks out): inputs are int64 token ids [n, max_length], labels int64 [n].
// Every line of every file is checked; a bad one is an error naming file:line.
#pragma once
#include <memory>
#include <string>

#include "framework/data/dataset.h"

namespace adaptlab {

struct TextTsvOptions {
  std::string dir;                         // the folder; relative: to the sweep's project folder
  std::string vocab = "all-MiniLM-L6-v2";  // model folder name under models/, or a path to a model folder or a vocab.txt
  int max_length = 32;                     // token ids per example, [CLS] and [SEP] included
  bool lower_case = true;                  // uncased WordPiece (as all-MiniLM-L6-v2 was trained)
  int train_size = 0;                      // 0 = the whole split; N = its first N examples
  int val_size = 0;                        // 0 = the whole split; N = its first N examples
  int test_size = 0;                       // 0 = the whole split; N = its first N examples

  template <class V>
  void visit(V& v) {
    v.required("dir", dir, "folder with labels.txt and train/val/test.tsv (relative paths: to the sweep's project folder)");
    v("vocab", vocab,
      "WordPiece vocabulary: a model folder name under models/ (or $ADAPTLAB_MODELS_DIR), or a path to a model "
      "folder or to a vocab.txt");
    v("max_length", max_length, "token ids per example, [CLS] and [SEP] included (shorter texts are padded)");
    v("lower_case", lower_case, "lower-case and strip accents before WordPiece (uncased models)");
    v("train_size", train_size, "train examples: the split's first N (0 = all)");
    v("val_size", val_size, "validation examples: the split's first N (0 = all)");
    v("test_size", test_size, "test examples: the split's first N (0 = all)");
    v.check(!dir.empty(), "dir", "must not be empty");
    v.check(!vocab.empty(), "vocab", "must not be empty");
    v.check(max_length >= 2, "max_length", "must be >= 2 (room for [CLS] and [SEP])");
    v.check(train_size >= 0 && val_size >= 0 && test_size >= 0, "train_size", "split sizes must be >= 0 (0 = all)");
  }
};

// The vocab.txt that `vocab` names (an error saying where it looked when there is none).
std::string text_tsv_vocab_path(const std::string& vocab);

std::unique_ptr<Dataset> make_text_tsv(const TextTsvOptions& options);

}  // namespace adaptlab
