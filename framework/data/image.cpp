#include "framework/data/image.h"

#include <ATen/ATen.h>
#include <png.h>
#include <turbojpeg.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "framework/core/error.h"

namespace adaptlab {
namespace {

at::Tensor decode_jpeg(const std::string& b, const std::string& what) {
  std::unique_ptr<void, decltype(&tjDestroy)> tj(tjInitDecompress(), &tjDestroy);
  AL_CHECK(tj != nullptr, "{}: cannot start the JPEG decoder", what);
  int w = 0, h = 0, sub = 0, cs = 0;
  auto* src = reinterpret_cast<const unsigned char*>(b.data());
  AL_CHECK(tjDecompressHeader3(tj.get(), src, static_cast<unsigned long>(b.size()), &w, &h, &sub, &cs) == 0,
           "{}: not a readable JPEG: {}", what, tjGetErrorStr2(tj.get()));
  AL_CHECK(w > 0 && h > 0 && static_cast<int64_t>(w) * h <= (1ll << 28), "{}: implausible JPEG size {}x{}", what, w, h);
  auto hwc = at::empty({h, w, 3}, at::kByte);
  AL_CHECK(tjDecompress2(tj.get(), src, static_cast<unsigned long>(b.size()), hwc.data_ptr<uint8_t>(), w, 0, h, TJPF_RGB,
                         TJFLAG_ACCURATEDCT) == 0,
           "{}: corrupt JPEG: {}", what, tjGetErrorStr2(tj.get()));
  return hwc.permute({2, 0, 1}).contiguous();
}

struct PngRead {
  const std::string* bytes;
  size_t at = 0;
};

void png_read_from(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<PngRead*>(png_get_io_ptr(png));
  if (r->at + n > r->bytes->size()) png_error(png, "truncated file");
  std::memcpy(out, r->bytes->data() + r->at, n);
  r->at += n;
}

[[noreturn]] void png_fail(png_structp png, png_const_charp msg) {
  *static_cast<std::string*>(png_get_error_ptr(png)) = msg;
  png_longjmp(png, 1);
}

at::Tensor decode_png(const std::string& b, const std::string& what) {
  std::string error;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, png_fail, nullptr);
  AL_CHECK(png != nullptr, "{}: cannot start the PNG decoder", what);
  png_infop info = png_create_info_struct(png);
  at::Tensor hwc;
  std::vector<png_bytep> rows;
  PngRead r{&b, 0};
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    fail("{}: corrupt PNG: {}", what, error);
  }
  png_set_read_fn(png, &r, png_read_from);
  png_read_info(png, info);
  png_set_expand(png);              // palette → RGB, grey < 8 bits → 8, tRNS → alpha
  png_set_strip_16(png);            // 16-bit → 8
  png_set_strip_alpha(png);
  png_set_gray_to_rgb(png);
  png_read_update_info(png, info);
  const png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
  if (png_get_channels(png, info) != 3 || static_cast<uint64_t>(w) * h > (1ull << 28)) {
    png_destroy_read_struct(&png, &info, nullptr);
    fail("{}: unsupported PNG layout ({}x{}, {} channels after conversion)", what, w, h, png_get_channels(png, info));
  }
  hwc = at::empty({static_cast<int64_t>(h), static_cast<int64_t>(w), 3}, at::kByte);
  rows.resize(h);
  for (png_uint_32 y = 0; y < h; ++y) rows[y] = hwc.data_ptr<uint8_t>() + static_cast<size_t>(y) * w * 3;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return hwc.permute({2, 0, 1}).contiguous();
}

}  // namespace

namespace {
bool is_jpeg(const std::string& b) {
  return b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xD8;
}
bool is_png(const std::string& b) { return b.size() >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0; }
}  // namespace

at::Tensor decode_image_bytes(const std::string& b, const std::string& what) {
  if (is_jpeg(b)) return decode_jpeg(b, what);
  if (is_png(b)) return decode_png(b, what);
  fail("{}: not a JPEG or PNG image ({} bytes; unknown magic)", what, b.size());
}

void check_image_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  AL_CHECK(f.good(), "{}: cannot read the image", path);
  std::string head(8, '\0');
  f.read(head.data(), 8);
  head.resize(static_cast<size_t>(f.gcount()));
  AL_CHECK(is_jpeg(head) || is_png(head), "{}: not a JPEG or PNG image (unknown magic)", path);
}

at::Tensor decode_image(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  AL_CHECK(f.good(), "{}: cannot read the image", path);
  std::stringstream s;
  s << f.rdbuf();
  return decode_image_bytes(s.str(), path);
}

at::Tensor resize_square(const at::Tensor& image, int64_t size) {
  if (image.size(1) == size && image.size(2) == size) return image;
  const auto x = image.unsqueeze(0).to(at::kFloat);
  const auto y = at::_upsample_bicubic2d_aa(x, {size, size}, /*align_corners=*/false);
  return y.squeeze(0).round().clamp(0, 255).to(at::kByte);
}

at::Tensor normalise_images(const at::Tensor& images, const std::vector<double>& mean, const std::vector<double>& std) {
  const auto m = at::tensor(std::vector<float>(mean.begin(), mean.end()), at::kFloat).to(images.device()).reshape({1, -1, 1, 1});
  const auto s = at::tensor(std::vector<float>(std.begin(), std.end()), at::kFloat).to(images.device()).reshape({1, -1, 1, 1});
  return (images.to(at::kFloat) / 255.0 - m) / s;
}

}  // namespace adaptlab
