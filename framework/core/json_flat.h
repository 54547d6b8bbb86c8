// A JSON document as dotted keys → JSON-encoded scalars: {"methods": [{"name": "lora", "rank": 8}]}
// gives ("methods.0.name", "\"lora\""), ("methods.0.rank", "8"). Lists of scalars stay one value.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <utility>
#include <vector>

namespace adaptlab {

std::vector<std::pair<std::string, std::string>> flatten_json(const nlohmann::json& j);

}  // namespace adaptlab
