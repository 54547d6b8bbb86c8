// One transformer block for every backbone: attention + FFN sub-layers, pre-norm (ViT) or post-norm
// (BERT), a fused qkv projection (timm) or separate q/k/v (Hugging Face), each layer registered under
// the backbone's own checkpoint name, and a fixed set of hook points methods attach to:
//
//   x ──► before_block token ops ──► [pre: norm_attn] ──► q, k, v (Linear points) ──► softmax(q·kᵀ/√d + bias)
//     ──► attn_probs ops ──► ·v ──► proj ──► dropout ──► attn_out branches ──► residual (+ drop path)
//     ──► [post: norm_attn] ──► after_attn token ops (ToMe; keys available) ──► u
//     ──► [pre: norm_ffn] ──► FFN = fc2(ffn_act ops(act(fc1(·)) [· fc1_gate(·)]))  (or the FFN wrap around it)
//     ──► dropout ──► mlp_out branches ──► residual (+ drop path) + Σ mlp_parallel branches(u) ──► [post: norm_ffn]
//
// Canonical Linear points, the same on every backbone: attn.q, attn.k, attn.v, attn.qkv, attn.proj,
// mlp.fc1, mlp.fc2. On a fused qkv layer attn.q/k/v are row slices of it; on separate layers attn.qkv
// names all three. Heads and FFN widths are per block, so a pruned model's blocks may differ.
// T5's blocks are the same skeleton with RMS norms, no biases, no 1/√d scaling, a relative position
// bias (TokenState::attn_bias) and ReLU or gated-GELU FFNs (mlp.fc1 then names wi_0 and wi_1).
#pragma once
#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "framework/model/attachable_linear.h"
#include "framework/model/hooks.h"
#include "framework/model/named_list.h"
#include "framework/model/token_state.h"

namespace adaptlab {

// Checkpoint names of a block's layers, relative to the block ("attn.qkv", "attention.self.query").
// With a fused projection `qkv` is set and q/k/v are empty; otherwise the reverse.
struct BlockNames {
  std::string norm_attn, qkv, q, k, v, proj, norm_ffn, fc1, fc2;
  std::string fc1_gate;  // the gated FFN's second input projection (T5 v1.1's wi_1); empty = not gated
};

struct BlockSpec {
  int64_t width = 0;           // token width C
  int64_t num_heads = 0;       // attention heads H (0 allowed: a fully pruned attention)
  int64_t head_dim = 0;        // per-head width D
  int64_t ffn_dim = 0;         // FFN hidden width F
  bool pre_norm = true;        // LayerNorm before each sub-layer (ViT) or after the residual add (BERT)
  bool qkv_bias = true;        // bias on the q/k/v projections
  double norm_eps = 1e-6;      // LayerNorm epsilon
  std::string norm = "layer";  // layer (LayerNorm with bias) | rms (T5: x / rms(x) · weight, no mean, no bias)
  bool linear_bias = true;     // bias on proj, fc1 (and fc1_gate), fc2 (T5: none)
  bool scale_attn = true;      // logits q·kᵀ/√D (T5: q·kᵀ, the scale folded into its initialisation)
  std::string ffn_act = "gelu";  // gelu (exact) | gelu_tanh (T5 v1.1's gelu_new) | relu (T5 v1.0)
  double ffn_dropout = 0;      // dropout on the FFN's hidden activations (T5; training only)
  bool relative_bias = false;  // attention adds TokenState::attn_bias, computed for the input's tokens and
                               // heads (T5): token ops are refused; pruned heads select their rows of it
  double hidden_dropout = 0;   // dropout on both sub-layers' outputs (training only)
  double attn_dropout = 0;     // dropout on attention probabilities (training only)
  double drop_path = 0;        // stochastic depth on both residual branches (training only)
  BlockNames names;
};

// Where a token op runs.
enum class TokenPoint { before_block, after_attn };

// One canonical Linear point of a block: a layer, or a row slice of a fused one.
struct LinearPoint {
  std::string role;                         // q | k | v | qkv | proj | fc1 | fc2
  std::string layer_name;                   // the layer's name relative to the block ("attn.qkv")
  std::shared_ptr<AttachableLinear> layer;
  OutputRange range;                        // whole layer, or the slice of a fused qkv
};

class TransformerBlock : public torch::nn::Module {
 public:
  explicit TransformerBlock(const BlockSpec& spec);

  void forward(TokenState& s);

  // ---- hook points (each op is registered as child module `name` of this block) ----
  void add_token_op(TokenPoint where, const std::string& name, std::shared_ptr<TokenOp> op);
  std::vector<std::shared_ptr<TokenOp>> token_ops(TokenPoint where) const;
  void add_branch(BranchPoint point, const std::string& name, std::shared_ptr<BranchOp> op);
  void set_ffn_wrap(const std::string& name, std::shared_ptr<FfnWrap> wrap);
  void add_attn_probs_op(const std::string& name, std::shared_ptr<AttnProbsOp> op);
  void add_ffn_act_op(const std::string& name, std::shared_ptr<FfnActOp> op);
  // Registers a backbone-specific module at a dotted path inside the block, creating holder modules as
  // needed (T5's relative position embedding "layer.0.SelfAttention.relative_attention_bias").
  void register_layer(const std::string& path, std::shared_ptr<torch::nn::Module> m);
  // Removes a hook module of any kind by name (e.g. a mask after it was folded into the weights).
  void remove_op(const std::string& name);

  // Canonical Linear points: "attn.q", ... (see the file comment); an unknown role is an error.
  std::vector<LinearPoint> linear(const std::string& canonical);
  static const std::vector<std::string>& canonical_points();

  // ---- structure ----
  const BlockSpec& spec() const { return spec_; }
  int64_t num_heads() const { return spec_.num_heads; }
  int64_t head_dim() const { return spec_.head_dim; }
  int64_t ffn_dim() const { return spec_.ffn_dim; }
  int64_t width() const { return spec_.width; }
  // Structured pruning: keeps the listed heads / FFN units (sorted, unique), slicing q/k/v rows and
  // proj columns / fc1 rows and fc2 columns. Refused while any op or delta depends on those widths.
  void prune_heads(const std::vector<int64_t>& keep);
  void prune_ffn(const std::vector<int64_t>& keep);

 private:
  at::Tensor attention(const at::Tensor& h, const TokenState& s, at::Tensor* keys_out);
  at::Tensor ffn(const at::Tensor& u, const at::Tensor& mask);
  at::Tensor layer_norm(const at::Tensor& x, const std::shared_ptr<torch::nn::Module>& norm) const;
  std::shared_ptr<torch::nn::Module> container(const std::string& path);  // creates "a.b" holders
  template <class M>
  std::shared_ptr<M> register_at(const std::string& path, std::shared_ptr<M> m);

  BlockSpec spec_;
  std::shared_ptr<AttachableLinear> qkv_, q_, k_, v_, proj_, fc1_, fc1_gate_, fc2_;
  std::shared_ptr<torch::nn::Module> norm_attn_, norm_ffn_;  // torch::nn::LayerNormImpl or RMSNorm
  NamedList<std::shared_ptr<TokenOp>> before_block_, after_attn_;
  NamedList<std::shared_ptr<BranchOp>> attn_out_, mlp_out_, mlp_parallel_;
  NamedList<std::shared_ptr<AttnProbsOp>> attn_probs_;
  NamedList<std::shared_ptr<FfnActOp>> ffn_act_;
  std::shared_ptr<FfnWrap> ffn_wrap_;
  std::string ffn_wrap_name_;
  std::vector<std::string> op_names_;  // every hook module's name (unique per block)
  std::vector<int64_t> kept_heads_;    // original head indices after pruning (relative_bias); empty = all
};

}  // namespace adaptlab
