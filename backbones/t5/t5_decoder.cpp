#include "backbones/t5/t5_decoder.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>

#include <limits>

#include "backbones/t5/t5.h"
#include "framework/model/masking.h"
#include "framework/model/attachable_linear.h"
#include "framework/model/rms_norm.h"

namespace adaptlab {
namespace {

at::Tensor maybe_dropout(const at::Tensor& x, double p, bool training) {
  return p > 0 && training ? at::dropout(x, p, true) : x;
}

struct Attention : torch::nn::Module {
  Attention(const T5Options& o, bool relative) : H(o.num_heads), D(o.d_kv), p(o.dropout) {
    const int64_t d = o.d_model, HD = H * D;
    q = register_module("q", std::make_shared<AttachableLinear>(d, HD, false));
    k = register_module("k", std::make_shared<AttachableLinear>(d, HD, false));
    v = register_module("v", std::make_shared<AttachableLinear>(d, HD, false));
    this->o = register_module("o", std::make_shared<AttachableLinear>(HD, d, false));
    if (relative) rel = register_module("relative_attention_bias", torch::nn::Embedding(o.relative_attention_num_buckets, H));
  }
  // softmax(q·kᵀ + bias)·v, projected; no 1/√d scaling (T5).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& kv, const at::Tensor& bias) {
    const int64_t B = x.size(0), T = x.size(1), S = kv.size(1);
    const auto qh = q->forward(x).reshape({B, T, H, D}).transpose(1, 2);
    const auto kh = k->forward(kv).reshape({B, S, H, D}).transpose(1, 2);
    const auto vh = v->forward(kv).reshape({B, S, H, D}).transpose(1, 2);
    const auto probs = (at::matmul(qh, kh.transpose(-2, -1)) + bias.to(qh.scalar_type())).softmax(-1);
    const auto out = at::matmul(maybe_dropout(probs, p, is_training()), vh);
    return o->forward(out.transpose(1, 2).reshape({B, T, H * D}));
  }
  int64_t H, D;
  double p;
  std::shared_ptr<AttachableLinear> q, k, v, o;
  torch::nn::Embedding rel{nullptr};
};

struct FeedForward : torch::nn::Module {
  explicit FeedForward(const T5Options& o) : gated(o.feed_forward == "gated-gelu"), p(o.dropout) {
    if (gated) {
      wi0 = register_module("wi_0", std::make_shared<AttachableLinear>(o.d_model, o.d_ff, false));
      wi1 = register_module("wi_1", std::make_shared<AttachableLinear>(o.d_model, o.d_ff, false));
    } else {
      wi0 = register_module("wi", std::make_shared<AttachableLinear>(o.d_model, o.d_ff, false));
    }
    wo = register_module("wo", std::make_shared<AttachableLinear>(o.d_ff, o.d_model, false));
  }
  at::Tensor forward(const at::Tensor& x) {
    auto h = gated ? at::gelu(wi0->forward(x), "tanh") * wi1->forward(x) : at::relu(wi0->forward(x));
    return wo->forward(maybe_dropout(h, p, is_training()));
  }
  bool gated;
  double p;
  std::shared_ptr<AttachableLinear> wi0, wi1, wo;
};

struct Block : torch::nn::Module {
  Block(const T5Options& o, bool relative) : p(o.dropout) {
    auto layer = register_module("layer", std::make_shared<torch::nn::Module>());
    auto l0 = layer->register_module("0", std::make_shared<torch::nn::Module>());
    self_attn = l0->register_module("SelfAttention", std::make_shared<Attention>(o, relative));
    norm0 = l0->register_module("layer_norm", std::make_shared<RMSNorm>(o.d_model, o.layer_norm_eps));
    auto l1 = layer->register_module("1", std::make_shared<torch::nn::Module>());
    cross_attn = l1->register_module("EncDecAttention", std::make_shared<Attention>(o, false));
    norm1 = l1->register_module("layer_norm", std::make_shared<RMSNorm>(o.d_model, o.layer_norm_eps));
    auto l2 = layer->register_module("2", std::make_shared<torch::nn::Module>());
    ffn = l2->register_module("DenseReluDense", std::make_shared<FeedForward>(o));
    norm2 = l2->register_module("layer_norm", std::make_shared<RMSNorm>(o.d_model, o.layer_norm_eps));
  }
  at::Tensor forward(at::Tensor y, const at::Tensor& self_bias, const at::Tensor& enc, const at::Tensor& cross_bias) {
    const bool t = is_training();
    auto h = norm0->forward(y);
    y = y + maybe_dropout(self_attn->forward(h, h, self_bias), p, t);
    y = y + maybe_dropout(cross_attn->forward(norm1->forward(y), enc, cross_bias), p, t);
    return y + maybe_dropout(ffn->forward(norm2->forward(y)), p, t);
  }
  double p;
  std::shared_ptr<Attention> self_attn, cross_attn;
  std::shared_ptr<FeedForward> ffn;
  std::shared_ptr<RMSNorm> norm0, norm1, norm2;
};

class Decoder : public T5Decoder {
 public:
  explicit Decoder(const T5Options& o) : p_(o.dropout) {
    auto list = register_module("block", torch::nn::ModuleList());
    for (int i = 0; i < o.num_decoder_layers; ++i) {
      blocks_.push_back(std::make_shared<Block>(o, i == 0));
      list->push_back(blocks_.back());
    }
    final_norm_ = register_module("final_layer_norm", std::make_shared<RMSNorm>(o.d_model, o.layer_norm_eps));
  }
  at::Tensor forward(const at::Tensor& x, const at::Tensor& self_bias, const at::Tensor& enc,
                     const at::Tensor& enc_mask) override {
    const double big = mask_fill_value(enc.scalar_type());
    const auto cross_bias =
        enc_mask.logical_not().to(enc.scalar_type()).mul(big).reshape({enc.size(0), 1, 1, enc.size(1)});
    auto y = maybe_dropout(x, p_, is_training());
    for (auto& b : blocks_) y = b->forward(y, self_bias, enc, cross_bias);
    return maybe_dropout(final_norm_->forward(y), p_, is_training());
  }
  const at::Tensor& relative_bias() const override { return blocks_.front()->self_attn->rel->weight; }

 private:
  double p_;
  std::vector<std::shared_ptr<Block>> blocks_;
  std::shared_ptr<RMSNorm> final_norm_;
};

}  // namespace

std::shared_ptr<T5Decoder> make_t5_decoder(const T5Options& o) { return std::make_shared<Decoder>(o); }

}  // namespace adaptlab
