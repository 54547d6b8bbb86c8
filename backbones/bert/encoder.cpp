#include "backbones/bert/encoder.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>


#include "framework/core/error.h"
#include "framework/text/token_ids.h"

namespace adaptlab {
namespace {

torch::nn::LayerNorm layer_norm(int64_t c, double eps) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c}).eps(eps));
}

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

// transformers' RobertaClassificationHead: dropout, dense, tanh, dropout, out_proj.
struct RobertaHead : torch::nn::Module {
  RobertaHead(int64_t h, int64_t classes, double dropout) : p(dropout) {
    dense = register_module("dense", torch::nn::Linear(h, h));
    out_proj = register_module("out_proj", torch::nn::Linear(h, classes));
  }
  at::Tensor forward(const at::Tensor& x) {
    auto y = at::tanh(dense->forward(at::dropout(x, p, is_training())));
    return out_proj->forward(at::dropout(y, p, is_training()));
  }
  double p;
  torch::nn::Linear dense{nullptr}, out_proj{nullptr};
};

class Encoder : public Backbone {
 public:
  Encoder(const EncoderOptions& o, int64_t num_classes, int64_t seq_len)
      : Backbone(o.hidden_size, seq_len), o_(o) {
    embeddings_ = register_module("embeddings", std::make_shared<Embeddings>(o));
    auto enc = register_module("encoder", std::make_shared<torch::nn::Module>());
    auto list = enc->register_module("layer", torch::nn::ModuleList());
    std::vector<std::shared_ptr<TransformerBlock>> blocks;
    for (int i = 0; i < o.num_layers; ++i) {
      BlockSpec b;
      b.width = o.hidden_size;
      b.num_heads = o.num_heads;
      b.head_dim = o.hidden_size / o.num_heads;
      b.ffn_dim = o.intermediate_size;
      b.pre_norm = false;
      b.norm_eps = o.layer_norm_eps;
      b.hidden_dropout = o.dropout;
      b.attn_dropout = o.dropout;
      b.names.q = "attention.self.query";
      b.names.k = "attention.self.key";
      b.names.v = "attention.self.value";
      b.names.proj = "attention.output.dense";
      b.names.norm_attn = "attention.output.LayerNorm";
      b.names.fc1 = "intermediate.dense";
      b.names.fc2 = "output.dense";
      b.names.norm_ffn = "output.LayerNorm";
      blocks.push_back(std::make_shared<TransformerBlock>(b));
      list->push_back(blocks.back());
    }
    set_blocks(std::move(blocks), "encoder.layer.");
    AL_CHECK(o.has_pooler || o.pool != "pooler", "encoder: pool: pooler but the model has no pooler (pooler.dense)");
    if (o.has_pooler) pooler_ = register_module("pooler", std::make_shared<Pooler>(o.hidden_size));
    if (o.head == "roberta")
      roberta_head_ = register_module("head", std::make_shared<RobertaHead>(o.hidden_size, num_classes, o.dropout));
    else
      head_ = register_module("head", torch::nn::Linear(o.hidden_size, num_classes));
    init_weights();
  }

  // Hidden states after the last layer, with the padding mask and token sizes (merges change N).
  struct Features {
    at::Tensor h, mask, size;
  };
  // `input`: token ids [B, L], or ids and token types [B, 2, L] (sentence pairs).
  Features features(const at::Tensor& input) {
    AL_CHECK((input.dim() == 2 || (input.dim() == 3 && input.size(1) == 2)) && input.scalar_type() == at::kLong,
             "encoder: input must be token ids [B, L] or ids and token types [B, 2, L] (int64)");
    const at::Tensor ids = input.dim() == 3 ? input.select(1, 0) : input;
    const at::Tensor types = input.dim() == 3 ? input.select(1, 1) : at::zeros_like(ids);
    AL_CHECK(input.dim() == 2 || types.numel() == 0 || types.max().item<int64_t>() < o_.type_vocab_size,
             "encoder: token type {} but the model has {} token-type embeddings", types.max().item<int64_t>(),
             o_.type_vocab_size);
    // Ids beyond the word embeddings (a dataset tokenizer larger than the model's vocabulary): named here,
    // not LibTorch's "index out of range in self" (on CUDA a fatal device-side assert).
    text::check_token_ids(ids, o_.vocab_size, "encoder",
                          o_.vocab_origin.empty() ? "the backbone option vocab_size" : o_.vocab_origin);
    const auto L = ids.size(1);
    AL_CHECK(L + o_.position_offset <= o_.max_position, "encoder: {} tokens exceed the {} position embeddings", L,
             o_.max_position - o_.position_offset);
    const auto mask = ids.ne(o_.pad_token_id);  // [B, L]
    const auto pos = at::arange(o_.position_offset, o_.position_offset + L, ids.options());
    auto x = embeddings_->word->forward(ids) + embeddings_->position->forward(pos).unsqueeze(0) +
             embeddings_->token_type->forward(types);
    x = at::dropout(embeddings_->norm->forward(x), o_.dropout, is_training());
    TokenState s;
    s.x = x;
    s.mask = mask;
    s.protected_prefix = 1;
    run_blocks(s);
    return {final_hidden_is(s.x), s.mask, s.size};
  }

  // `size` (tokens each merged token stands for) weights the mean, so merging does not change what it
  // averages over.
  at::Tensor pool(const at::Tensor& h, const at::Tensor& mask, const at::Tensor& size) {
    if (o_.pool == "cls") return h.select(1, 0);
    if (o_.pool == "pooler") return pooler_output(h);
    auto m = mask.unsqueeze(-1).to(h.scalar_type());
    if (size.defined()) m = m * size;
    return (h * m).sum(1) / m.sum(1).clamp_min(1e-9);  // sentence-transformers' mean pooling
  }

  torch::Tensor forward(const torch::Tensor& ids) override {
    auto f = features(ids);
    if (prompt_tokens() > 0 && o_.pool == "mean") {  // prompts take part in attention, not in the sentence mean
      f.mask = f.mask.clone();
      f.mask.narrow(1, 1, prompt_tokens()).fill_(false);
    }
    const auto pooled = pool(f.h, f.mask, f.size);
    return roberta_head_ ? roberta_head_->forward(pooled) : head_->forward(pooled);
  }

  // Undefined without a pooler.
  at::Tensor pooler_output(const at::Tensor& h) {
    return pooler_ ? at::tanh(pooler_->dense->forward(h.select(1, 0))) : at::Tensor();
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
  std::shared_ptr<Embeddings> embeddings_;
  std::shared_ptr<Pooler> pooler_;
  torch::nn::Linear head_{nullptr};           // head: linear
  std::shared_ptr<RobertaHead> roberta_head_;  // head: roberta
};

}  // namespace

std::shared_ptr<Backbone> make_encoder(const EncoderOptions& options, int64_t num_classes, int64_t seq_len) {
  return std::make_shared<Encoder>(options, num_classes, seq_len);
}

EncoderOutputs encoder_features(Backbone& b, const at::Tensor& ids) {
  auto* e = dynamic_cast<Encoder*>(&b);
  AL_CHECK(e != nullptr, "encoder_features: not an encoder backbone");
  auto f = e->features(ids);
  return {f.h, e->pooler_output(f.h), e->pool(f.h, f.mask, f.size), f.mask, f.size};
}

}  // namespace adaptlab
