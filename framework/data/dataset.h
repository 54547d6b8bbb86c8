// In-memory classification datasets with fixed train / val / test splits.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace adaptlab {

enum class Split { train, val, test };
const char* split_name(Split s);

struct DataInfo {
  int64_t num_classes = 0;
  std::vector<int64_t> input_shape;  // per example, e.g. {3, 32, 32}
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual DataInfo info() const = 0;
  // All examples of a split: inputs [n, ...input_shape] (float32 images, int64 token ids), labels [n] (int64).
  virtual const at::Tensor& inputs(Split split) const = 0;
  virtual const at::Tensor& labels(Split split) const = 0;
  int64_t size(Split split) const { return labels(split).size(0); }
};

}  // namespace adaptlab
