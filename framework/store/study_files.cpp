#include "framework/store/study_files.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "framework/core/error.h"
#include "framework/core/file_io.h"

namespace adaptlab {
namespace fs = std::filesystem;
namespace {

const char* const kMarker = ".database";

fs::path beside(const std::string& db_path, const std::string& suffix) {
  const fs::path p(db_path);
  return fs::absolute(p).parent_path() / (p.stem().string() + suffix);
}

std::string read_marker(const fs::path& dir) {
  std::ifstream in(dir / kMarker);
  if (!in) return "";
  std::string name;
  std::getline(in, name);
  return name;
}

// Another SQLite file with the same stem beside the database (x.db beside x.sqlite), if any.
std::string same_stem_database(const fs::path& db) {
  std::error_code ec;
  const fs::path dir = fs::absolute(db).parent_path();
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const fs::path& p = e.path();
    if (p.filename() == db.filename() || p.stem() != db.stem() || !e.is_regular_file(ec)) continue;
    std::ifstream in(p, std::ios::binary);
    char head[16] = {};
    in.read(head, sizeof head);
    if (in.gcount() == 16 && std::string(head, 15) == "SQLite format 3") return p.filename().string();
  }
  return "";
}

}  // namespace

std::string artifacts_root(const std::string& db_path) { return beside(db_path, ".artifacts").string(); }
std::string logs_root(const std::string& db_path) { return beside(db_path, ".logs").string(); }

std::string artifacts_dir_of(const std::string& db_path, const std::string& run_id) {
  return (fs::path(artifacts_root(db_path)) / run_id).string();
}

std::string artifact_file(const std::string& db_path, const std::string& run_id, const ArtifactRecord& a) {
  // Beside the database first (a moved or copied study); else an absolute recorded path that exists (runs
  // merged from a shard database keep their files beside the shard).
  const fs::path beside = fs::path(artifacts_dir_of(db_path, run_id)) / fs::path(a.path).filename();
  std::error_code ec;
  if (fs::exists(beside, ec) || !fs::path(a.path).is_absolute()) return beside.string();
  return fs::exists(a.path, ec) ? a.path : beside.string();
}

std::string artifact_record_path(const std::string& db_path, const std::string& absolute_path) {
  const fs::path base = fs::absolute(db_path).parent_path();
  const fs::path rel = fs::path(absolute_path).lexically_relative(base);
  if (!rel.empty() && *rel.begin() != "..") return rel.string();
  return absolute_path;
}

void check_study_folders(const std::string& db_path, bool claim, const std::function<bool(const std::string&)>& knows_run) {
  const fs::path db(db_path);
  const std::string me = db.filename().string();
  for (const fs::path dir : {fs::path(artifacts_root(db_path)), fs::path(logs_root(db_path))}) {
    std::error_code ec;
    const bool exists = fs::is_directory(dir, ec);
    const std::string owner = exists ? read_marker(dir) : "";
    if (!owner.empty()) {
      AL_CHECK(owner == me, "{}: this folder belongs to the database {} (same stem); {} cannot use it: rename one of "
               "the two databases (each database keeps its tensors and logs in <stem>.artifacts and <stem>.logs)",
               dir.string(), (fs::absolute(db).parent_path() / owner).string(), db_path);
      continue;
    }
    // Not marked yet (new, or made before the marker): with a same-stem database beside, the folder is
    // this database's only when it is empty or holds files of its runs.
    const std::string other = same_stem_database(db);
    if (!other.empty() && exists) {
      bool empty = true, mine = false;
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        empty = false;
        const std::string name = e.path().filename().string();
        if (knows_run && knows_run(name.substr(0, name.find('.')))) mine = true;
      }
      AL_CHECK(empty || mine, "{} and {} would share {} (same stem), which holds files of neither's runs known to {}: "
               "rename one of the two databases (each keeps its tensors and logs in <stem>.artifacts and <stem>.logs)",
               db_path, (fs::absolute(db).parent_path() / other).string(), dir.string(), me);
    }
    if (!claim) continue;
    fs::create_directories(dir, ec);
    AL_CHECK(!ec, "{}: cannot create the folder: {}", dir.string(), ec.message());
    write_file_atomic((dir / kMarker).string(), me + "\n", "the folder's owner file");
  }
}

}  // namespace adaptlab
