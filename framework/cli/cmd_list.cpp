#include <fmt/format.h>

#include "framework/cli/commands.h"
#include "framework/registry/registries.h"

namespace adaptlab::cli {
namespace {

template <class Reg>
void print(const Reg& reg, const std::string& title, bool verbose) {
  fmt::print("{}:\n", title);
  for (const auto& name : reg.entries().names()) {
    const auto& e = reg.entries().get(name);
    fmt::print("  {:<12} {}\n", name, e.summary);
    if (verbose) fmt::print("{}", e.options.empty() ? "    (no options)\n" : e.options);
  }
}

}  // namespace

int cmd_list(const ListArgs& a) {
  auto& r = registries();
  if (a.what.empty() || a.what == "backbones") print(r.backbones, "backbones", a.verbose);
  if (a.what.empty() || a.what == "methods") print(r.methods, "methods", a.verbose);
  if (a.what.empty() || a.what == "datasets") print(r.datasets, "datasets", a.verbose);
  return 0;
}

}  // namespace adaptlab::cli
