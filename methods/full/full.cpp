#include "methods/full/full.h"

#include "framework/model/backbone.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

class Full : public Method {
 public:
  void attach(Backbone&) override {}
  std::vector<std::string> trainable(Backbone& b) override {
    std::vector<std::string> out;
    for (const auto& p : b.named_parameters()) out.push_back(p.key());
    return out;
  }
};

}  // namespace

std::unique_ptr<Method> make_full(const FullOptions&) { return std::make_unique<Full>(); }

void register_full(Registries& r) {
  EntryMeta meta;  // what the contract test checks it trains
  meta.example_trains = ".*";
  add_entry<FullOptions>(r.methods, "full", "full fine-tuning: every backbone tensor trains",
                 [](const FullOptions& o) { return make_full(o); }, meta);
}

}  // namespace adaptlab
