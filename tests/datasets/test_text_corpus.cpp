// text_corpus: passages one a line (blank lines skipped), val / test from the top, WordPiece ids as the
// tokenizer gives them; without labels only a label-free loss may train on it.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <fmt/format.h>

#include "backbones/vit/vit.h"
#include "framework/config/node.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/text/wordpiece.h"
#include "framework/train/trainer.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("text_corpus: passages as WordPiece ids, val and test from the top, no labels", "[datasets][text]") {
  const auto dir = test::fresh_dir("corpus");
  std::string text;
  for (int i = 0; i < 10; ++i) text += fmt::format("passage number {} of the corpus\n{}", i, i % 3 == 0 ? "\n  \n" : "");
  const auto file = test::write_file(dir, "c.txt", text);
  const auto yaml = [&](const std::string& extra) {
    return fmt::format("{{file: '{}', vocab: '{}', max_length: 12, val_size: 2, test_size: 3{}}}", file,
                       ADAPTLAB_MINILM_VOCAB, extra);
  };
  auto d = registries().datasets.create("text_corpus", cfg::parse_string(yaml(""), "t"));
  CHECK(d->size(Split::val) == 2);
  CHECK(d->size(Split::test) == 3);
  CHECK(d->size(Split::train) == 5);
  CHECK_FALSE(d->labelled());
  const auto wp = text::WordPiece::load(ADAPTLAB_MINILM_VOCAB, true);
  for (const auto& [split, row, line] : {std::tuple{Split::val, 0, 0}, {Split::test, 2, 4}, {Split::train, 4, 9}}) {
    const auto ids = wp.encode(fmt::format("passage number {} of the corpus", line), 12, true).input_ids;
    CHECK(at::equal(d->inputs(split)[row], at::tensor(ids, at::kLong)));
  }
  CHECK(d->labels(Split::train).eq(0).all().item<bool>());
  CHECK(registries().datasets.create("text_corpus", cfg::parse_string(yaml(", train_size: 4"), "t"))->size(Split::train) == 4);
  REQUIRE_THROWS_WITH(registries().datasets.create("text_corpus", cfg::parse_string(yaml(", train_size: 6"), "t")),
                      file + ": 5 passages after val and test, fewer than train_size = 6");
  // A stack that trains on the task loss cannot use it.
  auto b = registries().backbones.create("pretrained_text", cfg::parse_string("{dropout: 0.0}", "t"), d->info());
  auto full = registries().methods.create("full", cfg::parse_string("{}", "t"));
  std::vector<Method*> ms = {full.get()};
  full->attach(*b);
  TrainOptions o;
  o.epochs = 1;
  REQUIRE_THROWS_WITH(fit(*b, ms, *d, o, 0, at::kCPU, [](const MetricEvent&) {}),
                      "the dataset has no labels: only a label-free loss can train on it (e.g. variator with distill: hidden)");
}
