// LoRA tensor maths (Hu et al. 2021): ΔW = scale · B·A with A [r, in], B [out, r].
#pragma once
#include <ATen/core/Tensor.h>

namespace adaptlab::lora {

// x [..., in] → scale · (x Aᵀ) Bᵀ  [..., out]
at::Tensor delta(const at::Tensor& x, const at::Tensor& A, const at::Tensor& B, double scale);

// weight [out, in] + scale · B·A, in weight's dtype.
at::Tensor merged_weight(const at::Tensor& weight, const at::Tensor& A, const at::Tensor& B, double scale);

// A ~ Kaiming-uniform(a = √5) as nn.Linear / peft initialise lora_A; B = 0 (in place).
void init_(at::Tensor& A, at::Tensor& B);

}  // namespace adaptlab::lora
