// The files a results database keeps beside it: <dir>/<stem>.artifacts/<run id>/ (each run's saved
// tensors) and <dir>/<stem>.logs/ (logs and spec files), for a database <dir>/<stem>.<ext>. Artifacts are
// found by run id relative to the database, never by a recorded absolute path, so a study folder that
// was moved or copied keeps working (resume, measure, init: from, results gc). Two databases with the same
// stem in one folder (x.sqlite and x.db) would share those folders: the first to use them owns them
// (a `.database` file in each names it) and the other is refused.
#pragma once
#include <functional>
#include <string>

#include "framework/core/records.h"

namespace adaptlab {

std::string artifacts_root(const std::string& db_path);
std::string logs_root(const std::string& db_path);
// results/<stem>.artifacts/<id> for a database results/<stem>.sqlite (absolute).
std::string artifacts_dir_of(const std::string& db_path, const std::string& run_id);
// Where a recorded artifact of run `run_id` is now: its file name in the run's artifact folder beside the
// database, or (when not there) an absolute recorded path that exists: merged shards' files.
std::string artifact_file(const std::string& db_path, const std::string& run_id, const ArtifactRecord& a);
// The path recorded for an artifact the child saved at `absolute_path`: relative to the database's
// folder when it lies under it (as adaptlab puts it), else as given.
std::string artifact_record_path(const std::string& db_path, const std::string& absolute_path);

// Checks that the artifacts and logs folders of `db_path` are its own, not another database's with the
// same stem (error naming both), and with `claim` marks them as its own (creating them). `knows_run`
// tells whether a run id is in this database (for folders made before the owner file existed).
void check_study_folders(const std::string& db_path, bool claim,
                         const std::function<bool(const std::string&)>& knows_run = {});

}  // namespace adaptlab
