#include "backbones/t5/t5.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>

#include <cmath>
#include <limits>

#include "backbones/t5/t5_decoder.h"
#include "framework/model/masking.h"
#include "framework/core/error.h"
#include "framework/measure/flops.h"
#include "framework/model/hook_facets.h"
#include "framework/model/rms_norm.h"
#include "framework/text/token_ids.h"

namespace adaptlab {

at::Tensor t5_position_buckets(const at::Tensor& relative_position, bool bidirectional, int64_t num_buckets,
                               int64_t max_distance) {
  at::Tensor buckets = at::zeros_like(relative_position);
  at::Tensor rel = relative_position;
  if (bidirectional) {
    num_buckets /= 2;
    buckets = buckets + rel.gt(0).to(at::kLong) * num_buckets;
    rel = rel.abs();
  } else {
    rel = -at::minimum(rel, at::zeros_like(rel));
  }
  const int64_t max_exact = num_buckets / 2;
  const auto is_small = rel.lt(max_exact);
  // As the reference: the logarithm in float32, truncated towards zero.
  auto large = (at::log(rel.to(at::kFloat) / static_cast<float>(max_exact)) /
                    static_cast<float>(std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact))) *
                    static_cast<float>(num_buckets - max_exact))
                   .to(at::kLong) +
               max_exact;
  large = at::minimum(large, at::full_like(large, num_buckets - 1));
  return buckets + at::where(is_small, rel, large);
}

namespace {

// Decoder attention's additive bias: the decoder's relative positions (unidirectional) plus the causal
// mask, [1, H, T, T].
at::Tensor causal_bias(const at::Tensor& embedding, int64_t T, int64_t buckets, int64_t max_distance) {
  const auto pos = at::arange(T, embedding.options().dtype(at::kLong));
  const auto rel = pos.unsqueeze(0) - pos.unsqueeze(1);  // key − query
  auto bias = at::embedding(embedding, t5_position_buckets(rel, false, buckets, max_distance)).permute({2, 0, 1});
  const double big = mask_fill_value(embedding.scalar_type());
  return (bias + rel.gt(0).to(bias.scalar_type()).mul(big)).unsqueeze(0);
}

class T5 : public Backbone, public KeepsDecoderHidden {
 public:
  T5(const T5Options& o, int64_t num_classes, int64_t seq_len) : Backbone(o.d_model, seq_len), o_(o) {
    AL_CHECK(static_cast<int64_t>(o.label_ids.size()) == num_classes,
             "t5: the data has {} classes but label_ids lists {} vocabulary ids (one label word per class; the "
             "verbalizer scores a class by its word's logit)",
             num_classes, o.label_ids.size());
    for (int id : o.label_ids)
      AL_CHECK(id >= 0 && id < o.vocab_size, "t5: label id {} is outside the vocabulary [0, {})", id, o.vocab_size);
    for (int id : o.decoder_input)
      AL_CHECK(id >= 0 && id < o.vocab_size, "t5: decoder_input id {} is outside the vocabulary [0, {})", id,
               o.vocab_size);
    set_class_tokens(0);
    shared_ = register_module("shared", torch::nn::Embedding(o.vocab_size, o.d_model));
    auto enc = register_module("encoder", std::make_shared<torch::nn::Module>());
    auto list = enc->register_module("block", torch::nn::ModuleList());
    std::vector<std::shared_ptr<TransformerBlock>> blocks;
    const bool gated = o.feed_forward == "gated-gelu";
    for (int i = 0; i < o.num_layers; ++i) {
      BlockSpec b;
      b.width = o.d_model;
      b.num_heads = o.num_heads;
      b.head_dim = o.d_kv;
      b.ffn_dim = o.d_ff;
      b.pre_norm = true;
      b.norm = "rms";
      b.norm_eps = o.layer_norm_eps;
      b.qkv_bias = false;
      b.linear_bias = false;
      b.scale_attn = false;
      b.relative_bias = true;
      b.ffn_act = gated ? "gelu_tanh" : "relu";
      b.hidden_dropout = o.dropout;
      b.attn_dropout = o.dropout;
      b.ffn_dropout = o.dropout;
      b.names.norm_attn = "layer.0.layer_norm";
      b.names.q = "layer.0.SelfAttention.q";
      b.names.k = "layer.0.SelfAttention.k";
      b.names.v = "layer.0.SelfAttention.v";
      b.names.proj = "layer.0.SelfAttention.o";
      b.names.norm_ffn = "layer.1.layer_norm";
      b.names.fc1 = gated ? "layer.1.DenseReluDense.wi_0" : "layer.1.DenseReluDense.wi";
      if (gated) b.names.fc1_gate = "layer.1.DenseReluDense.wi_1";
      b.names.fc2 = "layer.1.DenseReluDense.wo";
      blocks.push_back(std::make_shared<TransformerBlock>(b));
      list->push_back(blocks.back());
    }
    rel_bias_ = torch::nn::Embedding(o.relative_attention_num_buckets, o.num_heads);
    blocks.front()->register_layer("layer.0.SelfAttention.relative_attention_bias", rel_bias_.ptr());
    set_blocks(std::move(blocks), "encoder.block.");
    final_norm_ = enc->register_module("final_layer_norm", std::make_shared<RMSNorm>(o.d_model, o.layer_norm_eps));
    decoder_ = register_module("decoder", make_t5_decoder(o));
    if (!o.tie_word_embeddings) {
      auto holder = register_module("lm_head", std::make_shared<torch::nn::Module>());
      lm_head_ = holder->register_parameter("weight", at::empty({o.vocab_size, o.d_model}));
    }
    init_weights();
  }

  std::string head_prefix() const override { return o_.tie_word_embeddings ? "shared." : "lm_head."; }

  struct Encoded {
    at::Tensor h, mask;
  };
  Encoded encode(const at::Tensor& input) {
    AL_CHECK((input.dim() == 2 || (input.dim() == 3 && input.size(1) == 2)) && input.scalar_type() == at::kLong,
             "t5: input must be token ids [B, L] or ids and token types [B, 2, L] (int64)");
    const at::Tensor ids = input.dim() == 3 ? input.select(1, 0) : input;
    // Ids beyond the shared embedding (a dataset tokenizer larger than the model's vocabulary): named here,
    // not LibTorch's "index out of range in self" (on CUDA a fatal device-side assert).
    text::check_token_ids(ids, o_.vocab_size, "t5",
                          o_.vocab_origin.empty() ? "the backbone option vocab_size" : o_.vocab_origin);
    const int64_t L = ids.size(1);
    TokenState s;
    s.x = at::dropout(shared_->forward(ids), o_.dropout, is_training());
    s.mask = ids.ne(0);
    s.protected_prefix = 0;
    const auto pos = at::arange(L, ids.options());
    const auto rel = pos.unsqueeze(0) - pos.unsqueeze(1);  // key − query
    s.attn_bias = rel_bias_->forward(t5_position_buckets(rel, true, o_.relative_attention_num_buckets,
                                                         o_.relative_attention_max_distance))
                      .permute({2, 0, 1})
                      .unsqueeze(0);
    run_blocks(s);
    const auto h = final_hidden_is(final_norm_->forward(s.x));
    return {at::dropout(h, o_.dropout, is_training()), s.mask};
  }

  // Decoder hidden states [B, T, d] for the decoder_input ids.
  at::Tensor decode(const Encoded& e) {
    const int64_t B = e.h.size(0), T = static_cast<int64_t>(o_.decoder_input.size());
    const auto ids = at::tensor(std::vector<int64_t>(o_.decoder_input.begin(), o_.decoder_input.end()),
                                e.mask.options().dtype(at::kLong))
                         .unsqueeze(0)
                         .expand({B, T});
    const auto self_bias =
        causal_bias(decoder_->relative_bias(), T, o_.relative_attention_num_buckets, o_.relative_attention_max_distance);
    return decoder_->forward(shared_->forward(ids), self_bias, e.h, e.mask);
  }

  // LM logits of the last decoder position over the rows `rows` of the LM head (all when undefined).
  at::Tensor lm_logits(const at::Tensor& dec, const at::Tensor& rows) {
    auto last = dec.select(1, dec.size(1) - 1);
    if (o_.scale_decoder_outputs) last = last * std::pow(static_cast<double>(o_.d_model), -0.5);
    const at::Tensor& w = o_.tie_word_embeddings ? shared_->weight : lm_head_;
    return at::linear(last, rows.defined() ? w.index_select(0, rows) : w);
  }

  torch::Tensor forward(const torch::Tensor& input) override {
    Encoded e;
    {
      FlopSection part("encoder");  // flops.forward.encoder / .decoder (framework/measure/flops.h)
      e = encode(input);
    }
    FlopSection part("decoder");
    const auto rows = at::tensor(std::vector<int64_t>(o_.label_ids.begin(), o_.label_ids.end()),
                                 input.options().dtype(at::kLong));
    const auto dec = decode(e);
    if (keep_decoder_hidden_) decoder_hidden_ = dec;
    return lm_logits(dec, rows);
  }

  // KeepsDecoderHidden (framework/model/hook_facets.h): Variator's `match: released`.
  void keep_decoder_hidden(bool on) override {
    keep_decoder_hidden_ = on;
    if (!on) decoder_hidden_ = at::Tensor();
  }
  const at::Tensor& decoder_hidden() const override { return decoder_hidden_; }

 private:
  void init_weights() {
    at::NoGradGuard g;
    const double f = o_.init_factor, d = o_.d_model;
    const double hd = static_cast<double>(o_.num_heads) * o_.d_kv;
    for (auto& p : named_parameters()) {
      const auto& n = p.key();
      auto t = p.value();
      double std = 0;
      if (n.ends_with("layer_norm.weight")) {
        t.fill_(f);
        continue;
      }
      if (n == "shared.weight" || n == "lm_head.weight") std = f;
      else if (n.ends_with(".q.weight")) std = f * std::pow(d * o_.d_kv, -0.5);
      else if (n.ends_with(".k.weight") || n.ends_with(".v.weight")) std = f * std::pow(d, -0.5);
      else if (n.ends_with(".o.weight")) std = f * std::pow(hd, -0.5);
      else if (n.ends_with("relative_attention_bias.weight")) std = f * std::pow(d, -0.5);
      else if (n.find(".wi") != std::string::npos) std = f * std::pow(d, -0.5);
      else if (n.ends_with(".wo.weight")) std = f * std::pow(static_cast<double>(o_.d_ff), -0.5);
      else fail("t5: no initialisation rule for parameter '{}'", n);
      t.normal_(0.0, std);
    }
  }

  T5Options o_;
  torch::nn::Embedding shared_{nullptr}, rel_bias_{nullptr};
  std::shared_ptr<RMSNorm> final_norm_;
  std::shared_ptr<T5Decoder> decoder_;
  at::Tensor lm_head_;
  bool keep_decoder_hidden_ = false;
  at::Tensor decoder_hidden_;
};

}  // namespace

std::shared_ptr<Backbone> make_t5(const T5Options& options, int64_t num_classes, int64_t seq_len) {
  if (!options.model.empty()) return make_pretrained_t5(options, num_classes, seq_len);
  return std::make_shared<T5>(options, num_classes, seq_len);
}

T5Outputs t5_outputs(Backbone& b, const at::Tensor& ids) {
  auto* t = dynamic_cast<T5*>(&b);
  AL_CHECK(t != nullptr, "t5_outputs: not a T5 backbone");
  const auto e = t->encode(ids);
  const auto dec = t->decode(e);
  return {e.h, dec, t->lm_logits(dec, at::Tensor())};
}

}  // namespace adaptlab
