// Bottleneck adapters: x → x + s·up(act(down(x))) inserted after a sub-layer (sequential, Houlsby et al.
// 2019; the NOAH/PYRA baseline puts one after the MLP inside the residual, width 8, QuickGELU), or beside
// the MLP on its input, s·up(act(down(u))) added to the residual (parallel, AdaptFormer, Chen et al. 2022).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "framework/model/method.h"

namespace adaptlab {

struct AdapterOptions {
  std::string placement = "sequential";        // sequential | parallel
  std::vector<std::string> positions = {"mlp"};  // sequential: attn and/or mlp
  int bottleneck = 8;
  std::string activation = "quick_gelu";       // gelu | quick_gelu (x·σ(1.702x)) | relu | tanh
  std::string init = "zero";                   // zero: up = 0 (starts as the identity) | xavier: NOAH/PYRA code
  double scale = 1.0;                          // s (AdaptFormer uses 0.1)
  double dropout = 0.0;                        // between activation and up-projection (training only)
  bool train_head = true;

  template <class V>
  void visit(V& v) {
    v("placement", placement, "sequential (after a sub-layer) or parallel (beside the MLP)");
    v("positions", positions, "sequential: after which sub-layers: attn, mlp");
    v("bottleneck", bottleneck, "bottleneck width");
    v("activation", activation, "gelu, quick_gelu, relu or tanh");
    v("init", init, "zero (up-projection zero: identity at start) or xavier (xavier-uniform weights, "
                    "N(0, 1e-6) biases: near identity, as the NOAH/PYRA code)");
    v("scale", scale, "multiplier s of the adapter's output");
    v("dropout", dropout, "dropout between activation and up-projection");
    v("train_head", train_head, "train the classifier head too");
    v.check(placement == "sequential" || placement == "parallel", "placement", "must be sequential or parallel");
    v.check(bottleneck > 0, "bottleneck", "must be > 0");
    v.check(activation == "gelu" || activation == "quick_gelu" || activation == "relu" || activation == "tanh",
            "activation", "must be gelu, quick_gelu, relu or tanh");
    v.check(init == "zero" || init == "xavier", "init", "must be zero or xavier");
    v.check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1)");
    v.check(!positions.empty(), "positions", "must name attn and/or mlp");
    for (const auto& p : positions) v.check(p == "attn" || p == "mlp", "positions", "entries must be attn or mlp");
    v.check(placement == "sequential" || (positions.size() == 1 && positions[0] == "mlp"), "positions",
            "a parallel adapter sits beside the MLP: positions must be [mlp]");
  }
};

std::unique_ptr<Method> make_adapter(const AdapterOptions& options);

}  // namespace adaptlab
