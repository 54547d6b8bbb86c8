// Comparison tables from the results database.
//
// Without a spec: rows = method stack (plus any option that varies among that stack's runs),
// columns = dataset (plus varying dataset options). A spec (YAML, see table_spec.h) picks and names
// rows and columns, groups columns (group means and the overall mean), adds extra columns (trainable
// parameters, throughput, ...) and bolds the best value per column. A reference (the paper's
// published numbers) puts ours, the paper's and the delta side by side. Cells: mean ± sample std
// over seeds, "(n=k)" where a cell has fewer seeds than the fullest one.
#pragma once
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "framework/report/stats.h"
#include "framework/store/store.h"
#include "framework/report/table_spec.h"

namespace adaptlab {

struct TableCell {
  bool has = false;
  Aggregate agg;               // already scaled
  std::optional<double> ref;   // published value (scaled like ours)
  bool best = false;
  std::string chosen;          // select: the setting chosen for this cell ("train.lr=0.001")
  // Timed extras (throughput, step times): runs whose measurement stayed noisy (<figure>.noisy = 1,
  // framework/measure/timing.h) and the largest spread among the cell's runs (NaN: none recorded).
  int noisy = 0;
  double spread = std::numeric_limits<double>::quiet_NaN();
};

struct TableModel {
  std::string study, metric, reference_source;
  std::string report = "last";            // the report mode (report_mode.h)
  std::string caption;                    // what the cells hold, in words: the metric, the mode, the selection
  std::vector<std::string> notes;         // select: per cell, the setting chosen ("LoRA / MRPC: train.lr=0.001 ...")
  std::vector<std::string> noise_notes;   // per noisy extra cell (marked †): its runs, spread and the bound
  int precision = 1;
  int full_n = 0;                         // most seeds in any cell
  std::vector<std::string> columns;       // display names
  std::vector<std::string> column_group;  // per column; "" when ungrouped
  std::vector<std::string> groups;        // group names in order (empty: no grouping)
  bool overall = false;                   // an overall-mean column
  std::vector<ExtraSpec> extras;
  struct Row {
    std::string name;
    std::vector<TableCell> cells, group_cells, extras;
    TableCell overall;
  };
  std::vector<Row> rows;
  bool reference_columns = false;         // paper and Δ as their own columns (reference_style: columns)
  std::vector<bool> column_has_reference; // per column: some row has a paper value there
  // What the table leaves out or cannot place: runs matching no row or column, spec entries matching
  // no run, reference rows and columns that are not in the table. `table` prints them on stderr
  // (`--strict`: an error).
  std::vector<std::string> warnings;
};

// What a table is made from: the study's finished runs and the summary values it shows.
struct TableInput {
  std::string origin;                     // the database, for messages
  std::vector<RunRow> runs;               // done runs, in database order
  std::map<std::string, Summary> values;  // run id -> the spec's metric and extras
  std::vector<std::string> summary_names; // every summary name the study's runs have (for suggestions)
  // report best_val / max_test: run id -> its per-epoch rows of the metric and the validation metric(s).
  std::map<std::string, std::vector<MetricEvent>> epochs;
};
TableInput read_table_input(Store& store, const TableSpec& spec);
// The pivot alone (no database): rows × columns of aggregated cells, references, group means, bests.
TableModel pivot_table(const TableInput& in, const TableSpec& spec);
// read_table_input + pivot_table.
TableModel build_table(Store& store, const TableSpec& spec);

std::string render_markdown(const TableModel& t);
std::string render_latex(const TableModel& t);
std::string render_csv(const TableModel& t);
std::string render_html(const TableModel& t);

// build_table + render_markdown.
std::string markdown_table(Store& store, const TableSpec& spec);

}  // namespace adaptlab
