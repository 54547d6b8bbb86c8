// Named factories. An unknown name is an error that lists the known ones.
#pragma once
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/suggest.h"

namespace adaptlab {

// Where the entries being registered now come from: "" (built into adaptlab) or the path of the plugin
// whose registration function is running (framework/registry/registries.cpp sets it).
const std::string& registration_origin();
// "adaptlab itself" or "plugin <path>".
std::string describe_origin(const std::string& origin);

template <class Product, class... Args>
class Registry {
 public:
  using Factory = std::function<Product(Args...)>;
  struct Entry {
    std::string summary;  // one line for `adaptlab list`
    std::string options;  // formatted option docs for `adaptlab list --verbose`
    Factory make;
    std::string origin;   // "" = built in, else the plugin's path
  };

  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  void add(const std::string& name, std::string summary, std::string options, Factory make) {
    AL_CHECK(!name.empty(), "{} registry: empty name", kind_);
    const auto it = entries_.find(name);
    AL_CHECK(it == entries_.end(), "{} '{}' is registered twice: by {} and by {}; rename one of them", kind_, name,
             describe_origin(it->second.origin), describe_origin(registration_origin()));
    entries_.emplace(name, Entry{std::move(summary), std::move(options), std::move(make), registration_origin()});
  }

  bool has(const std::string& name) const { return entries_.count(name) > 0; }

  const Entry& get(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw Error(unknown_component_message(kind_, name, names()));
    return it->second;
  }

  Product create(const std::string& name, Args... args) const { return get(name).make(std::forward<Args>(args)...); }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : entries_) out.push_back(k);
    return out;  // sorted (std::map)
  }
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  std::map<std::string, Entry> entries_;
};

}  // namespace adaptlab
