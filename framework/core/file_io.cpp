#include "framework/core/file_io.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "framework/core/error.h"

namespace adaptlab {

namespace {
thread_local std::string t_remove_error;  // what stopped remove_tree (nftw's callback cannot throw)
int remove_entry(const char* path, const struct stat*, int, struct FTW*) {
  if (::remove(path) == 0) return 0;
  t_remove_error = fmt::format("{}: cannot remove: {}", path, std::strerror(errno));
  return 1;  // stops the walk
}
}  // namespace

void remove_tree(const std::string& path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) return;  // nothing there
  t_remove_error.clear();
  // Depth first (contents before their folder), not following links, staying on one file system.
  const int rc = nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (!t_remove_error.empty()) throw Error(t_remove_error);
  if (rc != 0) fail("{}: cannot remove the folder: {}", path, std::strerror(errno));
}
namespace {

std::string named(const std::string& what) { return what.empty() ? what : " " + what; }

int open_or_fail(const std::string& path, int flags, mode_t mode, const char* verb, const std::string& what) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) fail("{}: cannot {}{}: {}", path, verb, named(what), std::strerror(errno));
  return fd;
}

// Closes, failing when close reports an error (some file systems report a full disk only here).
void close_or_fail(int fd, const std::string& path, const std::string& what) {
  if (::close(fd) != 0) fail("{}: cannot write{}: {}", path, named(what), std::strerror(errno));
}

}  // namespace

void write_all(int fd, const void* data, std::size_t size, const std::string& path, const std::string& what) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t k = ::write(fd, p, size);
    if (k < 0) {
      if (errno == EINTR) continue;
      fail("{}: cannot write{}: {}", path, named(what), std::strerror(errno));
    }
    p += k;
    size -= static_cast<std::size_t>(k);
  }
}

namespace {
// Creates a fresh temporary file beside `path` (<path>.tmp.XXXXXX): exclusively, never through an existing
// file or link of that name.
int create_temp_beside(const std::string& path, std::string& tmp, mode_t mode, const std::string& what) {
  // mkostemp creates with O_EXCL: an existing file or link of the name is never opened.
  std::string name = path + ".tmp.XXXXXX";
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) fail("{}: cannot create{} (through a temporary file beside it): {}", path, named(what), std::strerror(errno));
  tmp = name;
  if (::fchmod(fd, mode) != 0) {
    const int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail("{}: cannot set the mode of{}: {}", tmp, named(what), std::strerror(e));
  }
  return fd;
}
}  // namespace

void write_file_atomic(const std::string& path, const std::string& text, const std::string& what, mode_t mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    fail("{}: is a folder; cannot write{} there (give a file name)", path, named(what));
  std::string tmp;
  const int fd = create_temp_beside(path, tmp, mode, what);
  try {
    try {
      write_all(fd, text.data(), text.size(), tmp, what);
    } catch (...) {
      ::close(fd);
      throw;
    }
    close_or_fail(fd, tmp, what);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    fail("{}: cannot move{} into place: {}", path, named(what), std::strerror(e));
  }
}

void write_output_file(const std::string& path, const std::string& bytes, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) fail("{}: is a folder; cannot write{} there (give a file name)", path, named(what));
    // A device, a FIFO or a socket: written directly, never replaced by a regular file.
    const int fd = open_or_fail(path, O_WRONLY, 0, "open", what);
    try {
      write_all(fd, bytes.data(), bytes.size(), path, what);
    } catch (...) {
      ::close(fd);
      throw;
    }
    close_or_fail(fd, path, what);
    return;
  }
  write_file_atomic(path, bytes, what);
}

void append_file(const std::string& path, const std::string& text, const std::string& what) {
  const int fd = open_or_fail(path, O_WRONLY | O_CREAT | O_APPEND, 0644, "open", what);
  try {
    write_all(fd, text.data(), text.size(), path, what);
  } catch (...) {
    ::close(fd);
    throw;
  }
  close_or_fail(fd, path, what);
}

}  // namespace adaptlab
