// `adaptlab export`: one wide row per run — run columns, the resolved config flattened (config.<dotted
// key>) and every summary metric as a column — as CSV, JSON lines or Parquet, what a pandas or R
// user loads first.
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "framework/core/records.h"

namespace adaptlab {

class Store;

struct ExportTable {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;  // per row, per column: null, number, bool or string
};

// The study's runs (all of them, or those with `status`), in database order. A `report` column names the
// report mode (report_mode.h); under best_val / max_test every test.<name> column holds the run's picked
// value (null without per-epoch test evaluations), best_val picking the epoch on `report_by` (val.acc)
// and adding that epoch as report.epoch.
ExportTable export_runs(Store& store, const std::string& study, std::optional<RunStatus> status = std::nullopt,
                        const std::string& report = "last", const std::string& report_by = "val.acc");

std::string render_export_csv(const ExportTable& t);
std::string render_export_jsonl(const ExportTable& t);
std::string render_export_parquet(const ExportTable& t);  // the file's bytes

}  // namespace adaptlab
