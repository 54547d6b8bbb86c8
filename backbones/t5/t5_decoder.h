// T5's decoder stack (Hugging Face names under `decoder.`: block.N.layer.0.SelfAttention.{q,k,v,o},
// layer.0.layer_norm, layer.1.EncDecAttention.{q,k,v,o}, layer.1.layer_norm, layer.2.DenseReluDense.{wi |
// wi_0, wi_1, wo}, layer.2.layer_norm, final_layer_norm; block 0's SelfAttention holds the decoder's
// relative_attention_bias). It runs at full length on the few decoder positions the verbalizer reads;
// its Linear layers are AttachableLinear, so methods reach them by name.
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <memory>

namespace adaptlab {

struct T5Options;

class T5Decoder : public torch::nn::Module {
 public:
  // x: embedded decoder ids [B, T, d]; self_bias: [1, H, T, T] (relative positions + causal mask);
  // enc: encoder output [B, S, d] with its padding mask [B, S] (true = real).
  virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& self_bias, const at::Tensor& enc,
                             const at::Tensor& enc_mask) = 0;
  // The decoder's relative position embedding [buckets, H].
  virtual const at::Tensor& relative_bias() const = 0;
};

std::shared_ptr<T5Decoder> make_t5_decoder(const T5Options& o);

}  // namespace adaptlab
