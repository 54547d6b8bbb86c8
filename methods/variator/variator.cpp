#include "methods/variator/variator.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>

#include <fmt/ranges.h>

#include <cmath>

#include "framework/core/error.h"
#include "framework/model/masking.h"
#include "framework/model/method_facets.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

struct PluginSet : torch::nn::Module {
  PluginSet(int64_t d, int k, int hidden, const std::string& init) {
    gate = register_module("gate", torch::nn::Linear(k * d, k));
    down = register_module("down", torch::nn::Linear(2 * d, hidden));
    up = register_module("up", torch::nn::Linear(hidden, d));
    at::NoGradGuard g;
    gate->bias.zero_();
    up->bias.zero_();
    if (init == "released") {  // model/muxT5.py MuxLayer and AdapterLayer.py Adapter (model_center Linear: bias 0)
      gate->weight.normal_(0.0, std::sqrt(2.0 / static_cast<double>(k * d)));
      down->weight.normal_(0.0, 0.01);
      down->bias.zero_();
      up->weight.normal_(0.0, 0.01);
    } else {
      gate->weight.zero_();  // uniform weights at first: the group mean
      up->weight.zero_();    // the adapter adds nothing at first
    }
  }
  torch::nn::Linear gate{nullptr}, down{nullptr}, up{nullptr};
};

}  // namespace

VariatorWrap::VariatorWrap(int64_t width, const VariatorOptions& o, int64_t keep_first)
    : ks_(o.ks), keep_first_(keep_first), masked_(o.padding == "masked"), dropout_before_(o.adapter_dropout == "before") {
  for (int k : ks_)
    sets_.push_back(
        register_module(fmt::format("k{}", k), std::make_shared<PluginSet>(width, k, o.adapter_dim, o.init)));
  active_k = ks_.front();
}

at::Tensor VariatorWrap::forward(const at::Tensor& u, const at::Tensor& mask,
                                 const std::function<at::Tensor(const at::Tensor&)>& ffn) {
  at::Tensor out;
  last_mask = mask;
  if (active_k == 0) {  // bypass: the frozen FFN on every token
    out = ffn(u);
    last_ffn_tokens = u.size(1);
  } else {
    const auto it = std::find(ks_.begin(), ks_.end(), active_k);
    AL_CHECK(it != ks_.end(), "variator: rate {} has no trained plugin", active_k);
    auto& p = static_cast<PluginSet&>(*sets_[it - ks_.begin()]);
    const int64_t k = active_k, B = u.size(0), N = u.size(1), d = u.size(2), P = keep_first_, M = N - P;
    AL_CHECK(M >= 1, "variator: {} tokens leave none to group after the {} kept apart", N, P);
    const int64_t G = (M + k - 1) / k, pad = G * k - M;
    const auto cls = u.narrow(1, 0, P);
    const auto rest = u.narrow(1, P, M);
    const auto groups = at::constant_pad_nd(rest, {0, 0, 0, pad}).reshape({B, G, k, d});
    auto logits = at::linear(groups.reshape({B, G, k * d}), p.gate->weight, p.gate->bias);  // [B, G, k]
    // padding: masked — padding (beyond the sequence, or text padding) gets no weight unless the whole
    // group is padding; released — every slot is weighted like a token (the zero vectors that fill the
    // last group too; the released code needs no such fill: its length is a multiple of k).
    if (masked_) {
      auto valid = at::ones({B, M}, u.options().dtype(at::kBool));
      if (mask.defined()) valid = mask.narrow(1, P, M);
      valid = at::constant_pad_nd(valid.to(at::kFloat), {0, pad}).reshape({B, G, k}).gt(0.5);
      logits = logits.masked_fill(valid.logical_not(), mask_fill_value(logits.scalar_type()));
    }
    const auto w = logits.softmax(-1);                                // g = softmax(W_g · group)
    const auto comp = (w.unsqueeze(-1) * groups).sum(2);             // Σ_j g_j · token_j  [B, G, d]
    // The frozen FFN on P + G vectors (with adapter_dropout: before, its output dropout comes with it).
    const auto f = ffn(P > 0 ? at::cat({cls, comp}, 1) : comp);
    last_ffn_tokens = P + G;
    const auto rep = f.narrow(1, P, G).repeat_interleave(k, 1).narrow(1, 0, M);  // each output k times
    const auto adapter =
        at::linear(at::tanh(at::linear(at::cat({rep, rest}, -1), p.down->weight, p.down->bias)), p.up->weight, p.up->bias);
    out = P > 0 ? at::cat({f.narrow(1, 0, P), rep + adapter}, 1) : rep + adapter;
  }
  if (record) last_out = out;
  return out;
}

namespace {

class Variator : public Method, public TrainingHooks, public InferenceVariants {
 public:
  explicit Variator(VariatorOptions o) : o_(std::move(o)) {}

  void attach(Backbone& b) override {
    for (int i = 0; i < b.num_blocks(); ++i) {
      wraps_.push_back(std::make_shared<VariatorWrap>(b.width(), o_, b.class_tokens()));
      b.block(i).set_ffn_wrap("variator", wraps_.back());
    }
    set_k(o_.ks.front());
    if (distills() && o_.match != "layers") b.keep_final_hidden(true);
    if (distills() && o_.match == "released") {
      decoder_ = dynamic_cast<KeepsDecoderHidden*>(&b);
      AL_CHECK(decoder_ != nullptr, "variator: match: released compares the decoder's last hidden states too, "
               "and this backbone has no decoder (use an encoder-decoder backbone: t5; or match: last | layers)");
      decoder_->keep_decoder_hidden(true);
    }
  }

  std::vector<std::string> trainable(Backbone& b) override { return b.parameters_named(".variator.", o_.train_head && o_.distill != "hidden"); }

  // Each step trains the next rate (all plugin sets share the frozen backbone).
  void on_step(Backbone&, const TrainState& st) override { set_k(o_.ks[st.step % o_.ks.size()]); }

  // Distillation: MSE between every FFN sub-layer's output (match: layers) or the final hidden states
  // (match: last) with the plugins (this step's forward) and without them (the same network, plugins
  // bypassed, no gradient).
  bool uses_task_loss() const override { return o_.distill != "hidden"; }

  at::Tensor auxiliary_loss(Backbone& b, const at::Tensor& x) override {
    if (!distills()) return {};
    std::vector<at::Tensor> student;
    at::Tensor mask;  // match: released — the encoder's padding mask [B, N, 1] (1 = real)
    if (o_.match != "layers") {
      AL_CHECK(b.final_hidden().defined(), "variator: the backbone kept no final hidden states");
      student.push_back(b.final_hidden());
    }
    if (o_.match == "released") {
      AL_CHECK(decoder_->decoder_hidden().defined(), "variator: the backbone kept no decoder hidden states");
      student.push_back(decoder_->decoder_hidden());
      const auto& m = wraps_.front()->last_mask;
      mask = (m.defined() ? m : at::ones({student[0].size(0), student[0].size(1)}, student[0].options().dtype(at::kBool)))
                 .to(student[0].scalar_type())
                 .unsqueeze(-1);
    }
    if (o_.match == "layers") {
      for (auto& w : wraps_) student.push_back(w->last_out);
    }
    {
      TeacherPass teacher(*this, b);  // plugins bypassed, no gradient (teacher: eval, no dropout); restored on any exit
      b.forward(x);
    }
    if (o_.match == "last") return at::mse_loss(student.front(), b.final_hidden().detach()) * o_.distill_weight;
    if (o_.match == "released")  // train_t5.py: decoder MSE + encoder MSE with padding zeroed, means over all elements
      return (at::mse_loss(student[1], decoder_->decoder_hidden().detach()) +
              at::mse_loss(mask * student[0], mask * b.final_hidden().detach())) *
             o_.distill_weight;
    at::Tensor loss;
    for (size_t i = 0; i < wraps_.size(); ++i) {
      AL_CHECK(student[i].defined(), "variator: no recorded plugin output in block {}", i);
      const auto l = at::mse_loss(student[i], wraps_[i]->last_out.detach());
      loss = loss.defined() ? loss + l : l;
    }
    return loss * (o_.distill_weight / static_cast<double>(wraps_.size()));
  }

  // One inference configuration per rate: "k2", "k4", ...; the first rate is the default.
  std::vector<std::string> variant_names() const override {
    std::vector<std::string> out;
    for (int k : o_.ks) out.push_back(fmt::format("k{}", k));
    return out;
  }
  void select_variant(const std::string& name) override {
    for (int k : o_.ks)
      if (name == fmt::format("k{}", k)) return set_k(k);
    fail("variator: no variant '{}' (it has {})", name, fmt::join(variant_names(), ", "));
  }

 private:
  void set_k(int k) {
    for (auto& w : wraps_) {
      w->active_k = k;
      w->record = distills() && o_.match == "layers";
    }
  }

  bool distills() const { return o_.distill != "task" && o_.distill_weight > 0; }

  // The teacher's forward: the same network with the plugins bypassed (k = 0), in eval mode (no dropout;
  // teacher: dropout keeps the step's mode) and without gradients; the rate and the mode come back when
  // the scope ends, an exception included.
  class TeacherPass {
   public:
    TeacherPass(Variator& v, Backbone& b) : v_(v), b_(b), k_(v.wraps_.front()->active_k), was_training_(b.is_training()) {
      v_.set_k(0);
      if (v_.o_.teacher == "eval") b_.eval();
    }
    ~TeacherPass() {
      b_.train(was_training_);
      v_.set_k(k_);
    }
    TeacherPass(const TeacherPass&) = delete;
    TeacherPass& operator=(const TeacherPass&) = delete;

   private:
    Variator& v_;
    Backbone& b_;
    int k_;
    bool was_training_;
    at::NoGradGuard no_grad_;
  };

  VariatorOptions o_;
  std::vector<std::shared_ptr<VariatorWrap>> wraps_;
  KeepsDecoderHidden* decoder_ = nullptr;  // match: released (the backbone, which outlives the method's use)
};

}  // namespace

std::unique_ptr<Method> make_variator(const VariatorOptions& o) { return std::make_unique<Variator>(o); }

void register_variator(Registries& r) {
  EntryMeta meta;  // what the contract test checks it trains: per block one plugin set per rate k (gate,
  // down, up: weight and bias each) for the default ks [2, 4]; and the head
  meta.example_trains = R"(.*\.variator\..*|{head}.*)";
  meta.example_trains_per_block = 12;
  add_entry<VariatorOptions>(r.methods, "variator", "Variator: plug-and-play compression of k tokens per FFN call (distilled from the "
                                       "uncompressed network; evaluated at every k)",
                 [](const VariatorOptions& o) { return make_variator(o); }, meta);
}

}  // namespace adaptlab
