#include "framework/report/stats.h"

#include <cmath>

namespace adaptlab {

Aggregate aggregate(const std::vector<double>& v) {
  Aggregate a;
  a.n = static_cast<int>(v.size());
  if (v.empty()) return a;
  double s = 0.0;
  for (double x : v) s += x;
  a.mean = s / a.n;
  if (a.n > 1) {
    double ss = 0.0;
    for (double x : v) ss += (x - a.mean) * (x - a.mean);
    a.std = std::sqrt(ss / (a.n - 1));
  }
  return a;
}

}  // namespace adaptlab
