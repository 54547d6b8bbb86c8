#include "methods/bitfit/bitfit.h"

#include "framework/model/backbone.h"
#include "framework/registry/registries.h"

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
      const bool is_bias = n.ends_with(".bias");
      const bool is_head = n.starts_with(b.head_prefix());
      if (is_head ? o_.train_head : is_bias) out.push_back(n);
    }
    return out;
  }

 private:
  BitFitOptions o_;
};

}  // namespace

std::unique_ptr<Method> make_bitfit(const BitFitOptions& o) { return std::make_unique<BitFit>(o); }

void register_bitfit(Registries& r) {
  EntryMeta meta;  // what the contract test checks it trains: every bias, and the head
  meta.example_trains = R"(.*\.bias|{head}.*)";
  add_entry<BitFitOptions>(r.methods, "bitfit", "BitFit: only bias terms (and the head) train",
                 [](const BitFitOptions& o) { return make_bitfit(o); }, meta);
}

}  // namespace adaptlab
