// The backbone contract methods attach to. Backbones expose named attach points:
//  - every AttachableLinear by qualified name ("blocks.3.attn.qkv", "blocks.3.mlp.fc1", ...);
//  - per-block token operations after attention (`after_attn`), for token reduction methods;
//  - the classifier head's parameter prefix.
#pragma once
#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/model/attachable_linear.h"
#include "framework/model/branch.h"
#include "framework/model/token_state.h"

namespace adaptlab {

class Backbone : public torch::nn::Module {
 public:
  // Logits [B, num_classes] for a batch of inputs.
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;

  // Every attachable Linear in registration order, named as in the state dict.
  std::vector<std::pair<std::string, std::shared_ptr<AttachableLinear>>> linear_points();

  // Token operations run in block i after the attention residual, before the MLP.
  virtual int num_blocks() const = 0;
  virtual std::vector<std::shared_ptr<TokenOp>>& after_attn(int block) = 0;
  // Registers `op` as child module `name` of block i and appends it to that block's after_attn ops.
  virtual void add_after_attn(int block, const std::string& name, std::shared_ptr<TokenOp> op) = 0;
  // Tokens entering the first block (class token + patches for a ViT), and how many of them lead
  // the sequence and must never be merged.
  // Prompt tokens that methods insert after the class token count in both.
  virtual int64_t num_input_tokens() const = 0;
  virtual int64_t protected_prefix() const { return 1 + prompt_tokens; }
  int64_t prompt_tokens = 0;  // set by prompt methods (VPT) when they attach

  // Token operations run at the start of block i (before its attention), e.g. VPT's prompts.
  virtual void add_before_block(int block, const std::string& name, std::shared_ptr<TokenOp> op) = 0;
  // Residual-branch modules (adapters) at a point of block i; see branch.h.
  virtual void add_branch(int block, BranchPoint point, const std::string& name, std::shared_ptr<BranchOp> op) = 0;
  // Wraps block i's MLP / FFN (one wrap per block).
  virtual void set_ffn_wrap(int block, const std::string& name, std::shared_ptr<FfnWrap> wrap) = 0;
  // Token width.
  virtual int64_t width() const = 0;

  // State-dict prefix of the classifier head ("head.").
  virtual std::string head_prefix() const { return "head."; }

  // Names of the parameters whose name contains `infix` (none when it is empty), plus the classifier
  // head's when `with_head`: what most methods return from Method::trainable.
  std::vector<std::string> parameters_named(const std::string& infix, bool with_head);
};

}  // namespace adaptlab
