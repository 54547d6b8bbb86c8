#include "framework/model/low_rank_attach.h"

#include <map>

#include "framework/core/error.h"
#include "framework/model/backbone.h"
#include "framework/model/low_rank.h"

namespace adaptlab {

std::vector<LowRankModule> attach_low_rank(Backbone& b, const std::vector<std::string>& targets,
                                           const LowRankSpec& spec, const std::string& method) {
  std::vector<LowRankModule> out;
  std::map<std::string, std::string> claimed;  // parameter prefix -> the target that made it
  for (const auto& t : targets) {
    for (auto& p : b.linear_points(t, method)) {
      LowRankModule m;
      m.delta_name = p.point.range.whole() ? "lora" : "lora_" + p.point.role;
      m.prefix = p.layer_name + "." + m.delta_name;
      const auto [it, fresh] = claimed.emplace(m.prefix, t);
      AL_CHECK(fresh, "{} targets '{}' and '{}' both name {}", method, it->second, t, p.name);
      const int64_t out_rows = p.point.range.whole() ? p.point.layer->out_features : p.point.range.length;
      m.delta = std::make_shared<LowRankDelta>(p.point.layer->in_features, out_rows, spec.rank, spec.scale, spec.dropout);
      m.layer = p.point.layer.get();
      p.point.layer->add_delta(m.delta_name, m.delta, p.point.range);
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace adaptlab
