// RoBERTa's classification head (`head: roberta`, the default for a RoBERTa-shaped checkpoint) against
// transformers' RobertaForSequenceClassification in float64 (tests/backbones/bert/reference_roberta_head.py):
// a tiny folder laid out as roberta-large's (pooler and MLM head, no classifier) gets a new head drawn as
// transformers draws it (weights N(0, initializer_range), biases 0), and with that head copied into
// transformers the logits and the gradients of the cross-entropy agree; a folder saved from
// RobertaForSequenceClassification (classifier.*, no pooler) loads its classifier into head.* and agrees
// as saved.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <set>

#include "backbones/bert/encoder.h"
#include "backbones/bert/pretrained_text.h"
#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "support/compare.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;
using test::rel_err;

namespace {
const std::string kScript = std::string(ADAPTLAB_TESTS_DIR) + "/backbones/bert/reference_roberta_head.py";
const std::vector<std::string> kHead = {"head.dense.weight", "head.dense.bias", "head.out_proj.weight",
                                        "head.out_proj.bias"};
double max_abs(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

// Our logits and gradients (float64, eval, one cross-entropy backward) against the reference's.
void check_against(Backbone& enc, const std::map<std::string, at::Tensor>& in,
                   const std::map<std::string, at::Tensor>& ref) {
  auto params = enc.named_parameters();
  const auto logits = enc.forward(in.at("ids"));
  INFO("logits: max abs error " << max_abs(logits, ref.at("logits")) << ", relative " << rel_err(logits, ref.at("logits")));
  CHECK(max_abs(logits, ref.at("logits")) <= 1e-12);
  CHECK(rel_err(logits, ref.at("logits")) <= 1e-12);
  at::cross_entropy_loss(logits, in.at("labels")).backward();
  for (const std::string n : {"head.dense.weight", "head.dense.bias", "head.out_proj.weight", "head.out_proj.bias",
                              "encoder.layer.1.attention.self.query.weight", "embeddings.word_embeddings.weight"}) {
    INFO("gradient of " << n);
    REQUIRE(params[n].grad().defined());
    INFO("max abs error " << max_abs(params[n].grad(), ref.at("grad." + n)) << ", relative "
                          << rel_err(params[n].grad(), ref.at("grad." + n)));
    CHECK(max_abs(params[n].grad(), ref.at("grad." + n)) <= 1e-12);
    CHECK(rel_err(params[n].grad(), ref.at("grad." + n)) <= 1e-10);
  }
}
}  // namespace

TEST_CASE("RoBERTa-shaped checkpoints get RobertaForSequenceClassification's head with equal logits and gradients in float64",
          "[model][parity]") {
  const auto dir = test::fresh_dir("roberta-head");
  test::run_python(kScript, "fixture " + dir);
  const auto in = test::load_tensors(dir + "/ids.safetensors");
  PretrainedTextOptions o;  // pool and head: auto
  o.model = dir + "/model";
  o.dropout = 0.0;
  at::manual_seed(5);
  auto enc = make_pretrained_text(o, 3, 12);  // lm_head.* and the unused pooler do not stop the load
  auto params = enc->named_parameters();
  REQUIRE(params.find("head.weight") == nullptr);
  for (const auto& n : kHead) REQUIRE(params.find(n) != nullptr);
  CHECK(params.find("pooler.dense.weight") != nullptr);  // loaded, not used by pool: cls
  CHECK(params["head.dense.weight"].sizes() == at::IntArrayRef({32, 32}));
  CHECK(params["head.out_proj.weight"].sizes() == at::IntArrayRef({3, 32}));
  // No classifier.* in the folder: transformers' initialisation, weights N(0, initializer_range = 0.05 in
  // its config.json; the option's default is 0.02), biases 0.
  const double sd = params["head.dense.weight"].std().item<double>();
  INFO("head.dense.weight std " << sd);
  CHECK(sd > 0.046);
  CHECK(sd < 0.054);
  CHECK(std::abs(params["head.dense.weight"].mean().item<double>()) < 0.005);
  CHECK(params["head.out_proj.weight"].std().item<double>() > 0.035);
  CHECK(params["head.out_proj.weight"].std().item<double>() < 0.065);
  CHECK(params["head.dense.bias"].abs().max().item<double>() == 0.0);
  CHECK(params["head.out_proj.bias"].abs().max().item<double>() == 0.0);

  // A classifier's folder (RobertaForSequenceClassification.save_pretrained's names): classifier.* load
  // into head.*, and it has no pooler.
  PretrainedTextOptions oc = o;
  oc.model = dir + "/cls";
  auto cls = make_pretrained_text(oc, 3, 12);
  CHECK(cls->named_parameters().find("pooler.dense.weight") == nullptr);
  PretrainedTextOptions op = oc;
  op.pool = "pooler";
  CHECK_THROWS_WITH(make_pretrained_text(op, 3, 12),
                    Catch::Contains("/cls/model.safetensors: pool: pooler but the checkpoint has no pooler.dense"));

  enc->to(at::kDouble);
  enc->eval();
  cls->to(at::kDouble);
  cls->eval();
  params = enc->named_parameters();
  std::map<std::string, at::Tensor> ours = {{"ids", in.at("ids")}, {"labels", in.at("labels")}};
  for (const auto& n : kHead) ours[n] = params[n].detach();
  test::save_tensors(dir + "/ours.safetensors", ours);
  test::run_python(kScript, "reference " + dir);
  const auto ref = test::load_tensors(dir + "/ref.safetensors");
  const auto ref_cls = test::load_tensors(dir + "/ref-cls.safetensors");
  CHECK(ref.at("unused_pooler").item<double>() == 1.0);  // RobertaForSequenceClassification has no pooler
  {
    INFO("random head, copied into transformers");
    check_against(*enc, in, ref);
  }
  {
    INFO("the folder's classifier.*");
    auto cp = cls->named_parameters();
    for (const auto& n : kHead) {
      INFO(n);
      CHECK(at::equal(cp[n].detach(), ref_cls.at(n)));
    }
    CHECK(cp["head.dense.bias"].abs().max().item<double>() > 0.1);  // not a fresh head
    check_against(*cls, in, ref_cls);
  }

  // The explicit options still win: the checkpoint's pooler and one Linear, as before.
  o.pool = "pooler";
  o.head = "linear";
  auto lin = make_pretrained_text(o, 3, 12);
  CHECK(lin->named_parameters().find("head.weight") != nullptr);
  CHECK(lin->named_parameters().find("head.dense.weight") == nullptr);
}

TEST_CASE("the RoBERTa head is trained by LoRA and Light-PEFT and linear probing", "[model]") {
  EncoderOptions o;
  o.vocab_size = 50;
  o.hidden_size = 16;
  o.num_layers = 2;
  o.num_heads = 2;
  o.intermediate_size = 32;
  o.max_position = 32;
  o.head = "roberta";
  for (const std::string name : {"lora", "lightpeft", "linear"}) {
    INFO("method " << name);
    auto b = make_encoder(o, 3, 10);
    const auto& item = registries().methods.item(name);
    auto m = registries().methods.create(
        name, cfg::parse_string(item.meta.example_options.empty() ? "{}" : item.meta.example_options, name));
    m->attach(*b);
    const auto names = m->trainable(*b);
    const std::set<std::string> got(names.begin(), names.end());
    for (const auto& n : kHead) CHECK(got.count(n) == 1);
  }
  CHECK_THROWS_WITH(registries().backbones.create("bert", cfg::parse_string("{head: mlp}", "test"), DataInfo{3, {10}}),
                    Catch::Contains("must be linear or roberta"));
}
