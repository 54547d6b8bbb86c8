#include "framework/core/file_id.h"

#include <sys/stat.h>

#include <fmt/format.h>

namespace adaptlab {

std::string FileId::str() const { return fmt::format("device {} inode {}", device, inode); }

std::optional<FileId> file_id(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

}  // namespace adaptlab
