// Variator's released behaviours (thunlp/Variator: model/muxT5.py, train_t5.py) against the float64
// reference tests/methods/variator/reference_variator.py on the same tensors: the plugin forward
// (padding: released, adapter_dropout: before), the `match: released` loss, `teacher: dropout`,
// `init: released`, and T5's encoder / decoder FLOPs split.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "backbones/t5/t5.h"
#include "backbones/vit/vit.h"
#include "framework/config/node.h"
#include "framework/measure/measure.h"
#include "framework/model/block.h"
#include "framework/model/hook_facets.h"
#include "framework/model/method.h"
#include "framework/model/method_facets.h"
#include "framework/registry/registries.h"
#include "methods/variator/variator.h"
#include "methods/variator/tiny_t5.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

const std::string kRef = std::string(ADAPTLAB_TESTS_DIR) + "/methods/variator/reference_variator.py";

std::map<std::string, at::Tensor> reference(const std::string& mode, const std::map<std::string, at::Tensor>& in) {
  const auto dir = test::fresh_dir("variator-" + mode);
  test::save_tensors(dir + "/in.safetensors", in);
  test::run_python(kRef, mode + " " + dir + "/in.safetensors " + dir + "/out.safetensors");
  return test::load_tensors(dir + "/out.safetensors");
}

double max_abs(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

// The reference's inputs for one plugin: its parameters (rate k), the FFN relu(x w1ᵀ) w2ᵀ and the
// (already scaled) dropout keep mask of the FFN outputs [B, G, d].
std::map<std::string, at::Tensor> plugin_inputs(torch::nn::Module& wrap, int k, const at::Tensor& u, const at::Tensor& w1,
                                                const at::Tensor& w2, const at::Tensor& drop) {
  auto p = wrap.named_parameters();
  const std::string s = fmt::format("k{}.", k);
  return {{"u", u},
          {"gate_w", p[s + "gate.weight"]},
          {"gate_b", p[s + "gate.bias"]},
          {"down_w", p[s + "down.weight"]},
          {"down_b", p[s + "down.bias"]},
          {"up_w", p[s + "up.weight"]},
          {"up_b", p[s + "up.bias"]},
          {"w1", w1},
          {"w2", w2},
          {"drop", drop},
          {"k", at::tensor({static_cast<int64_t>(k)}, at::kLong)}};
}

void randomise(torch::nn::Module& m, double sd) {
  at::NoGradGuard g;
  for (auto& p : m.named_parameters()) p.value().normal_(0, sd);
}

// Plugins away from their initialisation (gate and adapter both at work).
void randomise_plugins(Backbone& b) {
  at::NoGradGuard g;
  for (auto& p : b.named_parameters())
    if (p.key().find(".variator.") != std::string::npos) p.value().normal_(0, 0.3);
}


// The plain T5 on the variator model's weights (the teacher as an independent network).
std::shared_ptr<Backbone> plain_copy(Backbone& b, const T5Options& o, int64_t len) {
  auto plain = test::make_tiny_t5(o, len);
  at::NoGradGuard g;
  auto mine = b.named_parameters();
  for (auto& p : plain->named_parameters()) p.value().copy_(mine[p.key()]);
  plain->keep_final_hidden(true);
  dynamic_cast<KeepsDecoderHidden&>(*plain).keep_decoder_hidden(true);
  return plain;
}

at::Tensor ids_with_padding(int64_t L) {
  at::manual_seed(2);
  auto ids = at::randint(3, 50, {2, L}, at::kLong);
  ids[1].narrow(0, L - 3, 3).fill_(0);  // text padding (T5's pad id 0) at the end of the second sequence
  return ids;
}

}  // namespace

TEST_CASE("Variator padding: released: one plugin forward equals the released code's (float64 reference)",
          "[variator][released]") {
  const int64_t B = 2, d = 6, F = 10;
  for (const auto& [N, k] : {std::pair<int64_t, int>{8, 4}, {11, 4}, {11, 3}}) {
    INFO("N = " << N << ", k = " << k);  // 11: not a multiple of k (the last group filled with zero vectors)
    VariatorOptions o;
    o.ks = {k};
    o.adapter_dim = 5;
    o.padding = "released";
    o.adapter_dropout = "before";
    VariatorWrap w(d, o, 0);  // T5: no class token, every position grouped
    w.to(at::kDouble);
    at::manual_seed(7 + N + k);
    randomise(w, 0.4);
    const auto u = at::randn({B, N, d}, at::kDouble);
    const auto w1 = at::randn({F, d}, at::kDouble) * 0.5, w2 = at::randn({d, F}, at::kDouble) * 0.5;
    auto mask = at::ones({B, N}, at::kBool);
    mask[1].narrow(0, N - 3, 3).fill_(false);  // text padding: released ignores it in the gate
    int64_t rows = 0;
    const auto ffn = [&](const at::Tensor& t) {
      rows = t.size(1);
      return at::linear(at::relu(at::linear(t, w1)), w2);
    };
    at::NoGradGuard g;
    const auto out = w.forward(u, mask, ffn);
    const int64_t G = (N + k - 1) / k;
    CHECK(rows == G);
    CHECK(w.places_output_dropout());  // adapter_dropout: before: the block hands it an FFN with the dropout
    const auto ref = reference("plugin", plugin_inputs(w, k, u, w1, w2, at::ones({B, G, d}, at::kDouble)));
    const double e = max_abs(out, ref.at("out"));
    INFO("max abs error " << e << " (output scale " << out.abs().max().item<double>() << ")");
    CHECK(e <= 1e-12);
    // padding: masked (adaptlab's default) weights the same tensors otherwise: the reference would see it.
    VariatorOptions om = o;
    om.padding = "masked";
    VariatorWrap wm(d, om, 0);
    wm.to(at::kDouble);
    auto pm = wm.named_parameters();
    for (auto& p : w.named_parameters()) pm[p.key()].copy_(p.value());
    CHECK(max_abs(wm.forward(u, mask, ffn), out) > 1e-3);
  }
}

TEST_CASE("Variator adapter_dropout: before drops the FFN's outputs before the demux, after drops the plugin's output",
          "[variator][released]") {
  // One T5-style block (RMS pre-norm, relu FFN, no biases) whose attention output projection is zero, so
  // that its input reaches the FFN sub-layer unchanged; hidden_dropout p is the only random op: on the attention
  // output [B, N, d] first, then on the FFN sub-layer (before: the FFN's G outputs [B, G, d]; after: the
  // plugin's N outputs [B, N, d]). The masks are replayed from the same seed.
  const int64_t B = 2, N = 11, d = 6, F = 10;
  const int k = 4;
  const int64_t G = (N + k - 1) / k;
  const double p = 0.4;
  BlockSpec spec;
  spec.width = d;
  spec.num_heads = 1;
  spec.head_dim = 2;
  spec.ffn_dim = F;
  spec.pre_norm = true;
  spec.norm = "rms";
  spec.qkv_bias = false;
  spec.linear_bias = false;
  spec.ffn_act = "relu";
  spec.hidden_dropout = p;
  spec.names.norm_attn = "ln0";
  spec.names.q = "q";
  spec.names.k = "k";
  spec.names.v = "v";
  spec.names.proj = "o";
  spec.names.norm_ffn = "ln1";
  spec.names.fc1 = "wi";
  spec.names.fc2 = "wo";
  at::manual_seed(4);
  const auto x = at::randn({B, N, d}, at::kDouble);
  // The FFN input: x / rms(x) (norm weight 1).
  const auto u = x * at::rsqrt(x.pow(2).mean(-1, true) + spec.norm_eps);
  std::map<std::string, at::Tensor> outs;
  at::Tensor w1, w2;
  std::shared_ptr<VariatorWrap> before_wrap;
  for (const std::string where : {"before", "after"}) {
    VariatorOptions o;
    o.ks = {k};
    o.adapter_dim = 5;
    o.padding = "released";
    o.adapter_dropout = where;
    auto block = std::make_shared<TransformerBlock>(spec);
    auto wrap = std::make_shared<VariatorWrap>(d, o, 0);
    block->set_ffn_wrap("variator", wrap);
    block->to(at::kDouble);
    at::manual_seed(9);  // the same weights for both placements
    randomise(*block, 0.4);
    auto params = block->named_parameters();
    {
      at::NoGradGuard g;
      REQUIRE(params.find("ln1.weight") != nullptr);
      REQUIRE(params.find("o.weight") != nullptr);
      params["ln1.weight"].fill_(1.0);
      params["o.weight"].zero_();
    }
    w1 = params["wi.weight"].detach().clone();
    w2 = params["wo.weight"].detach().clone();
    if (where == "before") before_wrap = wrap;
    block->train();
    at::NoGradGuard g;
    TokenState s;
    s.x = x.clone();
    s.protected_prefix = 0;
    at::manual_seed(123);
    block->forward(s);
    outs[where] = s.x - x;  // the FFN sub-layer's contribution
  }
  at::manual_seed(123);
  const auto attn_mask = at::empty({B, N, d}, at::kDouble).bernoulli_(1 - p);  // (on the zero attention output)
  const auto keep_g = at::empty({B, G, d}, at::kDouble).bernoulli_(1 - p);
  at::manual_seed(123);
  (void)at::empty({B, N, d}, at::kDouble).bernoulli_(1 - p);
  const auto keep_n = at::empty({B, N, d}, at::kDouble).bernoulli_(1 - p);
  REQUIRE(attn_mask.numel() > 0);
  const auto before = reference("plugin", plugin_inputs(*before_wrap, k, u, w1, w2, keep_g / (1 - p)));
  const auto plain = reference("plugin", plugin_inputs(*before_wrap, k, u, w1, w2, at::ones({B, G, d}, at::kDouble)));
  const double e_before = max_abs(outs["before"], before.at("out"));
  const double e_after = max_abs(outs["after"], plain.at("out") * keep_n / (1 - p));
  INFO("before: max abs error " << e_before << "; after: " << e_after);
  CHECK(e_before <= 1e-12);
  CHECK(e_after <= 1e-12);
  // Before: each FFN output is dropped once and the same kept value repeated over its group (the
  // adapter still differs per position); the two placements are not the same computation.
  CHECK(max_abs(outs["before"], outs["after"]) > 1e-2);
}

TEST_CASE("Variator match: released is the released code's loss: decoder MSE + encoder MSE with padding zeroed",
          "[variator][released][t5]") {
  const int64_t L = 9;  // not a multiple of k = 2
  const auto ids = ids_with_padding(L);
  const auto o = test::tiny_t5();
  auto b = test::make_tiny_t5(o, L);
  auto m = test::make_variator("ks: [2]\nmatch: released\ndistill: hidden\ndistill_weight: 0.5\npadding: released\n"
                    "adapter_dropout: before\n");
  m->attach(*b);
  b->to(at::kDouble);
  randomise_plugins(*b);
  b->eval();
  b->forward(ids);
  auto& dec = dynamic_cast<KeepsDecoderHidden&>(*b);
  const auto enc_s = b->final_hidden().detach().clone(), dec_s = dec.decoder_hidden().detach().clone();
  REQUIRE(dec_s.sizes() == at::IntArrayRef({2, 2, 16}));  // [B, T = decoder_input, d]
  const double loss = facet<TrainingHooks>(m.get())->auxiliary_loss(*b, ids).item<double>();
  auto plain = plain_copy(*b, o, L);
  at::NoGradGuard g;
  plain->forward(ids);
  const auto enc_t = plain->final_hidden(), dec_t = dynamic_cast<KeepsDecoderHidden&>(*plain).decoder_hidden();
  const auto mask = ids.ne(0).to(at::kDouble);
  const auto ref = reference("distill", {{"enc_s", enc_s}, {"enc_t", enc_t}, {"dec_s", dec_s}, {"dec_t", dec_t}, {"mask", mask}});
  const double want = 0.5 * ref.at("loss").item<double>();  // distill_weight
  INFO("loss " << loss << ", reference " << want << ", abs error " << std::abs(loss - want));
  CHECK(want > 1e-6);
  CHECK(std::abs(loss - want) <= 1e-12 * want);
  // The padding mask matters here (the padded positions' states differ): the reference would see a loss
  // taken without it.
  const double unmasked = 0.5 * (at::mse_loss(dec_s, dec_t) + at::mse_loss(enc_s, enc_t)).item<double>();
  CHECK(std::abs(unmasked - want) > 1e-6 * want);
  // A backbone without a decoder is refused.
  at::manual_seed(3);
  ViTOptions vo;
  vo.img_size = 8;
  vo.patch_size = 2;
  vo.embed_dim = 8;
  vo.num_heads = 2;
  vo.depth = 1;
  auto vit = make_vit(vo, 3);
  REQUIRE_THROWS_WITH(test::make_variator("match: released\n")->attach(*vit),
                      Catch::Contains("match: released compares the decoder's last hidden states too, and this "
                                      "backbone has no decoder"));
}

TEST_CASE("Variator teacher: dropout runs the teacher pass in training mode, teacher: eval without dropout",
          "[variator][released][t5]") {
  const int64_t L = 9;
  const auto ids = ids_with_padding(L);
  const auto o = test::tiny_t5(0.2);
  for (const std::string teacher : {"dropout", "eval"}) {
    INFO("teacher: " << teacher);
    auto b = test::make_tiny_t5(o, L);
    auto m = test::make_variator("ks: [2]\nmatch: released\ndistill: hidden\npadding: released\nadapter_dropout: before\n"
                      "teacher: " + teacher + "\n");
    m->attach(*b);
    b->to(at::kDouble);
    randomise_plugins(*b);
    b->train();
    at::manual_seed(21);
    b->forward(ids);  // the student, with dropout
    auto& dec = dynamic_cast<KeepsDecoderHidden&>(*b);
    const auto enc_s = b->final_hidden().detach().clone(), dec_s = dec.decoder_hidden().detach().clone();
    at::manual_seed(33);  // the teacher pass is the first thing auxiliary_loss draws for
    const double loss = facet<TrainingHooks>(m.get())->auxiliary_loss(*b, ids).item<double>();
    CHECK(b->is_training());  // the mode comes back
    // The teacher as an independent network: the plain T5 on the same weights, in training mode from the
    // same seed (its dropout masks are the teacher pass's), and in eval mode.
    auto plain = plain_copy(*b, o, L);
    auto& pdec = dynamic_cast<KeepsDecoderHidden&>(*plain);
    at::NoGradGuard g;
    plain->train();
    at::manual_seed(33);
    plain->forward(ids);
    const auto enc_train = plain->final_hidden().clone(), dec_train = pdec.decoder_hidden().clone();
    plain->eval();
    plain->forward(ids);
    const auto enc_eval = plain->final_hidden().clone(), dec_eval = pdec.decoder_hidden().clone();
    REQUIRE(max_abs(enc_train, enc_eval) > 1e-3);  // the dropout shows
    const bool drop = teacher == "dropout";
    const auto mask = ids.ne(0).to(at::kDouble);
    const auto ref = reference("distill", {{"enc_s", enc_s},
                                           {"enc_t", drop ? enc_train : enc_eval},
                                           {"dec_s", dec_s},
                                           {"dec_t", drop ? dec_train : dec_eval},
                                           {"mask", mask}});
    const double want = ref.at("loss").item<double>();
    const auto m3 = mask.unsqueeze(-1);
    const auto other_enc = drop ? enc_eval : enc_train, other_dec = drop ? dec_eval : dec_train;
    const double other = (at::mse_loss(dec_s, other_dec) + at::mse_loss(m3 * enc_s, m3 * other_enc)).item<double>();
    INFO("loss " << loss << ", reference " << want << ", abs error " << std::abs(loss - want) << "; with the other teacher "
                 << other);
    CHECK(std::abs(loss - want) <= 1e-12 * want);
    CHECK(std::abs(other - want) > 1e-6 * want);
  }
}

TEST_CASE("Variator init: released draws the released code's scales, init: zero starts with exact zeros",
          "[variator][released]") {
  const int64_t d = 128;
  VariatorOptions o;
  o.ks = {2, 4};
  o.adapter_dim = 64;
  o.init = "released";
  at::manual_seed(1);
  VariatorWrap w(d, o, 0);
  auto p = w.named_parameters();
  // The sample std of n normal draws is within ±(4 / √(2n)) of σ (4 standard errors); the mean within 4 σ/√n.
  auto check_normal = [&](const std::string& name, double sd) {
    const auto t = p[name];
    const double n = static_cast<double>(t.numel()), s = t.std().item<double>(), mean = t.mean().item<double>();
    INFO(name << ": " << n << " draws, std " << s << " (want " << sd << "), mean " << mean);
    CHECK(std::abs(s / sd - 1) < 4 / std::sqrt(2 * n));
    CHECK(std::abs(mean) < 4 * sd / std::sqrt(n));
  };
  for (int k : {2, 4}) {
    const std::string s = fmt::format("k{}.", k);
    CHECK(p[s + "gate.weight"].sizes() == at::IntArrayRef({k, k * d}));
    check_normal(s + "gate.weight", std::sqrt(2.0 / static_cast<double>(k * d)));
    check_normal(s + "down.weight", 0.01);
    check_normal(s + "up.weight", 0.01);
    for (const char* bias : {"gate.bias", "down.bias", "up.bias"}) CHECK(p[s + bias].abs().max().item<double>() == 0.0);
  }
  o.init = "zero";
  VariatorWrap z(d, o, 0);
  auto q = z.named_parameters();
  for (int k : {2, 4}) {
    const std::string s = fmt::format("k{}.", k);
    for (const char* name : {"gate.weight", "gate.bias", "up.weight", "up.bias"})
      CHECK(q[s + name].abs().max().item<double>() == 0.0);
    // The down-projection as nn.Linear: U(±1/√(2d)), not zero.
    const double bound = 1 / std::sqrt(2.0 * d), top = q[s + "down.weight"].abs().max().item<double>();
    CHECK(top > 0.5 * bound);
    CHECK(top <= bound);
  }
  REQUIRE_THROWS_WITH(test::make_variator("init: xavier\n"), Catch::Contains("must be zero or released"));
  REQUIRE_THROWS_WITH(test::make_variator("padding: none\n"), Catch::Contains("must be masked or released"));
  REQUIRE_THROWS_WITH(test::make_variator("teacher: train\n"), Catch::Contains("must be eval or dropout"));
  REQUIRE_THROWS_WITH(test::make_variator("adapter_dropout: inside\n"), Catch::Contains("must be after or before"));
  REQUIRE_THROWS_WITH(test::make_variator("match: all\n"), Catch::Contains("must be layers, last or released"));
}

TEST_CASE("T5 FLOPs split into encoder and decoder, Variator shrinks the encoder part by the FFN rows it saves",
          "[variator][t5][flops]") {
  const int64_t L = 11, layers = 2, d = 16, F = 24, A = 64;
  const auto ids = ids_with_padding(L);
  const auto o = test::tiny_t5();
  auto plain = test::make_tiny_t5(o, L);
  Summary plain_parts;
  const double plain_total = forward_flops(*plain, ids, &plain_parts);
  REQUIRE(plain_parts.size() == 2);
  const double enc0 = plain_parts.at("encoder"), dec0 = plain_parts.at("decoder");
  INFO("plain T5: " << plain_total << " FLOPs per example, encoder " << enc0 << ", decoder " << dec0);
  CHECK(enc0 > 0);
  CHECK(dec0 > 0);
  CHECK(enc0 + dec0 == plain_total);
  for (int k : {2, 4}) {
    INFO("k = " << k);
    auto b = test::make_tiny_t5(o, L);
    test::make_variator(fmt::format("ks: [{}]\npadding: released\nadapter_dropout: before\n", k))->attach(*b);
    b->to(at::kDouble);
    Summary parts;
    const double total = forward_flops(*b, ids, &parts);
    CHECK(parts.at("encoder") + parts.at("decoder") == total);
    CHECK(parts.at("decoder") == dec0);  // the decoder stays full-length
    // Per example and encoder layer the gated FFN (wi_0, wi_1, wo: 3 · 2·d·F per vector) runs on G = ⌈L/k⌉
    // vectors instead of L; the plugin adds its gate (on the groups) and adapter (on every position).
    const int64_t G = (L + k - 1) / k;
    const double ffn_saved = static_cast<double>(layers * (L - G) * 3 * 2 * d * F);
    const double plugin = static_cast<double>(layers * (2 * G * (k * d) * k + 2 * L * (2 * d) * A + 2 * L * A * d));
    CHECK(enc0 - parts.at("encoder") == ffn_saved - plugin);
    // The FFN share saved: (L − G) / L of the encoder FFNs' FLOPs.
    CHECK((enc0 - parts.at("encoder") + plugin) / static_cast<double>(layers * L * 3 * 2 * d * F) ==
          Approx(static_cast<double>(L - G) / static_cast<double>(L)).epsilon(1e-12));
  }
}
