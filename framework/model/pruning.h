// Shared pieces of structured pruning methods (lightpeft, structured_prune, magnitude_prune):
// thresholds as quantiles of scores, the structure a pruning decision leaves (heads and FFN units kept
// per block) applied to a backbone and written to / read from a run's artifact metadata, and gates —
// per-head and per-unit multipliers at the block's attention-probability and FFN-activation hook
// points, whose values or gradients score what to prune.
#pragma once
#include <ATen/core/Tensor.h>
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "framework/model/hooks.h"

namespace adaptlab {

class Backbone;

// numpy.quantile(values, q) with its default linear interpolation, in float64: the value at position
// q·(n − 1) of the sorted values, interpolated between its neighbours. An empty list is an error.
double quantile_linear(std::vector<double> values, double q);

// Indices i (ascending) with values[i] > threshold: what a "prune at or below the quantile" rule keeps.
std::vector<int64_t> keep_above(const std::vector<double>& values, double threshold);

// Heads and FFN units kept in each block (sorted indices into the block's widths before pruning).
struct BlockKeep {
  std::vector<std::vector<int64_t>> heads, units;
};
// Applies it: every block keeps its listed heads and units (slicing q/k/v/proj and fc1/fc2 and every
// delta attached to them). Hook ops on attention probabilities or FFN activations must be gone first.
void apply_block_keep(Backbone& backbone, const BlockKeep& keep);
// As typed JSON ({"heads": [[...] per block], "units": [...]}) for a saved structure, and back (an error
// names what is malformed).
nlohmann::json block_keep_json(const BlockKeep& keep);
BlockKeep block_keep_of_json(const nlohmann::json& json, int blocks);

// A multiplier per head on the attention probabilities [B, H, N, N]: probs · g[h].
class HeadGate : public AttnProbsOp {
 public:
  explicit HeadGate(int64_t heads);
  at::Tensor apply(const at::Tensor& probs) override;
  at::Tensor gate;  // [H], parameter "gate", initialised to 1
};

// A multiplier per FFN unit on the activations [B, N, F]: h · g[u].
class UnitGate : public FfnActOp {
 public:
  explicit UnitGate(int64_t units);
  at::Tensor apply(const at::Tensor& h) override;
  at::Tensor gate;  // [F], parameter "gate", initialised to 1
};

}  // namespace adaptlab
