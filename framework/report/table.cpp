#include "framework/report/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "framework/core/error.h"
#include "framework/report/stats.h"
#include "framework/store/store.h"
#include "framework/sweep/resolve.h"
#include "framework/sweep/sweep.h"

namespace adaptlab {
namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

std::string short_key(const std::string& key) {
  // "methods.0.rank" → "rank"; "train.lr" → "lr"; "dataset.noise" → "noise"
  const auto pos = key.rfind('.');
  return pos == std::string::npos ? key : key.substr(pos + 1);
}

std::string unquote(const std::string& v) {
  return v.size() >= 2 && v.front() == '"' && v.back() == '"' ? v.substr(1, v.size() - 2) : v;
}

}  // namespace

std::string markdown_table(Store& store, const TableSpec& spec) {
  const auto runs = store.runs(spec.study, "done");
  AL_CHECK(!runs.empty(), "{}: study '{}' has no finished runs", store.path(), spec.study);

  // Keys that distinguish runs, seed aside. Dataset options distinguish columns, so they count
  // when they differ anywhere in the study; other options distinguish rows only among runs of the
  // same method stack (a LoRA option never labels the linear-probe row).
  std::vector<std::map<std::string, std::string>> flat;
  std::vector<std::string> group;
  std::set<std::string> all_keys;
  for (const auto& r : runs) {
    std::map<std::string, std::string> m;
    for (auto& [k, v] : flatten(r.config)) m[k] = v;
    for (auto& [k, v] : m) all_keys.insert(k);
    flat.push_back(std::move(m));
    group.push_back(methods_label(r.config));
  }
  auto skipped = [](const std::string& k) {
    return k == "seed" || k == "dataset.seed" || (k.size() >= 5 && k.substr(k.size() - 5) == ".name");
  };
  std::set<std::string> dataset_varying;
  std::map<std::string, std::set<std::string>> row_varying;  // method stack -> keys
  for (const auto& k : all_keys) {
    if (skipped(k)) continue;
    std::map<std::string, std::set<std::string>> values;  // group ("" = all) -> values
    for (size_t i = 0; i < flat.size(); ++i) {
      const std::string v = flat[i].count(k) ? flat[i].at(k) : "<absent>";
      values[starts_with(k, "dataset.") ? "" : group[i]].insert(v);
    }
    for (const auto& [g, vs] : values) {
      if (vs.size() < 2) continue;
      if (g.empty())
        dataset_varying.insert(k);
      else
        row_varying[g].insert(k);
    }
  }

  struct Cell {
    std::vector<double> values;
  };
  std::vector<std::string> row_order, col_order;
  std::map<std::pair<std::string, std::string>, Cell> cells;
  bool any_metric = false;
  for (size_t i = 0; i < runs.size(); ++i) {
    std::string row = methods_label(runs[i].config), col = runs[i].config.at("dataset").at("name").get<std::string>();
    std::vector<std::string> row_extra, col_extra;
    for (const auto& [k, v] : flat[i]) {
      const bool col_key = dataset_varying.count(k) > 0;
      const bool row_key = row_varying[group[i]].count(k) > 0;
      if (col_key || row_key) (col_key ? col_extra : row_extra).push_back(short_key(k) + "=" + unquote(v));
    }
    if (!row_extra.empty()) row += fmt::format(" ({})", fmt::join(row_extra, ", "));
    if (!col_extra.empty()) col += fmt::format(" ({})", fmt::join(col_extra, ", "));
    if (std::find(row_order.begin(), row_order.end(), row) == row_order.end()) row_order.push_back(row);
    if (std::find(col_order.begin(), col_order.end(), col) == col_order.end()) col_order.push_back(col);
    const Summary s = store.summary(spec.study, runs[i].id);
    auto it = s.find(spec.metric);
    if (it != s.end()) {
      cells[{row, col}].values.push_back(it->second * spec.scale);
      any_metric = true;
    }
  }
  AL_CHECK(any_metric, "{}: no finished run of study '{}' has the metric '{}'", store.path(), spec.study, spec.metric);

  int full_n = 0;
  for (const auto& [k, c] : cells) full_n = std::max(full_n, static_cast<int>(c.values.size()));

  std::string out = fmt::format("| method | {} |\n|---|{}\n", fmt::join(col_order, " | "),
                                [&] {
                                  std::string s;
                                  for (size_t i = 0; i < col_order.size(); ++i) s += "---|";
                                  return s;
                                }());
  for (const auto& row : row_order) {
    out += "| " + row + " |";
    for (const auto& col : col_order) {
      auto it = cells.find({row, col});
      if (it == cells.end() || it->second.values.empty()) {
        out += " — |";
        continue;
      }
      const Aggregate a = aggregate(it->second.values);
      std::string cell = a.n > 1 ? fmt::format("{:.{}f} ± {:.{}f}", a.mean, spec.precision, a.std, spec.precision)
                                 : fmt::format("{:.{}f}", a.mean, spec.precision);
      if (a.n < full_n) cell += fmt::format(" (n={})", a.n);
      out += " " + cell + " |";
    }
    out += "\n";
  }
  return out;
}

}  // namespace adaptlab
