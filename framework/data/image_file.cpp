#include "framework/data/image_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "framework/core/error.h"

namespace adaptlab {
namespace {

const char* file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a plain file";
}

std::string link_target(const std::string& path) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("?");
}

uint32_t be32(const std::string& b, size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data()) + at;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

bool is_jpeg(const std::string& b) {
  return b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xD8;
}
bool is_png(const std::string& b) { return b.size() >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0; }

void check_pixels(const std::string& what, int64_t w, int64_t h, int64_t max_pixels) {
  AL_CHECK(w <= 0 || h <= max_pixels / w,  // w * h <= max_pixels, without overflow
           "{}: {}x{} pixels is over max_pixels ({}): refused before decoding (a decompression bomb?); raise the "
           "dataset's max_pixels to read it",
           what, w, h, max_pixels);
}

ImageFile::ImageFile(const std::string& path) : path_(path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    struct stat l {};
    if (err == ENOENT && ::lstat(path.c_str(), &l) == 0 && S_ISLNK(l.st_mode))
      fail("{}: a dangling symbolic link (to '{}')", path, link_target(path));
    fail("{}: cannot read the image: {}", path, std::strerror(err));
  }
  AL_CHECK(S_ISREG(st.st_mode), "{}: not a regular file ({}); an image must be a file", path, file_kind(st.st_mode));
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // never blocks, even if a FIFO took its place
  AL_CHECK(fd_ >= 0, "{}: cannot read the image: {}", path, std::strerror(errno));
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fail("{}: not a regular file (it changed while it was opened)", path);
  }
  size_ = static_cast<int64_t>(st.st_size);
}

ImageFile::~ImageFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::string ImageFile::read_at(int64_t offset, size_t n) const {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    const ssize_t k = ::pread(fd_, out.data() + got, n - got, static_cast<off_t>(offset) + static_cast<off_t>(got));
    if (k < 0 && errno == EINTR) continue;
    AL_CHECK(k >= 0, "{}: cannot read the image: {}", path_, std::strerror(errno));
    if (k == 0) break;
    got += static_cast<size_t>(k);
  }
  out.resize(got);
  return out;
}

std::string ImageFile::read_all() const {
  try {
    return read_at(0, static_cast<size_t>(size_));
  } catch (const std::bad_alloc&) {
    fail("{}: out of memory reading the file ({} MiB)", path_, size_ >> 20);
  }
}

std::optional<std::pair<int64_t, int64_t>> ImageFile::header_size() const {
  const std::string head = read_at(0, 24);
  if (is_png(head)) {
    if (head.size() < 24 || head.compare(12, 4, "IHDR") != 0) return std::nullopt;
    return std::pair<int64_t, int64_t>{be32(head, 16), be32(head, 20)};
  }
  if (!is_jpeg(head)) return std::nullopt;
  int64_t at = 2;
  for (int markers = 0; markers < 4096; ++markers) {  // FF xx [length: 2 bytes, counting itself] ...
    const std::string m = read_at(at, 9);
    if (m.size() < 4 || static_cast<unsigned char>(m[0]) != 0xFF) return std::nullopt;
    const auto code = static_cast<unsigned char>(m[1]);
    if (code == 0xFF) {  // a fill byte
      ++at;
      continue;
    }
    if (code == 0x01 || (code >= 0xD0 && code <= 0xD8)) {  // markers without a length
      at += 2;
      continue;
    }
    if (code == 0xD9 || code == 0xDA) return std::nullopt;  // the end, or the scan, before a frame header
    const int64_t len = (static_cast<unsigned char>(m[2]) << 8) | static_cast<unsigned char>(m[3]);
    if (code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC) {  // SOFn
      if (m.size() < 9) return std::nullopt;
      const auto u = [&](size_t i) { return static_cast<int64_t>(static_cast<unsigned char>(m[i])); };
      return std::pair<int64_t, int64_t>{(u(7) << 8) | u(8), (u(5) << 8) | u(6)};
    }
    if (len < 2) return std::nullopt;
    at += 2 + len;
  }
  return std::nullopt;
}

}  // namespace adaptlab
