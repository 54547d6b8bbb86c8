// Linear probe: the backbone stays frozen; only the classifier head trains.
#pragma once
#include <memory>

#include "framework/model/method.h"

namespace adaptlab {

struct LinearProbeOptions {
  template <class V>
  void visit(V&) {}
};

std::unique_ptr<Method> make_linear_probe(const LinearProbeOptions& options);

}  // namespace adaptlab
