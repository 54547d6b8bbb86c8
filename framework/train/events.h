// What a run reports while it trains (torch-free): metric time series and the final summary.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace adaptlab {

struct MetricEvent {
  int64_t step = 0;   // optimiser step the value belongs to
  std::string split;  // "train", "val", "test"
  std::string name;   // "loss", "acc", "lr", ...
  double value = 0.0;
};

using MetricSink = std::function<void(const MetricEvent&)>;

// Final metrics of a run, e.g. "test.acc", "params.trainable", "throughput.eval".
using Summary = std::map<std::string, double>;

}  // namespace adaptlab
