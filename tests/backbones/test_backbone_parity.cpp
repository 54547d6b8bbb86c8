// Our ViT and text encoder against timm's VisionTransformer and transformers' BertModel on identical
// weights and inputs, in float64 (tests/backbones/reference_backbones.py writes the weights and outputs).
#include <catch2/catch.hpp>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <fstream>

#include "framework/model/checkpoint.h"
#include "backbones/bert/encoder.h"
#include "backbones/vit/vit.h"
#include "support/tensor_file.h"
#include "support/compare.h"
#include "support/tmp.h"

using namespace adaptlab;
using test::rel_err;

namespace {

const std::string kScript = std::string(ADAPTLAB_TESTS_DIR) + "/backbones/reference_backbones.py";

// The sizes reference_backbones.py gives its BertModel and RobertaModel.
EncoderOptions reference_encoder_sizes() {
  EncoderOptions o;
  o.vocab_size = 100;
  o.hidden_size = 32;
  o.num_layers = 2;
  o.num_heads = 4;
  o.intermediate_size = 64;
  o.max_position = 40;
  return o;
}

// Splits the reference file into the model's tensors and the "__"-prefixed test data.
std::map<std::string, at::Tensor> split(std::map<std::string, at::Tensor>& all) {
  std::map<std::string, at::Tensor> data;
  for (auto it = all.begin(); it != all.end();) {
    if (it->first.rfind("__", 0) == 0) {
      data[it->first.substr(2)] = it->second;
      it = all.erase(it);
    } else {
      ++it;
    }
  }
  return data;
}

}  // namespace

TEST_CASE("ViT equals timm's VisionTransformer in float64, also after a pos_embed resize", "[model][parity]") {
  const auto dir = test::fresh_dir("vit-parity");
  test::run_python(kScript, "vit " + dir + "/ref.safetensors");
  auto weights = test::load_tensors(dir + "/ref.safetensors");
  const auto data = split(weights);
  ViTOptions o;
  o.img_size = 16;
  o.patch_size = 4;
  o.embed_dim = 48;
  o.depth = 3;
  o.num_heads = 4;
  o.mlp_ratio = 2.0;
  auto vit = make_vit(o, 7);
  vit->to(at::kDouble);
  vit->eval();
  const auto rep = load_checkpoint(*vit, weights, "timm-vit");
  CHECK(rep.missing.empty());
  CHECK(rep.skipped.empty());
  const double err = rel_err(vit->forward(data.at("images")), data.at("logits"));
  INFO("relative error " << err);
  CHECK(err <= 1e-12);

  o.img_size = 24;
  auto big = make_vit(o, 7);
  big->to(at::kDouble);
  big->eval();
  const auto rep24 = load_checkpoint(*big, weights, "timm-vit");
  REQUIRE(rep24.resized.size() == 1);
  CHECK(rep24.resized[0] == "pos_embed [1, 17, 48] -> [1, 37, 48]");
  CHECK(rel_err(big->named_parameters()["pos_embed"], data.at("pos_embed24")) <= 1e-7);  // float32 resample
  const double err24 = rel_err(big->forward(data.at("images24")), data.at("logits24"));
  INFO("relative error after resize " << err24);
  CHECK(err24 <= 1e-12);
}

TEST_CASE("text encoder equals transformers' BertModel in float64 (padding masked)", "[model][parity]") {
  const auto dir = test::fresh_dir("bert-parity");
  test::run_python(kScript, "bert " + dir + "/ref.safetensors");
  auto weights = test::load_tensors(dir + "/ref.safetensors");
  const auto data = split(weights);
  EncoderOptions o = reference_encoder_sizes();
  auto enc = make_encoder(o, 3, 12);
  enc->to(at::kDouble);
  enc->eval();
  const auto rep = load_checkpoint(*enc, weights, "hf-bert");
  CHECK(rep.missing.empty());
  REQUIRE(rep.skipped.size() == 2);  // head.weight, head.bias: BertModel has no classifier
  const auto out = encoder_features(*enc, data.at("ids"));
  const double err_h = rel_err(out.last_hidden, data.at("last_hidden"));
  const double err_p = rel_err(out.pooler, data.at("pooler"));
  INFO("relative errors: hidden " << err_h << ", pooler " << err_p);
  CHECK(err_h <= 1e-12);
  CHECK(err_p <= 1e-12);
}

TEST_CASE("checkpoint problems are listed by name with shapes", "[model]") {
  ViTOptions o;
  o.img_size = 8;
  o.patch_size = 4;
  o.embed_dim = 16;
  o.depth = 1;
  o.num_heads = 2;
  auto vit = make_vit(o, 3);
  std::map<std::string, at::Tensor> sd;
  for (auto& p : vit->named_parameters()) sd[p.key()] = p.value().detach().clone();
  sd.erase("blocks.0.norm1.weight");
  sd["blocks.0.attn.qkv.weight"] = at::zeros({48, 8});
  sd["blocks.0.attn.q_norm.weight"] = at::zeros({8});
  REQUIRE_THROWS_WITH(load_checkpoint(*vit, sd, "ck.safetensors"),
                      "ck.safetensors: checkpoint does not fit the model: 1 missing: blocks.0.norm1.weight; "
                      "1 unexpected: blocks.0.attn.q_norm.weight [8]; 1 with a different shape or dtype: "
                      "blocks.0.attn.qkv.weight (checkpoint [48, 8], model [48, 16])");
  // A head for another task is skipped, not an error.
  sd.erase("blocks.0.attn.q_norm.weight");
  sd["blocks.0.attn.qkv.weight"] = at::zeros({48, 16});
  sd["blocks.0.norm1.weight"] = at::ones({16});
  sd["head.weight"] = at::zeros({1000, 16});
  sd["head.bias"] = at::zeros({1000});
  const auto rep = load_checkpoint(*vit, sd, "ck.safetensors");
  CHECK(rep.skipped.size() == 2);
  CHECK(rep.summary().find("not loaded (new task): head.weight (checkpoint [1000, 16], model [3, 16])") !=
        std::string::npos);
  // An integer tensor in place of floats is refused, not cast; a pos_embed without patch positions is
  // an error naming the file, not a LibTorch failure.
  auto bad = sd;
  bad["blocks.0.norm1.weight"] = at::ones({16}, at::kLong);
  REQUIRE_THROWS_WITH(load_checkpoint(*vit, bad, "ck.safetensors"),
                      "ck.safetensors: checkpoint does not fit the model: 1 with a different shape or dtype: "
                      "blocks.0.norm1.weight (checkpoint dtype Long, model Float)");
  bad = sd;
  bad["pos_embed"] = at::zeros({1, 1, 16});
  REQUIRE_THROWS_WITH(load_checkpoint(*vit, bad, "ck.safetensors"),
                      "ck.safetensors: pos_embed: the checkpoint's pos_embed [1, 1, 16] has no patch positions (only 1 "
                      "prefix tokens)");
}

TEST_CASE("ViT presets have exactly timm's parameter names and shapes (Ti/S/B/L/H, patch 14/16, DeiT)",
          "[model][parity]") {
  const std::vector<std::string> presets = {"vit_tiny_patch16_224",  "vit_small_patch16_224", "vit_base_patch16_224",
                                            "vit_large_patch16_224", "vit_huge_patch14_224",  "deit_small_patch16_224",
                                            "vit_base_patch16_384"};
  const auto dir = test::fresh_dir("vit-shapes");
  std::string args;
  for (const auto& p : presets) args += " " + p;
  test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/backbones/vit/reference_vit_shapes.py", args + " > " + dir + "/shapes.txt");
  std::map<std::string, std::map<std::string, std::string>> timm;
  {
    std::ifstream f(dir + "/shapes.txt");
    std::string model, name, shape;
    while (f >> model >> name >> shape) timm[model][name] = shape;
  }
  REQUIRE(timm.size() == presets.size());
  for (const auto& p : presets) {
    INFO(p);
    ViTOptions o;
    o.preset = p;
    const ViTOptions r = resolve_vit_preset(o);
    // Shapes only: build on the meta device would need options plumbing; the tiny/small/base ones are
    // cheap to build, the large/huge ones are checked by arithmetic on the resolved sizes.
    std::map<std::string, std::string> ours;
    if (r.embed_dim <= 768) {
      auto b = make_vit(r, 10);
      for (auto& t : b->named_parameters()) {
        std::string s;
        for (auto d : t.value().sizes()) {
          if (!s.empty()) s += 'x';
          s += std::to_string(d);
        }
        ours[t.key()] = s;
      }
      CHECK(ours == timm.at(p));
    } else {
      const auto& t = timm.at(p);
      const int64_t c = r.embed_dim, g = r.img_size / r.patch_size;
      CHECK(t.at("patch_embed.proj.weight") == fmt::format("{}x3x{}x{}", c, r.patch_size, r.patch_size));
      CHECK(t.at("pos_embed") == fmt::format("1x{}x{}", g * g + 1, c));
      CHECK(t.at("blocks." + std::to_string(r.depth - 1) + ".mlp.fc1.weight") == fmt::format("{}x{}", 4 * c, c));
      CHECK(t.count("blocks." + std::to_string(r.depth) + ".norm1.weight") == 0);
      CHECK(t.at("blocks.0.attn.qkv.weight") == fmt::format("{}x{}", 3 * c, c));
      CHECK(t.size() == 4 + 12 * static_cast<size_t>(r.depth) + 2 + 2);
    }
  }
  REQUIRE_THROWS_WITH(resolve_vit_preset([] {
                        ViTOptions o;
                        o.preset = "vit_gigantic_patch16_224";
                        return o;
                      }()),
                      Catch::StartsWith("vit: unknown preset 'vit_gigantic_patch16_224'"));
}

TEST_CASE("text encoder with a RoBERTa checkpoint ('roberta.' names, offset positions) equals RobertaModel",
          "[model][parity]") {
  const auto dir = test::fresh_dir("roberta-parity");
  test::run_python(kScript, "roberta " + dir + "/ref.safetensors");
  auto weights = test::load_tensors(dir + "/ref.safetensors");
  const auto data = split(weights);
  EncoderOptions o = reference_encoder_sizes();
  o.type_vocab_size = 1;
  o.layer_norm_eps = 1e-5;
  o.pad_token_id = 1;
  o.position_offset = 2;  // pad + 1, as encoder_options_from_config sets for model_type roberta
  auto enc = make_encoder(o, 3, 12);
  enc->to(at::kDouble);
  enc->eval();
  load_checkpoint(*enc, weights, "hf-roberta");
  const auto ids = data.at("ids");
  const auto h = encoder_features(*enc, ids).last_hidden;
  // Padded positions get other position ids in RoBERTa (masked everywhere); compare real tokens.
  const auto real = ids.ne(1).unsqueeze(-1);
  const double err = (h - data.at("last_hidden")).abs().masked_fill(real.logical_not(), 0).max().item<double>() /
                     data.at("last_hidden").abs().max().item<double>();
  INFO("relative error " << err);
  CHECK(err <= 1e-12);
}
