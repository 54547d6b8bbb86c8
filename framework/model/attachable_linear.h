// A Linear layer (timm/PyTorch names: weight [out, in], bias [out]) that methods can extend:
//
//   y = x Wᵀ + b + Σ_k delta_k(x)          additive deltas (LoRA), each on all outputs or a row range
//   y[rows] ← op_j(y[rows])                 then output ops in order (IA³'s learned scaling)
//
// A range addresses a slice of the outputs: the q, k or v rows of a fused qkv projection. Deltas and
// output ops are child modules, so their parameters are named "<layer>.<name>.<param>" and saved with
// the model.
#pragma once
#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/model/named_list.h"

namespace adaptlab {

// Output rows [start, start + length) of a layer; length < 0 = every row.
struct OutputRange {
  int64_t start = 0;
  int64_t length = -1;
  bool whole() const { return length < 0; }
};

class LinearDelta : public torch::nn::Module {
 public:
  // The delta of the addressed rows for input x: [..., rows].
  virtual torch::Tensor delta(const torch::Tensor& x) = 0;
  // Folds the delta into the layer's rows (weight [rows, in], bias [rows] or undefined: views of the
  // layer's tensors, changed in place) when it is linear in x at inference time. False: not mergeable.
  virtual bool merge_into(torch::Tensor& /*weight*/, torch::Tensor& /*bias*/) { return false; }
  // Structured pruning of its layer: keep these of its output rows (relative to its range) / these
  // input columns. False: it cannot follow (the layer then refuses to be pruned).
  virtual bool slice_outputs(const std::vector<int64_t>& /*rows*/) { return false; }
  virtual bool slice_inputs(const std::vector<int64_t>& /*cols*/) { return false; }
};

// A function applied to (a range of) the layer's output after the deltas, e.g. y ← l ⊙ y.
class LinearOutputOp : public torch::nn::Module {
 public:
  virtual torch::Tensor apply(const torch::Tensor& y) = 0;
  // Folds the op into the rows' weight and bias (views, changed in place) when the op is affine and the
  // layer has no unmerged delta. False: not mergeable.
  virtual bool merge_into(torch::Tensor& /*weight*/, torch::Tensor& /*bias*/) { return false; }
  // Structured pruning of its layer: keep these of its rows (relative to its range). False: cannot.
  virtual bool slice_outputs(const std::vector<int64_t>& /*rows*/) { return false; }
};

// Sees every forward of a layer (e.g. to score its deltas): the input, the base output x Wᵀ + b, each
// delta's output (in `deltas()` order, over its range's rows) and the padding mask of the tokens ([B, N]
// bool, true for real tokens; undefined: all real, or not a token sequence).
using LinearObserver = std::function<void(const torch::Tensor& x, const torch::Tensor& base,
                                          const std::vector<torch::Tensor>& deltas, const torch::Tensor& mask)>;

class AttachableLinear : public torch::nn::Module {
 public:
  AttachableLinear(int64_t in_features, int64_t out_features, bool with_bias);

  // `mask`: the tokens' padding mask, passed to the observers only (the block gives it).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask = {});

  // Adds a delta registered as child module `name` (unique per layer) on the rows of `range`.
  void add_delta(const std::string& name, std::shared_ptr<LinearDelta> delta, OutputRange range = {});
  // Adds an output op registered as child module `name` on the rows of `range`.
  void add_output_op(const std::string& name, std::shared_ptr<LinearOutputOp> op, OutputRange range = {});
  // Removes a delta (e.g. a pruned PEFT module); an unknown name is an error.
  void remove_delta(const std::string& name);
  // Calls `observer` on every forward until removed; names are unique per layer (like deltas), so
  // several methods can observe one layer.
  void add_observer(const std::string& name, LinearObserver observer);
  // Removes an observer; an unknown name is an error.
  void remove_observer(const std::string& name);
  // Merges every mergeable delta into weight/bias and removes it; returns how many were merged.
  int merge_deltas();
  // Merges every mergeable output op (only once no delta is left); returns how many were merged.
  int merge_output_ops();

  template <class T>
  struct Attached {
    std::string name;
    std::shared_ptr<T> module;
    OutputRange range;
  };
  const std::vector<Attached<LinearDelta>>& deltas() const { return deltas_; }
  const std::vector<Attached<LinearOutputOp>>& output_ops() const { return output_ops_; }
  bool plain() const { return deltas_.empty() && output_ops_.empty(); }

  // Keeps only the given output rows (sorted, unique) or input columns, slicing weight and bias
  // (structured pruning). Attached deltas and output ops are sliced with them (their ranges follow);
  // one that cannot be sliced makes it an error.
  void keep_outputs(const std::vector<int64_t>& rows);
  void keep_inputs(const std::vector<int64_t>& cols);

  int64_t in_features, out_features;
  torch::Tensor weight, bias;  // bias undefined when with_bias = false

 private:
  std::vector<Attached<LinearDelta>> deltas_;
  std::vector<Attached<LinearOutputOp>> output_ops_;
  NamedList<LinearObserver> observers_;
};

}  // namespace adaptlab
