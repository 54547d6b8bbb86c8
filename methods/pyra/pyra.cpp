#include "methods/pyra/pyra.h"

#include "framework/model/backbone.h"
#include "methods/tome/schedule.h"
#include "methods/tome/tome_op.h"

namespace adaptlab {
namespace {

class Pyra : public Method {
 public:
  explicit Pyra(PyraOptions o) : o_(std::move(o)) {}

  void attach(Backbone& b) override {
    const auto r = tome::parse_r(o_.r, b.num_blocks());
    tome::token_counts(b.num_input_tokens(), b.protected_prefix(), r);
    const int64_t channels = b.width();
    for (int i = 0; i < b.num_blocks(); ++i)
      if (r[i] > 0)
        b.add_after_attn(i, "pyra", std::make_shared<TomeOp>(r[i], o_.prop_attn, o_.trace_source, channels));
  }

  std::vector<std::string> trainable(Backbone& b) override {
    std::vector<std::string> out;
    for (const auto& p : b.named_parameters()) {
      const std::string& n = p.key();
      if (n.find(".pyra.") != std::string::npos || (o_.train_head && n.rfind(b.head_prefix(), 0) == 0))
        out.push_back(n);
    }
    return out;
  }

  std::string token_role() const override { return "merge"; }

 private:
  PyraOptions o_;
};

}  // namespace

std::unique_ptr<Method> make_pyra(const PyraOptions& options) { return std::make_unique<Pyra>(options); }

}  // namespace adaptlab
