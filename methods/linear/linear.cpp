#include "methods/linear/linear.h"

#include "framework/model/backbone.h"

namespace adaptlab {
namespace {

class LinearProbe : public Method {
 public:
  void attach(Backbone&) override {}
  std::vector<std::string> trainable(Backbone& b) override {
    std::vector<std::string> out;
    for (const auto& p : b.named_parameters())
      if (p.key().rfind(b.head_prefix(), 0) == 0) out.push_back(p.key());
    return out;
  }
};

}  // namespace

std::unique_ptr<Method> make_linear_probe(const LinearProbeOptions&) { return std::make_unique<LinearProbe>(); }

}  // namespace adaptlab
