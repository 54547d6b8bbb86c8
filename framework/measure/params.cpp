#include "framework/measure/params.h"

#include "framework/model/backbone.h"

namespace adaptlab {

ParamCounts count_params(Backbone& backbone) {
  ParamCounts c;
  for (const auto& p : backbone.parameters()) {
    c.total += p.numel();
    if (p.requires_grad()) c.trainable += p.numel();
  }
  return c;
}

}  // namespace adaptlab
