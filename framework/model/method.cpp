#include "framework/model/method.h"

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "framework/model/method_facets.h"

namespace adaptlab {

// Out of line: the classes' type information lives here once, so facet<F>() (dynamic_cast) finds the
// same F in a plugin and in adaptlab.
Method::~Method() = default;
TrainingHooks::~TrainingHooks() = default;
StructureChange::~StructureChange() = default;
InferenceVariants::~InferenceVariants() = default;

at::Tensor TrainingHooks::auxiliary_loss(Backbone& /*backbone*/, const at::Tensor& /*inputs*/) { return {}; }

}  // namespace adaptlab
