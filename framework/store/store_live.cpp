// The live part of the store: progress of running runs, the sweep driver's heartbeat, run labels and
// the names a study's runs recorded. Written by the sweep driver; read by `adaptlab status`.
#include <unistd.h>

#include <cmath>

#include "framework/core/error.h"
#include "framework/store/labels.h"
#include "framework/store/sqlite.h"
#include "framework/store/store.h"

namespace adaptlab {
namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

std::string host_name() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

void bind_number(sql::Stmt& st, int i, double v) {
  if (std::isfinite(v)) st.bind(i, v);
  else st.bind_null(i);
}

double number_or_nan(const sql::Stmt& st, int col) { return st.is_null(col) ? NAN_VALUE : st.real(col); }

}  // namespace

void Store::record_progress(const std::string& study, const std::string& id, const RunProgress& p) {
  sql::Stmt st(*db_, fmt::format("INSERT OR REPLACE INTO run_progress(study, run_id, step, total_steps, epoch, epochs, "
                                 "loss, steps_per_s, val_metric, val_value, updated_at) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, {})",
                                 kNow));
  st.bind(1, study).bind(2, id).bind(3, p.step).bind(4, p.total_steps).bind(5, p.epoch).bind(6, p.epochs);
  bind_number(st, 7, p.loss);
  bind_number(st, 8, p.steps_per_s);
  st.bind(9, p.val_metric);
  bind_number(st, 10, p.val_value);
  st.run();
}

void Store::driver_started(const std::string& study, const std::string& command_line) {
  sql::Stmt st(*db_, fmt::format("INSERT OR REPLACE INTO sweep_driver(study, pid, host, command_line, started_at, "
                                 "heartbeat_at, finished_at) VALUES (?1, ?2, ?3, ?4, {0}, {0}, NULL)",
                                 kNow));
  st.bind(1, study).bind(2, static_cast<int64_t>(getpid())).bind(3, host_name()).bind(4, command_line).run();
}

namespace {
void write_counts(sql::Db& db, const std::string& study, const SweepCounts& c, bool finished) {
  sql::Stmt st(db, fmt::format("UPDATE sweep_driver SET heartbeat_at = {0}, finished_at = {1}, total = ?2, done = ?3, "
                               "failed = ?4, running = ?5, pending = ?6, eta_s = ?7 WHERE study = ?1",
                               kNow, finished ? kNow : "NULL"));
  st.bind(1, study).bind(2, c.total).bind(3, c.done).bind(4, c.failed).bind(5, c.running).bind(6, c.pending);
  bind_number(st, 7, c.eta_s);
  st.run();
}
}  // namespace

void Store::driver_heartbeat(const std::string& study, const SweepCounts& c) { write_counts(*db_, study, c, false); }
void Store::driver_finished(const std::string& study, const SweepCounts& c) { write_counts(*db_, study, c, true); }

std::optional<DriverRow> Store::driver(const std::string& study) {
  sql::Stmt st(*db_,
               "SELECT pid, host, coalesce(command_line, ''), started_at, heartbeat_at, coalesce(finished_at, ''), "
               "(julianday('now') - julianday(heartbeat_at)) * 86400.0, coalesce(total, 0), coalesce(done, 0), "
               "coalesce(failed, 0), coalesce(running, 0), coalesce(pending, 0), eta_s "
               "FROM sweep_driver WHERE study = ?1");
  st.bind(1, study);
  if (!st.step()) return std::nullopt;
  DriverRow d;
  d.pid = st.integer(0);
  d.host = st.text(1);
  d.command_line = st.text(2);
  d.started_at = st.text(3);
  d.heartbeat_at = st.text(4);
  d.finished_at = st.text(5);
  d.heartbeat_age_s = st.real(6);
  d.counts = {st.integer(7), st.integer(8), st.integer(9), st.integer(10), st.integer(11), number_or_nan(st, 12)};
  return d;
}

std::vector<LiveRun> Store::live_runs(const std::string& study) {
  std::vector<LiveRun> out;
  for (auto& r : runs(study, RunStatus::running)) {
    LiveRun l;
    l.run = std::move(r);
    out.push_back(std::move(l));
  }
  sql::Stmt st(*db_,
               "SELECT step, total_steps, epoch, epochs, loss, steps_per_s, coalesce(val_metric, ''), val_value, "
               "(julianday('now') - julianday(updated_at)) * 86400.0 FROM run_progress WHERE study = ?1 AND run_id = ?2");
  sql::Stmt age(*db_, "SELECT (julianday('now') - julianday(?1)) * 86400.0");
  for (auto& l : out) {
    st.bind(1, study).bind(2, l.run.id);
    if (st.step()) {
      l.has_progress = true;
      l.progress = {st.integer(0), st.integer(1), st.real(2), static_cast<int>(st.integer(3)), number_or_nan(st, 4),
                    number_or_nan(st, 5), st.text(6), number_or_nan(st, 7)};
      l.updated_age_s = st.real(8);
    }
    st.reset();
    if (!l.run.started_at.empty()) {
      age.bind(1, l.run.started_at);
      if (age.step() && !age.is_null(0)) l.running_s = age.real(0);
      age.reset();
    }
  }
  return out;
}

void Store::refresh_labels(const std::string& study) {
  const std::vector<RunRow> all = runs(study);
  std::vector<RunRow> done;
  for (const auto& r : all)
    if (r.status == RunStatus::done) done.push_back(r);
  const RunLabels among_all = automatic_labels(all), among_done = automatic_labels(done);
  sql::Transaction tx(*db_);
  sql::Stmt up(*db_, "UPDATE runs SET label = ?3 WHERE study = ?1 AND id = ?2 AND label IS NOT ?3");
  for (size_t i = 0, d = 0; i < all.size(); ++i) {
    const bool is_done = all[i].status == RunStatus::done;
    up.bind(1, study).bind(2, all[i].id).bind(3, is_done ? among_done.rows[d++] : among_all.rows[i]).run();
  }
  tx.commit();
}

namespace {
std::vector<std::string> column_of(sql::Db& db, const std::string& query, const std::string& study) {
  sql::Stmt st(db, query);
  st.bind(1, study);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}
}  // namespace

std::vector<std::string> Store::summary_names(const std::string& study) {
  return column_of(*db_, "SELECT DISTINCT name FROM summary WHERE study = ?1 ORDER BY name", study);
}

std::vector<std::string> Store::metric_names(const std::string& study) {
  return column_of(*db_, "SELECT DISTINCT split || '.' || name FROM metrics WHERE study = ?1 ORDER BY 1", study);
}

}  // namespace adaptlab

namespace adaptlab {

void Store::record_measurement(const std::string& study, const std::string& id, const RunOutcome& o) {
  sql::Transaction tx(*db_);
  if (o.status == RunStatus::done) {
    sql::Stmt s(*db_, "INSERT OR REPLACE INTO summary(study, run_id, name, value) VALUES (?1, ?2, ?3, ?4)");
    for (const auto& [k, v] : o.summary) {
      s.bind(1, study).bind(2, id).bind(3, k);
      bind_number(s, 4, v);
      s.run();
    }
    sql::Stmt p(*db_, "INSERT OR REPLACE INTO provenance(study, run_id, key, value) VALUES (?1, ?2, ?3, ?4)");
    for (const auto& [k, v] : o.provenance) p.bind(1, study).bind(2, id).bind(3, k).bind(4, v).run();
  }
  sql::Stmt u(*db_, "UPDATE runs SET measure_status = ?3, measure_error = ?4 WHERE study = ?1 AND id = ?2");
  u.bind(1, study).bind(2, id).bind(3, to_string(o.status));
  if (o.error.empty()) u.bind_null(4);
  else u.bind(4, o.error);
  u.run();
  AL_CHECK(sqlite3_changes(db_->handle()) == 1, "{}: no run {}/{} to record a measurement of", path(), study, id);
  tx.commit();
}

std::vector<ArtifactRecord> Store::artifacts(const std::string& study, const std::string& id) {
  sql::Stmt st(*db_, "SELECT name, path, bytes, hash FROM artifacts WHERE study = ?1 AND run_id = ?2 ORDER BY name");
  st.bind(1, study).bind(2, id);
  std::vector<ArtifactRecord> out;
  while (st.step()) out.push_back({st.text(0), st.text(1), st.integer(2), st.text(3)});
  return out;
}

std::vector<std::tuple<std::string, std::string, ArtifactRecord>> Store::all_artifacts() {
  sql::Stmt st(*db_, "SELECT study, run_id, name, path, bytes, hash FROM artifacts ORDER BY study, run_id, name");
  std::vector<std::tuple<std::string, std::string, ArtifactRecord>> out;
  while (st.step()) out.emplace_back(st.text(0), st.text(1), ArtifactRecord{st.text(2), st.text(3), st.integer(4), st.text(5)});
  return out;
}

}  // namespace adaptlab
