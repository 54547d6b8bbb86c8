// Full fine-tuning: every backbone tensor trains (the upper baseline of every PEFT table).
#pragma once
#include <memory>

#include "framework/model/method.h"

namespace adaptlab {

struct FullOptions {
  template <class V>
  void visit(V&) {}
};

std::unique_ptr<Method> make_full(const FullOptions& options);

}  // namespace adaptlab
