// GLUE (Wang et al. 2019) from its TSV files as the GLUE download writes them, quirks and all
// (datasets/glue/README.md), as the Variator and Light-PEFT papers use it: the public dev set is the test
// split, and a seeded slice of train is the validation split (the GLUE test labels are not public).
// Single sentences (CoLA, SST-2) give token ids [n, L]; sentence pairs give ids and token types [n, 2, L]
// ([CLS] a [SEP] b [SEP]). STS-B is a regression (float scores, one output, MSE). Reports each task's
// metrics (acc; f1 for MRPC/QQP; mcc for CoLA; pearson, spearman for STS-B) as test.<metric>, the main one
// as test.score. Classes in Hugging Face's order (MNLI: entailment, neutral, contradiction).
#pragma once
#include <memory>
#include <string>

#include "framework/data/dataset.h"

namespace adaptlab {

struct GlueOptions {
  std::string task;                        // cola | sst2 | mrpc | qqp | stsb | mnli | mnli-mm | qnli | rte | wnli
  std::string dir;                         // the GLUE root holding CoLA/, SST-2/, MRPC/, ...
  std::string vocab = "all-MiniLM-L6-v2";  // tokenizer: a model folder (name under models/, or path), or a vocab.txt
  bool lower_case = true;                  // uncased WordPiece
  int max_length = 128;                    // token ids per example ([CLS] and [SEP]s included)
  int val_size = 1000;                     // train examples held out (seeded) as the validation split
  int train_size = 0;                      // 0: the rest of train; N: N of them
  int test_size = 0;                       // 0: the whole dev set; N: its first N
  int seed = 0;                            // which train examples are held out
  bool skip_bad_lines = false;             // skip (and count) malformed lines instead of stopping

  template <class V>
  void visit(V& v) {
    v.required("task", task, "cola, sst2, mrpc, qqp, stsb, mnli (matched dev), mnli-mm (mismatched), qnli, rte, wnli");
    v.required("dir", dir, "GLUE root folder (CoLA/, SST-2/, ... as the GLUE download script writes them)");
    v("vocab", vocab,
      "tokenizer: a model folder (a name under models/, or a path) with vocab.txt (WordPiece), vocab.json + "
      "merges.txt (RoBERTa's byte-level BPE) or spiece.model (T5: a </s> b </s>), or a path to a vocab.txt or "
      ".model file");
    v("lower_case", lower_case, "lower-case and strip accents before WordPiece (uncased models)");
    v("max_length", max_length, "token ids per example; longer texts are cut (pairs: the longer side first)");
    v("val_size", val_size, "train examples held out as the validation split (a seeded sample)");
    v("train_size", train_size, "train examples (0: all not held out)");
    v("test_size", test_size, "dev (test) examples: its first N (0: all)");
    v("seed", seed, "seed of the held-out sample");
    v("skip_bad_lines", skip_bad_lines, "skip and count malformed lines instead of failing on the first");
    v.check(max_length >= 3, "max_length", "must be >= 3");
    v.check(val_size > 0, "val_size", "must be > 0");
    v.check(train_size >= 0 && test_size >= 0, "train_size", "sizes must be >= 0 (0 = all)");
  }
};

std::unique_ptr<Dataset> make_glue(const GlueOptions& options);

}  // namespace adaptlab
