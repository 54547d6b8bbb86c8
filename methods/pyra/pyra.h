// PYRA: Parallel Yielding Re-Activation (Xiong et al., ECCV 2024) — ToMe whose merged source tokens are
// re-weighted by a learnable modulation before the size-weighted average (see methods/tome/tome_ops.h
// for the equations). With W_b = 0 at initialisation it computes exactly what ToMe computes.
// Used with LoRA on the fused qkv: `methods: [{name: lora, ...}, {name: pyra, r: b16-low}]`.
//
// Learning rate: the reference code has a flag for a separate PYRA learning rate but trains PYRA's
// tensors at the base rate; so does this method (per-method learning rates come with the optimiser
// parameter groups of the PEFT issue).
#pragma once
#include <memory>

#include "framework/config/node.h"
#include "framework/model/method.h"

namespace adaptlab {

struct PyraOptions {
  cfg::Node r;
  bool prop_attn = true;
  bool trace_source = false;
  bool train_head = false;

  template <class V>
  void visit(V& v) {
    v.required("r", r, "tokens merged per block: an integer, a list with one per block, or a schedule name "
                       "(b16-low, b16-high, l16-low, l16-high)");
    v("prop_attn", prop_attn, "add log(token size) to the attention logits");
    v("trace_source", trace_source, "track which input patches each token holds");
    v("train_head", train_head, "train the classifier head");
  }
};

std::unique_ptr<Method> make_pyra(const PyraOptions& options);

}  // namespace adaptlab
