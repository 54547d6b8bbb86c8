#include "methods/linear/linear.h"

#include "framework/model/backbone.h"

namespace adaptlab {
namespace {

class LinearProbe : public Method {
 public:
  void attach(Backbone&) override {}
  std::vector<std::string> trainable(Backbone& b) override { return b.parameters_named("", true); }
};

}  // namespace

std::unique_ptr<Method> make_linear_probe(const LinearProbeOptions&) { return std::make_unique<LinearProbe>(); }

}  // namespace adaptlab
