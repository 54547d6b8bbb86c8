#include "framework/report/export.h"

#include <cmath>
#include <map>
#include <set>

#include "framework/core/json_flat.h"
#include "framework/report/escape.h"
#include "framework/report/parquet.h"
#include "framework/report/report_mode.h"
#include "framework/store/store.h"

namespace adaptlab {
namespace {

const std::vector<std::string> kRunColumns = {"id",      "status",      "label",  "backbone", "methods",
                                              "dataset", "seed",        "attempt", "started_at", "finished_at",
                                              "host",    "device",      "error"};

nlohmann::json text_or_null(const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); }

// A config leaf as stored (JSON text) → a scalar cell; lists and maps stay JSON text.
nlohmann::json leaf(const std::string& json_text) {
  nlohmann::json v = nlohmann::json::parse(json_text);
  if (v.is_structured()) return v.dump();
  return v;
}

}  // namespace

ExportTable export_runs(Store& store, const std::string& study, std::optional<RunStatus> status,
                        const std::string& report, const std::string& report_by) {
  const ReportMode mode = parse_report_mode(report);
  split_metric(report_by, "--report-by");
  const auto runs = store.runs(study, status);
  std::vector<std::map<std::string, nlohmann::json>> config(runs.size());
  std::set<std::string> config_keys;
  for (size_t i = 0; i < runs.size(); ++i)
    for (const auto& [k, v] : flatten_json(runs[i].config)) {
      config[i]["config." + k] = leaf(v);
      config_keys.insert("config." + k);
    }
  const auto metric_names = store.summary_names(study);
  auto values = store.summaries(study, metric_names);
  std::vector<std::string> picked_names;  // the test.* metrics a report mode other than last re-reads
  std::map<std::string, double> picked_epoch;
  if (mode != ReportMode::last) {
    for (const auto& m : metric_names)
      if (m.rfind("test.", 0) == 0) picked_names.push_back(m);
    std::vector<std::string> per_epoch = picked_names;
    per_epoch.push_back(report_by);
    const auto epochs = store.epoch_metrics(study, per_epoch);
    for (const auto& r : runs) {
      Summary& v = values[r.id];
      const auto e = epochs.find(r.id);
      for (const auto& m : picked_names) {
        v.erase(m);
        if (e == epochs.end()) continue;
        // The direction that decides: max_test's best of the metric itself, best_val's of report_by (a loss:
        // lowest; anything else: highest).
        const bool higher = !(mode == ReportMode::max_test ? m : report_by).ends_with(".loss");
        if (const auto p = pick_epoch(mode, e->second, m, report_by, higher)) {
          v[m] = p->value;
          if (mode == ReportMode::best_val) picked_epoch[r.id] = p->epoch;
        }
      }
    }
  }
  ExportTable t;
  t.columns = kRunColumns;
  t.columns.push_back("report");
  if (mode == ReportMode::best_val) t.columns.push_back("report.epoch");
  t.columns.insert(t.columns.end(), config_keys.begin(), config_keys.end());
  t.columns.insert(t.columns.end(), metric_names.begin(), metric_names.end());
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRow& r = runs[i];
    std::vector<nlohmann::json> row = {r.id,
                                       to_string(r.status),
                                       text_or_null(r.label),
                                       r.backbone,
                                       r.methods,
                                       r.dataset,
                                       r.seed,
                                       r.attempt,
                                       text_or_null(r.started_at),
                                       text_or_null(r.finished_at),
                                       text_or_null(r.host),
                                       text_or_null(r.device),
                                       text_or_null(r.error),
                                       to_string(mode)};
    if (mode == ReportMode::best_val) {
      const auto e = picked_epoch.find(r.id);
      row.push_back(e == picked_epoch.end() ? nlohmann::json() : nlohmann::json(e->second));
    }
    for (const auto& k : config_keys) {
      auto it = config[i].find(k);
      row.push_back(it == config[i].end() ? nlohmann::json() : it->second);
    }
    const auto vit = values.find(r.id);
    for (const auto& m : metric_names) {
      nlohmann::json cell;
      if (vit != values.end())
        if (auto x = vit->second.find(m); x != vit->second.end() && std::isfinite(x->second)) cell = x->second;
      row.push_back(cell);
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string render_export_csv(const ExportTable& t) {
  std::string out;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (c) out += ',';
    out += csv_field(t.columns[c]);
  }
  out += "\n";
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out += ",";
      const auto& v = row[c];
      if (v.is_null()) continue;  // an empty field: NA in pandas and R
      out += csv_field(v.is_string() ? v.get<std::string>() : v.dump());
    }
    out += "\n";
  }
  return out;
}

std::string render_export_jsonl(const ExportTable& t) {
  std::string out;
  for (const auto& row : t.rows) {
    nlohmann::ordered_json o;
    for (size_t c = 0; c < row.size(); ++c) o[t.columns[c]] = row[c];
    out += o.dump() + "\n";
  }
  return out;
}

std::string render_export_parquet(const ExportTable& t) {
  std::vector<parquet::Column> cols;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    // The column's type: integers, numbers, booleans or (anything else, mixed) text.
    bool all_int = true, all_num = true, all_bool = true, any = false;
    for (const auto& row : t.rows) {
      const auto& v = row[c];
      if (v.is_null()) continue;
      any = true;
      all_int = all_int && v.is_number_integer();
      all_num = all_num && v.is_number();
      all_bool = all_bool && v.is_boolean();
    }
    parquet::Column col;
    col.name = t.columns[c];
    col.type = !any ? parquet::Type::string
               : all_bool ? parquet::Type::boolean
               : all_int  ? parquet::Type::int64
               : all_num  ? parquet::Type::float64
                          : parquet::Type::string;
    for (const auto& row : t.rows) {
      const auto& v = row[c];
      if (v.is_null()) {
        col.values.emplace_back(std::nullopt);
        continue;
      }
      switch (col.type) {
        case parquet::Type::boolean: col.values.emplace_back(v.get<bool>()); break;
        case parquet::Type::int64: col.values.emplace_back(v.get<int64_t>()); break;
        case parquet::Type::float64: col.values.emplace_back(v.get<double>()); break;
        case parquet::Type::string: col.values.emplace_back(v.is_string() ? v.get<std::string>() : v.dump()); break;
      }
    }
    cols.push_back(std::move(col));
  }
  return parquet::write_table(cols);
}

}  // namespace adaptlab
