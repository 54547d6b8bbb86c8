// What a run reports while it trains (torch-free): metric time series (framework/core/records.h) to a sink.
#pragma once
#include <functional>

#include "framework/core/records.h"

namespace adaptlab {

using MetricSink = std::function<void(const MetricEvent&)>;

}  // namespace adaptlab
