#include "framework/sched/driver_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "framework/core/error.h"
#include "framework/store/store.h"

namespace adaptlab {
namespace fs = std::filesystem;

FileLock::FileLock(const std::string& path, const std::string& db) : path_(path) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0666);
  AL_CHECK(fd_ >= 0, "{}: cannot create the driver lock file: {}", path_, std::strerror(errno));
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fail("{}: another adaptlab sweep is running on this database (it holds {})", db, path_);
  }
}

FileLock::~FileLock() {
  flock(fd_, LOCK_UN);
  ::close(fd_);
}

DriverLock::DriverLock(const Store& store) {
  const std::string db = store.path();
  std::error_code ec;
  const fs::path real = fs::weakly_canonical(db, ec);
  by_path_.emplace((ec ? fs::path(db) : real).string() + ".lock", db);
  if (store.file()) {
    const fs::path dir = fs::temp_directory_path() / "adaptlab-locks";
    fs::create_directories(dir, ec);
    ::chmod(dir.c_str(), 01777);  // shared by every user, like /tmp
    by_inode_.emplace((dir / fmt::format("{}-{}.lock", store.file()->device, store.file()->inode)).string(), db);
  }
}

}  // namespace adaptlab
