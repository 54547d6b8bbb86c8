#include "framework/store/schema.h"

#include "framework/core/error.h"

namespace adaptlab {

const char* schema_v1() {
  return R"sql(
CREATE TABLE studies (
  name        TEXT PRIMARY KEY,
  created_at  TEXT NOT NULL,
  sweep_path  TEXT,
  sweep_yaml  TEXT
);
CREATE TABLE runs (
  study       TEXT NOT NULL REFERENCES studies(name),
  id          TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('pending','running','done','failed','timed-out','cancelled')),
  attempt     INTEGER NOT NULL DEFAULT 0,
  backbone    TEXT NOT NULL,
  methods     TEXT NOT NULL,
  dataset     TEXT NOT NULL,
  seed        INTEGER NOT NULL,
  config_json TEXT NOT NULL,
  started_at  TEXT,
  finished_at TEXT,
  host        TEXT,
  device      TEXT,
  git_sha     TEXT,
  log_path    TEXT,
  error       TEXT,
  PRIMARY KEY (study, id)
);
CREATE TABLE params (
  study TEXT NOT NULL, run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (study, run_id, key)
);
CREATE TABLE metrics (
  study TEXT NOT NULL, run_id TEXT NOT NULL, step INTEGER NOT NULL, split TEXT NOT NULL,
  name TEXT NOT NULL, value REAL
);
CREATE INDEX metrics_run ON metrics (study, run_id);
CREATE TABLE summary (
  study TEXT NOT NULL, run_id TEXT NOT NULL, name TEXT NOT NULL, value REAL,
  PRIMARY KEY (study, run_id, name)
);
)sql";
}

const char* schema_migration(int from) {
  switch (from) {
    case 1:  // v2: how a run's process ended, and where its numbers come from.
      return R"sql(
ALTER TABLE runs ADD COLUMN exit_code INTEGER;
ALTER TABLE runs ADD COLUMN exit_signal INTEGER;
CREATE TABLE provenance (
  study TEXT NOT NULL, run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT,
  PRIMARY KEY (study, run_id, key)
);
)sql";
    case 2:  // v3: facts about the database itself; ids so far hash the full config (scheme 1).
      return R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta(key, value) VALUES ('id_scheme', '1');
)sql";
    case 3:  // v4: earlier attempts of a run, kept when it runs again (--rerun, --retry-failed, stale).
      return R"sql(
CREATE TABLE run_history (
  study TEXT NOT NULL, run_id TEXT NOT NULL, attempt INTEGER NOT NULL,
  status TEXT NOT NULL, started_at TEXT, finished_at TEXT, git_sha TEXT, error TEXT,
  summary_json TEXT NOT NULL,
  replaced_at TEXT NOT NULL,
  PRIMARY KEY (study, run_id, attempt)
);
ALTER TABLE metrics ADD COLUMN epoch REAL;
CREATE VIEW run_params AS SELECT study, run_id, key, json_extract(value, '$') AS value, value AS value_json FROM params;
)sql";
    case 4:  // v5: the table's automatic row label per run; live progress of running runs; the sweep driver.
      return R"sql(
ALTER TABLE runs ADD COLUMN label TEXT;
CREATE TABLE run_progress (
  study TEXT NOT NULL, run_id TEXT NOT NULL,
  step INTEGER, total_steps INTEGER, epoch REAL, epochs INTEGER, loss REAL, steps_per_s REAL,
  val_metric TEXT, val_value REAL, updated_at TEXT NOT NULL,
  PRIMARY KEY (study, run_id)
);
CREATE TABLE sweep_driver (
  study TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, command_line TEXT,
  started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, finished_at TEXT,
  total INTEGER, done INTEGER, failed INTEGER, running INTEGER, pending INTEGER, eta_s REAL
);
)sql";
    case 5:  // v6: files a run saved (its trained tensors), and the measurement phase's state per run.
      return R"sql(
ALTER TABLE runs ADD COLUMN measure_status TEXT;
ALTER TABLE runs ADD COLUMN measure_error TEXT;
CREATE TABLE artifacts (
  study TEXT NOT NULL, run_id TEXT NOT NULL, name TEXT NOT NULL,
  path TEXT NOT NULL, bytes INTEGER NOT NULL, hash TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (study, run_id, name)
);
)sql";
    case 6:  // v7: status 'blocked' (a dependency did not end done); SQLite changes a CHECK by rebuilding the table.
      return R"sql(
CREATE TABLE runs_v7 (
  study       TEXT NOT NULL REFERENCES studies(name),
  id          TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('pending','running','done','failed','timed-out','cancelled','blocked')),
  attempt     INTEGER NOT NULL DEFAULT 0,
  backbone    TEXT NOT NULL,
  methods     TEXT NOT NULL,
  dataset     TEXT NOT NULL,
  seed        INTEGER NOT NULL,
  config_json TEXT NOT NULL,
  started_at  TEXT,
  finished_at TEXT,
  host        TEXT,
  device      TEXT,
  git_sha     TEXT,
  log_path    TEXT,
  error       TEXT,
  exit_code   INTEGER,
  exit_signal INTEGER,
  label       TEXT,
  measure_status TEXT,
  measure_error  TEXT,
  PRIMARY KEY (study, id)
);
INSERT INTO runs_v7 (study, id, status, attempt, backbone, methods, dataset, seed, config_json, started_at, finished_at,
                     host, device, git_sha, log_path, error, exit_code, exit_signal, label, measure_status, measure_error)
  SELECT study, id, status, attempt, backbone, methods, dataset, seed, config_json, started_at, finished_at,
         host, device, git_sha, log_path, error, exit_code, exit_signal, label, measure_status, measure_error FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v7 RENAME TO runs;
)sql";
    case 7:  // v8: every sweep file a study was run from (studies.sweep_yaml keeps only the latest).
      return R"sql(
CREATE TABLE study_sweeps (
  study TEXT NOT NULL, sweep_hash TEXT NOT NULL, sweep_path TEXT, sweep_yaml TEXT,
  first_used_at TEXT NOT NULL, last_used_at TEXT NOT NULL,
  PRIMARY KEY (study, sweep_hash)
);
INSERT INTO study_sweeps (study, sweep_hash, sweep_path, sweep_yaml, first_used_at, last_used_at)
  SELECT name, 'v7:' || name, sweep_path, sweep_yaml, created_at, created_at FROM studies WHERE sweep_yaml IS NOT NULL;
)sql";
  }
  fail("no schema migration from version {}", from);
}

}  // namespace adaptlab
