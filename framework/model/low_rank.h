// The low-rank delta of a Linear layer (LoRA, Hu et al. 2021): ΔW = scale · B·A with A [r, in],
// B [out, r]; y += scale · (x Aᵀ) Bᵀ. A framework building block: the `lora` method attaches it, and
// so does `lightpeft` (which also scores and prunes its ranks). Parameters are named lora_A / lora_B
// (peft's names). It follows structured pruning of its layer (B's rows, A's columns) and can drop
// ranks (A's rows, B's columns; the scale stays alpha / r of the original r, as the Light-PEFT code).
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "framework/model/attachable_linear.h"

namespace adaptlab {

namespace low_rank {
// x [..., in] → scale · (x Aᵀ) Bᵀ  [..., out]
at::Tensor delta(const at::Tensor& x, const at::Tensor& A, const at::Tensor& B, double scale);
// weight [out, in] + scale · B·A, in weight's dtype.
at::Tensor merged_weight(const at::Tensor& weight, const at::Tensor& A, const at::Tensor& B, double scale);
// A ~ Kaiming-uniform(a = √5) as nn.Linear / peft initialise lora_A; B = 0 (in place).
void init_(at::Tensor& A, at::Tensor& B);
// Light-PEFT's first-order importance of each rank from the current gradients:
// |mean_j (A ⊙ ∇A)[i, j]| + |mean_k (B ⊙ ∇B)[k, i]|  → [r] (zeros where a gradient is missing).
at::Tensor rank_first_order(const at::Tensor& A, const at::Tensor& B);
}  // namespace low_rank

class LowRankDelta : public LinearDelta {
 public:
  LowRankDelta(int64_t in, int64_t out, int64_t rank, double scale, double dropout);
  torch::Tensor delta(const torch::Tensor& x) override;
  bool merge_into(torch::Tensor& weight, torch::Tensor& bias) override;
  bool slice_outputs(const std::vector<int64_t>& rows) override;
  bool slice_inputs(const std::vector<int64_t>& cols) override;
  // Keeps the listed ranks (sorted, unique); none left is an error (remove the delta instead).
  void keep_ranks(const std::vector<int64_t>& ranks);
  int64_t rank() const { return A.size(0); }
  double scale() const { return scale_; }

  torch::Tensor A, B;

 private:
  double scale_, dropout_;
};

}  // namespace adaptlab
