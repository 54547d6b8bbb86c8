// T5 (Raffel et al. 2020; v1.0 and v1.1) with Hugging Face's parameter names, used as Variator's paper uses
// it: the encoder reads the task input, the decoder reads [pad, <extra_id_0>], and the logits of the
// last decoder position restricted to the label words' vocabulary ids are the class scores (a
// verbalizer; no new head). The encoder blocks are the backbone's blocks (framework/model/block.h: RMS
// norms, no biases, no 1/√d scaling, one relative position bias computed by block 0 and shared by all,
// ReLU (v1.0) or gated-GELU (v1.1) FFNs), so every method attaches to the encoder; the decoder stays
// full-length and is reached only by layer names (decoder.block.N.layer.0.SelfAttention.q, ...).
//
// Input: token ids [B, L] (int64; padding = 0, masked out), or ids and token types [B, 2, L] (the types
// are ignored: T5 has none).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/model/backbone.h"

namespace adaptlab {

struct T5Options {
  std::string model;             // a Hugging Face T5 folder (sizes from its config.json); empty = random init
  std::vector<std::string> label_words;  // with `model`: one word per class, each one piece of its spiece.model
  int vocab_size = 32128;
  int d_model = 512;
  int d_kv = 64;                 // per-head width
  int d_ff = 2048;
  int num_layers = 6;            // encoder layers
  int num_decoder_layers = 6;
  int num_heads = 8;
  int relative_attention_num_buckets = 32;
  int relative_attention_max_distance = 128;
  double dropout = 0.1;          // dropout_rate: embeddings, sub-layer outputs, attention, FFN hidden
  double layer_norm_eps = 1e-6;
  std::string feed_forward = "relu";  // relu (v1.0) | gated-gelu (v1.1: gelu_new(wi_0 x) · wi_1 x)
  bool tie_word_embeddings = true;    // the LM head is `shared` (else its own lm_head.weight)
  bool scale_decoder_outputs = true;  // the decoder output is scaled by d_model^-½ before the LM head (v1.0)
  std::vector<int> label_ids;         // vocabulary ids whose logits are the classes (one per class)
  std::vector<int> decoder_input;     // decoder ids; default with `model`: [pad, <extra_id_0>] from spiece.model
  double init_factor = 1.0;           // initializer_factor (Hugging Face's initialisation, scaled)
  // Not an option: where vocab_size came from, for the token-id check's message ("vocab_size in
  // <dir>/config.json"); empty: the option.
  std::string vocab_origin;

  template <class V>
  void visit(V& v) {
    v("model", model,
      "Hugging Face T5 folder (config.json, model.safetensors, spiece.model): a name under models/ or a path; the "
      "sizes then come from its config.json (leave the size options out); empty: random init");
    v("label_words", label_words, "with model: the verbalizer as words, one per class, each a single piece");
    v("vocab_size", vocab_size, "vocabulary size (embedding rows)");
    v("d_model", d_model, "token width");
    v("d_kv", d_kv, "per-head width of attention");
    v("d_ff", d_ff, "FFN hidden width");
    v("num_layers", num_layers, "encoder layers");
    v("num_decoder_layers", num_decoder_layers, "decoder layers");
    v("num_heads", num_heads, "attention heads");
    v("relative_attention_num_buckets", relative_attention_num_buckets, "relative position buckets");
    v("relative_attention_max_distance", relative_attention_max_distance, "distance of the last bucket");
    v("dropout", dropout, "dropout rate (training only)");
    v("layer_norm_eps", layer_norm_eps, "RMS norm epsilon");
    v("feed_forward", feed_forward, "relu (T5 v1.0) | gated-gelu (T5 v1.1)");
    v("tie_word_embeddings", tie_word_embeddings, "the LM head is the shared embedding (else lm_head.weight)");
    v("scale_decoder_outputs", scale_decoder_outputs,
      "scale the decoder output by d_model^-0.5 before the LM head (T5 v1.0: true; v1.1: false)");
    v("label_ids", label_ids, "vocabulary ids of the label words, one per class (the verbalizer)");
    v("decoder_input", decoder_input,
      "decoder input ids; the last position's logits classify (default with model: [0, id of <extra_id_0>])");
    v("init_factor", init_factor, "scale of the random initialisation (Hugging Face's initializer_factor)");
    v.check(d_model > 0 && d_kv > 0 && d_ff > 0 && num_heads > 0, "d_model", "sizes must be > 0");
    v.check(num_layers > 0 && num_decoder_layers > 0, "num_layers", "must be > 0");
    v.check(feed_forward == "relu" || feed_forward == "gated-gelu", "feed_forward", "must be relu or gated-gelu");
    v.check(relative_attention_num_buckets >= 4 && relative_attention_max_distance > 0,
            "relative_attention_num_buckets", "must be >= 4 (with a max distance > 0)");
    v.check(!model.empty() || !decoder_input.empty(), "decoder_input", "must list at least one id (T5: [0, <extra_id_0>])");
    v.check(model.empty() || label_words.empty() || label_ids.empty(), "label_words", "give label_words or label_ids, not both");
    v.check(!model.empty() || label_words.empty(), "label_words", "needs model (its spiece.model); use label_ids");
    v.check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1)");
  }
};

// Builds a randomly initialised T5 (Hugging Face's initialisation) classifying into `num_classes` by
// `label_ids` (exactly num_classes ids, each < vocab_size; an error otherwise); with `model`, the
// folder's T5 with its weights (make_pretrained_t5).
std::shared_ptr<Backbone> make_t5(const T5Options& options, int64_t num_classes, int64_t seq_len);
std::shared_ptr<Backbone> make_pretrained_t5(const T5Options& options, int64_t num_classes, int64_t seq_len);

// T5 options from a Hugging Face config.json (model_type t5; feed_forward_proj relu or gated-gelu).
T5Options t5_options_from_config(const std::string& config_json_path);
// What `model` stands for, read once: the options (its config's sizes, the verbalizer ids of label_words,
// the default decoder input, whether its checkpoint has an LM head of its own; `model` itself cleared)
// and the checkpoint's tensors (Hugging Face's tied copies folded into `shared`).
struct T5Folder {
  T5Options options;
  std::map<std::string, at::Tensor> tensors;
  std::string weights;  // model.safetensors, for messages
};
T5Folder read_t5_folder(const T5Options& options);
// Loads the folder's tensors into a T5 built from its options (every tensor; an LM head equal to
// `shared` or absent is the tied one).
void load_t5_weights(Backbone& t5, T5Folder folder);

// For parity tests: the encoder's last hidden state [B, L, d] (after final_layer_norm), the decoder's
// last hidden state [B, T, d] for `decoder_input`, and the LM logits of the last position over the
// whole vocabulary [B, V] (scaled first when scale_decoder_outputs).
struct T5Outputs {
  at::Tensor encoder_hidden, decoder_hidden, lm_logits;
};
T5Outputs t5_outputs(Backbone& t5, const at::Tensor& ids);

// T5's relative position bucket of key − query distances (Hugging Face's _relative_position_bucket).
at::Tensor t5_position_buckets(const at::Tensor& relative_position, bool bidirectional, int64_t num_buckets,
                               int64_t max_distance);

}  // namespace adaptlab
