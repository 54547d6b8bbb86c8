// BERT-style text encoder with Hugging Face's parameter names (embeddings.{word,position,
// token_type}_embeddings, embeddings.LayerNorm, encoder.layer.N.attention.self.{query,key,value},
// attention.output.{dense,LayerNorm}, intermediate.dense, output.{dense,LayerNorm}, pooler.dense):
// post-norm blocks, exact GELU, additive padding mask, and a classifier `head` on a pooled vector:
// one Linear (`head: linear`, head.{weight,bias}) or RoBERTa's classification head (`head: roberta`:
// dropout, head.dense (d→d), tanh, dropout, head.out_proj (d→classes), as transformers'
// RobertaClassificationHead; on `pool: cls` it is RobertaForSequenceClassification's head, and a
// checkpoint's classifier.{dense,out_proj} load into it). Either is randomly initialised as
// transformers does (weights N(0, init_std), biases 0) and trained by every method (the head prefix).
// Covers BERT, MiniLM (a small BERT) and RoBERTa (position ids offset by the padding id + 1).
//
// Input: token ids [B, L] (int64); padding is where id == pad_token_id (attention never looks at it,
// mean pooling ignores it); token type 0 everywhere (single-sentence tasks).
#pragma once
#include <memory>
#include <string>

#include "framework/model/backbone.h"

namespace adaptlab {

struct EncoderOptions {
  int vocab_size = 30522;
  int hidden_size = 384;
  int num_layers = 6;
  int num_heads = 12;
  int intermediate_size = 1536;
  int max_position = 512;
  int type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  int pad_token_id = 0;
  int position_offset = 0;       // RoBERTa: pad_token_id + 1
  double dropout = 0.1;          // hidden and attention-probability dropout (training only)
  std::string pool = "mean";     // mean (masked mean of the last layer: sentence-transformers) | cls | pooler
  std::string head = "linear";   // linear | roberta (RobertaClassificationHead)
  double init_std = 0.02;
  // Not an option: whether the model has BERT's pooler (pooler.dense); a checkpoint saved from
  // RobertaForSequenceClassification (or any model built without it) has none, and then pool: pooler is an error.
  bool has_pooler = true;
  // Not an option: where vocab_size came from, for the token-id check's message ("vocab_size in
  // <dir>/config.json"); empty: the option.
  std::string vocab_origin;

  template <class V>
  void visit(V& v) {
    v("vocab_size", vocab_size, "vocabulary size");
    v("hidden_size", hidden_size, "token width");
    v("num_layers", num_layers, "transformer layers");
    v("num_heads", num_heads, "attention heads (must divide hidden_size)");
    v("intermediate_size", intermediate_size, "FFN hidden width");
    v("max_position", max_position, "position embeddings");
    v("type_vocab_size", type_vocab_size, "token-type embeddings");
    v("layer_norm_eps", layer_norm_eps, "LayerNorm epsilon");
    v("pad_token_id", pad_token_id, "padding token id (masked out)");
    v("position_offset", position_offset, "first position id (RoBERTa: pad_token_id + 1)");
    v("dropout", dropout, "dropout on hidden states and attention probabilities");
    v("pool", pool, "sentence vector for the head: mean | cls | pooler");
    v("head", head,
      "classifier on the sentence vector: linear (one Linear) | roberta (transformers' RobertaClassificationHead: "
      "dropout, dense d->d, tanh, dropout, out_proj d->classes; with pool: cls, RobertaForSequenceClassification's "
      "head)");
    v("init_std", init_std, "normal std of the random initialisation");
    v.check(hidden_size > 0 && num_heads > 0 && hidden_size % num_heads == 0, "num_heads",
            "must be > 0 and divide hidden_size");
    v.check(pool == "mean" || pool == "cls" || pool == "pooler", "pool", "must be mean, cls or pooler");
    v.check(head == "linear" || head == "roberta", "head", "must be linear or roberta");
    v.check(num_layers > 0, "num_layers", "must be > 0");
  }
};

// `seq_len`: the input length the data gives (for token-count checks of token-reduction methods).
std::shared_ptr<Backbone> make_encoder(const EncoderOptions& options, int64_t num_classes, int64_t seq_len);

// Outputs of the encoder without the head, for parity tests: last hidden states [B, L, H] (L after
// any token merging), the BERT pooler output tanh(W h_cls + b) [B, H] (undefined without a pooler),
// the sentence vector the head sees (`pool` option) [B, H], and the final token mask [B, L] and sizes
// [B, L, 1] (undefined when no token was merged).
struct EncoderOutputs {
  at::Tensor last_hidden, pooler, pooled, mask, size;
};
EncoderOutputs encoder_features(Backbone& encoder, const at::Tensor& ids);

}  // namespace adaptlab
