// The tiny T5 (float64, eval, seeded) and the Variator factory the Variator-on-T5 tests share.
#pragma once
#include <ATen/ATen.h>

#include <memory>
#include <string>

#include "backbones/t5/t5.h"
#include "framework/config/node.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"

namespace adaptlab::test {

// d_model 16, two encoder blocks and one decoder block of 4 heads, gated-GELU, two label words.
inline T5Options tiny_t5(double dropout = 0) {
  T5Options o;
  o.vocab_size = 50;
  o.d_model = 16;
  o.d_kv = 4;
  o.d_ff = 24;
  o.num_layers = 2;
  o.num_decoder_layers = 1;
  o.num_heads = 4;
  o.relative_attention_num_buckets = 8;
  o.relative_attention_max_distance = 16;
  o.dropout = dropout;
  o.feed_forward = "gated-gelu";
  o.label_ids = {4, 5};
  o.decoder_input = {0, 49};
  return o;
}

// Built with seed 11 (the same weights every call), in float64 and eval mode.
inline std::shared_ptr<Backbone> make_tiny_t5(const T5Options& o, int64_t len) {
  at::manual_seed(11);
  auto b = make_t5(o, 2, len);
  b->to(at::kDouble);
  b->eval();
  return b;
}

inline std::unique_ptr<Method> make_variator(const std::string& yaml) {
  return registries().methods.create("variator", cfg::parse_string(yaml, "test"));
}

}  // namespace adaptlab::test
