// BitFit (Ben Zaken et al. 2022): only the bias terms of the backbone (and the head) train.
#pragma once
#include <memory>

#include "framework/model/method.h"

namespace adaptlab {

struct BitFitOptions {
  bool train_head = true;
  template <class V>
  void visit(V& v) {
    v("train_head", train_head, "train the classifier head too");
  }
};

std::unique_ptr<Method> make_bitfit(const BitFitOptions& options);

}  // namespace adaptlab
