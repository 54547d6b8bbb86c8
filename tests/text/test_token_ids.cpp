// A dataset tokenizer with more ids than the text backbone has embedding rows: LibTorch's "index out of
// range in self" (a fatal device-side assert on CUDA) became an error naming both sizes, where the rows
// came from and the tokenizer's file (framework/text/token_ids.h). The CLI repro is in
// tests/faults/model_files.sh.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "backbones/bert/pretrained_text.h"
#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/backbone.h"
#include "framework/registry/registries.h"
#include "framework/text/token_ids.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("token ids beyond a text backbone's embedding rows are named, with the tokenizer", "[text][t5][bert]") {
  at::NoGradGuard g;
  auto t5 = registries().backbones.create(
      "t5",
      cfg::parse_string("{vocab_size: 60, d_model: 16, d_kv: 4, d_ff: 24, num_layers: 1, num_decoder_layers: 1, "
                        "num_heads: 4, relative_attention_num_buckets: 8, dropout: 0.0, label_ids: [5, 6, 7], "
                        "decoder_input: [0, 59]}", "t"),
      DataInfo{3, {4}});
  t5->eval();
  CHECK(t5->forward(at::tensor({3, 4, 59, 0}, at::kLong).reshape({1, 4})).sizes() == at::IntArrayRef({1, 3}));
  text::note_loaded_tokenizer({"/data/spiece.model", "sentencepiece", 900});
  const auto far = at::tensor({3, 4, 899, 0}, at::kLong).reshape({1, 4});
  CHECK_THROWS_WITH(t5->forward(far),
                    "t5: token id 899 does not fit the model's 60 embedding rows (the backbone option vocab_size); the "
                    "tokenizer /data/spiece.model (sentencepiece) gives 900 ids: use the tokenizer the model was "
                    "trained with (the dataset's vocab option), or a model with at least 900 rows");
  CHECK_THROWS_WITH(t5->forward(at::tensor({3, -4, 5, 0}, at::kLong).reshape({1, 4})),
                    "t5: token id -4 is negative (the model's 60 embedding rows are ids 0 to 59)");
  // Token types beside the ids ([B, 2, L]) are checked on the ids.
  CHECK_THROWS_WITH(t5->forward(at::stack({far, at::zeros_like(far)}, 1)), Catch::StartsWith("t5: token id 899 "));

  auto bert = registries().backbones.create(
      "bert",
      cfg::parse_string("{vocab_size: 50, hidden_size: 16, num_layers: 1, num_heads: 2, intermediate_size: 32, "
                        "max_position: 32, dropout: 0.0}", "t"),
      DataInfo{3, {4}});
  bert->eval();
  text::note_loaded_tokenizer({"/data/vocab.txt", "wordpiece", 30522});
  CHECK_THROWS_WITH(bert->forward(at::tensor({101, 7592, 102, 0}, at::kLong).reshape({1, 4})),
                    Catch::StartsWith("encoder: token id 7592 does not fit the model's 50 embedding rows (the backbone "
                                      "option vocab_size); the tokenizer /data/vocab.txt (wordpiece) gives 30522 ids"));
  // A tokenizer noted earlier that does fit is not blamed.
  text::note_loaded_tokenizer({"/data/small.txt", "wordpiece", 40});
  CHECK_THROWS_WITH(bert->forward(at::tensor({1, 77, 2, 0}, at::kLong).reshape({1, 4})),
                    Catch::Contains("(the backbone option vocab_size); the dataset's tokenizer gives more ids than the "
                                    "model has rows: ") && Catch::EndsWith("at least 78 rows"));
  CHECK(bert->forward(at::tensor({1, 49, 2, 0}, at::kLong).reshape({1, 4})).size(1) == 3);
}

TEST_CASE("a pretrained encoder's row count is named by its config.json", "[text][bert]") {
  const auto dir = test::fresh_dir("vocab-origin");
  const auto cfg = test::write_file(dir, "config.json", R"({"model_type": "bert", "vocab_size": 123})");
  const auto o = encoder_options_from_config(cfg);
  CHECK(o.vocab_size == 123);
  CHECK(o.vocab_origin == "vocab_size in " + cfg);
}
