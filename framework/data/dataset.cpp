#include "framework/data/dataset.h"

#include <ATen/ATen.h>

namespace adaptlab {

std::map<std::string, double> Dataset::compute_metrics(const at::Tensor& outputs, const at::Tensor& labels) const {
  const auto n = labels.size(0);
  if (n == 0) return {{"acc", 0.0}};
  const int64_t correct = outputs.argmax(-1).eq(labels.to(outputs.device())).sum().item<int64_t>();
  return {{"acc", static_cast<double>(correct) / static_cast<double>(n)}};
}

at::Tensor Dataset::gather(Split split, const at::Tensor& index) const { return inputs(split).index_select(0, index); }

at::Tensor Dataset::gather_range(Split split, int64_t start, int64_t len) const {
  return gather(split, at::arange(start, start + len, at::kLong));
}

const char* split_name(Split s) {
  switch (s) {
    case Split::train: return "train";
    case Split::val: return "val";
    case Split::test: return "test";
  }
  return "?";
}

}  // namespace adaptlab
