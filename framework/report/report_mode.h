// Which number a table cell or an export column holds for a run, from its evaluations:
//   last      the summary value (the evaluation after the last epoch; today's default)
//   best_val  the test value at the epoch whose validation metric is best (ties: the earliest epoch)
//   max_test  the best test value over the epochs (as NOAH/PYRA print their max_accuracy: chosen on
//             test, so never a held-out number)
// best_val and max_test need the per-epoch test evaluations (train.eval_splits: [val, test]).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "framework/core/records.h"

namespace adaptlab {

enum class ReportMode { last, best_val, max_test };

ReportMode parse_report_mode(const std::string& name);  // an unknown name is an error listing the known ones
std::string to_string(ReportMode m);
// What a mode's numbers are, in words, for captions ("the test.acc at the epoch with the best val.acc").
std::string describe_report(ReportMode m, const std::string& metric, const std::string& by);
// The validation metric best_val selects on by default: test.acc -> val.acc.
std::string default_report_by(const std::string& metric);
// "test.acc" -> {"test", "acc"}; a name without a split prefix is an error naming `what`.
std::pair<std::string, std::string> split_metric(const std::string& metric, const std::string& what);

// One run's evaluation picked by a mode: the value shown, the validation value there (for model
// selection across settings: best_val the value at the chosen epoch, max_test the best over epochs)
// and the chosen epoch (best_val; NaN otherwise).
struct EpochPick {
  double value = 0.0;
  double by = 0.0;
  double epoch = 0.0;
};
// From one run's per-epoch metric rows (`rows`: any splits and names; those without an epoch are
// ignored). Empty when the run has no per-epoch `metric` evaluations (best_val: none at an epoch with
// a `by` evaluation). `higher_better`: max (accuracy) or min (a loss) for both metrics.
std::optional<EpochPick> pick_epoch(ReportMode m, const std::vector<MetricEvent>& rows, const std::string& metric,
                                    const std::string& by, bool higher_better);

}  // namespace adaptlab
