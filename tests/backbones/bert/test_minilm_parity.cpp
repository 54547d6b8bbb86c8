// The real pretrained all-MiniLM-L6-v2 (packaged weights, float32 upcast to float64) through our
// tokenizer and encoder against transformers' BertModel on the same ids.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "framework/core/build_info.h"
#include "backbones/bert/encoder.h"
#include "backbones/bert/pretrained_text.h"
#include "framework/text/wordpiece.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("pretrained all-MiniLM-L6-v2 equals transformers' BertModel on real sentences (float64)",
          "[model][parity]") {
  const auto dir = test::fresh_dir("minilm-parity");
  const std::string model_dir = pretrained_dir("all-MiniLM-L6-v2");
  const auto tok = text::WordPiece::load(model_dir + "/vocab.txt");
  const std::vector<std::string> sentences = {
      "A small dog runs across the frozen lake.", "Token merging makes vision transformers faster.",
      "Café déjà-vu: naïve façades!", "The quick brown fox jumps over the lazy dog, again and again and again.",
      "短い文です。"};
  const int L = 24;
  auto ids = at::empty({static_cast<int64_t>(sentences.size()), L}, at::kLong);
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto e = tok.encode(sentences[i], L, /*pad_to_max_length=*/true);
    for (int j = 0; j < L; ++j) ids[i][j] = e.input_ids[j];
  }
  CHECK(ids.eq(0).any().item<bool>());  // padding is exercised
  test::save_tensors(dir + "/in.safetensors", {{"ids", ids}});
  test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/backbones/bert/reference_minilm.py",
                   "'" + model_dir + "' " + dir + "/in.safetensors " + dir + "/ref.safetensors");
  const auto ref = test::load_tensors(dir + "/ref.safetensors");

  PretrainedTextOptions o;
  o.dropout = 0.0;
  auto enc = make_pretrained_text(o, 2, L);
  enc->to(at::kDouble);
  enc->eval();
  at::NoGradGuard g;
  const auto out = encoder_features(*enc, ids);
  const auto mask = ids.ne(0);
  // Padded positions are computed too (and masked everywhere downstream); compare real tokens.
  const auto diff = (out.last_hidden - ref.at("last_hidden")).abs().masked_fill(mask.logical_not().unsqueeze(-1), 0);
  const double err = diff.max().item<double>() / ref.at("last_hidden").abs().max().item<double>();
  INFO("relative error on real tokens " << err);
  CHECK(err <= 1e-10);
  // The sentence vector the head sees (pool: mean) against sentence-transformers' mean pooling.
  CHECK((out.pooled - ref.at("mean")).abs().max().item<double>() / ref.at("mean").abs().max().item<double>() <= 1e-10);
}
