// Variator (Xia et al., "Variator: Accelerating Pre-trained Models with Plug-and-Play Compression
// Modules", EMNLP 2023 Findings, arXiv 2310.15724): compression plugins around every FFN sub-layer of a
// frozen backbone; see README.md beside this file for the equations and the choices made here.
#pragma once
#include <memory>
#include <vector>

#include "framework/model/backbone.h"
#include "framework/model/method.h"

namespace adaptlab {

struct VariatorOptions {
  std::vector<int> ks = {2, 4};  // compression rates; one plugin set per k (plug-and-play)
  int adapter_dim = 64;          // decompression adapter: Linear 2d → adapter_dim, tanh, Linear → d
  double distill_weight = 1.0;   // weight of the layer-wise MSE to the uncompressed network (0 = task loss only)
  bool train_head = true;
  std::string distill = "task-hidden";  // task-hidden | hidden | task (the released code's choices)
  std::string match = "layers";         // layers: every FFN sub-layer's output | last: the final hidden states

  template <class V>
  void visit(V& v) {
    v("ks", ks, "compression rates k (tokens per group); the first is the default at inference");
    v("adapter_dim", adapter_dim, "hidden width of the decompression adapter");
    v("distill_weight", distill_weight, "weight of the MSE between FFN outputs with and without the plugins");
    v("train_head", train_head, "train the classifier head too");
    v("distill", distill,
      "task-hidden: task loss + distill_weight x hidden-state MSE | hidden: the MSE alone, no labels used (plugin "
      "pre-training on plain text) | task: the task loss alone");
    v("match", match,
      "hidden states the MSE compares: layers (every FFN sub-layer's output, averaged over layers) | last (the "
      "backbone's final hidden states, as the released code)");
    v.check(distill == "task-hidden" || distill == "hidden" || distill == "task", "distill",
            "must be task-hidden, hidden or task");
    v.check(match == "layers" || match == "last", "match", "must be layers or last");
    v.check(distill != "hidden" || distill_weight > 0, "distill_weight", "must be > 0 with distill: hidden");
    v.check(!ks.empty(), "ks", "must list at least one rate");
    for (int k : ks) v.check(k >= 1, "ks", "rates must be >= 1");
    v.check(adapter_dim > 0, "adapter_dim", "must be > 0");
    v.check(distill_weight >= 0, "distill_weight", "must be >= 0");
  }
};

// The plugin of one block: a set of (gate, adapter) per k; `active_k` = 0 bypasses it (the teacher).
class VariatorWrap : public FfnWrap {
 public:
  // `keep_first`: leading tokens that go through the FFN on their own, never grouped (the class token).
  VariatorWrap(int64_t width, const VariatorOptions& o, int64_t keep_first = 1);
  at::Tensor forward(const at::Tensor& u, const at::Tensor& mask,
                     const std::function<at::Tensor(const at::Tensor&)>& ffn) override;
  int active_k = 0;
  bool record = false;
  at::Tensor last_out;          // the sub-layer output of the last forward, when recording
  int64_t last_ffn_tokens = 0;  // vectors the FFN ran on in the last forward

 private:
  std::vector<int> ks_;
  int64_t keep_first_;
  std::vector<std::shared_ptr<torch::nn::Module>> sets_;  // per k: gate, down, up
};

std::unique_ptr<Method> make_variator(const VariatorOptions& options);

}  // namespace adaptlab
