#include "framework/core/suggest.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

namespace adaptlab {

int edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one substring).
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

std::vector<std::string> nearest_names(const std::string& name, const std::vector<std::string>& known) {
  if (name.size() < 3) return {};  // one or two letters are close to too much
  const std::string ln = lower(name);
  const int limit = std::max<int>(1, static_cast<int>(name.size()) / 3);
  std::vector<std::pair<int, std::string>> scored;
  for (const auto& k : known) {
    if (k == name) continue;
    const std::string lk = lower(k);
    int d = edit_distance(ln, lk);
    if (lk == ln) d = 0;
    else if (ln.size() >= 3 && lk.starts_with(ln)) d = std::min(d, 1);  // a prefix: "vari" -> "variator"
    if (d <= limit) scored.emplace_back(d, k);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [d, k] : scored) {
    if (out.size() == 3 || d > scored.front().first) break;
    out.push_back(k);
  }
  return out;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& known) {
  const auto near = nearest_names(name, known);
  if (near.empty()) return "";
  if (near.size() == 1) return fmt::format(" (did you mean '{}'?)", near[0]);
  std::string list;
  for (size_t i = 0; i < near.size(); ++i)
    list += fmt::format("{}'{}'", i == 0 ? "" : i + 1 == near.size() ? " or " : ", ", near[i]);
  return fmt::format(" (did you mean {}?)", list);
}

std::string unknown_component_message(const std::string& kind, const std::string& name,
                                      const std::vector<std::string>& known) {
  return fmt::format("unknown {} '{}'{}; known {}s: {}; a plugin's {}s need --plugin FILE.so", kind, name,
                     did_you_mean(name, known), kind, fmt::join(known, ", "), kind);
}

}  // namespace adaptlab
