// What a run reports while it trains (torch-free): metric time series and progress (framework/core/records.h)
// to sinks.
#pragma once
#include <functional>

#include "framework/core/records.h"

namespace adaptlab {

using MetricSink = std::function<void(const MetricEvent&)>;
// Where training stands, at log intervals and after each evaluation (see RunProgress).
using ProgressSink = std::function<void(const RunProgress&)>;

}  // namespace adaptlab
