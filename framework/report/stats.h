// Aggregation over seeds.
#pragma once
#include <vector>

namespace adaptlab {

struct Aggregate {
  double mean = 0.0;
  double std = 0.0;  // sample standard deviation (n - 1); 0 when n < 2
  int n = 0;
};

Aggregate aggregate(const std::vector<double>& values);

}  // namespace adaptlab
