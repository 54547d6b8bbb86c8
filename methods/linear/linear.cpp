#include "methods/linear/linear.h"

#include "framework/model/backbone.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

class LinearProbe : public Method {
 public:
  void attach(Backbone&) override {}
  std::vector<std::string> trainable(Backbone& b) override { return b.parameters_named("", true); }
};

}  // namespace

std::unique_ptr<Method> make_linear_probe(const LinearProbeOptions&) { return std::make_unique<LinearProbe>(); }

void register_linear(Registries& r) {
  EntryMeta meta;  // what the contract test checks it trains
  meta.example_trains = "{head}.*";
  meta.example_trains_per_block = 0;
  add_entry<LinearProbeOptions>(r.methods, "linear", "linear probe: only the classifier head trains",
                 [](const LinearProbeOptions& o) { return make_linear_probe(o); }, meta);
}

}  // namespace adaptlab
