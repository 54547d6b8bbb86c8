#include "framework/store/merge.h"

#include <filesystem>

#include "framework/core/error.h"
#include "framework/store/sqlite.h"
#include "framework/store/store.h"

namespace adaptlab {

MergeReport merge_shard(Store& target, const std::string& shard_path) {
  // The same file under any name: merging it into itself would wait on its own lock.
  const auto shard_file = file_id(shard_path);
  AL_CHECK(!(shard_file && shard_file == target.file()), "{}: is the database being merged into ({}); nothing to merge",
           shard_path, target.path());
  {
    Store shard(shard_path, /*read_only=*/true);  // refuses foreign, older or newer files with a clear error
    AL_CHECK(shard.id_scheme() == target.id_scheme(),
             "{}: its run ids use id scheme {} but {} uses {}; migrate both first (adaptlab results migrate --db ...)",
             shard_path, shard.id_scheme(), target.path(), target.id_scheme());
  }
  sql::Db& db = target.db();
  sql::Stmt attach(db, "ATTACH DATABASE ?1 AS shard");
  attach.bind(1, shard_path).run();
  MergeReport rep;
  try {
    sql::Transaction tx(db);
    db.exec("INSERT OR IGNORE INTO main.studies SELECT * FROM shard.studies");
    db.exec("INSERT OR IGNORE INTO main.study_sweeps SELECT * FROM shard.study_sweeps");
    db.exec(R"sql(
      CREATE TEMP TABLE take AS
      SELECT s.study, s.id FROM shard.runs s LEFT JOIN main.runs t ON t.study = s.study AND t.id = s.id
      WHERE t.id IS NULL
         OR (t.status <> 'done' AND (s.status = 'done' OR coalesce(s.finished_at, '') > coalesce(t.finished_at, '')))
    )sql");
    for (const char* table : {"metrics", "params", "summary", "provenance"}) {
      db.exec(fmt::format("DELETE FROM main.{0} WHERE (study, run_id) IN (SELECT study, id FROM temp.take)", table));
      db.exec(fmt::format("INSERT INTO main.{0} SELECT * FROM shard.{0} WHERE (study, run_id) IN "
                          "(SELECT study, id FROM temp.take)",
                          table));
    }
    // Artifacts stay where the shard keeps them: a path relative to the shard's folder becomes absolute
    // (the merged database finds a file beside itself first, then there).
    db.exec("DELETE FROM main.artifacts WHERE (study, run_id) IN (SELECT study, id FROM temp.take)");
    {
      sql::Stmt a(db, "INSERT INTO main.artifacts SELECT study, run_id, name, CASE WHEN substr(path, 1, 1) = '/' THEN "
                      "path ELSE ?1 || '/' || path END, bytes, hash, created_at FROM shard.artifacts WHERE (study, "
                      "run_id) IN (SELECT study, id FROM temp.take)");
      a.bind(1, std::filesystem::absolute(shard_path).parent_path().string()).run();
    }
    db.exec("DELETE FROM main.runs WHERE (study, id) IN (SELECT study, id FROM temp.take)");
    db.exec("INSERT INTO main.runs SELECT * FROM shard.runs WHERE (study, id) IN (SELECT study, id FROM temp.take)");
    {
      sql::Stmt n(db, "SELECT (SELECT count(*) FROM temp.take), (SELECT count(*) FROM shard.runs)");
      n.step();
      rep.runs_copied = static_cast<int>(n.integer(0));
      rep.runs_kept = static_cast<int>(n.integer(1) - n.integer(0));
    }
    db.exec("DROP TABLE temp.take");
    tx.commit();
  } catch (...) {
    sqlite3_exec(db.handle(), "DROP TABLE IF EXISTS temp.take", nullptr, nullptr, nullptr);
    sqlite3_exec(db.handle(), "DETACH DATABASE shard", nullptr, nullptr, nullptr);
    throw;
  }
  db.exec("DETACH DATABASE shard");
  return rep;
}

}  // namespace adaptlab
