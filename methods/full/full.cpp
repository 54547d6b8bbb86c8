#include "methods/full/full.h"

#include "framework/model/backbone.h"

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

}  // namespace adaptlab
