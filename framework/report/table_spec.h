// A table spec (YAML), e.g. experiments/<study>/table.yaml:
//
//   metric: test.acc            # summary name; scale 100 turns accuracy into percent
//   scale: 100
//   precision: 1
//   best: max                   # bold the best value per column: max | min | none
//   rows:                       # optional; default: every method stack, auto-labelled
//     - {name: "Linear probe", match: {methods.0.name: linear}}
//     - {name: "LoRA r=8", label: "lora (alpha=8.0, rank=8)"}   # or an automatic label
//   columns:                    # optional; default: every dataset, auto-labelled
//     - {name: Easy, group: Synthetic, match: {dataset.noise: 1.0}}
//   overall: true               # an overall-mean column (grouped tables get group means too)
//   extras:                     # per-row columns averaged over all its runs
//     - {metric: params.trainable, name: "Params (M)", scale: 1e-6, precision: 3, best: min}
//     - {metric: flops.forward, name: "FLOPs saved (%)", relative_to: "Fine-tuned", relative: percent}
//       # against another row's mean: percent (100·(v/base − 1)) or difference (v − base, scaled);
//       # relative_metric: the base row's metric when it differs (flops.forward.k4 against flops.forward)
//   reference: reference.yaml   # the paper's numbers (relative to the spec file)
//   report: last                # what a cell holds per run (framework/report/report_mode.h): last |
//                               # best_val (test at the best val epoch) | max_test (best over epochs)
//   report_by: val.acc          # best_val's validation metric (default: val.<the metric's name>)
//   select: {by: val.acc, over: [train.lr]}   # per cell, the setting (values of `over`) with the best
//                               # mean `by` over seeds; its test values shown, the choice listed below
//
// reference.yaml:
//   source: "PYRA, Table 1"
//   rows: {"LoRA r=8": {Easy: 99.0, Hard: 93.0}}   # row name -> column name -> value (already scaled)
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "framework/config/node.h"

namespace adaptlab {

struct RowSpec {
  std::string name;   // display name
  std::string label;  // match the automatic label ("lora (rank=8)") ...
  cfg::Node match;    // ... or dotted config keys -> values
  std::string group;  // columns only
  template <class V>
  void visit(V& v) {
    v.required("name", name, "display name");
    v("label", label, "the automatic label this entry stands for");
    v("match", match, "map of dotted config keys to values the runs must have");
    v("group", group, "column group (columns only)");
    v.check(!label.empty() || match.is_map(), "name", "give 'label' or 'match'");
  }
};

struct ExtraSpec {
  std::string metric;
  std::string name;
  double scale = 1.0;
  int precision = 1;
  std::string best = "none";
  std::string relative_to;      // a row's name: show this row's value against that row's
  std::string relative_metric;  // the base row's metric (default: `metric`)
  std::string relative = "percent";  // percent: 100·(v/base − 1) | difference: v − base (scaled)
  template <class V>
  void visit(V& v) {
    v.required("metric", metric, "summary name");
    v("relative_to", relative_to, "a row name: show the value against that row's (see relative)");
    v("relative_metric", relative_metric, "the base row's metric (default: metric)");
    v("relative", relative, "percent: 100 x (value / base - 1) | difference: value - base");
    v.check(relative == "percent" || relative == "difference", "relative", "must be percent or difference");
    v.check(relative_metric.empty() || !relative_to.empty(), "relative_metric", "needs relative_to");
    v("name", name, "column header (default: the metric)");
    v("scale", scale, "multiply values by this");
    v("precision", precision, "digits after the decimal point");
    v("best", best, "bold the best: max | min | none");
    v.check(best == "max" || best == "min" || best == "none", "best", "must be max, min or none");
  }
};

// Model selection across settings: per cell, the runs of the setting (their values of the `over` keys)
// whose mean `by` (over seeds) is best.
struct SelectSpec {
  std::string by;                 // a validation metric: val.acc
  std::vector<std::string> over;  // dotted config keys: train.lr, methods.0.rank
  std::string mode = "max";       // max | min: which `by` is best
  template <class V>
  void visit(V& v) {
    v.required("by", by, "the validation metric that picks the setting (e.g. val.acc)");
    v.required("over", over, "dotted config keys whose values make a setting (e.g. [train.lr])");
    v("mode", mode, "max | min: the best `by`");
    v.check(by.rfind("val.", 0) == 0, "by", "must be a validation metric (val.<name>): selecting on test is max_test");
    v.check(!over.empty(), "over", "must name at least one config key");
    v.check(mode == "max" || mode == "min", "mode", "must be max or min");
  }
};

struct Reference {
  std::string source;
  std::map<std::string, std::map<std::string, double>> values;  // row name -> column name -> value
};

struct TableSpec {
  std::string study;
  std::string metric = "test.acc";
  double scale = 100.0;
  int precision = 1;
  std::string best = "max";
  std::vector<RowSpec> rows;
  std::vector<RowSpec> columns;
  bool overall = false;
  std::vector<ExtraSpec> extras;
  Reference reference;
  std::string reference_style = "inline";  // inline | columns
  std::string report = "last";             // last | best_val | max_test (report_mode.h)
  std::string report_by;                   // best_val's validation metric; "" = val.<metric's name>
  std::optional<SelectSpec> select;
};

// Reads a spec file strictly (errors name file, line and key); `reference:` is loaded relative to it.
TableSpec load_table_spec(const std::string& path);
Reference load_reference(const std::string& path);

}  // namespace adaptlab
