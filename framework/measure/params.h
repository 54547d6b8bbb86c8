// Parameter counts of a backbone (with its attached methods).
#pragma once
#include <cstdint>

namespace adaptlab {

class Backbone;

struct ParamCounts {
  int64_t total = 0;      // every parameter element, frozen or not
  int64_t trainable = 0;  // elements with requires_grad
};

ParamCounts count_params(Backbone& backbone);

}  // namespace adaptlab
