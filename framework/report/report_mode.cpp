#include "framework/report/report_mode.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "framework/core/error.h"
#include "framework/core/suggest.h"

namespace adaptlab {

ReportMode parse_report_mode(const std::string& name) {
  if (name == "last") return ReportMode::last;
  if (name == "best_val") return ReportMode::best_val;
  if (name == "max_test") return ReportMode::max_test;
  fail("unknown report mode '{}'{}; known: last, best_val, max_test", name,
       did_you_mean(name, {"last", "best_val", "max_test"}));
}

std::string to_string(ReportMode m) {
  switch (m) {
    case ReportMode::last: return "last";
    case ReportMode::best_val: return "best_val";
    case ReportMode::max_test: return "max_test";
  }
  return "?";
}

std::string describe_report(ReportMode m, const std::string& metric, const std::string& by) {
  switch (m) {
    case ReportMode::last: return fmt::format("{} after the last epoch", metric);
    case ReportMode::best_val:
      return fmt::format("{} at the epoch with the best {} (ties: the earliest)", metric, by);
    case ReportMode::max_test:
      return fmt::format("the best {} over the epochs' evaluations, as NOAH/PYRA print it and GLUE papers keep the best "
                         "dev epoch: chosen on the test split, not a held-out number", metric);
  }
  return "";
}

std::pair<std::string, std::string> split_metric(const std::string& metric, const std::string& what) {
  const auto dot = metric.find('.');
  AL_CHECK(dot != std::string::npos && dot > 0 && dot + 1 < metric.size(),
           "{} '{}' is not a split's metric (expected <split>.<name>, e.g. test.acc or val.acc)", what, metric);
  return {metric.substr(0, dot), metric.substr(dot + 1)};
}

std::string default_report_by(const std::string& metric) {
  const auto [split, name] = split_metric(metric, "the table's metric");
  return "val." + name;
}

std::optional<EpochPick> pick_epoch(ReportMode m, const std::vector<MetricEvent>& rows, const std::string& metric,
                                    const std::string& by, bool higher_better) {
  AL_CHECK(m != ReportMode::last, "pick_epoch: report last reads the summary, not the epochs");
  const auto [ms, mn] = split_metric(metric, "the reported metric");
  const auto [bs, bn] = split_metric(by, "the selection metric");
  std::map<double, double> shown, sel;  // epoch -> value (a later row at the same epoch wins)
  for (const auto& r : rows) {
    if (!(r.epoch >= 0) || !std::isfinite(r.value)) continue;
    if (r.split == ms && r.name == mn) shown[r.epoch] = r.value;
    if (r.split == bs && r.name == bn) sel[r.epoch] = r.value;
  }
  const auto better = [&](double a, double b) { return higher_better ? a > b : a < b; };
  std::optional<EpochPick> out;
  if (m == ReportMode::max_test) {
    for (const auto& [e, v] : shown)
      if (!out || better(v, out->value)) out = EpochPick{v, NAN, NAN};
    if (out) {
      bool any = false;
      for (const auto& [e, v] : sel)
        if (!any || better(v, out->by)) {
          out->by = v;
          any = true;
        }
    }
    return out;
  }
  for (const auto& [e, v] : sel) {  // epochs ascending: a strictly better one replaces, ties keep the earliest
    const auto t = shown.find(e);
    if (t == shown.end()) continue;
    if (!out || better(v, out->by)) out = EpochPick{t->second, v, e};
  }
  return out;
}

}  // namespace adaptlab
