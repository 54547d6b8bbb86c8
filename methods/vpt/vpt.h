// Visual prompt tuning (Jia et al. 2022): learnable prompt tokens inserted right after the class
// token, shallow (once, before the first block) or deep (a fresh set replaces the previous block's
// prompts before every block). Prompts count as protected tokens: token-reduction methods never
// merge them (so `vpt` must come before `tome`/`pyra` in a run's methods). Works on the text encoder
// too (prompts are attended to but left out of mean pooling).
#pragma once
#include <memory>

#include "framework/model/method.h"

namespace adaptlab {

struct VptOptions {
  int tokens = 10;
  bool deep = false;
  double dropout = 0.0;     // on the prompts (training only)
  double init_range = 0.0;  // prompts ~ U(-v, v); 0: v = √(6 / (tokens + width)) (Xavier-uniform)
  bool train_head = true;

  template <class V>
  void visit(V& v) {
    v("tokens", tokens, "prompt tokens per block");
    v("deep", deep, "new prompts before every block (deep) or only before the first (shallow)");
    v("dropout", dropout, "dropout on the prompts");
    v("init_range", init_range, "prompts ~ U(-v, v); 0: Xavier-uniform range");
    v("train_head", train_head, "train the classifier head too");
    v.check(tokens > 0, "tokens", "must be > 0");
    v.check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1)");
    v.check(init_range >= 0, "init_range", "must be >= 0");
  }
};

std::unique_ptr<Method> make_vpt(const VptOptions& options);

}  // namespace adaptlab
