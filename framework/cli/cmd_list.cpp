#include <fmt/format.h>

#include <memory>

#include "framework/cli/commands.h"
#include "framework/config/options.h"
#include "framework/registry/registries.h"
#include "framework/run/init_source.h"
#include "framework/measure/options.h"
#include "framework/train/options.h"

namespace adaptlab::cli {
namespace {

struct ListArgs {
  std::string what;  // "", backbones, methods, datasets
  bool verbose = false;
};

template <class Reg>
void print(const Reg& reg, const std::string& title, bool verbose) {
  fmt::print("{}:\n", title);
  for (const auto& name : reg.entries().names()) {
    const auto& e = reg.entries().get(name);
    fmt::print("  {:<12} {}\n", name, e.summary);
    if (verbose) fmt::print("{}", e.options.empty() ? "    (no options)\n" : e.options);
  }
}

int cmd_list(const ListArgs& a) {
  auto& r = registries();
  if (a.what.empty() || a.what == "backbones") print(r.backbones, "backbones", a.verbose);
  if (a.what.empty() || a.what == "methods") print(r.methods, "methods", a.verbose);
  if (a.what.empty() || a.what == "datasets") print(r.datasets, "datasets", a.verbose);
  if ((a.what.empty() && a.verbose) || a.what == "train")
    fmt::print("train (the `train:` map of every run config):\n{}", cfg::format_doc(cfg::options_doc<TrainOptions>(), "    "));
  if ((a.what.empty() && a.verbose) || a.what == "measure")
    fmt::print("measure (the `measure:` map of every run config: how the measurement phase times it; not part of "
               "the run id):\n{}",
               cfg::format_doc(cfg::options_doc<MeasureOptions>(), "    "));
  if ((a.what.empty() && a.verbose) || a.what == "init")
    fmt::print("init (each item of a run config's `init:` list; `from: {{study, run, match, same_seed}}` or `path`):\n{}",
               cfg::format_doc(cfg::options_doc<InitSource>(), "    "));
  return 0;
}

}  // namespace

void add_list(Command& root, const GlobalArgs&) {
  auto a = std::make_shared<ListArgs>();
  Command& c = root.sub("list", "list registered backbones, methods and datasets");
  c.positional("what", a->what, "backbones | methods | datasets | train | measure | init (default: all)")
      .one_of({"backbones", "methods", "datasets", "train", "measure", "init"});
  c.flag("-v,--verbose", a->verbose, "show every option with its default, and the train:, measure: and init: keys");
  c.on_run([a] { return cmd_list(*a); });
}

}  // namespace adaptlab::cli
