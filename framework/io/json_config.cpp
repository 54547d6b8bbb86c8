#include "framework/io/json_config.h"

#include <fstream>

namespace adaptlab {

JsonConfig::JsonConfig(const std::string& path) : path_(path) {
  std::ifstream f(path);
  AL_CHECK(f.good(), "{}: cannot read", path);
  try {
    j_ = nlohmann::json::parse(f);
  } catch (const std::exception& e) {
    fail("{}: not valid JSON: {}", path, e.what());
  }
}

}  // namespace adaptlab
