#include "framework/model/backbone.h"

namespace adaptlab {

std::vector<std::pair<std::string, std::shared_ptr<AttachableLinear>>> Backbone::linear_points() {
  std::vector<std::pair<std::string, std::shared_ptr<AttachableLinear>>> out;
  for (const auto& item : named_modules("", /*include_self=*/false)) {
    if (auto lin = std::dynamic_pointer_cast<AttachableLinear>(item.value())) out.emplace_back(item.key(), lin);
  }
  return out;
}

std::vector<std::string> Backbone::parameters_named(const std::string& infix, bool with_head) {
  std::vector<std::string> out;
  const std::string head = head_prefix();
  for (const auto& p : named_parameters()) {
    const std::string& n = p.key();
    if ((!infix.empty() && n.find(infix) != std::string::npos) || (with_head && n.starts_with(head))) out.push_back(n);
  }
  return out;
}

}  // namespace adaptlab
