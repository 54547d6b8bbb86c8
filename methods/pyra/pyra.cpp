#include "methods/pyra/pyra.h"

#include "framework/core/error.h"
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
    int64_t channels = 0;
    for (const auto& [name, lin] : b.linear_points())
      if (name.size() > 9 && name.compare(name.size() - 9, 9, ".attn.qkv") == 0) channels = lin->in_features;
    AL_CHECK(channels > 0, "pyra: the backbone has no '<block>.attn.qkv' layer to read the token width from");
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
