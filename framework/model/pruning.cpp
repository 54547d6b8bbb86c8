#include "framework/model/pruning.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "framework/core/error.h"
#include "framework/model/backbone.h"

namespace adaptlab {

double quantile_linear(std::vector<double> values, double q) {
  AL_CHECK(!values.empty(), "quantile of no values");
  AL_CHECK(q >= 0 && q <= 1, "quantile: q = {} is outside [0, 1]", q);
  std::sort(values.begin(), values.end());
  const double pos = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  // numpy's _lerp: a + (b − a)·t, turned around for t >= 0.5 (exact at both ends).
  const double a = values[lo], b = values[hi];
  return frac >= 0.5 ? b - (b - a) * (1.0 - frac) : a + (b - a) * frac;
}

std::vector<int64_t> keep_above(const std::vector<double>& values, double threshold) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] > threshold) out.push_back(static_cast<int64_t>(i));
  return out;
}

void apply_block_keep(Backbone& backbone, const BlockKeep& keep) {
  AL_CHECK(static_cast<int>(keep.heads.size()) == backbone.num_blocks() &&
               static_cast<int>(keep.units.size()) == backbone.num_blocks(),
           "pruning: {} head lists and {} unit lists for {} blocks", keep.heads.size(), keep.units.size(),
           backbone.num_blocks());
  for (int i = 0; i < backbone.num_blocks(); ++i) {
    TransformerBlock& b = backbone.block(i);
    if (static_cast<int64_t>(keep.heads[i].size()) != b.num_heads()) b.prune_heads(keep.heads[i]);
    if (static_cast<int64_t>(keep.units[i].size()) != b.ffn_dim()) b.prune_ffn(keep.units[i]);
  }
}

nlohmann::json block_keep_json(const BlockKeep& keep) { return nlohmann::json{{"heads", keep.heads}, {"units", keep.units}}; }

BlockKeep block_keep_of_json(const nlohmann::json& j, int blocks) {
  BlockKeep k;
  try {
    k.heads = j.at("heads").get<std::vector<std::vector<int64_t>>>();
    k.units = j.at("units").get<std::vector<std::vector<int64_t>>>();
  } catch (const std::exception& e) {
    fail("pruning: the saved structure is malformed ({}): {}", e.what(), j.dump().substr(0, 200));
  }
  AL_CHECK(static_cast<int>(k.heads.size()) == blocks && static_cast<int>(k.units.size()) == blocks,
           "pruning: the saved structure has {} blocks, the model {}", k.heads.size(), blocks);
  return k;
}

HeadGate::HeadGate(int64_t heads) { gate = register_parameter("gate", at::ones({heads})); }

at::Tensor HeadGate::apply(const at::Tensor& probs) {
  return probs * gate.to(probs.scalar_type()).reshape({1, -1, 1, 1});
}

UnitGate::UnitGate(int64_t units) { gate = register_parameter("gate", at::ones({units})); }

at::Tensor UnitGate::apply(const at::Tensor& h) { return h * gate.to(h.scalar_type()); }

}  // namespace adaptlab
