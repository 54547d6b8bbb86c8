#include "methods/tome/schedule.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "framework/config/options.h"
#include "framework/core/error.h"

namespace adaptlab::tome {

const std::vector<std::string>& schedule_names() {
  static const std::vector<std::string> names = {"b16-low", "b16-high", "l16-low", "l16-high"};
  return names;
}

std::vector<int64_t> named_schedule(const std::string& name) {
  if (name == "b16-low") {
    std::vector<int64_t> r(11, 16);
    r.push_back(10);
    return r;
  }
  if (name == "b16-high") return {40, 34, 30, 24, 18, 14, 10, 8, 4, 4, 3, 3};
  if (name == "l16-low") {
    std::vector<int64_t> r(23, 8);
    r.push_back(6);
    return r;
  }
  if (name == "l16-high") return {20, 19, 18, 17, 15, 13, 13, 12, 10, 9, 8, 6, 6, 4, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1};
  fail("unknown ToMe schedule '{}'; known: {}", name, fmt::join(schedule_names(), ", "));
}

std::vector<int64_t> parse_r(const cfg::Node& r, int depth) {
  std::vector<int64_t> out;
  if (r.is_list()) {
    cfg::read_value(r, "key 'r'", out);
    AL_CHECK(static_cast<int>(out.size()) == depth, "{}: key 'r' lists {} values but the backbone has {} blocks",
             r.loc().str(), out.size(), depth);
  } else if (r.is_scalar() && cfg::scalar_type(r) == cfg::ScalarType::integer) {
    int64_t v = 0;
    cfg::read_value(r, "key 'r'", v);
    out.assign(depth, v);
  } else if (r.is_scalar() && cfg::scalar_type(r) == cfg::ScalarType::string) {
    try {
      out = named_schedule(r.text());
    } catch (const Error& e) {
      fail("{}: {}", r.loc().str(), e.what());
    }
    AL_CHECK(static_cast<int>(out.size()) == depth, "{}: schedule '{}' has {} entries but the backbone has {} blocks",
             r.loc().str(), r.text(), out.size(), depth);
  } else {
    fail("{}: key 'r' must be an integer, a list of integers (one per block) or a schedule name ({})",
         r.loc().str(), fmt::join(schedule_names(), ", "));
  }
  for (size_t i = 0; i < out.size(); ++i)
    AL_CHECK(out[i] >= 0, "{}: key 'r': block {} has r = {}; must be >= 0", r.loc().str(), i, out[i]);
  return out;
}

std::vector<int64_t> token_counts(int64_t tokens, int64_t protected_prefix, const std::vector<int64_t>& r) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < r.size(); ++i) {
    const int64_t most = std::max<int64_t>(0, (tokens - protected_prefix) / 2);
    AL_CHECK(r[i] <= most, "ToMe: block {} asks to merge r = {} tokens but has {} tokens ({} protected): at most {}",
             i, r[i], tokens, protected_prefix, most);
    tokens -= r[i];
    out.push_back(tokens);
  }
  return out;
}

}  // namespace adaptlab::tome
