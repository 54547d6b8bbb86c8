// Reading image files defensively (for image.cpp): only a regular file is opened (a FIFO would block, a
// device such as /dev/zero never ends, a folder or a dangling link is a mistake; each is refused by
// name before anything is read), and an image's size can be read from its header alone.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace adaptlab {

class ImageFile {
 public:
  explicit ImageFile(const std::string& path);  // refuses what is not a readable regular file
  ~ImageFile();
  ImageFile(const ImageFile&) = delete;
  ImageFile& operator=(const ImageFile&) = delete;

  std::string read_all() const;                     // the whole file
  std::string read_at(int64_t offset, size_t n) const;  // up to n bytes (fewer at the end)
  // Width and height from a PNG's IHDR or a JPEG's frame header (walking the markers before it);
  // nullopt when they cannot be found that way (the decoder then says why).
  std::optional<std::pair<int64_t, int64_t>> header_size() const;

 private:
  std::string path_;
  int fd_ = -1;
  int64_t size_ = 0;
};

bool is_jpeg(const std::string& head);
bool is_png(const std::string& head);
// Refuses an image of more than max_pixels pixels, before it is decoded.
void check_pixels(const std::string& what, int64_t w, int64_t h, int64_t max_pixels);

}  // namespace adaptlab
