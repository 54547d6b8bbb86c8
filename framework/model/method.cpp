#include "framework/model/method.h"

#include <ATen/core/Tensor.h>

namespace adaptlab {

at::Tensor Method::auxiliary_loss(Backbone& /*backbone*/, const at::Tensor& /*inputs*/) { return {}; }

}  // namespace adaptlab
