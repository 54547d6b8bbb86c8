// ToMe: token merging after each block's attention (Bolya et al. 2023). Trains nothing by itself;
// stack it with a method that trains (e.g. `methods: [lora, tome]`).
#pragma once
#include <memory>

#include "framework/config/node.h"
#include "framework/model/method.h"

namespace adaptlab {

struct TomeOptions {
  cfg::Node r;               // int | list (one per block) | schedule name (b16-low, b16-high, l16-low, l16-high)
  bool prop_attn = true;     // proportional attention: + log(size) on the attention logits (training too)
  bool trace_source = false; // keep which input patches each token holds (visualisation)
  bool train_head = false;   // also train the classifier head

  template <class V>
  void visit(V& v) {
    v.required("r", r, "tokens merged per block: an integer, a list with one per block, or a schedule name "
                       "(b16-low, b16-high, l16-low, l16-high)");
    v("prop_attn", prop_attn, "add log(token size) to the attention logits");
    v("trace_source", trace_source, "track which input patches each token holds");
    v("train_head", train_head, "train the classifier head");
  }
};

std::unique_ptr<Method> make_tome(const TomeOptions& options);

// ToMe (reactivation = false) or PYRA (true): one method class, see methods/pyra/pyra.h.
std::unique_ptr<Method> make_token_merging(const TomeOptions& options, bool reactivation);

}  // namespace adaptlab
