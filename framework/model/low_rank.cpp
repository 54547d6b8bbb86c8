#include "framework/model/low_rank.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <cmath>

#include "framework/core/error.h"

namespace adaptlab {
namespace low_rank {

at::Tensor delta(const at::Tensor& x, const at::Tensor& A, const at::Tensor& B, double scale) {
  return at::matmul(at::matmul(x, A.t()), B.t()) * scale;
}

at::Tensor merged_weight(const at::Tensor& weight, const at::Tensor& A, const at::Tensor& B, double scale) {
  return weight + (at::matmul(B, A) * scale).to(weight.scalar_type());
}

void init_(at::Tensor& A, at::Tensor& B) {
  at::NoGradGuard g;
  torch::nn::init::kaiming_uniform_(A, std::sqrt(5.0));
  B.zero_();
}

at::Tensor rank_first_order(const at::Tensor& A, const at::Tensor& B) {
  at::NoGradGuard g;
  auto score = at::zeros({A.size(0)}, A.options().requires_grad(false));
  if (A.grad().defined()) score = score + (A * A.grad()).mean(1).abs();
  if (B.grad().defined()) score = score + (B * B.grad()).mean(0).abs();
  return score;
}

}  // namespace low_rank

namespace {
at::Tensor index_of(const std::vector<int64_t>& v, const at::Tensor& like) {
  return at::tensor(v, at::TensorOptions().dtype(at::kLong)).to(like.device());
}
void set(at::Tensor& p, const at::Tensor& value) {
  at::NoGradGuard g;
  p.set_data(value.contiguous());
  p.mutable_grad() = at::Tensor();  // a gradient of the old shape would no longer fit
}
}  // namespace

LowRankDelta::LowRankDelta(int64_t in, int64_t out, int64_t rank, double scale, double dropout)
    : scale_(scale), dropout_(dropout) {
  A = register_parameter("lora_A", at::empty({rank, in}));
  B = register_parameter("lora_B", at::empty({out, rank}));
  low_rank::init_(A, B);
}

torch::Tensor LowRankDelta::delta(const torch::Tensor& x) {
  const auto in = dropout_ > 0 ? at::dropout(x, dropout_, is_training()) : x;
  return low_rank::delta(in, A, B, scale_);
}

bool LowRankDelta::merge_into(torch::Tensor& weight, torch::Tensor& /*bias*/) {
  weight.copy_(low_rank::merged_weight(weight, A, B, scale_));
  return true;
}

bool LowRankDelta::slice_outputs(const std::vector<int64_t>& rows) {
  set(B, B.index_select(0, index_of(rows, B)));
  return true;
}

bool LowRankDelta::slice_inputs(const std::vector<int64_t>& cols) {
  set(A, A.index_select(1, index_of(cols, A)));
  return true;
}

void LowRankDelta::keep_ranks(const std::vector<int64_t>& ranks) {
  AL_CHECK(!ranks.empty(), "a low-rank delta keeps at least one rank (remove the delta to drop them all)");
  for (size_t i = 0; i < ranks.size(); ++i)
    AL_CHECK(ranks[i] >= 0 && ranks[i] < rank() && (i == 0 || ranks[i] > ranks[i - 1]),
             "keep_ranks: rank indices must be sorted, unique and below {}", rank());
  const auto idx = index_of(ranks, A);
  set(A, A.index_select(0, idx));
  set(B, B.index_select(1, idx));
}

}  // namespace adaptlab
