// The results database (SQLite, WAL). Schema documented in results/README.md; version in
// PRAGMA user_version, file identified by PRAGMA application_id. The sweep driver is the only writer.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
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
  std::string label;  // the table's automatic row label (runs.label; "" until the driver computed it)
  std::string measure_status;  // "" (not measured), done, failed, timed-out, cancelled
  std::string measure_error;
};

// The driver of a study's latest sweep.
struct DriverRow {
  int64_t pid = 0;
  std::string host, command_line, started_at, heartbeat_at, finished_at;  // finished_at "" while it runs
  double heartbeat_age_s = 0;  // seconds since its last heartbeat
  SweepCounts counts;
};

// A running run with its latest progress (table run_progress).
struct LiveRun {
  RunRow run;
  bool has_progress = false;
  RunProgress progress;
  double running_s = 0;     // since it started
  double updated_age_s = 0; // since its progress was recorded
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
  // Whether any study of the database has a run with this id.
  bool has_run(const std::string& id);

  // Marks a run running (inserting it, or bumping attempt and clearing old metrics/summary).
  void begin_run(const RunRecord& run, const std::string& device, const std::string& log_path = "");
  // Records a run that cannot start because a dependency did not end done (status blocked, the reason
  // as its error); an earlier attempt goes to run_history. A later sweep runs it once the dependency is done.
  void block_run(const RunRecord& run, const std::string& reason);
  // Drops runs from a study in one transaction: each one's current attempt goes to run_history (with its
  // summary) and its rows go; returns how many were removed. Saved tensors stay until `results gc`.
  int remove_runs(const std::string& study, const std::vector<std::string>& ids);
  // Writes metrics, summary, provenance and the final status in one transaction.
  void finish_run(const std::string& study, const std::string& id, const RunOutcome& outcome);
  void finish_run(const std::string& study, const std::string& id, RunStatus status,
                  const std::vector<MetricEvent>& metrics, const Summary& summary, const std::string& error);

  // ---- the measurement phase and artifacts ----
  // Writes a measurement of a done run: its summary values and provenance (replacing earlier ones of
  // the same names) and measure_status done; or, when it did not end done, measure_status and the error.
  void record_measurement(const std::string& study, const std::string& id, const RunOutcome& outcome);
  std::vector<ArtifactRecord> artifacts(const std::string& study, const std::string& id);
  // Every artifact row of the database: (study, run id, record).
  std::vector<std::tuple<std::string, std::string, ArtifactRecord>> all_artifacts();

  // ---- live state (written by the sweep driver, read by `adaptlab status`) ----
  // Records where a running run stands (replacing its earlier progress; begin_run clears it).
  void record_progress(const std::string& study, const std::string& id, const RunProgress& p);
  // The driver of a sweep on `study`: started (this process), alive with counts, finished.
  void driver_started(const std::string& study, const std::string& command_line);
  void driver_heartbeat(const std::string& study, const SweepCounts& counts);
  void driver_finished(const std::string& study, const SweepCounts& counts);
  std::optional<DriverRow> driver(const std::string& study);
  // Runs with status 'running', oldest first, with their progress.
  std::vector<LiveRun> live_runs(const std::string& study);
  // Recomputes runs.label for every run of the study (the table's automatic labels: done runs among
  // the done ones, as the table computes them; others among all runs).
  void refresh_labels(const std::string& study);
  // Distinct summary names of the study's runs, sorted.
  std::vector<std::string> summary_names(const std::string& study);
  // Distinct "split.name" of the study's metric series, sorted.
  std::vector<std::string> metric_names(const std::string& study);

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
  // run id -> its per-epoch rows (epoch recorded) of the given dotted metrics ("val.acc", "test.acc"),
  // in the order they were recorded, for the whole study in one query per name.
  std::map<std::string, std::vector<MetricEvent>> epoch_metrics(const std::string& study,
                                                                const std::vector<std::string>& names);
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
  // Moves the run's current attempt to run_history and clears its rows (metrics, summary, ...).
  void retire_attempt(const std::string& study, const std::string& id);
  void init_schema();
  void check_tables() const;
  std::unique_ptr<sql::Db> db_;
  std::optional<FileId> file_;
};

}  // namespace adaptlab
