// LoRA on chosen Linear layers of a frozen backbone.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "framework/model/method.h"

namespace adaptlab {

struct LoraOptions {
  int rank = 8;                                  // low-rank dimension r
  double alpha = 8.0;                            // scaling = alpha / rank
  double dropout = 0.0;                          // dropout on the LoRA branch input (training only)
  std::vector<std::string> targets = {"attn.qkv"};  // Linear points: canonical (attn.q, attn.qkv, mlp.fc1, ...) or layer names
  bool train_head = true;                        // the classifier head trains too
  std::string scaling = "alpha/rank";            // alpha/rank (Hu et al., peft) | none (NOAH/PYRA code: scale 1)

  template <class V>
  void visit(V& v) {
    v("rank", rank, "low-rank dimension r");
    v("alpha", alpha, "scaling = alpha / rank");
    v("dropout", dropout, "dropout on the LoRA branch input");
    v("targets", targets, "Linear points on every backbone: attn.q, attn.k, attn.v, attn.qkv, attn.proj, mlp.fc1, "
                          "mlp.fc2 (blocks.<i>.<point> for one block), or a suffix of the checkpoint's layer names "
                          "(e.g. query)");
    v("train_head", train_head, "train the classifier head too");
    v("scaling", scaling, "alpha/rank, or none: the delta is B·A unscaled (the NOAH/PYRA code's LoRA: one branch "
                          "C -> r -> 3C on attn.qkv, dropout 0.1)");
    v.check(rank > 0, "rank", "must be > 0");
    v.check(scaling == "alpha/rank" || scaling == "none", "scaling", "must be alpha/rank or none");
    v.check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1)");
    v.check(!targets.empty(), "targets", "must name at least one attach point");
  }
};

std::unique_ptr<Method> make_lora(const LoraOptions& options);

}  // namespace adaptlab
