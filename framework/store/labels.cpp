#include "framework/store/labels.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "framework/core/json_flat.h"

namespace adaptlab {
namespace {

using Flat = std::map<std::string, std::string>;

std::string short_key(const std::string& key) {
  const auto pos = key.rfind('.');  // "methods.0.rank" -> "rank"
  return pos == std::string::npos ? key : key.substr(pos + 1);
}

std::string unquote(const std::string& v) {
  return v.size() >= 2 && v.front() == '"' && v.back() == '"' ? v.substr(1, v.size() - 2) : v;
}

// The init.<n>.* keys of a flat config (the sources a run starts from) as one key "init", short:
// "from(lr=0.01)", "from(study=wiki, k=4)", "from(file=plugins.safetensors)"; what the sweep resolves per
// run (the dependency's id, its file and hash) and default-valued keys are left out.
bool has_init(const Flat& f) {
  const auto it = f.lower_bound("init.");
  return it != f.end() && it->first.starts_with("init.");
}

Flat with_init_collapsed(const Flat& f) {
  Flat out;
  std::map<int, std::vector<std::string>> parts;
  for (const auto& [k, v] : f) {
    if (k == "init") continue;  // "[]"
    if (!k.starts_with("init.")) {
      out.emplace(k, v);
      continue;
    }
    const std::string rest = k.substr(5);
    const auto dot = rest.find('.');
    if (dot == std::string::npos || rest.find_first_not_of("0123456789") != dot || resolved_per_run(k)) continue;
    const int n = std::stoi(rest.substr(0, dot));
    const std::string leaf = rest.substr(dot + 1), val = unquote(v);
    auto& p = parts[n];
    if (leaf == "study" || leaf == "run") {
      if (!val.empty()) p.push_back(leaf + "=" + val);
    } else if (leaf.starts_with("match.")) {
      p.push_back(short_key(leaf) + "=" + val);
    } else if (leaf == "path") {
      if (!val.empty()) p.push_back("file=" + val.substr(val.rfind('/') + 1));
    } else if ((leaf == "exclude" && v != "[]") || (leaf == "strict" && v == "false")) {
      p.push_back(leaf + "=" + val);
    } else if (leaf == "same_seed" && v == "false") {
      p.push_back("any seed");
    }
  }
  std::string init;
  for (const auto& [n, p] : parts) init += fmt::format("{}from({})", init.empty() ? "" : "+", fmt::join(p, " "));
  if (!parts.empty()) out.emplace("init", init);
  return out;
}

}  // namespace

const std::vector<std::string>& resolved_init_keys() {
  static const std::vector<std::string> keys = {"resolved_run", "resolved_study", "artifact", "artifact_hash"};
  return keys;
}

bool resolved_per_run(const std::string& key) {
  if (!key.starts_with("init.")) return false;
  const std::string leaf = key.substr(key.rfind('.') + 1);
  const auto& keys = resolved_init_keys();
  return std::find(keys.begin(), keys.end(), leaf) != keys.end();
}

RunLabels automatic_labels(const std::vector<RunRow>& runs, const std::vector<Flat>& given) {
  // Runs that start from others (init:) are labelled by what they start from, in one short key.
  std::vector<Flat> collapsed;
  if (std::any_of(given.begin(), given.end(), has_init)) {
    collapsed.reserve(given.size());
    for (const auto& f : given) collapsed.push_back(with_init_collapsed(f));
  }
  const std::vector<Flat>& flat = collapsed.empty() ? given : collapsed;
  RunLabels out;
  std::vector<std::string>& row_label = out.rows;
  std::vector<std::string>& col_label = out.columns;
  std::vector<std::string> group;
  std::set<std::string> all_keys;
  for (size_t i = 0; i < runs.size(); ++i) {
    group.push_back(runs[i].methods);
    for (const auto& kv : flat[i]) all_keys.insert(kv.first);
  }
  auto skipped = [](const std::string& k) {
    return k == "seed" || k == "dataset.seed" || (k.size() >= 5 && k.substr(k.size() - 5) == ".name");
  };
  std::set<std::string> dataset_varying;
  std::map<std::string, std::set<std::string>> row_varying;
  // Views into `group` and `flat`, which outlive this loop (hashing beats ordered string compares
  // here: 10,000 runs × ~15 keys).
  static const std::string absent = "<absent>", dataset_group;
  for (const auto& k : all_keys) {
    if (skipped(k)) continue;
    const bool is_dataset = k.starts_with("dataset.");
    std::unordered_map<std::string_view, std::unordered_set<std::string_view>> values;
    for (size_t i = 0; i < flat.size(); ++i) {
      auto it = flat[i].find(k);
      values[is_dataset ? std::string_view(dataset_group) : std::string_view(group[i])].insert(
          it == flat[i].end() ? std::string_view(absent) : std::string_view(it->second));
    }
    for (const auto& [g, vs] : values) {
      if (vs.size() < 2) continue;
      if (g.empty()) dataset_varying.insert(k);
      else row_varying[std::string(g)].insert(k);
    }
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    // The dataset's name from the config (records built without a database may leave RunRow::dataset empty).
    const auto d = runs[i].config.find("dataset");
    std::string row = group[i],
                col = d != runs[i].config.end() && d->contains("name") ? d->at("name").get<std::string>() : runs[i].dataset;
    std::vector<std::string> rx, cx;
    for (const auto& [k, v] : flat[i]) {
      if (dataset_varying.count(k)) cx.push_back(short_key(k) + "=" + unquote(v));
      else if (row_varying[group[i]].count(k)) rx.push_back(short_key(k) + "=" + unquote(v));
    }
    if (!rx.empty()) row += fmt::format(" ({})", fmt::join(rx, ", "));
    if (!cx.empty()) col += fmt::format(" ({})", fmt::join(cx, ", "));
    row_label.push_back(row);
    col_label.push_back(col);
  }
  return out;
}

RunLabels automatic_labels(const std::vector<RunRow>& runs) {
  std::vector<Flat> flat;
  flat.reserve(runs.size());
  for (const auto& r : runs) {
    Flat m;
    for (auto& [k, v] : flatten_json(r.config)) m.emplace(std::move(k), std::move(v));
    flat.push_back(std::move(m));
  }
  return automatic_labels(runs, flat);
}

}  // namespace adaptlab
