// Datasets with fixed train / val / test splits: labels always in memory; examples read in batches with
// gather() (kept in memory by most, decoded per batch by streamed image sets).
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace adaptlab {

enum class Split { train, val, test };
const char* split_name(Split s);

struct DataInfo {
  int64_t num_classes = 0;           // outputs of the head (1 for a regression task)
  std::vector<int64_t> input_shape;  // per example, e.g. {3, 32, 32}; {2, L} for token ids + token types
  bool regression = false;           // float labels, mean-squared-error loss (e.g. STS-B)
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual DataInfo info() const = 0;
  // All examples of a split as stored: inputs [n, ...] (float32 or uint8 images, int64 token ids), labels
  // [n] (int64; float32 for regression). Model inputs are to_inputs() of a batch of them.
  // Streamed datasets have no whole-split tensor: inputs() is an error there; gather() works everywhere.
  virtual const at::Tensor& inputs(Split split) const = 0;
  virtual const at::Tensor& labels(Split split) const = 0;
  int64_t size(Split split) const { return labels(split).size(0); }
  // Stored examples at `index` (int64 [b], on the host), as inputs() holds them. Default: index_select.
  virtual at::Tensor gather(Split split, const at::Tensor& index) const;
  // The examples [start, start + len).
  at::Tensor gather_range(Split split, int64_t start, int64_t len) const;
  // A batch as the model takes it, from stored examples already on the device (uint8 images →
  // normalised float32; the copy to the device moves the small form). Default: as stored.
  virtual at::Tensor to_inputs(const at::Tensor& stored) const { return stored; }
  // What evaluation reports, from the model's outputs [n, C] and the split's labels [n]: metric name →
  // value (accuracy "acc" by default). The first of metric_names() is the main one ("<split>.score").
  virtual std::vector<std::string> metric_names() const { return {"acc"}; }
  // False for a corpus without labels (text_corpus): only a label-free loss can train on it.
  virtual bool labelled() const { return true; }
  virtual std::map<std::string, double> compute_metrics(const at::Tensor& outputs, const at::Tensor& labels) const;
};

}  // namespace adaptlab
