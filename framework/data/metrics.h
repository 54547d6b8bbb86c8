// Evaluation metrics over predictions and gold labels (torch-free, float64): what GLUE tasks report.
// Each equals scikit-learn's / scipy's on the same values (tests/train/test_metrics.cpp runs them).
#pragma once
#include <cstdint>
#include <vector>

namespace adaptlab::metrics {

// Share of equal entries (sklearn.metrics.accuracy_score).
double accuracy(const std::vector<int64_t>& pred, const std::vector<int64_t>& gold);
// Binary F1 of class 1 (sklearn.metrics.f1_score, pos_label=1; 0 when there is no true or predicted 1).
double f1_binary(const std::vector<int64_t>& pred, const std::vector<int64_t>& gold);
// Matthews correlation over any number of classes (sklearn.metrics.matthews_corrcoef; 0 when undefined).
double matthews(const std::vector<int64_t>& pred, const std::vector<int64_t>& gold);
// Pearson's r (scipy.stats.pearsonr); NaN when a side is constant.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
// Spearman's rho: Pearson's r of the ranks, ties given their average rank (scipy.stats.spearmanr).
double spearman(const std::vector<double>& x, const std::vector<double>& y);
// Average ranks (1-based), ties sharing the mean of the ranks they span (scipy.stats.rankdata).
std::vector<double> average_ranks(const std::vector<double>& x);

}  // namespace adaptlab::metrics
