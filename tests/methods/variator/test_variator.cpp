#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "framework/model/method_facets.h"
#include "framework/config/node.h"
#include "framework/model/method.h"
#include "backbones/vit/vit.h"
#include "framework/registry/registries.h"
#include "methods/variator/variator.h"
#include "framework/train/trainer.h"

#include <algorithm>

using namespace adaptlab;

namespace {

std::shared_ptr<Backbone> tiny_vit() {
  at::manual_seed(3);
  ViTOptions o;
  o.img_size = 8;
  o.patch_size = 2;  // 16 patches + class token
  o.embed_dim = 8;
  o.num_heads = 2;
  o.depth = 2;
  auto b = make_vit(o, 3);
  b->to(at::kDouble);
  b->eval();
  return b;
}

}  // namespace

TEST_CASE("Variator with k = 1 at initialisation is the identity on the backbone", "[variator]") {
  const auto x = at::randn({2, 3, 8, 8}, at::kDouble);
  auto plain = tiny_vit();
  auto wrapped = tiny_vit();
  auto m = registries().methods.create("variator", cfg::parse_string("ks: [1]\n", "t"));
  m->attach(*wrapped);
  wrapped->to(at::kDouble);
  at::NoGradGuard g;
  CHECK((plain->forward(x) - wrapped->forward(x)).abs().max().item<double>() <= 1e-14);
}

TEST_CASE("Variator compression and decompression follow the equations (hand-computed, k = 2)", "[variator]") {
  VariatorOptions o;
  o.ks = {2};
  o.adapter_dim = 3;
  VariatorWrap w(2, o);
  w.to(at::kDouble);
  auto params = w.named_parameters();
  at::manual_seed(5);
  {
    at::NoGradGuard g;
    for (auto& p : params) p.value().normal_(0, 0.5);
  }
  // u: class token + 3 tokens → groups {t1, t2} and {t3, pad}; the FFN is y = 2·x + 1.
  const auto u = at::randn({1, 4, 2}, at::kDouble);
  std::vector<int64_t> ffn_sizes;
  auto ffn = [&](const at::Tensor& t) {
    ffn_sizes.push_back(t.size(1));
    return 2 * t + 1;
  };
  at::NoGradGuard g;
  const auto out = w.forward(u, {}, ffn);
  REQUIRE(ffn_sizes == std::vector<int64_t>{3});  // class token + 2 groups
  CHECK(w.last_ffn_tokens == 3);
  const auto Wg = params["k2.gate.weight"], bg = params["k2.gate.bias"];
  const auto Wd = params["k2.down.weight"], bd = params["k2.down.bias"];
  const auto Wu = params["k2.up.weight"], bu = params["k2.up.bias"];
  auto tok = [&](int i) { return u[0][i]; };
  // Group 1: gate over concat(t1, t2); group 2: the padding slot gets no weight → its weight is t3's alone.
  const auto g1 = at::softmax(at::matmul(Wg, at::cat({tok(1), tok(2)})) + bg, 0);
  const auto c1 = g1[0] * tok(1) + g1[1] * tok(2);
  const auto c2 = tok(3);
  const auto f1 = 2 * c1 + 1, f2 = 2 * c2 + 1;
  auto adapter = [&](const at::Tensor& rep, const at::Tensor& h) {
    return at::matmul(Wu, at::tanh(at::matmul(Wd, at::cat({rep, h})) + bd)) + bu;
  };
  CHECK(at::allclose(out[0][0], 2 * tok(0) + 1));
  CHECK(at::allclose(out[0][1], f1 + adapter(f1, tok(1))));
  CHECK(at::allclose(out[0][2], f1 + adapter(f1, tok(2))));
  CHECK(at::allclose(out[0][3], f2 + adapter(f2, tok(3))));
  // Bypassed (the teacher): the FFN on every token.
  w.active_k = 0;
  CHECK(at::allclose(w.forward(u, {}, ffn), 2 * u + 1));
  CHECK(ffn_sizes.back() == 4);
}

TEST_CASE("Variator distillation loss is zero when nothing is compressed and grows when it is", "[variator]") {
  const auto x = at::randn({2, 3, 8, 8}, at::kDouble);
  auto b = tiny_vit();
  auto m1 = registries().methods.create("variator", cfg::parse_string("ks: [1]\n", "t"));
  m1->attach(*b);
  b->to(at::kDouble);
  b->forward(x);
  CHECK(facet<TrainingHooks>(m1.get())->auxiliary_loss(*b, x).item<double>() == Approx(0.0).margin(1e-24));
  auto c = tiny_vit();
  auto m4 = registries().methods.create("variator", cfg::parse_string("ks: [4, 2]\n", "t"));
  m4->attach(*c);
  c->to(at::kDouble);
  c->forward(x);
  const auto loss = facet<TrainingHooks>(m4.get())->auxiliary_loss(*c, x);
  CHECK(loss.item<double>() > 1e-6);
  loss.backward();  // the distillation gradient reaches the plugins (the teacher pass has none)
  const auto gate = c->named_parameters()["blocks.0.variator.k4.gate.weight"];
  REQUIRE(gate.grad().defined());
  CHECK(gate.grad().abs().max().item<double>() > 0);
  auto* variants = facet<InferenceVariants>(m4.get());
  REQUIRE(variants != nullptr);
  CHECK(variants->variant_names() == std::vector<std::string>{"k4", "k2"});
  CHECK(variants->default_variant() == "k4");
}

TEST_CASE("Variator distill modes: hidden trains on the MSE alone, task on the task loss alone", "[variator]") {
  const auto x = at::randn({4, 3, 8, 8}, at::kDouble);
  const auto y = at::tensor({0, 1, 2, 1}, at::kLong);
  // The loss a first step reports, and what it is made of, on identical models (the stepper adds the losses in
  // float32: equal to 1e-6).
  auto first_loss = [&](const std::string& distill, double& task, double& mse, bool& head_trained) {
    auto b = tiny_vit();
    at::manual_seed(5);
    auto m = registries().methods.create("variator", cfg::parse_string("ks: [4]\ndistill: " + distill + "\n", "t"));
    m->attach(*b);
    b->to(at::kDouble);
    b->train();
    {
      auto ref = tiny_vit();
      at::manual_seed(5);
      auto mr = registries().methods.create("variator", cfg::parse_string("ks: [4]\n", "t"));
      mr->attach(*ref);
      ref->to(at::kDouble);
      ref->train();
      task = at::cross_entropy_loss(ref->forward(x), y).item<double>();
      mse = facet<TrainingHooks>(mr.get())->auxiliary_loss(*ref, x).item<double>();
    }
    const auto names = m->trainable(*b);
    head_trained = std::any_of(names.begin(), names.end(), [](const std::string& n) { return n.rfind("head.", 0) == 0; });
    std::vector<Method*> ms = {m.get()};
    TrainOptions o;
    o.warmup_epochs = 0;
    Stepper st(*b, ms, o, at::kCPU, 1, 0);
    return st.step(x, y).item<double>();
  };
  double task = 0, mse = 0;
  bool head = false;
  const double both = first_loss("task-hidden", task, mse, head);  // (fills task and mse first)
  CHECK(both == Approx(task + mse).epsilon(1e-6));
  CHECK(head);
  CHECK(mse > 1e-6);
  const double hidden = first_loss("hidden", task, mse, head);
  CHECK(hidden == Approx(mse).epsilon(1e-6));
  CHECK_FALSE(head);  // no label reaches the head
  const double task_only = first_loss("task", task, mse, head);
  CHECK(task_only == Approx(task).epsilon(1e-6));
  REQUIRE_THROWS_WITH(registries().methods.create("variator", cfg::parse_string("distill: hiden\n", "t")),
                      Catch::Contains("must be task-hidden, hidden or task"));
}
