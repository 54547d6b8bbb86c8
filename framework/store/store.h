// The results database (SQLite, WAL). Schema documented in results/README.md; version in
// PRAGMA user_version, file identified by PRAGMA application_id. The sweep driver is the only writer.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/file_id.h"
#include "framework/core/records.h"
#include "framework/store/schema.h"

namespace adaptlab {

namespace sql {
class Db;
}


// What the database records about a run when it starts (the scheduler makes it from the RunConfig).
struct RunRecord {
  std::string study, id;
  std::string backbone, methods, dataset;  // component names; methods = the stack's label ("lora+tome")
  int seed = 0;
  nlohmann::json config;                   // the full resolved configuration
  std::vector<std::pair<std::string, std::string>> params;  // its flat view (the params table)
};

// The record of a resolved config in its canonical JSON form (runs.config_json): component names, the
// method stack's label, the seed and the flat params.
RunRecord record_of_config(const std::string& study, const std::string& id, const nlohmann::json& config);

struct RunRow {
  std::string study, id;
  RunStatus status = RunStatus::pending;
  int attempt = 0;
  std::string backbone, methods, dataset;
  int seed = 0;
  nlohmann::json config;
  std::string started_at, finished_at, host, device, error, log_path;
  int exit_code = -1, exit_signal = 0;
};

class Store {
 public:
  // Opens (creating and initialising if needed). A file that is not an adaptlab database, or that
  // was written by a newer schema, is refused.
  explicit Store(const std::string& path, bool read_only = false);
  ~Store();

  void ensure_study(const std::string& study, const std::string& sweep_path, const std::string& sweep_yaml);

  // nullopt when the run is unknown.
  std::optional<RunStatus> status(const std::string& study, const std::string& id);

  // Marks a run running (inserting it, or bumping attempt and clearing old metrics/summary).
  void begin_run(const RunRecord& run, const std::string& device, const std::string& log_path = "");
  // Writes metrics, summary, provenance and the final status in one transaction.
  void finish_run(const std::string& study, const std::string& id, const RunOutcome& outcome);
  void finish_run(const std::string& study, const std::string& id, RunStatus status,
                  const std::vector<MetricEvent>& metrics, const Summary& summary, const std::string& error);

  // How the run ids in this database were computed (kIdScheme for a database this build made).
  int id_scheme();
  // Re-keys every run of every study to new_id(run) in one transaction and records kIdScheme; returns
  // how many ids changed. Two runs mapping to one id is an error naming both.
  int rekey_runs(const std::function<std::string(const RunRow&)>& new_id);
  std::map<std::string, std::string> provenance(const std::string& study, const std::string& id);

  std::vector<RunRow> runs(const std::string& study, std::optional<RunStatus> status_filter = std::nullopt);
  Summary summary(const std::string& study, const std::string& id);
  // run id -> {name -> value} for the given summary names, in one query.
  std::map<std::string, Summary> summaries(const std::string& study, const std::vector<std::string>& names);
  std::vector<MetricEvent> metrics(const std::string& study, const std::string& id);
  std::vector<std::string> studies();
  std::string sweep_path(const std::string& study);  // the sweep file the study was run from ("" if unknown)
  int64_t count(const std::string& table);

  const std::string& path() const;
  // The database file (device and inode) as opened.
  const std::optional<FileId>& file() const { return file_; }
  // Fails when the file at path() is no longer the one opened (deleted, or replaced by another): what
  // would be written now would land in an unlinked file and be lost.
  void check_file_unchanged() const;
  sql::Db& db() { return *db_; }  // for store-level operations (merge)

 private:
  void init_schema();
  void check_tables() const;
  std::unique_ptr<sql::Db> db_;
  std::optional<FileId> file_;
};

}  // namespace adaptlab
