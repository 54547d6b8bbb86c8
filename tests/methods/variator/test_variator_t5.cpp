// Variator on T5, as the paper places it: a plugin around every encoder FFN, no class token (every
// token is grouped, the length padded to a multiple of k), the decoder full-length.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "backbones/t5/t5.h"
#include "framework/model/method_facets.h"
#include "framework/config/node.h"
#include "framework/measure/flops.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "methods/variator/variator.h"
#include "methods/variator/tiny_t5.h"

using namespace adaptlab;

TEST_CASE("Variator on T5-base's width: 160,580 parameters per encoder layer at k = 4", "[variator][t5]") {
  T5Options o;  // T5-base: d_model 768, d_ff 3072, 12 heads of 64; one encoder and decoder layer suffice
  o.d_model = 768;
  o.d_ff = 3072;
  o.num_heads = 12;
  o.d_kv = 64;
  o.num_layers = 1;
  o.num_decoder_layers = 1;
  o.vocab_size = 64;  // the embedding does not enter the count
  o.label_ids = {3, 4};
  o.decoder_input = {0, 63};
  auto b = make_t5(o, 2, 8);
  auto m = test::make_variator("ks: [4]\n");
  m->attach(*b);
  int64_t gate = 0, adapter = 0;
  for (const auto& p : b->named_parameters()) {
    if (p.key().find(".variator.") == std::string::npos) continue;
    CHECK(p.key().starts_with("encoder.block.0.variator.k4."));  // the encoder only
    (p.key().find(".gate.") != std::string::npos ? gate : adapter) += p.value().numel();
  }
  CHECK(gate == 12292);
  CHECK(adapter == 148288);
  CHECK(gate + adapter == 160580);
}

TEST_CASE("Variator on T5: k = 1 is the identity, and the FFN runs on ceil(N / k) vectors", "[variator][t5]") {
  const int64_t L = 11;  // 11 tokens, two of them padding in the second sequence
  auto ids = at::randint(3, 50, {2, L}, at::kLong);
  ids[1].narrow(0, 9, 2).fill_(0);
  auto plain = test::make_tiny_t5(test::tiny_t5(), L);
  auto one = test::make_tiny_t5(test::tiny_t5(), L);
  test::make_variator("ks: [1]\n")->attach(*one);
  one->to(at::kDouble);
  at::NoGradGuard g;
  const auto want = plain->forward(ids);
  CHECK((one->forward(ids) - want).abs().max().item<double>() <= 1e-14);

  for (int k : {2, 4}) {
    INFO("k = " << k);
    auto b = test::make_tiny_t5(test::tiny_t5(), L);
    test::make_variator(fmt::format("ks: [{}]\n", k))->attach(*b);
    b->to(at::kDouble);
    b->eval();
    const int64_t groups = (L + k - 1) / k;  // every token grouped: no class token on T5
    int64_t f_with = 0, f_plain = 0;
    {
      FlopCounter c;
      b->forward(ids);
      f_with = c.total();
    }
    {
      FlopCounter c;
      plain->forward(ids);
      f_plain = c.total();
    }
    // Per sequence and encoder layer, the FFN (wi_0, wi_1, wo: 3 · 2·d·d_ff per vector) runs on `groups`
    // vectors instead of L; the plugin adds its gate (on the groups) and adapter (on every token).
    const int64_t B = 2, layers = 2, d = 16, F = 24, A = 64;
    const int64_t saved = B * layers * (L - groups) * 3 * 2 * d * F;
    const int64_t plugin = B * layers * (2 * groups * (k * d) * k + 2 * L * (2 * d) * A + 2 * L * A * d);
    CHECK(f_with == f_plain - saved + plugin);
  }
}

TEST_CASE("Variator match: last distils the final hidden states (the encoder's, after its final norm)",
          "[variator][t5]") {
  const int64_t L = 9;
  const auto ids = at::randint(3, 50, {2, L}, at::kLong);
  auto b = test::make_tiny_t5(test::tiny_t5(), L);
  auto m = test::make_variator("ks: [2]\nmatch: last\ndistill: hidden\n");
  m->attach(*b);
  b->to(at::kDouble);
  {
    at::NoGradGuard g;
    for (auto& p : b->named_parameters())
      if (p.key().find(".variator.") != std::string::npos) p.value().normal_(0, 0.3);
  }
  b->eval();
  b->forward(ids);
  const auto student = b->final_hidden().detach().clone();
  const auto loss = facet<TrainingHooks>(m.get())->auxiliary_loss(*b, ids);
  // The teacher: the same network with the plugins bypassed = the plain T5 on the same weights.
  auto plain = test::make_tiny_t5(test::tiny_t5(), L);
  {
    at::NoGradGuard g;
    auto mine = b->named_parameters();
    for (auto& p : plain->named_parameters()) p.value().copy_(mine[p.key()]);
  }
  plain->keep_final_hidden(true);
  at::NoGradGuard g;
  plain->forward(ids);
  const auto want = at::mse_loss(student, plain->final_hidden()).item<double>();
  CHECK(want > 1e-6);
  CHECK(std::abs(loss.item<double>() - want) <= 1e-12 * want);
}
