// ToMe, proportional attention and PYRA against a float64 Python reference written independently
// from the method descriptions (tests/methods/tome/reference.py, run with the project's torch).
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "backbones/vit/vit.h"
#include "methods/lora/lora.h"
#include "methods/tome/tome_op.h"
#include "methods/tome/tome_ops.h"
#include "support/tensor_file.h"
#include "support/compare.h"
#include "support/tmp.h"

using namespace adaptlab;
using test::rel_err;

namespace {

const std::string kScript = std::string(ADAPTLAB_TESTS_DIR) + "/methods/tome/reference.py";

struct Case {
  std::string name;
  int64_t B, N, C, D, r, protected_prefix;
};

}  // namespace

TEST_CASE("ToMe + PYRA ops equal the float64 reference: indices, merged tokens, sizes, gradients",
          "[tome][parity]") {
  const auto dir = test::fresh_dir("tome-parity");
  at::manual_seed(7);
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  const std::vector<Case> cases = {{"a", 2, 17, 8, 6, 4, 1},  {"b", 3, 50, 16, 8, 20, 1},
                                   {"c", 2, 20, 8, 4, 9, 0},  {"d", 2, 30, 12, 5, 10, 5},
                                   {"e", 1, 9, 4, 3, 100, 1}};  // r clamped to (9 - 1) / 2 = 4
  std::map<std::string, at::Tensor> in;
  for (const auto& c : cases) {
    const auto p = c.name + "/";
    in[p + "metric"] = at::randn({c.B, c.N, c.D}, f64);
    in[p + "x"] = at::randn({c.B, c.N, c.C}, f64);
    in[p + "size"] = at::randint(1, 5, {c.B, c.N, 1}, f64);
    in[p + "r"] = at::full({1}, c.r, at::kLong);
    in[p + "protected"] = at::full({1}, c.protected_prefix, at::kLong);
    const int64_t r_eff = std::min(c.r, (c.N - c.protected_prefix) / 2);
    in[p + "w_a"] = at::rand({r_eff, 1}, f64) * 2 - 1;
    in[p + "w_b"] = at::randn({1, c.C}, f64) * 0.5;  // non-zero: the modulation is active
    in[p + "ln_weight"] = 1 + 0.1 * at::randn({c.C}, f64);
    in[p + "ln_bias"] = 0.1 * at::randn({c.C}, f64);
    in[p + "grad_weight"] = at::randn({c.B, c.N - r_eff, c.C}, f64);
  }
  test::save_tensors(dir + "/in.safetensors", in);
  test::run_python(kScript, "ops " + dir + "/in.safetensors " + dir + "/ref.safetensors");
  const auto ref = test::load_tensors(dir + "/ref.safetensors");

  for (const auto& c : cases) {
    const auto p = c.name + "/";
    INFO("case " << c.name << ": B=" << c.B << " N=" << c.N << " r=" << c.r << " protected=" << c.protected_prefix);
    const auto m = tome::bipartite_soft_matching(in[p + "metric"], c.r, c.protected_prefix);
    REQUIRE(m.r == ref.at(p + "r").item<int64_t>());
    CHECK(at::equal(m.unm_idx.squeeze(-1), ref.at(p + "unm_idx")));
    CHECK(at::equal(m.src_idx.squeeze(-1), ref.at(p + "src_idx")));
    CHECK(at::equal(m.dst_idx.squeeze(-1), ref.at(p + "dst_idx")));
    // Protected tokens are never sources and never destinations.
    for (int64_t i = 0; i < c.protected_prefix; ++i) {
      if (i % 2 == 0) CHECK_FALSE(m.src_idx.eq(i / 2).any().item<bool>());
      else CHECK_FALSE(m.dst_idx.eq(i / 2).any().item<bool>());
    }
    auto [x, size] = tome::merge_wavg(m, in[p + "x"], in[p + "size"]);
    CHECK(rel_err(x, ref.at(p + "tome_x")) <= 1e-12);
    CHECK(at::equal(size, ref.at(p + "tome_size")));

    tome::Reactivation pyra{in[p + "w_a"].clone().requires_grad_(true), in[p + "w_b"].clone().requires_grad_(true),
                            in[p + "ln_weight"].clone().requires_grad_(true),
                            in[p + "ln_bias"].clone().requires_grad_(true), 1e-5};
    auto xin = in[p + "x"].clone().requires_grad_(true);
    auto [px, psize] = tome::merge_wavg(m, xin, in[p + "size"], &pyra);
    (px * in[p + "grad_weight"]).sum().backward();
    CHECK(rel_err(px.detach(), ref.at(p + "pyra_x")) <= 1e-12);
    CHECK(at::equal(psize, ref.at(p + "pyra_size")));
    CHECK(rel_err(pyra.w_a.grad(), ref.at(p + "grad_w_a")) <= 1e-10);
    CHECK(rel_err(pyra.w_b.grad(), ref.at(p + "grad_w_b")) <= 1e-10);
    CHECK(rel_err(pyra.ln_weight.grad(), ref.at(p + "grad_ln_weight")) <= 1e-10);
    CHECK(rel_err(pyra.ln_bias.grad(), ref.at(p + "grad_ln_bias")) <= 1e-10);
    CHECK(rel_err(xin.grad(), ref.at(p + "grad_x")) <= 1e-10);
    // PYRA actually changed something (the test would be vacuous otherwise).
    CHECK(rel_err(px.detach(), x) > 1e-3);
  }
}

TEST_CASE("a ViT with LoRA on qkv and PYRA equals the float64 reference: logits, token counts, gradients",
          "[tome][parity]") {
  const auto dir = test::fresh_dir("tome-model-parity");
  at::manual_seed(11);
  ViTOptions vo;
  vo.img_size = 16;
  vo.patch_size = 4;
  vo.embed_dim = 32;
  vo.num_heads = 4;
  vo.depth = 3;
  // ToMe and PYRA with proportional attention and LoRA's alpha/rank scale; ToMe also without
  // proportional attention and with LoRA unscaled (scaling: none, as the NOAH/PYRA code).
  struct Case {
    bool with_pyra, prop_attn;
    std::string scaling;
  };
  for (const Case& c : {Case{false, true, "alpha/rank"}, Case{true, true, "alpha/rank"}, Case{false, false, "none"}}) {
    const bool with_pyra = c.with_pyra;
    INFO((with_pyra ? "PYRA" : "ToMe") << ", prop_attn " << c.prop_attn << ", LoRA scaling " << c.scaling);
    auto model = make_vit(vo, 5);
    LoraOptions lo;
    lo.rank = 2;
    lo.alpha = 4;
    lo.scaling = c.scaling;
    auto lora = make_lora(lo);
    lora->attach(*model);
    const std::vector<int64_t> r = {4, 3, 2};
    for (int i = 0; i < 3; ++i)
      model->block(i).add_token_op(TokenPoint::after_attn, with_pyra ? "pyra" : "tome",
                            std::make_shared<TomeOp>(r[i], c.prop_attn, false, with_pyra ? vo.embed_dim : 0));
    model->to(at::kDouble);
    {
      at::NoGradGuard g;
      for (auto& p : model->named_parameters()) {  // every tensor non-trivial, LoRA B and PYRA W_b included
        if (p.key().find("lora_B") != std::string::npos || p.key().find("w_b") != std::string::npos)
          p.value().normal_(0, 0.3);
        if (p.key().find("cls_token") != std::string::npos) p.value().normal_(0, 0.5);
      }
    }
    std::map<std::string, at::Tensor> in;
    for (auto& p : model->named_parameters()) in[p.key()] = p.value().detach().clone();
    const auto images = at::randn({3, 3, 16, 16}, at::kDouble);
    const auto gw = at::randn({3, 5}, at::kDouble);
    in["images"] = images;
    in["grad_weight"] = gw;
    in["r"] = at::tensor(r, at::kLong);
    // heads, depth, patch, LoRA scale, prop_attn
    in["cfg"] = at::tensor({4.0, 3.0, 4.0, c.scaling == "none" ? 1.0 : 2.0, c.prop_attn ? 1.0 : 0.0}, at::kDouble);
    test::save_tensors(dir + "/in.safetensors", in);
    test::run_python(kScript, "model " + dir + "/in.safetensors " + dir + "/ref.safetensors");
    const auto ref = test::load_tensors(dir + "/ref.safetensors");

    model->eval();
    for (auto& p : model->named_parameters())
      p.value().set_requires_grad(p.key().find(".lora.") != std::string::npos ||
                                  p.key().find(".pyra.") != std::string::npos);
    const auto logits = model->forward(images);
    (logits * gw).sum().backward();
    CHECK(rel_err(logits.detach(), ref.at("logits")) <= 1e-10);
    std::vector<int64_t> counts;
    for (int i = 0; i < 3; ++i)
      counts.push_back(std::dynamic_pointer_cast<TomeOp>(model->block(i).token_ops(TokenPoint::after_attn).front())->last_tokens_out);
    CHECK(counts == std::vector<int64_t>{13, 10, 8});
    CHECK(at::equal(at::tensor(counts, at::kLong), ref.at("counts")));
    int checked = 0;
    for (auto& p : model->named_parameters()) {
      if (!p.value().requires_grad()) continue;
      INFO(p.key());
      CHECK(rel_err(p.value().grad(), ref.at("grad/" + p.key())) <= 1e-9);
      ++checked;
    }
    CHECK(checked == (with_pyra ? 3 * 2 + 3 * 4 : 3 * 2));
  }
}
