#include "methods/tome/tome.h"

#include "framework/model/backbone.h"
#include "methods/tome/schedule.h"
#include "methods/tome/tome_op.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

// ToMe, and with `reactivation` PYRA: the same merging op, PYRA's with its learnable modulation.
class TokenMerging : public Method {
 public:
  TokenMerging(TomeOptions o, bool reactivation) : o_(std::move(o)), reactivation_(reactivation) {}

  void attach(Backbone& b) override {
    const auto r = tome::parse_r(o_.r, b.num_blocks());
    tome::token_counts(b.num_input_tokens(), b.protected_prefix(), r);  // throws when a block asks too much
    const int64_t pyra_channels = reactivation_ ? b.width() : 0;
    for (int i = 0; i < b.num_blocks(); ++i)
      if (r[i] > 0)
        b.block(i).add_token_op(TokenPoint::after_attn, reactivation_ ? "pyra" : "tome",
                                std::make_shared<TomeOp>(r[i], o_.prop_attn, o_.trace_source, pyra_channels));
  }

  std::vector<std::string> trainable(Backbone& b) override {
    return b.parameters_named(reactivation_ ? ".pyra." : "", o_.train_head);
  }

  TokenRole token_role() const override { return TokenRole::merge; }

 private:
  TomeOptions o_;
  bool reactivation_;
};

}  // namespace

std::unique_ptr<Method> make_token_merging(const TomeOptions& options, bool reactivation) {
  return std::make_unique<TokenMerging>(options, reactivation);
}

std::unique_ptr<Method> make_tome(const TomeOptions& options) { return make_token_merging(options, false); }

void register_tome(Registries& r) {
  EntryMeta meta;  // options for the method contract test
  meta.example_options = "{r: 1, train_head: true}";
  meta.example_trains = "{head}.*";  // merging trains nothing itself
  meta.example_trains_per_block = 0;
  add_entry<TomeOptions>(r.methods, "tome", "ToMe token merging after each block's attention (trains nothing itself)",
                 [](const TomeOptions& o) { return make_tome(o); }, meta);
}

}  // namespace adaptlab
