// Trainable parameters per method on ViT-B/16 (100 classes) and all-MiniLM-L6-v2's architecture
// (24 classes), with and without the classifier head: the numbers PEFT tables print.
//   ninja -C build adaptlab_param_counts && ./build/adaptlab_param_counts
#include <ATen/ATen.h>
#include <fmt/format.h>

#include "framework/config/node.h"
#include "framework/core/build_info.h"
#include "backbones/bert/encoder.h"
#include "framework/model/method.h"
#include "backbones/bert/pretrained_text.h"
#include "backbones/vit/vit.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"

using namespace adaptlab;

int main() {
  struct M {
    const char* label;
    const char* name;
    const char* vit;
    const char* text;
  };
  const M methods[] = {
      {"full", "full", "{}", "{}"},
      {"linear probe", "linear", "{}", "{}"},
      {"BitFit", "bitfit", "{}", "{}"},
      {"LoRA r=8 on qkv / q,v", "lora", "{rank: 8, targets: [attn.qkv]}", "{rank: 8, targets: [query, value]}"},
      {"LoRA r=8 NOAH/PYRA", "lora", "{rank: 8, scaling: none, dropout: 0.1, targets: [attn.qkv]}",
       "{rank: 8, scaling: none, targets: [query, key, value]}"},
      {"adapter 8 after MLP (NOAH)", "adapter", "{bottleneck: 8, init: xavier}", "{bottleneck: 8, init: xavier}"},
      {"AdaptFormer 64", "adapter", "{placement: parallel, bottleneck: 64, scale: 0.1, activation: relu}",
       "{placement: parallel, bottleneck: 64, scale: 0.1, activation: relu}"},
      {"VPT shallow 10", "vpt", "{tokens: 10}", "{tokens: 10}"},
      {"VPT deep 10", "vpt", "{tokens: 10, deep: true}", "{tokens: 10, deep: true}"},
      {"PYRA b16-low (no head)", "pyra", "{r: b16-low}", "{r: [2, 2, 2, 2, 2, 2]}"},
  };
  fmt::print("| method | ViT-B/16 trainable | without head | MiniLM-L6 trainable | without head |\n|---|---|---|---|---|\n");
  for (const auto& m : methods) {
    int64_t counts[2][2] = {};
    for (int k = 0; k < 2; ++k) {
      std::shared_ptr<Backbone> b;
      if (k == 0) {
        ViTOptions o;
        o.preset = "vit_base_patch16_224";
        b = make_vit(resolve_vit_preset(o), 100);
      } else {
        b = make_encoder(encoder_options_from_config(pretrained_dir("all-MiniLM-L6-v2") + "/config.json"), 24, 32);
      }
      auto method = registries().methods.create(m.name, cfg::parse_string(k == 0 ? m.vit : m.text, "counts"));
      method->attach(*b);
      set_trainable(*b, {method.get()});
      for (auto& p : b->named_parameters()) {
        if (!p.value().requires_grad()) continue;
        counts[k][0] += p.value().numel();
        if (p.key().rfind(b->head_prefix(), 0) != 0) counts[k][1] += p.value().numel();
      }
    }
    fmt::print("| {} | {} | {} | {} | {} |\n", m.label, counts[0][0], counts[0][1], counts[1][0], counts[1][1]);
  }
  return 0;
}
