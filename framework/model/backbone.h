// The backbone contract methods attach to: a stack of TransformerBlocks (framework/model/block.h, where
// every hook point is documented) between a backbone-specific embedding and head. Methods reach the
// blocks through `block(i)` and the Linear layers through canonical points, so one method works on
// every backbone:
//   linear_points("attn.q")          every block's q projection (a row slice of a fused qkv)
//   linear_points("blocks.3.mlp.fc1") one block's
//   linear_points("query")           a suffix of the checkpoint's layer names (backbone-specific)
#pragma once
#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/model/block.h"

namespace adaptlab {

// A Linear point of the backbone: canonical name ("blocks.3.attn.q", or the layer name when matched
// by a checkpoint name), the layer's state-dict name ("blocks.3.attn.qkv") and the point itself.
struct NamedLinearPoint {
  std::string name;
  std::string layer_name;
  LinearPoint point;
};

class Backbone : public torch::nn::Module {
 public:
  // Logits [B, num_classes] for a batch of inputs.
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;

  int num_blocks() const { return static_cast<int>(blocks_.size()); }
  TransformerBlock& block(int i);
  int64_t width() const { return width_; }  // token width

  // Tokens entering the first block (class token + patches / the text length), prompts included, and
  // how many of them lead the sequence and must never be merged (class token + prompts).
  int64_t num_input_tokens() const { return base_tokens_ + prompt_tokens_; }
  int64_t protected_prefix() const { return class_tokens_ + prompt_tokens_; }
  // Leading tokens that stand for the whole input (the class token: 1; T5 has none: 0).
  int64_t class_tokens() const { return class_tokens_; }
  int64_t prompt_tokens() const { return prompt_tokens_; }
  // Prompt methods (VPT) declare the tokens they insert right after the class token.
  void add_prompt_tokens(int64_t n);

  // Every AttachableLinear in registration order, named as in the state dict.
  std::vector<std::pair<std::string, std::shared_ptr<AttachableLinear>>> linear_layers();
  // The points a target names (see the file comment); an error listing the valid names when none match
  // ("<who> target 'x' matches no Linear point; ...").
  std::vector<NamedLinearPoint> linear_points(const std::string& target, const std::string& who = "");
  // Merges every mergeable delta, then every mergeable output op, of every layer; returns the count.
  int merge_linear_extensions();

  // State-dict prefix of the classifier head ("head.").
  virtual std::string head_prefix() const { return "head."; }
  // State-dict name prefix of block i ("blocks.3." or "encoder.layer.3.").
  std::string block_prefix(int i) const { return block_prefix_ + std::to_string(i) + "."; }

  // The final hidden states [B, N, C] of the last forward (after the backbone's final norm, before
  // pooling and head), kept while `keep_final_hidden(true)`: what a method matches against a teacher
  // (Variator's `match: last`).
  void keep_final_hidden(bool on) { keep_final_hidden_ = on; if (!on) final_hidden_ = at::Tensor(); }
  const at::Tensor& final_hidden() const { return final_hidden_; }

  // Names of the parameters whose name contains `infix` (none when it is empty), plus the classifier
  // head's when `with_head`: what most methods return from Method::trainable.
  std::vector<std::string> parameters_named(const std::string& infix, bool with_head);

 protected:
  Backbone(int64_t width, int64_t base_tokens) : width_(width), base_tokens_(base_tokens) {}
  // Registers the blocks as `list` (a ModuleList child named by `prefix` without its final dot, which
  // the caller registered) and remembers their state-dict prefix ("blocks.").
  void set_blocks(std::vector<std::shared_ptr<TransformerBlock>> blocks, std::string prefix);
  // Runs every block on `s` in order.
  void run_blocks(TokenState& s);
  // Backbones pass their final hidden states through this (see final_hidden()).
  const at::Tensor& final_hidden_is(const at::Tensor& x) {
    if (keep_final_hidden_) final_hidden_ = x;
    return x;
  }
  void set_class_tokens(int64_t n) { class_tokens_ = n; }

 private:
  std::vector<std::shared_ptr<TransformerBlock>> blocks_;
  std::string block_prefix_;
  int64_t width_ = 0, base_tokens_ = 0, prompt_tokens_ = 0, class_tokens_ = 1;
  bool keep_final_hidden_ = false;
  at::Tensor final_hidden_;
};

// A target string matches a state-dict layer name when equal or a "."-separated suffix of it.
bool target_matches(const std::string& layer_name, const std::string& target);

}  // namespace adaptlab
