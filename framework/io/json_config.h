// A model folder's config.json (Hugging Face): read whole, with typed lookups whose errors name the
// file and the key.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "framework/core/error.h"

namespace adaptlab {

class JsonConfig {
 public:
  // Errors: "<path>: cannot read", "<path>: not valid JSON: …".
  explicit JsonConfig(const std::string& path);

  // The value of `key`, or `def` when it is absent or null; a value of another type is an error.
  template <class T>
  T get(const char* key, T def) const {
    if (!j_.contains(key) || j_.at(key).is_null()) return def;
    try {
      return j_.at(key).get<T>();
    } catch (const std::exception&) {
      fail("{}: key '{}' has the wrong type", path_, key);
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  nlohmann::json j_;
};

}  // namespace adaptlab
