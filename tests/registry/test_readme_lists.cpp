#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "framework/registry/registries.h"

using namespace adaptlab;

namespace {
// The README paragraph that starts with `heading` (up to the next blank line).
std::string paragraph(const std::string& text, const std::string& heading) {
  const auto start = text.find(heading);
  if (start == std::string::npos) return "";
  const auto end = text.find("\n\n", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}
}  // namespace

TEST_CASE("the README lists every registered backbone, method and dataset", "[registry]") {
  std::ifstream f(std::string(ADAPTLAB_SOURCE_DIR) + "/README.md");
  REQUIRE(f.good());
  std::stringstream s;
  s << f.rdbuf();
  const std::string readme = s.str();
  auto& r = registries();
  const struct {
    const char* heading;
    std::vector<std::string> names;
  } lists[] = {{"Backbones (", r.backbones.entries().names()},
               {"Methods (", r.methods.entries().names()},
               {"Datasets (", r.datasets.entries().names()}};
  for (const auto& l : lists) {
    const std::string p = paragraph(readme, l.heading);
    INFO("README paragraph starting '" << l.heading << "'");
    REQUIRE(!p.empty());
    for (const auto& name : l.names) {
      INFO("registered name " << name);
      CHECK(p.find("`" + name + "`") != std::string::npos);
    }
  }
}
