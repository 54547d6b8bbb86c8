// One writer per results database: the sweep driver (and `adaptlab measure`) hold this lock while
// they write; a second one on the same file is refused, whatever path names it.
#pragma once
#include <optional>
#include <string>

namespace adaptlab {

class Store;

// flock()s a lock file; released when destroyed.
class FileLock {
 public:
  FileLock(const std::string& path, const std::string& db);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

// The lock is keyed by the database file itself, not the path it was named by: <real path>.lock
// beside it (symlinks, '..'), and one per device and inode in the machine's temporary folder (hard
// links). SQLite's own locks on the file are left alone (a second descriptor on the database file
// would drop them when closed). Any run found 'running' while a driver holds it was left so by a
// driver that died.
class DriverLock {
 public:
  explicit DriverLock(const Store& store);

 private:
  std::optional<FileLock> by_path_, by_inode_;
};

}  // namespace adaptlab
