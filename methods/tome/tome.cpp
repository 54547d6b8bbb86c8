#include "methods/tome/tome.h"

#include "framework/model/backbone.h"
#include "methods/tome/schedule.h"
#include "methods/tome/tome_op.h"

namespace adaptlab {
namespace {

class Tome : public Method {
 public:
  explicit Tome(TomeOptions o) : o_(std::move(o)) {}

  void attach(Backbone& b) override {
    const auto r = tome::parse_r(o_.r, b.num_blocks());
    tome::token_counts(b.num_input_tokens(), b.protected_prefix(), r);  // throws when a block asks too much
    for (int i = 0; i < b.num_blocks(); ++i)
      if (r[i] > 0) b.add_after_attn(i, "tome", std::make_shared<TomeOp>(r[i], o_.prop_attn, o_.trace_source));
  }

  std::vector<std::string> trainable(Backbone& b) override {
    std::vector<std::string> out;
    if (o_.train_head)
      for (const auto& p : b.named_parameters())
        if (p.key().rfind(b.head_prefix(), 0) == 0) out.push_back(p.key());
    return out;
  }

  std::string token_role() const override { return "merge"; }

 private:
  TomeOptions o_;
};

}  // namespace

std::unique_ptr<Method> make_tome(const TomeOptions& options) { return std::make_unique<Tome>(options); }

}  // namespace adaptlab
