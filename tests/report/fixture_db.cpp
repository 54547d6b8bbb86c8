#include "report/fixture_db.h"

#include <nlohmann/json.hpp>

#include "framework/store/store.h"

namespace adaptlab::test {

std::string make_report_db(const std::string& path) {
  Store s(path);
  s.ensure_study("mini", "", "");
  struct M {
    const char* name;
    int rank;
    double params, throughput;
    double acc[3][3];  // dataset × seed
  };
  // Accuracies chosen so means/stds are easy to check by hand.
  const M methods[] = {
      {"linear", 0, 76900, 1200, {{0.60, 0.62, 0.64}, {0.50, 0.52, 0.54}, {0.90, 0.90, 0.90}}},
      {"lora", 8, 294912 + 76900, 1150, {{0.66, 0.68, 0.70}, {0.71, 0.70, 0.72}, {0.95, 0.96, -1}}},
      {"adapter", 0, 160000 + 76900, 1000, {{0.70, 0.69, 0.71}, {0.69, 0.70, 0.71}, {0.95, 0.94, 0.96}}},
  };
  const char* datasets[] = {"cifar", "dtd", "eurosat"};
  for (const auto& m : methods) {
    for (int d = 0; d < 3; ++d) {
      for (int seed = 0; seed < 3; ++seed) {
        nlohmann::json method = {{"name", m.name}};
        if (m.rank) method["rank"] = m.rank;
        const nlohmann::json cfg = {{"backbone", {{"name", "vit"}}},
                                    {"dataset", {{"name", datasets[d]}}},
                                    {"methods", {method}},
                                    {"seed", seed}};
        const std::string id = std::string(m.name) + "-" + datasets[d] + "-" + std::to_string(seed);
        s.begin_run(record_of_config("mini", id, cfg), "cpu");
        const double acc = m.acc[d][seed];
        RunOutcome o;
        if (acc < 0) {
          o.status = RunStatus::failed;
          o.error = "killed by signal 9";
          o.exit_signal = 9;
        } else {
          o.status = RunStatus::done;
          o.exit_code = 0;
          o.summary = {{"test.acc", acc}, {"params.trainable", m.params}, {"throughput.eval", m.throughput + seed}};
          for (int step = 0; step <= 40; step += 10)
            o.metrics.push_back({step, "train", "loss", 2.0 / (1.0 + step * (0.05 + 0.01 * d)) + 0.01 * seed});
        }
        s.finish_run("mini", id, o);
      }
    }
  }
  return path;
}

}  // namespace adaptlab::test
