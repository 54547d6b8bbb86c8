// The results database (SQLite, WAL). Schema documented in results/README.md; version in
// PRAGMA user_version, file identified by PRAGMA application_id. The sweep driver is the only writer.
#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "framework/store/schema.h"
#include "framework/train/events.h"

namespace adaptlab {

namespace sql {
class Db;
}


struct RunRow {
  std::string study, id, status;
  int attempt = 0;
  std::string backbone, methods, dataset;
  int seed = 0;
  nlohmann::json config;
  std::string started_at, finished_at, host, device, error, log_path;
  int exit_code = -1, exit_signal = 0;
};

// How a run ended, as the driver saw it.
struct RunOutcome {
  std::string status;  // done | failed | timed-out | cancelled
  std::vector<MetricEvent> metrics;
  Summary summary;
  std::string error;
  int exit_code = -1;    // -1: unknown / not exited normally
  int exit_signal = 0;   // 0: not killed by a signal
  std::map<std::string, std::string> provenance;  // git commit, LibTorch/CUDA versions, GPU, command line
};

class Store {
 public:
  // Opens (creating and initialising if needed). A file that is not an adaptlab database, or that
  // was written by a newer schema, is refused.
  explicit Store(const std::string& path, bool read_only = false);
  ~Store();

  void ensure_study(const std::string& study, const std::string& sweep_path, const std::string& sweep_yaml);

  // "" when the run is unknown.
  std::string status(const std::string& study, const std::string& id);

  // Marks a run running (inserting it, or bumping attempt and clearing old metrics/summary).
  void begin_run(const std::string& study, const std::string& id, const nlohmann::json& config,
                 const std::string& device, const std::string& log_path = "");
  // Writes metrics, summary, provenance and the final status in one transaction.
  void finish_run(const std::string& study, const std::string& id, const RunOutcome& outcome);
  void finish_run(const std::string& study, const std::string& id, const std::string& status,
                  const std::vector<MetricEvent>& metrics, const Summary& summary, const std::string& error);
  std::map<std::string, std::string> provenance(const std::string& study, const std::string& id);

  std::vector<RunRow> runs(const std::string& study, const std::string& status_filter = "");
  Summary summary(const std::string& study, const std::string& id);
  // run id -> {name -> value} for the given summary names, in one query.
  std::map<std::string, Summary> summaries(const std::string& study, const std::vector<std::string>& names);
  std::vector<MetricEvent> metrics(const std::string& study, const std::string& id);
  std::vector<std::string> studies();
  std::string sweep_path(const std::string& study);  // the sweep file the study was run from ("" if unknown)
  int64_t count(const std::string& table);

  const std::string& path() const;
  sql::Db& db() { return *db_; }  // for store-level operations (merge)

 private:
  void init_schema();
  std::unique_ptr<sql::Db> db_;
};

}  // namespace adaptlab
