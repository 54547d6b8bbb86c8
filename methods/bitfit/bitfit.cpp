#include "methods/bitfit/bitfit.h"

#include "framework/model/backbone.h"

namespace adaptlab {
namespace {

class BitFit : public Method {
 public:
  explicit BitFit(BitFitOptions o) : o_(o) {}
  void attach(Backbone&) override {}
  std::vector<std::string> trainable(Backbone& b) override {
    std::vector<std::string> out;
    for (const auto& p : b.named_parameters()) {
      const std::string& n = p.key();
      const bool is_bias = n.size() >= 5 && n.compare(n.size() - 5, 5, ".bias") == 0;
      const bool is_head = n.rfind(b.head_prefix(), 0) == 0;
      if (is_head ? o_.train_head : is_bias) out.push_back(n);
    }
    return out;
  }

 private:
  BitFitOptions o_;
};

}  // namespace

std::unique_ptr<Method> make_bitfit(const BitFitOptions& o) { return std::make_unique<BitFit>(o); }

}  // namespace adaptlab
