// IA³ (Liu et al., "Few-Shot Parameter-Efficient Fine-Tuning is Better and Cheaper than In-Context
// Learning", NeurIPS 2022) as an adaptlab plugin built outside the adaptlab source tree:
//
//   k ← l_k ⊙ k,   v ← l_v ⊙ v,   h_ffn ← l_ff ⊙ act(fc1(u))        (l initialised to 1)
//
// on every block of a frozen backbone, through two hook points: Linear output ops on the canonical
// points attn.k / attn.v (row slices of a fused qkv on the ViT, the key/value layers on the text
// encoder) and the FFN activation point. prepare_inference folds l_k, l_v into the k/v rows and l_ff into
// fc2's columns, so inference costs nothing extra.
#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"

namespace {

struct Ia3Options {
  std::vector<std::string> targets = {"attn.k", "attn.v"};  // Linear points whose outputs are scaled
  bool ffn = true;         // also scale the FFN's intermediate activations (l_ff)
  bool train_head = true;  // the classifier head trains too
  template <class V>
  void visit(V& v) {
    v("targets", targets, "Linear points whose outputs IA³ scales (canonical: attn.k, attn.v, ...)");
    v("ffn", ffn, "also scale the FFN's intermediate activations");
    v("train_head", train_head, "train the classifier head too");
  }
};

// y ← l ⊙ y on a Linear's rows; folds into them (W ← diag(l) W, b ← l ⊙ b).
class OutputScale : public adaptlab::LinearOutputOp {
 public:
  explicit OutputScale(int64_t n) { l = register_parameter("scale", at::ones({n})); }
  at::Tensor apply(const at::Tensor& y) override { return y * l; }
  bool merge_into(at::Tensor& w, at::Tensor& b) override {
    w.mul_(l.unsqueeze(1));
    if (b.defined()) b.mul_(l);
    return true;
  }
  at::Tensor l;
};

// h ← l ⊙ h on the FFN's intermediate activations.
class ActivationScale : public adaptlab::FfnActOp {
 public:
  explicit ActivationScale(int64_t n) { l = register_parameter("scale", at::ones({n})); }
  at::Tensor apply(const at::Tensor& h) override { return h * l; }
  at::Tensor l;
};

class Ia3 : public adaptlab::Method {
 public:
  explicit Ia3(Ia3Options o) : o_(std::move(o)) {}

  void attach(adaptlab::Backbone& b) override {
    for (const auto& t : o_.targets) {
      for (auto& p : b.linear_points(t, "ia3")) {
        const std::string op = p.point.range.whole() ? "ia3" : "ia3_" + p.point.role;
        const int64_t rows = p.point.range.whole() ? p.point.layer->out_features : p.point.range.length;
        p.point.layer->add_output_op(op, std::make_shared<OutputScale>(rows), p.point.range);
        trainable_.push_back(p.layer_name + "." + op + ".scale");
      }
    }
    if (!o_.ffn) return;
    for (int i = 0; i < b.num_blocks(); ++i) {
      b.block(i).add_ffn_act_op("ia3_ff", std::make_shared<ActivationScale>(b.block(i).ffn_dim()));
      trainable_.push_back(b.block_prefix(i) + "ia3_ff.scale");
    }
  }

  std::vector<std::string> trainable(adaptlab::Backbone& b) override {
    auto out = trainable_;
    if (o_.train_head)
      for (auto& n : b.parameters_named("", true)) out.push_back(n);
    return out;
  }

  void prepare_inference(adaptlab::Backbone& b) override {
    b.merge_linear_extensions();  // l_k, l_v into their rows (after any LoRA delta merged first)
    if (!o_.ffn) return;
    at::NoGradGuard g;
    for (int i = 0; i < b.num_blocks(); ++i) {
      auto fc2 = b.linear_points("blocks." + std::to_string(i) + ".mlp.fc2").front().point.layer;
      if (!fc2->deltas().empty()) continue;  // a delta on fc2 sees the scaled activations: keep l_ff as an op
      auto& blk = b.block(i);
      const auto l = blk.named_parameters()["ia3_ff.scale"];
      fc2->weight.mul_(l.unsqueeze(0));  // W2 · (l ⊙ h) = (W2 · diag(l)) · h
      blk.remove_op("ia3_ff");
    }
  }

 private:
  Ia3Options o_;
  std::vector<std::string> trainable_;
};

}  // namespace

ADAPTLAB_PLUGIN(r) {
  adaptlab::EntryMeta meta;
  meta.example_options = "{targets: [attn.k, attn.v], ffn: true}";
  // What the method contract test checks it trains: l_k, l_v (output ops) and l_ff per block, and the head.
  meta.example_trains = R"(.*\.ia3(_[a-z]+)?\.scale|{head}.*)";
  meta.example_trains_per_block = 3;
  adaptlab::add_entry<Ia3Options>(r.methods, "ia3",
                                  "IA³: learned scaling of keys, values and the FFN hidden (plugin example)",
                                  [](const Ia3Options& o) { return std::make_unique<Ia3>(o); }, meta);
}
