#include "methods/vpt/vpt.h"

#include <ATen/ATen.h>

#include <cmath>

#include "framework/core/error.h"
#include "framework/model/backbone.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

class PromptOp : public TokenOp {
 public:
  PromptOp(int64_t n, int64_t c, double range, double dropout, bool insert)
      : n_(n), dropout_(dropout), insert_(insert) {
    prompts = register_parameter("prompts", at::empty({1, n, c}));
    at::NoGradGuard g;
    prompts.uniform_(-range, range);
  }
  void apply(TokenState& s) override {
    const auto B = s.x.size(0);
    const auto p = at::dropout(prompts.to(s.x.scalar_type()).expand({B, n_, s.x.size(2)}), dropout_, is_training());
    const auto head = s.x.narrow(1, 0, 1);
    if (insert_) {
      s.x = at::cat({head, p, s.x.narrow(1, 1, s.x.size(1) - 1)}, 1);
      if (s.size.defined())
        s.size = at::cat({s.size.narrow(1, 0, 1), at::ones({B, n_, 1}, s.size.options()), s.size.narrow(1, 1, s.size.size(1) - 1)}, 1);
      if (s.mask.defined())
        s.mask = at::cat({s.mask.narrow(1, 0, 1), at::ones({B, n_}, s.mask.options()), s.mask.narrow(1, 1, s.mask.size(1) - 1)}, 1);
      s.protected_prefix += n_;
    } else {  // deep: replace the previous block's prompts, which sit right after the class token
      AL_CHECK(s.protected_prefix >= 1 + n_, "vpt: the prompts of the previous block are gone");
      s.x = at::cat({head, p, s.x.narrow(1, 1 + n_, s.x.size(1) - 1 - n_)}, 1);
    }
  }
  at::Tensor prompts;

 private:
  int64_t n_;
  double dropout_;
  bool insert_;
};

class Vpt : public Method {
 public:
  explicit Vpt(VptOptions o) : o_(o) {}

  void attach(Backbone& b) override {
    const double range = o_.init_range > 0 ? o_.init_range : std::sqrt(6.0 / (o_.tokens + b.width()));
    for (int i = 0; i < (o_.deep ? b.num_blocks() : 1); ++i)
      b.block(i).add_token_op(TokenPoint::before_block, "vpt",
                              std::make_shared<PromptOp>(o_.tokens, b.width(), range, o_.dropout, i == 0));
    b.add_prompt_tokens(o_.tokens);
  }

  std::vector<std::string> trainable(Backbone& b) override { return b.parameters_named(".vpt.prompts", o_.train_head); }
  TokenRole token_role() const override { return TokenRole::prompt; }

 private:
  VptOptions o_;
};

}  // namespace

std::unique_ptr<Method> make_vpt(const VptOptions& o) { return std::make_unique<Vpt>(o); }

void register_vpt(Registries& r) {
  EntryMeta meta;  // options for the method contract test
  meta.example_options = "{tokens: 3, deep: true}";
  meta.example_trains = R"(.*\.vpt\.prompts|{head}.*)";  // deep: one prompt tensor per block; the head
  meta.example_trains_per_block = 1;
  add_entry<VptOptions>(r.methods, "vpt", "visual prompt tuning: learnable prompt tokens, shallow or deep",
                 [](const VptOptions& o) { return make_vpt(o); }, meta);
}

}  // namespace adaptlab
