#include "framework/store/store.h"
#include "framework/core/hash.h"
#include "framework/store/study_files.h"

#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <tuple>

#include "framework/core/build_info.h"
#include "framework/core/error.h"
#include "framework/core/json_flat.h"
#include "framework/store/schema.h"
#include "framework/store/sqlite.h"

namespace adaptlab {
namespace {



std::string now_utc() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

int64_t pragma_int(sql::Db& db, const char* name) {
  sql::Stmt st(db, std::string("PRAGMA ") + name);
  return st.step() ? st.integer(0) : 0;
}

}  // namespace

RunRecord record_of_config(const std::string& study, const std::string& id, const nlohmann::json& config) {
  RunRecord r;
  r.study = study;
  r.id = id;
  r.backbone = config.at("backbone").at("name").get<std::string>();
  for (const auto& m : config.at("methods")) {
    if (!r.methods.empty()) r.methods += '+';
    r.methods += m.at("name").get<std::string>();
  }
  r.dataset = config.at("dataset").at("name").get<std::string>();
  r.seed = config.at("seed").get<int>();
  r.config = config;
  r.params = flatten_json(config);
  return r;
}

Store::Store(const std::string& path, bool read_only) {
  if (!read_only && std::filesystem::path(path).has_parent_path())
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  AL_CHECK(!read_only || std::filesystem::exists(path), "{}: no such results database", path);
  db_ = std::make_unique<sql::Db>(path, read_only);
  file_ = file_id(path);
  const int64_t app = pragma_int(*db_, "application_id");
  const int64_t version = pragma_int(*db_, "user_version");
  int64_t tables = 0;
  {
    sql::Stmt st(*db_, "SELECT count(*) FROM sqlite_master");
    if (st.step()) tables = st.integer(0);
  }
  if (app == 0 && tables == 0) {
    AL_CHECK(!read_only, "{}: the database is empty", path);
    init_schema();
    file_ = file_id(path);
    return;
  }
  AL_CHECK(app == kApplicationId, "{}: not an adaptlab results database (application_id {:#x})", path, app);
  AL_CHECK(version <= kSchemaVersion,
           "{}: written by a newer adaptlab (schema version {}, this build reads up to {}); refusing to open it", path,
           version, kSchemaVersion);
  AL_CHECK(version >= 1, "{}: adaptlab database without a schema version", path);
  if (version < kSchemaVersion) {
    AL_CHECK(!read_only, "{}: schema version {} needs migrating to {}; open it once for writing (e.g. adaptlab "
                         "results migrate --db {})",
             path, version, kSchemaVersion, path);
    sql::Transaction tx(*db_);
    for (int64_t v = version; v < kSchemaVersion; ++v) db_->exec(schema_migration(static_cast<int>(v)));
    db_->exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
    tx.commit();
    if (version < 5) {  // runs.label is new: fill it in
      check_tables();
      for (const auto& s : studies()) refresh_labels(s);
    }
  }
  check_tables();
  if (!read_only) db_->exec("PRAGMA foreign_keys = ON");
}

void Store::check_tables() const {
  std::vector<std::string> missing;
  for (const char* t : {"artifacts", "meta", "metrics", "params", "provenance", "run_history", "run_progress", "runs",
                        "studies", "study_sweeps", "summary", "sweep_driver"}) {
    sql::Stmt st(*db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
    st.bind(1, t);
    if (st.step() && st.integer(0) == 0) missing.push_back(t);
  }
  AL_CHECK(missing.empty(), "{}: damaged adaptlab database: tables missing: {} (restore it from a copy)", path(),
           fmt::join(missing, ", "));
}

void Store::check_file_unchanged() const {
  const auto now = file_id(path());
  if (file_ && now == file_) return;
  fail("{}: the database file was deleted or replaced while this sweep ran (opened as {}; now {}); the results "
       "written since then are not in it. Run the sweep again to redo them",
       path(), file_ ? file_->str() : "unknown", now ? now->str() : "no file");
}

Store::~Store() = default;

const std::string& Store::path() const { return db_->path(); }

void Store::init_schema() {
  db_->exec("PRAGMA journal_mode = WAL");
  db_->exec("PRAGMA synchronous = NORMAL");
  sql::Transaction tx(*db_);
  db_->exec(schema_v1());
  for (int v = 1; v < kSchemaVersion; ++v) db_->exec(schema_migration(v));
  db_->exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
  db_->exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
  db_->exec(fmt::format("UPDATE meta SET value = '{}' WHERE key = 'id_scheme'", kIdScheme));  // nothing to re-key yet
  tx.commit();
  db_->exec("PRAGMA foreign_keys = ON");
}

void Store::ensure_study(const std::string& study, const std::string& sweep_path, const std::string& sweep_yaml) {
  sql::Stmt st(*db_,
               "INSERT INTO studies(name, created_at, sweep_path, sweep_yaml) VALUES (?1, ?2, ?3, ?4) "
               "ON CONFLICT(name) DO UPDATE SET sweep_path = excluded.sweep_path, sweep_yaml = excluded.sweep_yaml");
  st.bind(1, study).bind(2, now_utc()).bind(3, sweep_path).bind(4, sweep_yaml).run();
  // Every sweep file that wrote to the study stays on record (a study run from two files keeps both).
  if (sweep_yaml.empty()) return;
  sql::Stmt h(*db_,
              "INSERT INTO study_sweeps(study, sweep_hash, sweep_path, sweep_yaml, first_used_at, last_used_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(study, sweep_hash) DO UPDATE SET "
              "sweep_path = excluded.sweep_path, last_used_at = excluded.last_used_at");
  h.bind(1, study).bind(2, hash_hex128(sweep_yaml)).bind(3, sweep_path).bind(4, sweep_yaml).bind(5, now_utc()).run();
}

namespace {
RunStatus status_of(const std::string& text, const std::string& path) {
  const auto s = parse_run_status(text);
  AL_CHECK(s.has_value(), "{}: a run has the unknown status '{}'", path, text);
  return *s;
}
}  // namespace

std::optional<RunStatus> Store::status(const std::string& study, const std::string& id) {
  sql::Stmt st(*db_, "SELECT status FROM runs WHERE study = ?1 AND id = ?2");
  st.bind(1, study).bind(2, id);
  if (!st.step()) return std::nullopt;
  return status_of(st.text(0), path());
}

bool Store::has_run(const std::string& id) {
  sql::Stmt st(*db_, "SELECT 1 FROM runs WHERE id = ?1 LIMIT 1");
  st.bind(1, id);
  return st.step();
}

void Store::retire_attempt(const std::string& study, const std::string& id) {
  // The attempt this one replaces goes to run_history first, with its summary.
  sql::Stmt keep(*db_,
                 "INSERT OR REPLACE INTO run_history(study, run_id, attempt, status, started_at, finished_at, git_sha, "
                 "error, summary_json, replaced_at) "
                 "SELECT r.study, r.id, r.attempt, r.status, r.started_at, r.finished_at, r.git_sha, r.error, "
                 "(SELECT coalesce(json_group_object(s.name, s.value), '{}') FROM summary s "
                 " WHERE s.study = r.study AND s.run_id = r.id), ?3 "
                 "FROM runs r WHERE r.study = ?1 AND r.id = ?2");
  keep.bind(1, study).bind(2, id).bind(3, now_utc()).run();
  for (const char* table : {"metrics", "summary", "params", "provenance", "run_progress", "artifacts"}) {
    sql::Stmt del(*db_, fmt::format("DELETE FROM {} WHERE study = ?1 AND run_id = ?2", table));
    del.bind(1, study).bind(2, id).run();
  }
}

int Store::remove_runs(const std::string& study, const std::vector<std::string>& ids) {
  sql::Transaction tx(*db_);
  int n = 0;
  for (const auto& id : ids) {
    retire_attempt(study, id);
    sql::Stmt del(*db_, "DELETE FROM runs WHERE study = ?1 AND id = ?2");
    del.bind(1, study).bind(2, id).run();
    n += sqlite3_changes(db_->handle());
  }
  tx.commit();
  return n;
}

void Store::block_run(const RunRecord& r, const std::string& reason) {
  sql::Transaction tx(*db_);
  retire_attempt(r.study, r.id);
  sql::Stmt up(*db_,
               "INSERT INTO runs(study, id, status, attempt, backbone, methods, dataset, seed, config_json, "
               "finished_at, error) VALUES (?1, ?2, 'blocked', 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
               "ON CONFLICT(study, id) DO UPDATE SET status = 'blocked', started_at = NULL, "
               "finished_at = excluded.finished_at, error = excluded.error, measure_status = NULL, measure_error = NULL");
  up.bind(1, r.study)
      .bind(2, r.id)
      .bind(3, r.backbone)
      .bind(4, r.methods)
      .bind(5, r.dataset)
      .bind(6, static_cast<int64_t>(r.seed))
      .bind(7, r.config.dump())
      .bind(8, now_utc())
      .bind(9, reason)
      .run();
  tx.commit();
}

void Store::begin_run(const RunRecord& r, const std::string& device, const std::string& log_path) {
  const std::string& study = r.study;
  const std::string& id = r.id;
  sql::Transaction tx(*db_);
  retire_attempt(study, id);
  sql::Stmt up(*db_,
               "INSERT INTO runs(study, id, status, attempt, backbone, methods, dataset, seed, config_json, "
               "started_at, host, device, git_sha, log_path) "
               "VALUES (?1, ?2, 'running', 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
               "ON CONFLICT(study, id) DO UPDATE SET status = 'running', attempt = attempt + 1, "
               "started_at = excluded.started_at, finished_at = NULL, host = excluded.host, "
               "device = excluded.device, git_sha = excluded.git_sha, log_path = excluded.log_path, error = NULL, "
               "measure_status = NULL, measure_error = NULL");
  up.bind(1, study)
      .bind(2, id)
      .bind(3, r.backbone)
      .bind(4, r.methods)
      .bind(5, r.dataset)
      .bind(6, static_cast<int64_t>(r.seed))
      .bind(7, r.config.dump())
      .bind(8, now_utc())
      .bind(9, hostname())
      .bind(10, device)
      .bind(11, build_info().git_sha + (build_info().git_dirty ? "-dirty" : ""))
      .bind(12, log_path)
      .run();
  sql::Stmt ins(*db_, "INSERT INTO params(study, run_id, key, value) VALUES (?1, ?2, ?3, ?4)");
  for (const auto& [k, v] : r.params) ins.bind(1, study).bind(2, id).bind(3, k).bind(4, v).run();
  tx.commit();
}

void Store::finish_run(const std::string& study, const std::string& id, RunStatus status,
                       const std::vector<MetricEvent>& metrics, const Summary& summary, const std::string& error) {
  RunOutcome o;
  o.status = status;
  o.metrics = metrics;
  o.summary = summary;
  o.error = error;
  finish_run(study, id, o);
}

void Store::finish_run(const std::string& study, const std::string& id, const RunOutcome& o) {
  sql::Transaction tx(*db_);
  sql::Stmt m(*db_, "INSERT INTO metrics(study, run_id, step, split, name, value, epoch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const auto& e : o.metrics) {
    m.bind(1, study).bind(2, id).bind(3, e.step).bind(4, e.split).bind(5, e.name);
    if (std::isfinite(e.value)) m.bind(6, e.value); else m.bind_null(6);
    if (e.epoch >= 0) m.bind(7, e.epoch); else m.bind_null(7);
    m.run();
  }
  sql::Stmt s(*db_, "INSERT OR REPLACE INTO summary(study, run_id, name, value) VALUES (?1, ?2, ?3, ?4)");
  for (const auto& [k, v] : o.summary) {
    s.bind(1, study).bind(2, id).bind(3, k);
    if (std::isfinite(v)) s.bind(4, v); else s.bind_null(4);
    s.run();
  }
  sql::Stmt p(*db_, "INSERT OR REPLACE INTO provenance(study, run_id, key, value) VALUES (?1, ?2, ?3, ?4)");
  for (const auto& [k, v] : o.provenance) p.bind(1, study).bind(2, id).bind(3, k).bind(4, v).run();
  sql::Stmt a(*db_, "INSERT OR REPLACE INTO artifacts(study, run_id, name, path, bytes, hash, created_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const auto& r : o.artifacts)
    a.bind(1, study).bind(2, id).bind(3, r.name).bind(4, artifact_record_path(path(), r.path)).bind(5, r.bytes).bind(6, r.hash).bind(7, now_utc()).run();
  sql::Stmt u(*db_,
              "UPDATE runs SET status = ?3, finished_at = ?4, error = ?5, exit_code = ?6, exit_signal = ?7 "
              "WHERE study = ?1 AND id = ?2");
  u.bind(1, study).bind(2, id).bind(3, to_string(o.status)).bind(4, now_utc());
  if (o.error.empty()) u.bind_null(5); else u.bind(5, o.error);
  if (o.exit_code >= 0) u.bind(6, o.exit_code); else u.bind_null(6);
  if (o.exit_signal > 0) u.bind(7, o.exit_signal); else u.bind_null(7);
  u.run();
  AL_CHECK(sqlite3_changes(db_->handle()) == 1, "{}: run {}/{} was not begun", path(), study, id);
  tx.commit();
}

std::map<std::string, std::string> Store::provenance(const std::string& study, const std::string& id) {
  sql::Stmt st(*db_, "SELECT key, coalesce(value, '') FROM provenance WHERE study = ?1 AND run_id = ?2");
  st.bind(1, study).bind(2, id);
  std::map<std::string, std::string> out;
  while (st.step()) out[st.text(0)] = st.text(1);
  return out;
}

std::vector<RunRow> Store::runs(const std::string& study, std::optional<RunStatus> status_filter) {
  sql::Stmt st(*db_,
               "SELECT study, id, status, attempt, backbone, methods, dataset, seed, config_json, "
               "coalesce(started_at,''), coalesce(finished_at,''), coalesce(host,''), coalesce(device,''), "
               "coalesce(error,''), coalesce(log_path,''), coalesce(exit_code, -1), coalesce(exit_signal, 0), coalesce(label, ''), "
               "coalesce(measure_status, ''), coalesce(measure_error, '') "
               "FROM runs WHERE study = ?1 AND (?2 = '' OR status = ?2) ORDER BY rowid");
  st.bind(1, study).bind(2, status_filter ? to_string(*status_filter) : "");
  std::vector<RunRow> out;
  while (st.step()) {
    RunRow r;
    r.study = st.text(0);
    r.id = st.text(1);
    r.status = status_of(st.text(2), path());
    r.attempt = static_cast<int>(st.integer(3));
    r.backbone = st.text(4);
    r.methods = st.text(5);
    r.dataset = st.text(6);
    r.seed = static_cast<int>(st.integer(7));
    r.config = nlohmann::json::parse(st.text(8));
    r.started_at = st.text(9);
    r.finished_at = st.text(10);
    r.host = st.text(11);
    r.device = st.text(12);
    r.error = st.text(13);
    r.log_path = st.text(14);
    r.exit_code = static_cast<int>(st.integer(15));
    r.exit_signal = static_cast<int>(st.integer(16));
    r.label = st.text(17);
    r.measure_status = st.text(18);
    r.measure_error = st.text(19);
    out.push_back(std::move(r));
  }
  return out;
}

Summary Store::summary(const std::string& study, const std::string& id) {
  sql::Stmt st(*db_, "SELECT name, value FROM summary WHERE study = ?1 AND run_id = ?2");
  st.bind(1, study).bind(2, id);
  Summary out;
  while (st.step()) out[st.text(0)] = st.real(1);
  return out;
}

std::map<std::string, Summary> Store::summaries(const std::string& study, const std::vector<std::string>& names) {
  std::map<std::string, Summary> out;
  sql::Stmt st(*db_, "SELECT run_id, value FROM summary WHERE study = ?1 AND name = ?2");
  for (const auto& n : names) {
    st.bind(1, study).bind(2, n);
    while (st.step()) out[st.text(0)][n] = st.is_null(1) ? NAN : st.real(1);
    st.reset();
  }
  return out;
}

std::vector<MetricEvent> Store::metrics(const std::string& study, const std::string& id) {
  sql::Stmt st(*db_,
               "SELECT step, split, name, value, epoch FROM metrics WHERE study = ?1 AND run_id = ?2 ORDER BY rowid");
  st.bind(1, study).bind(2, id);
  std::vector<MetricEvent> out;
  while (st.step()) out.push_back({st.integer(0), st.text(1), st.text(2), st.real(3), st.is_null(4) ? -1.0 : st.real(4)});
  return out;
}

std::map<std::string, std::vector<MetricEvent>> Store::epoch_metrics(const std::string& study,
                                                                     const std::vector<std::string>& names) {
  std::map<std::string, std::vector<MetricEvent>> out;
  sql::Stmt st(*db_,
               "SELECT run_id, step, value, epoch FROM metrics WHERE study = ?1 AND split = ?2 AND name = ?3 "
               "AND epoch IS NOT NULL ORDER BY rowid");
  std::vector<std::string> done;
  for (const auto& n : names) {
    if (std::find(done.begin(), done.end(), n) != done.end()) continue;
    done.push_back(n);
    const auto dot = n.find('.');
    AL_CHECK(dot != std::string::npos, "epoch metrics: '{}' is not <split>.<name>", n);
    const std::string split = n.substr(0, dot), name = n.substr(dot + 1);
    st.bind(1, study).bind(2, split).bind(3, name);
    while (st.step())
      out[st.text(0)].push_back({st.integer(1), split, name, st.is_null(2) ? NAN : st.real(2), st.real(3)});
    st.reset();
  }
  return out;
}

std::vector<std::string> Store::studies() {
  sql::Stmt st(*db_, "SELECT name FROM studies ORDER BY name");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::string Store::sweep_path(const std::string& study) {
  sql::Stmt st(*db_, "SELECT coalesce(sweep_path, '') FROM studies WHERE name = ?1");
  st.bind(1, study);
  return st.step() ? st.text(0) : std::string();
}

int Store::id_scheme() {
  sql::Stmt st(*db_, "SELECT value FROM meta WHERE key = 'id_scheme'");
  AL_CHECK(st.step(), "{}: the database records no run id scheme", path());
  return std::stoi(st.text(0));
}

int Store::rekey_runs(const std::function<std::string(const RunRow&)>& new_id) {
  sql::Transaction tx(*db_);
  std::map<std::pair<std::string, std::string>, std::string> taken;  // (study, new id) -> old id
  std::vector<std::tuple<std::string, std::string, std::string>> changes;  // study, old, new
  for (const auto& study : studies()) {
    for (const auto& r : runs(study)) {
      const std::string id = new_id(r);
      const auto [it, fresh] = taken.emplace(std::make_pair(study, id), r.id);
      AL_CHECK(fresh, "{}: runs {} and {} of study {} are the same run under the new id scheme ({}); delete one first",
               path(), it->second, r.id, study, id);
      if (id != r.id) changes.emplace_back(study, r.id, id);
    }
  }
  // Two passes through temporary ids, so that a new id equal to another run's old id never collides.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [study, old_id, id] : changes) {
      const std::string from = pass == 0 ? old_id : "rekey:" + old_id;
      const std::string to = pass == 0 ? "rekey:" + old_id : id;
      sql::Stmt u(*db_, "UPDATE runs SET id = ?3 WHERE study = ?1 AND id = ?2");
      u.bind(1, study).bind(2, from).bind(3, to).run();
      for (const char* table : {"params", "metrics", "summary", "provenance", "run_history", "run_progress", "artifacts"}) {
        sql::Stmt t(*db_, fmt::format("UPDATE {} SET run_id = ?3 WHERE study = ?1 AND run_id = ?2", table));
        t.bind(1, study).bind(2, from).bind(3, to).run();
      }
    }
  }
  db_->exec(fmt::format("UPDATE meta SET value = '{}' WHERE key = 'id_scheme'", kIdScheme));
  tx.commit();
  return static_cast<int>(changes.size());
}

int64_t Store::count(const std::string& table) {
  sql::Stmt st(*db_, "SELECT count(*) FROM " + table);
  return st.step() ? st.integer(0) : 0;
}

}  // namespace adaptlab
