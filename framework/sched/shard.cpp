#include "framework/sched/shard.h"

#include "framework/core/error.h"
#include "framework/sweep/sweep.h"

namespace adaptlab {

std::pair<int, int> parse_shard(const std::string& spec) {
  const auto slash = spec.find('/');
  int i = -1, k = 0;
  try {
    AL_CHECK(slash != std::string::npos, "");
    size_t used_i = 0, used_k = 0;
    i = std::stoi(spec.substr(0, slash), &used_i);
    k = std::stoi(spec.substr(slash + 1), &used_k);
    AL_CHECK(used_i == slash && used_k == spec.size() - slash - 1, "");
  } catch (const std::exception&) {
    fail("--shard '{}': expected i/K with 0 <= i < K", spec);
  }
  AL_CHECK(k >= 1 && i >= 0 && i < k, "--shard '{}': expected i/K with 0 <= i < K", spec);
  return {i, k};
}

void keep_shard(Sweep& sw, int i, int k) {
  std::vector<PlannedRun> kept;
  for (size_t j = 0; j < sw.runs.size(); ++j)
    if (static_cast<int>(j % static_cast<size_t>(k)) == i) kept.push_back(std::move(sw.runs[j]));
  sw.runs = std::move(kept);
}

}  // namespace adaptlab
