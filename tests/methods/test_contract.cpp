// The method contract, checked for every registered method on every registered backbone (the tiny
// instance each backbone declares, EntryMeta::example_options; float64):
// attach → forward → one optimiser step changes only the tensors the method says are trainable →
// prepare_inference leaves the logits unchanged (≤ 1e-5 relative) → saving and loading the trainable
// tensors into a fresh model reproduces the outputs. A new method or backbone is covered by registering
// it; a method whose defaults cannot run alone declares example options beside itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include <ATen/ATen.h>

#include <map>
#include <set>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"
#include "support/compare.h"

using namespace adaptlab;

namespace {

cfg::Node example_node(const std::string& yaml, const std::string& what) {
  return cfg::parse_string(yaml.empty() ? "{}" : yaml, what + " example options");
}

std::shared_ptr<Backbone> make(const std::string& backbone) {
  at::manual_seed(123);
  const auto& item = registries().backbones.item(backbone);
  REQUIRE(item.meta.example_data);
  return registries().backbones.create(backbone, example_node(item.meta.example_options, backbone),
                                       *item.meta.example_data);
}

at::Tensor inputs(const std::string& backbone) {
  at::manual_seed(7);
  return registries().backbones.item(backbone).meta.example_inputs();
}

std::unique_ptr<Method> create(const std::string& name, const std::string& yaml = "<example>") {
  const std::string opts = yaml == "<example>" ? registries().methods.item(name).meta.example_options : yaml;
  return registries().methods.create(name, example_node(opts, name));
}

// Backbone + attached method, float64, with every method tensor moved off its initial value so that
// prepare_inference has something to merge (a LoRA B of zero would make the check vacuous).
std::pair<std::shared_ptr<Backbone>, std::unique_ptr<Method>> build(const std::string& backbone,
                                                                    const std::string& name) {
  auto b = make(backbone);
  auto m = create(name);
  at::manual_seed(99);
  m->attach(*b);
  b->to(at::kDouble);
  return {b, std::move(m)};
}

// The method trains exactly what it declares (EntryMeta::example_trains), and as many tensors per block.
void check_declared_trainables(const std::string& method, Backbone& b, const std::set<std::string>& got) {
  const EntryMeta& meta = registries().methods.item(method).meta;
  REQUIRE_FALSE(meta.example_trains.empty());  // every method declares what it trains
  std::string pattern = meta.example_trains;
  const std::string head = std::regex_replace(b.head_prefix(), std::regex(R"([.^$|()\\[\]{}*+?])"), "\\$&");
  for (size_t at; (at = pattern.find("{head}")) != std::string::npos;) pattern.replace(at, 6, head);
  const std::regex re(pattern);
  std::set<std::string> want;
  for (const auto& p : b.named_parameters())
    if (std::regex_match(p.key(), re)) want.insert(p.key());
  CHECK(got == want);
  if (meta.example_trains_per_block >= 0) {
    const auto outside_head = std::count_if(got.begin(), got.end(), [&](const std::string& n) { return !n.starts_with(b.head_prefix()); });
    CHECK(outside_head == static_cast<long>(meta.example_trains_per_block) * b.num_blocks());
  }
}

std::vector<std::string> backbones_with_examples() {
  std::vector<std::string> out;
  for (const auto& n : registries().backbones.entries().names())
    if (registries().backbones.item(n).meta.example_data) out.push_back(n);
  return out;
}

}  // namespace

TEST_CASE("every registered method keeps the method contract on every registered backbone", "[methods][contract]") {
  const auto names = registries().methods.entries().names();
  REQUIRE(names.size() >= 8);
  // Every backbone declares a tiny example instance (a new one without is a failure here).
  CHECK(backbones_with_examples() == registries().backbones.entries().names());
  for (const std::string& kind : backbones_with_examples()) {
    for (const auto& name : names) {
      INFO("method '" << name << "' on the " << kind);
      // Refused, with the reason, when attached: a method that changes the token sequence (its token role
      // says so) on a backbone whose relative position bias is computed for the input's tokens (T5).
      const bool token_op = create(name)->token_role() != TokenRole::none;
      if (token_op && make(kind)->block(0).spec().relative_bias) {
        CHECK_THROWS_WITH(build(kind, name), Catch::Contains("changes the token sequence, which this backbone does "
                                                             "not allow: its relative position bias"));
        continue;
      }
      std::shared_ptr<Backbone> b;
      std::unique_ptr<Method> m;
      std::tie(b, m) = build(kind, name);
      const auto x = inputs(kind);
      const auto y = at::tensor({0, 1, 2, 1}, at::kLong);
      const auto trainable = set_trainable(*b, {m.get()});
      const std::set<std::string> train_set(trainable.begin(), trainable.end());
      check_declared_trainables(name, *b, train_set);
      {  // give method tensors non-trivial values (e.g. LoRA B, adapter up-projections)
        at::NoGradGuard g;
        for (auto& p : b->named_parameters())
          if (train_set.count(p.key()) && p.key().rfind(b->head_prefix(), 0) != 0 && name != "full" && name != "bitfit")
            p.value().add_(0.05 * at::randn_like(p.value()));
      }
      // One optimiser step (plain SGD) in training mode.
      std::map<std::string, at::Tensor> before;
      for (auto& p : b->named_parameters()) before[p.key()] = p.value().detach().clone();
      b->train();
      if (!trainable.empty()) {
        at::cross_entropy_loss(b->forward(x), y).backward();
        at::NoGradGuard g;
        for (auto& p : b->named_parameters())  // as the optimiser: the trainable tensors only (observed ones,
          if (train_set.count(p.key()) && p.value().grad().defined())  // e.g. scoring gates, get gradients too)
            p.value().sub_(0.5 * p.value().grad());
      }
      int changed = 0;
      for (auto& p : b->named_parameters()) {
        const bool moved = !at::equal(before[p.key()], p.value());
        INFO("tensor " << p.key());
        if (moved) CHECK(train_set.count(p.key()) == 1);
        changed += moved;
      }
      if (!trainable.empty()) CHECK(changed > 0);

      // prepare_inference keeps the function.
      b->eval();
      at::Tensor out, merged;
      {
        at::NoGradGuard g;
        out = b->forward(x);
      }
      std::map<std::string, at::Tensor> state;  // the trainable tensors, as a run would save them
      for (auto& p : b->named_parameters())
        if (train_set.count(p.key())) state[p.key()] = p.value().detach().clone();
      m->prepare_inference(*b);
      {
        at::NoGradGuard g;
        merged = b->forward(x);
      }
      CHECK(test::rel_err(merged, out) <= 1e-5);

      // Saving and loading the trainable tensors into a fresh model reproduces the outputs.
      auto [b2, m2] = build(kind, name);
      set_trainable(*b2, {m2.get()});
      {
        at::NoGradGuard g;
        auto params = b2->named_parameters();
        for (auto& [n, t] : state) params[n].copy_(t);
      }
      b2->eval();
      at::NoGradGuard g;
      CHECK(test::rel_err(b2->forward(x), out) <= 1e-12);
    }
  }
}

TEST_CASE("stacking rules: one token-merging method, prompts before it", "[methods]") {
  auto tome = create("tome");
  auto pyra = create("pyra");
  auto vpt = create("vpt");
  auto lora = create("lora");
  REQUIRE_THROWS_WITH(check_method_stack({tome.get(), pyra.get()}, {"tome", "pyra"}),
                      "methods 'tome' and 'pyra' both merge tokens; a run can use one token-merging method");
  REQUIRE_THROWS_WITH(check_method_stack({lora.get(), tome.get(), vpt.get()}, {"lora", "tome", "vpt"}),
                      "method 'vpt' adds prompt tokens after 'tome' planned its merges; list 'vpt' before 'tome' in "
                      "methods (prompts are protected from merging)");
  CHECK_NOTHROW(check_method_stack({vpt.get(), lora.get(), tome.get()}, {"vpt", "lora", "tome"}));
}

TEST_CASE("VPT prompts are never merged by ToMe and stay right after the class token", "[methods]") {
  auto b = make("vit");
  b->to(at::kDouble);
  auto vpt = create("vpt", "{tokens: 3, deep: true}");
  auto tome = create("tome", "{r: [3, 2]}");
  vpt->attach(*b);
  tome->attach(*b);
  CHECK(b->protected_prefix() == 4);
  CHECK(b->num_input_tokens() == 17 + 3);
  b->eval();
  // Capture the token state entering block 1 (after block 0's merge) through a probe op.
  struct Probe : TokenOp {
    at::Tensor x;
    int64_t prefix = 0;
    void apply(TokenState& s) override {
      x = s.x;
      prefix = s.protected_prefix;
    }
  };
  auto probe = std::make_shared<Probe>();
  b->block(1).add_token_op(TokenPoint::before_block, "probe", probe);
  at::NoGradGuard g;
  b->forward(inputs("vit"));
  REQUIRE(probe->x.defined());
  CHECK(probe->prefix == 4);
  CHECK(probe->x.size(1) == 20 - 3);  // block 0 merged r = 3
  // Block 1's deep prompts then replace positions 1..3: the probe (registered after them) sees them.
  auto prompts1 = b->named_parameters()["blocks.1.vpt.prompts"];
  CHECK(at::equal(probe->x.narrow(1, 1, 3), prompts1.expand({4, 3, 16})));
}
