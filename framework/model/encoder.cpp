#include "framework/model/encoder.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cmath>
#include <limits>

#include "framework/core/error.h"

namespace adaptlab {
namespace {

torch::nn::LayerNorm layer_norm(int64_t c, double eps) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c}).eps(eps));
}

struct Dense : torch::nn::Module {  // "<name>.dense" + optional "<name>.LayerNorm", as HF nests them
  Dense(int64_t in, int64_t out, double eps, bool with_norm) {
    dense = register_module("dense", std::make_shared<AttachableLinear>(in, out, true));
    if (with_norm) norm = register_module("LayerNorm", layer_norm(out, eps));
  }
  std::shared_ptr<AttachableLinear> dense;
  torch::nn::LayerNorm norm{nullptr};
};

struct SelfAttention : torch::nn::Module {
  explicit SelfAttention(int64_t h) {
    query = register_module("query", std::make_shared<AttachableLinear>(h, h, true));
    key = register_module("key", std::make_shared<AttachableLinear>(h, h, true));
    value = register_module("value", std::make_shared<AttachableLinear>(h, h, true));
  }
  std::shared_ptr<AttachableLinear> query, key, value;
};

struct AttentionBlock : torch::nn::Module {
  AttentionBlock(int64_t h, double eps) {
    self = register_module("self", std::make_shared<SelfAttention>(h));
    output = register_module("output", std::make_shared<Dense>(h, h, eps, true));
  }
  std::shared_ptr<SelfAttention> self;
  std::shared_ptr<Dense> output;
};

struct Layer : torch::nn::Module {
  Layer(const EncoderOptions& o) : heads(o.num_heads), p(o.dropout) {
    attention = register_module("attention", std::make_shared<AttentionBlock>(o.hidden_size, o.layer_norm_eps));
    intermediate = register_module("intermediate",
                                   std::make_shared<Dense>(o.hidden_size, o.intermediate_size, o.layer_norm_eps, false));
    output = register_module("output",
                             std::make_shared<Dense>(o.intermediate_size, o.hidden_size, o.layer_norm_eps, true));
  }

  // s.x [B, N, H]; s.mask [B, N] (true = real token) becomes an additive bias of finfo(dtype).min on
  // padding keys, as Hugging Face's extended attention mask.
  void forward(TokenState& s) {
    for (auto& op : before_block) op->apply(s);
    const auto B = s.x.size(0), N = s.x.size(1), H = s.x.size(2), D = H / heads;
    const double big = s.x.scalar_type() == at::kDouble ? std::numeric_limits<double>::lowest()
                                                         : static_cast<double>(std::numeric_limits<float>::lowest());
    const auto bias = (1.0 - s.mask.to(s.x.scalar_type())).mul(big).reshape({B, 1, 1, N});
    auto split = [&](const at::Tensor& t) { return t.reshape({B, N, heads, D}).transpose(1, 2); };
    const auto& sa = *attention->self;
    const auto q = split(sa.query->forward(s.x)), k = split(sa.key->forward(s.x)), v = split(sa.value->forward(s.x));
    auto logits = at::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(D)) + bias;
    if (s.size.defined() && s.prop_attn) logits = logits + s.size.log().reshape({B, 1, 1, N});
    auto probs = at::dropout(logits.softmax(-1), p, is_training());
    const auto ctx = at::matmul(probs, v).transpose(1, 2).reshape({B, N, H});
    const auto a = apply_sequential(attn_out, at::dropout(attention->output->dense->forward(ctx), p, is_training()));
    s.x = attention->output->norm->forward(a + s.x);
    if (!after_attn.empty()) {
      s.keys = k.mean(1);
      for (auto& op : after_attn) op->apply(s);
      s.keys = at::Tensor();
    }
    const auto u = s.x;
    auto ffn = [this](const at::Tensor& t) { return output->dense->forward(at::gelu(intermediate->dense->forward(t))); };
    auto o = apply_sequential(mlp_out, at::dropout(ffn_wrap ? ffn_wrap->forward(u, s.mask, ffn) : ffn(u), p, is_training()));
    for (auto& op : mlp_parallel) o = o + op->forward(u);
    s.x = output->norm->forward(o + u);
  }

  int64_t heads;
  double p;
  std::shared_ptr<AttentionBlock> attention;
  std::shared_ptr<Dense> intermediate, output;
  std::vector<std::shared_ptr<TokenOp>> before_block, after_attn;
  std::vector<std::shared_ptr<BranchOp>> attn_out, mlp_out, mlp_parallel;
  std::shared_ptr<FfnWrap> ffn_wrap;
};

struct Embeddings : torch::nn::Module {
  explicit Embeddings(const EncoderOptions& o) {
    word = register_module("word_embeddings", torch::nn::Embedding(torch::nn::EmbeddingOptions(o.vocab_size, o.hidden_size)
                                                                        .padding_idx(o.pad_token_id)));
    position = register_module("position_embeddings", torch::nn::Embedding(o.max_position, o.hidden_size));
    token_type = register_module("token_type_embeddings", torch::nn::Embedding(o.type_vocab_size, o.hidden_size));
    norm = register_module("LayerNorm", layer_norm(o.hidden_size, o.layer_norm_eps));
  }
  torch::nn::Embedding word{nullptr}, position{nullptr}, token_type{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};

struct Pooler : torch::nn::Module {
  explicit Pooler(int64_t h) { dense = register_module("dense", torch::nn::Linear(h, h)); }
  torch::nn::Linear dense{nullptr};
};

class Encoder : public Backbone {
 public:
  Encoder(const EncoderOptions& o, int64_t num_classes, int64_t seq_len) : o_(o), seq_len_(seq_len) {
    embeddings_ = register_module("embeddings", std::make_shared<Embeddings>(o));
    auto enc = register_module("encoder", std::make_shared<torch::nn::Module>());
    layers_ = enc->register_module("layer", torch::nn::ModuleList());
    for (int i = 0; i < o.num_layers; ++i) {
      auto l = std::make_shared<Layer>(o);
      layers_->push_back(l);
      layer_ptrs_.push_back(l);
    }
    pooler_ = register_module("pooler", std::make_shared<Pooler>(o.hidden_size));
    head_ = register_module("head", torch::nn::Linear(o.hidden_size, num_classes));
    init_weights();
  }

  // Hidden states after the last layer, with the padding mask and token sizes (merges change N).
  struct Features {
    at::Tensor h, mask, size;
  };
  Features features(const at::Tensor& ids) {
    AL_CHECK(ids.dim() == 2 && ids.scalar_type() == at::kLong, "encoder: input must be token ids [B, L] (int64)");
    const auto L = ids.size(1);
    AL_CHECK(L + o_.position_offset <= o_.max_position, "encoder: {} tokens exceed the {} position embeddings", L,
             o_.max_position - o_.position_offset);
    const auto mask = ids.ne(o_.pad_token_id);  // [B, L]
    const auto pos = at::arange(o_.position_offset, o_.position_offset + L, ids.options());
    auto x = embeddings_->word->forward(ids) + embeddings_->position->forward(pos).unsqueeze(0) +
             embeddings_->token_type->forward(at::zeros_like(ids));
    x = at::dropout(embeddings_->norm->forward(x), o_.dropout, is_training());
    TokenState s;
    s.x = x;
    s.mask = mask;
    s.protected_prefix = 1;
    for (size_t i = 0; i < layer_ptrs_.size(); ++i) {
      s.block = static_cast<int>(i);
      layer_ptrs_[i]->forward(s);
    }
    return {s.x, s.mask, s.size};
  }

  // `size` (tokens each merged token stands for) weights the mean, so merging does not change what it
  // averages over.
  at::Tensor pool(const at::Tensor& h, const at::Tensor& mask, const at::Tensor& size) {
    if (o_.pool == "cls") return h.select(1, 0);
    if (o_.pool == "pooler") return at::tanh(pooler_->dense->forward(h.select(1, 0)));
    auto m = mask.unsqueeze(-1).to(h.scalar_type());
    if (size.defined()) m = m * size;
    return (h * m).sum(1) / m.sum(1).clamp_min(1e-9);  // sentence-transformers' mean pooling
  }

  torch::Tensor forward(const torch::Tensor& ids) override {
    auto f = features(ids);
    if (prompt_tokens > 0 && o_.pool == "mean") {  // prompts take part in attention, not in the sentence mean
      f.mask = f.mask.clone();
      f.mask.narrow(1, 1, prompt_tokens).fill_(false);
    }
    return head_->forward(pool(f.h, f.mask, f.size));
  }

  at::Tensor pooler_output(const at::Tensor& h) { return at::tanh(pooler_->dense->forward(h.select(1, 0))); }

  int num_blocks() const override { return static_cast<int>(layer_ptrs_.size()); }
  std::vector<std::shared_ptr<TokenOp>>& after_attn(int i) override { return layer_ptrs_.at(i)->after_attn; }
  void add_after_attn(int i, const std::string& name, std::shared_ptr<TokenOp> op) override {
    auto& l = layer_ptrs_.at(i);
    l->register_module(name, op);
    l->after_attn.push_back(std::move(op));
  }
  int64_t num_input_tokens() const override { return seq_len_ + prompt_tokens; }
  void add_before_block(int i, const std::string& name, std::shared_ptr<TokenOp> op) override {
    auto& l = layer_ptrs_.at(i);
    l->register_module(name, op);
    l->before_block.push_back(std::move(op));
  }
  void add_branch(int i, BranchPoint point, const std::string& name, std::shared_ptr<BranchOp> op) override {
    auto& l = layer_ptrs_.at(i);
    l->register_module(name, op);
    (point == BranchPoint::attn_out ? l->attn_out : point == BranchPoint::mlp_out ? l->mlp_out : l->mlp_parallel)
        .push_back(std::move(op));
  }
  int64_t width() const override { return o_.hidden_size; }
  void set_ffn_wrap(int i, const std::string& name, std::shared_ptr<FfnWrap> wrap) override {
    auto& l = layer_ptrs_.at(i);
    AL_CHECK(!l->ffn_wrap, "layer {} already has an FFN wrap; '{}' cannot add another", i, name);
    l->register_module(name, wrap);
    l->ffn_wrap = std::move(wrap);
  }

 private:
  void init_weights() {
    at::NoGradGuard g;
    for (auto& p : named_parameters()) {
      const auto& n = p.key();
      auto t = p.value();
      if (n.find("LayerNorm") != std::string::npos) {
        if (n.ends_with("weight")) t.fill_(1.0); else t.zero_();
      } else if (n.ends_with("bias")) {
        t.zero_();
      } else {
        t.normal_(0.0, o_.init_std);
      }
    }
    embeddings_->word->weight[o_.pad_token_id].zero_();  // as Hugging Face initialises the padding row
  }

  EncoderOptions o_;
  int64_t seq_len_;
  std::shared_ptr<Embeddings> embeddings_;
  torch::nn::ModuleList layers_{nullptr};
  std::vector<std::shared_ptr<Layer>> layer_ptrs_;
  std::shared_ptr<Pooler> pooler_;
  torch::nn::Linear head_{nullptr};
};

}  // namespace

std::shared_ptr<Backbone> make_encoder(const EncoderOptions& options, int64_t num_classes, int64_t seq_len) {
  return std::make_shared<Encoder>(options, num_classes, seq_len);
}

EncoderOutputs encoder_features(Backbone& b, const at::Tensor& ids) {
  auto* e = dynamic_cast<Encoder*>(&b);
  AL_CHECK(e != nullptr, "encoder_features: not an encoder backbone");
  auto f = e->features(ids);
  return {f.h, e->pooler_output(f.h)};
}

}  // namespace adaptlab
