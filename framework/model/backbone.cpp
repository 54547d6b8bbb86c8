#include "framework/model/backbone.h"

namespace adaptlab {

std::vector<std::pair<std::string, std::shared_ptr<AttachableLinear>>> Backbone::linear_points() {
  std::vector<std::pair<std::string, std::shared_ptr<AttachableLinear>>> out;
  for (const auto& item : named_modules("", /*include_self=*/false)) {
    if (auto lin = std::dynamic_pointer_cast<AttachableLinear>(item.value())) out.emplace_back(item.key(), lin);
  }
  return out;
}

}  // namespace adaptlab
