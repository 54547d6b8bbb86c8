// A file's identity (device and inode): two paths name the same file when their ids are equal,
// whatever symlinks, '..' or hard links lie between; a file deleted or replaced at its path shows
// as another id (or none).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace adaptlab {

struct FileId {
  uint64_t device = 0, inode = 0;
  bool operator==(const FileId&) const = default;
  std::string str() const;  // "device D inode I"
};

// The id of the file at `path` (following symlinks); nullopt when there is none.
std::optional<FileId> file_id(const std::string& path);

}  // namespace adaptlab
