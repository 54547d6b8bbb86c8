#include "framework/data/dataset.h"

#include <ATen/ATen.h>

namespace adaptlab {

std::map<std::string, double> Dataset::compute_metrics(const at::Tensor& outputs, const at::Tensor& labels) const {
  const auto n = labels.size(0);
  if (n == 0) return {{"acc", 0.0}};
  const int64_t correct = outputs.argmax(-1).eq(labels.to(outputs.device())).sum().item<int64_t>();
  return {{"acc", static_cast<double>(correct) / static_cast<double>(n)}};
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
