// Our T5 against transformers' T5ForConditionalGeneration (v1.0: ReLU, tied and scaled LM head; v1.1:
// gated-GELU, unscaled) in float64 on identical weights, loaded from the folder save_pretrained wrote
// (tests/backbones/t5/reference_t5.py), and the relative position buckets against the reference function.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "backbones/t5/t5.h"
#include "framework/core/error.h"
#include "support/compare.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;
using test::rel_err;

namespace {
const std::string kScript = std::string(ADAPTLAB_TESTS_DIR) + "/backbones/t5/reference_t5.py";
// The reference's model folder <dir>/model as a classifier over three of its tokens, without dropout.
T5Options folder_options(const std::string& dir) {
  T5Options o;
  o.model = dir + "/model";
  o.label_ids = {5, 17, 119};
  o.decoder_input = {0, 119};
  o.dropout = 0.0;
  return o;
}

}  // namespace

TEST_CASE("T5 equals transformers' T5ForConditionalGeneration in float64 (v1.0 and v1.1, padding masked)",
          "[model][parity][t5]") {
  for (const std::string version : {"v1.0", "v1.1"}) {
    INFO("T5 " << version);
    const auto dir = test::fresh_dir("t5-parity-" + version);
    test::run_python(kScript, "model " + dir + " " + version);
    const auto ref = test::load_tensors(dir + "/ref.safetensors");
    T5Options o = folder_options(dir);
    auto folder = read_t5_folder(o);  // what make_t5(o) does, in float64 before the load
    auto t5 = make_t5(folder.options, 3, 30);
    t5->to(at::kDouble);
    load_t5_weights(*t5, std::move(folder));
    t5->eval();
    at::NoGradGuard g;
    const auto out = t5_outputs(*t5, ref.at("ids"));
    const double e_enc = rel_err(out.encoder_hidden, ref.at("encoder_hidden"));
    const double e_dec = rel_err(out.decoder_hidden, ref.at("decoder_hidden"));
    const double e_lm = rel_err(out.lm_logits, ref.at("lm_logits"));
    INFO("relative errors: encoder " << e_enc << ", decoder " << e_dec << ", LM logits " << e_lm);
    CHECK(e_enc <= 1e-10);
    CHECK(e_dec <= 1e-10);
    CHECK(e_lm <= 1e-10);
    // The classifier's scores are the label words' LM logits at the last decoder position.
    const auto cls = t5->forward(ref.at("ids"));
    CHECK(rel_err(cls, ref.at("lm_logits").index_select(1, at::tensor({5, 17, 119}))) <= 1e-10);
    CHECK(t5->class_tokens() == 0);
    CHECK(t5->head_prefix() == "shared.");  // transformers 5 ties the LM head in both versions
  }
}

TEST_CASE("T5 v1.1 with its own lm_head.weight (untied, unscaled) equals transformers' logits in float64",
          "[model][parity][t5]") {
  // Google's v1.1 folders: lm_head.weight beside shared.weight, "tie_word_embeddings": false.
  const auto dir = test::fresh_dir("t5-untied");
  test::run_python(kScript, "untied " + dir);
  const auto ref = test::load_tensors(dir + "/ref.safetensors");
  T5Options o = folder_options(dir);
  auto folder = read_t5_folder(o);
  CHECK_FALSE(folder.options.tie_word_embeddings);
  CHECK_FALSE(folder.options.scale_decoder_outputs);
  auto t5 = make_t5(folder.options, 3, 14);
  t5->to(at::kDouble);
  load_t5_weights(*t5, std::move(folder));
  t5->eval();
  CHECK(t5->head_prefix() == "lm_head.");
  auto params = t5->named_parameters();
  REQUIRE(params.find("lm_head.weight") != nullptr);
  CHECK(at::equal(params["lm_head.weight"].detach(), ref.at("lm_head")));
  at::NoGradGuard g;
  const auto out = t5_outputs(*t5, ref.at("ids"));
  const double dec_abs = (out.decoder_hidden - ref.at("decoder_hidden")).abs().max().item<double>();
  const double lm_abs = (out.lm_logits - ref.at("lm_logits")).abs().max().item<double>();
  INFO("max abs errors: decoder " << dec_abs << ", LM logits " << lm_abs << " (relative "
                                  << rel_err(out.lm_logits, ref.at("lm_logits")) << ")");
  CHECK(dec_abs <= 1e-12);
  CHECK(lm_abs <= 1e-12);
  CHECK(rel_err(out.lm_logits, ref.at("lm_logits")) <= 1e-12);
  // The tied, scaled head (`shared`, d_model^-0.5) gives other logits: the check above could fail.
  CHECK((ref.at("tied_logits") - ref.at("lm_logits")).abs().max().item<double>() > 1.0);
  const auto cls = t5->forward(ref.at("ids"));
  CHECK((cls - ref.at("lm_logits").index_select(1, at::tensor({5, 17, 119}))).abs().max().item<double>() <= 1e-12);
}

TEST_CASE("T5 relative position buckets equal the reference's for distances -300 to 300", "[model][t5]") {
  const auto dir = test::fresh_dir("t5-buckets");
  test::run_python(kScript, "buckets " + dir + "/b.safetensors");
  const auto ref = test::load_tensors(dir + "/b.safetensors");
  for (bool bi : {true, false})
    for (auto [nb, md] : {std::pair{32, 128}, {16, 20}, {8, 16}}) {
      INFO("bidirectional " << bi << ", buckets " << nb << ", max distance " << md);
      CHECK(at::equal(t5_position_buckets(ref.at("relative"), bi, nb, md),
                      ref.at(fmt::format("b{}_{}_{}", int(bi), nb, md))));
    }
}

TEST_CASE("T5 from a folder refuses size options and a wrong verbalizer", "[model][t5]") {
  const auto dir = test::fresh_dir("t5-errors");
  test::run_python(kScript, "model " + dir + " v1.0");
  T5Options o;
  o.model = dir + "/model";
  o.label_ids = {5, 6};
  o.decoder_input = {0, 119};
  o.d_model = 64;
  CHECK_THROWS_WITH(make_t5(o, 2, 8), Catch::Contains("the sizes come from " + dir + "/model/config.json; leave the "
                                                                                      "size options out"));
  o.d_model = T5Options().d_model;
  CHECK_THROWS_WITH(make_t5(o, 3, 8), Catch::Contains("the data has 3 classes but label_ids lists 2 vocabulary ids"));
  o.label_ids = {5, 600};
  CHECK_THROWS_WITH(make_t5(o, 2, 8), Catch::Contains("label id 600 is outside the vocabulary [0, 120)"));
  o.label_ids = {};
  o.label_words = {"yes", "no"};
  CHECK_THROWS_WITH(make_t5(o, 2, 8), Catch::Contains("/model: no spiece.model"));
}

TEST_CASE("T5 blocks refuse token ops, and head pruning selects the position bias of the kept heads", "[model][t5]") {
  T5Options o;
  o.vocab_size = 40;
  o.d_model = 16;
  o.d_kv = 4;
  o.d_ff = 24;
  o.num_layers = 2;
  o.num_decoder_layers = 1;
  o.num_heads = 4;
  o.relative_attention_num_buckets = 8;
  o.relative_attention_max_distance = 16;
  o.dropout = 0;
  o.label_ids = {3, 4};
  o.decoder_input = {0, 39};
  at::manual_seed(3);
  auto t5 = make_t5(o, 2, 9);
  t5->to(at::kDouble);
  t5->eval();
  const auto ids = at::randint(3, 40, {2, 9}, at::kLong);
  at::NoGradGuard g;
  // Pruning heads 1 and 3 away equals zeroing their rows of o's input (their outputs) in the unpruned model.
  const auto q = t5->named_parameters()["encoder.block.0.layer.0.SelfAttention.o.weight"];
  auto zeroed = q.clone();
  zeroed.narrow(1, 4, 4).zero_();
  zeroed.narrow(1, 12, 4).zero_();
  q.copy_(zeroed);
  const auto want = t5->forward(ids);
  t5->block(0).prune_heads({0, 2});
  CHECK(rel_err(t5->forward(ids), want) <= 1e-12);
  CHECK_THROWS_WITH(t5->block(1).add_token_op(TokenPoint::before_block, "tome", nullptr),
                    "'tome' changes the token sequence, which this backbone does not allow: its relative position "
                    "bias is computed for the input's tokens (T5)");
  t5->block(0).prune_heads({1});  // composes: original head 2
  CHECK(t5->block(0).num_heads() == 1);
  CHECK_NOTHROW(t5->forward(ids));
}
