// Variator (Xia et al., "Variator: Accelerating Pre-trained Models with Plug-and-Play Compression
// Modules", EMNLP 2023 Findings, arXiv 2310.15724): compression plugins around every FFN sub-layer of a
// frozen backbone; see README.md beside this file for the equations and the choices made here.
#pragma once
#include <memory>
#include <vector>

#include "framework/model/backbone.h"
#include "framework/model/hook_facets.h"
#include "framework/model/method.h"

namespace adaptlab {

struct VariatorOptions {
  std::vector<int> ks = {2, 4};  // compression rates; one plugin set per k (plug-and-play)
  int adapter_dim = 64;          // decompression adapter: Linear 2d → adapter_dim, tanh, Linear → d
  double distill_weight = 1.0;   // weight of the layer-wise MSE to the uncompressed network (0 = task loss only)
  bool train_head = true;
  std::string distill = "task-hidden";  // task-hidden | hidden | task (the released code's choices)
  std::string match = "layers";         // layers | last | released (decoder + masked encoder final states)
  // Where adaptlab and the released code (thunlp/Variator: model/muxT5.py, train_t5.py) differ; the
  // released behaviour is what the paper's numbers come from (README.md).
  std::string padding = "masked";       // masked: padding gets no gate weight | released: grouped like tokens
  std::string teacher = "eval";         // eval: the teacher pass without dropout | dropout: as training
  std::string adapter_dropout = "after";  // after: on the plugin's output | before: on the FFN output
  std::string init = "zero";            // zero: gate and up-projection 0 | released: N(0, √(2/(k·d))), N(0, 0.01)

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
      "backbone's final hidden states, every token, padding included) | released (encoder-decoder backbones, "
      "the released train_t5.py: MSE of the decoder's last hidden states + MSE of the encoder's final hidden "
      "states with padding zeroed, each a mean over all elements)");
    v("padding", padding,
      "masked: padding (beyond the sequence, or text padding) gets no gate weight in its group | released: "
      "padded positions are grouped and weighted like real tokens (model/muxT5.py: no mask in a group)");
    v("teacher", teacher,
      "the uncompressed teacher pass: eval (no dropout) | dropout (in the training mode of the step, as the "
      "released code, whose teacher runs under inference_mode with the model in train mode)");
    v("adapter_dropout", adapter_dropout,
      "where the FFN sub-layer's output dropout falls: after (on the plugin's output, as for any FFN) | before "
      "(on the FFN's output, before it is repeated and enters the adapter: the released code)");
    v("init", init,
      "zero: gate and up-projection 0 (the group mean and plain repetition at first), down-projection as "
      "nn.Linear | released: gate weight N(0, sqrt(2/(k d))), both adapter weights N(0, 0.01), biases 0");
    v.check(padding == "masked" || padding == "released", "padding", "must be masked or released");
    v.check(teacher == "eval" || teacher == "dropout", "teacher", "must be eval or dropout");
    v.check(adapter_dropout == "after" || adapter_dropout == "before", "adapter_dropout", "must be after or before");
    v.check(init == "zero" || init == "released", "init", "must be zero or released");
    v.check(distill == "task-hidden" || distill == "hidden" || distill == "task", "distill",
            "must be task-hidden, hidden or task");
    v.check(match == "layers" || match == "last" || match == "released", "match", "must be layers, last or released");
    v.check(distill != "hidden" || distill_weight > 0, "distill_weight", "must be > 0 with distill: hidden");
    v.check(!ks.empty(), "ks", "must list at least one rate");
    for (int k : ks) v.check(k >= 1, "ks", "rates must be >= 1");
    v.check(adapter_dim > 0, "adapter_dim", "must be > 0");
    v.check(distill_weight >= 0, "distill_weight", "must be >= 0");
  }
};

// The plugin of one block: a set of (gate, adapter) per k; `active_k` = 0 bypasses it (the teacher).
class VariatorWrap : public FfnWrap, public FfnWrapPlacesDropout {
 public:
  // `keep_first`: leading tokens that go through the FFN on their own, never grouped (the class token).
  VariatorWrap(int64_t width, const VariatorOptions& o, int64_t keep_first = 1);
  at::Tensor forward(const at::Tensor& u, const at::Tensor& mask,
                     const std::function<at::Tensor(const at::Tensor&)>& ffn) override;
  // adapter_dropout: before — the block's FFN comes with its output dropout (hook_facets.h).
  bool places_output_dropout() const override { return dropout_before_; }
  int active_k = 0;
  bool record = false;
  at::Tensor last_mask;         // the padding mask of the last forward (true = real), when recording it
  at::Tensor last_out;          // the sub-layer output of the last forward, when recording
  int64_t last_ffn_tokens = 0;  // vectors the FFN ran on in the last forward

 private:
  std::vector<int> ks_;
  int64_t keep_first_;
  bool masked_, dropout_before_;
  std::vector<std::shared_ptr<torch::nn::Module>> sets_;  // per k: gate, down, up
};

std::unique_ptr<Method> make_variator(const VariatorOptions& options);

}  // namespace adaptlab
