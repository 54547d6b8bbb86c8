#include "framework/data/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "framework/core/error.h"

namespace adaptlab::metrics {
namespace {
void same_size(size_t a, size_t b, const char* what) {
  AL_CHECK(a == b, "{}: {} predictions for {} labels", what, a, b);
  AL_CHECK(a > 0, "{}: no predictions", what);
}
}  // namespace

double accuracy(const std::vector<int64_t>& pred, const std::vector<int64_t>& gold) {
  same_size(pred.size(), gold.size(), "accuracy");
  int64_t hit = 0;
  for (size_t i = 0; i < pred.size(); ++i) hit += pred[i] == gold[i];
  return static_cast<double>(hit) / static_cast<double>(pred.size());
}

double f1_binary(const std::vector<int64_t>& pred, const std::vector<int64_t>& gold) {
  same_size(pred.size(), gold.size(), "f1");
  double tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < pred.size(); ++i) {
    tp += pred[i] == 1 && gold[i] == 1;
    fp += pred[i] == 1 && gold[i] != 1;
    fn += pred[i] != 1 && gold[i] == 1;
  }
  const double denom = 2 * tp + fp + fn;
  return denom > 0 ? 2 * tp / denom : 0.0;
}

double matthews(const std::vector<int64_t>& pred, const std::vector<int64_t>& gold) {
  same_size(pred.size(), gold.size(), "matthews");
  // sklearn's multiclass form from the confusion matrix C: (c·s − Σ_k p_k t_k) /
  // sqrt((s² − Σ p_k²)(s² − Σ t_k²)), c = trace, s = n, p_k / t_k predicted / true counts.
  std::map<int64_t, double> p, t;
  double c = 0;
  for (size_t i = 0; i < pred.size(); ++i) {
    p[pred[i]] += 1;
    t[gold[i]] += 1;
    c += pred[i] == gold[i];
  }
  const double s = static_cast<double>(pred.size());
  double pt = 0, pp = 0, tt = 0;
  for (const auto& [k, v] : p) {
    pp += v * v;
    if (t.count(k)) pt += v * t[k];
  }
  for (const auto& [k, v] : t) tt += v * v;
  const double cov_ytyp = c * s - pt, cov_ypyp = s * s - pp, cov_ytyt = s * s - tt;
  if (cov_ypyp * cov_ytyt == 0) return 0.0;
  return cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp);
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  same_size(x.size(), y.size(), "pearson");
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0 || syy == 0) return NAN;
  // scipy: normalise each centred side by its norm first, then the dot product (clipped to [-1, 1]).
  const double nx = std::sqrt(sxx), ny = std::sqrt(syy);
  double r = 0;
  for (size_t i = 0; i < x.size(); ++i) r += ((x[i] - mx) / nx) * ((y[i] - my) / ny);
  return std::clamp(r, -1.0, 1.0);
}

std::vector<double> average_ranks(const std::vector<double>& x) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    const double avg = 0.5 * static_cast<double>(i + j) + 1.0;
    for (size_t k = i; k <= j; ++k) r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  same_size(x.size(), y.size(), "spearman");
  return pearson(average_ranks(x), average_ranks(y));
}

}  // namespace adaptlab::metrics
