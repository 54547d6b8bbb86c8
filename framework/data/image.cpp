#include "framework/data/image.h"

#include <ATen/ATen.h>
#include <png.h>
#include <turbojpeg.h>

#include <cstring>
#include <memory>
#include <new>

#include "framework/core/error.h"
#include "framework/data/image_file.h"
#include "framework/data/resample.h"

namespace adaptlab {
namespace {

// A decoded image: h rows of w RGB pixels (packed), in memory of our own (not LibTorch's allocator).
struct Pixels {
  int w = 0, h = 0;
  std::unique_ptr<uint8_t[]> rgb;
};

std::unique_ptr<uint8_t[]> alloc_bytes(const std::string& what, int64_t w, int64_t h, int64_t channels) {
  const int64_t n = w * h * channels;
  try {
    return std::unique_ptr<uint8_t[]>(new uint8_t[static_cast<size_t>(n)]);
  } catch (const std::bad_alloc&) {
    fail("{}: out of memory for the decoded {}x{} image ({} MiB); lower max_pixels or free memory", what, w, h,
         n >> 20);
  }
}

// Pillow reads every 4-channel JPEG as Adobe's inverted CMYK ("CMYK;I") and converts CMYK to RGB as
// R = (255 − K) − (C·(255 − K) rounded /255) (Convert.c: cmyk2rgb, MULDIV255); libjpeg-turbo hands over
// the stored (inverted) values, which makes C = 255 − c, 255 − K = k. In place: RGB fills the front.
void cmyk_to_rgb(uint8_t* p, int64_t n) {
  const auto muldiv255 = [](int a, int b) {
    const int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  };
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* in = p + 4 * i;
    const int nk = in[3], c = 255 - in[0], m = 255 - in[1], y = 255 - in[2];
    uint8_t* out = p + 3 * i;
    out[0] = static_cast<uint8_t>(nk - muldiv255(c, nk));
    out[1] = static_cast<uint8_t>(nk - muldiv255(m, nk));
    out[2] = static_cast<uint8_t>(nk - muldiv255(y, nk));
  }
}

Pixels decode_jpeg(const std::string& b, const std::string& what, int64_t max_pixels) {
  std::unique_ptr<void, decltype(&tjDestroy)> tj(tjInitDecompress(), &tjDestroy);
  AL_CHECK(tj != nullptr, "{}: cannot start the JPEG decoder", what);
  int w = 0, h = 0, sub = 0, cs = 0;
  auto* src = reinterpret_cast<const unsigned char*>(b.data());
  AL_CHECK(tjDecompressHeader3(tj.get(), src, static_cast<unsigned long>(b.size()), &w, &h, &sub, &cs) == 0,
           "{}: not a readable JPEG: {}", what, tjGetErrorStr2(tj.get()));
  AL_CHECK(w > 0 && h > 0, "{}: implausible JPEG size {}x{}", what, w, h);
  check_pixels(what, w, h, max_pixels);
  const bool cmyk = cs == TJCS_CMYK || cs == TJCS_YCCK;
  Pixels px{w, h, alloc_bytes(what, w, h, cmyk ? 4 : 3)};
  AL_CHECK(tjDecompress2(tj.get(), src, static_cast<unsigned long>(b.size()), px.rgb.get(), w, 0, h,
                         cmyk ? TJPF_CMYK : TJPF_RGB, TJFLAG_ACCURATEDCT) == 0,
           "{}: corrupt JPEG: {}", what, tjGetErrorStr2(tj.get()));
  if (cmyk) cmyk_to_rgb(px.rgb.get(), int64_t{w} * h);
  return px;
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

// Everything C++ that the libpng calls touch lives here, set up before setjmp (a longjmp skips destructors).
struct PngState {
  std::string error;
  Pixels px;
  std::vector<png_bytep> rows;
};

Pixels decode_png(const std::string& b, const std::string& what, int64_t max_pixels) {
  PngState st;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &st.error, png_fail, nullptr);
  AL_CHECK(png != nullptr, "{}: cannot start the PNG decoder", what);
  png_infop info = png_create_info_struct(png);
  PngRead r{&b, 0};
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    fail("{}: corrupt PNG: {}", what, st.error);
  }
  png_set_read_fn(png, &r, png_read_from);
  png_read_info(png, info);
  png_set_expand(png);              // palette → RGB, grey < 8 bits → 8, tRNS → alpha
  png_set_strip_16(png);            // 16-bit → 8
  png_set_strip_alpha(png);
  png_set_gray_to_rgb(png);
  png_read_update_info(png, info);
  const png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
  const int channels = png_get_channels(png, info);
  try {
    AL_CHECK(channels == 3, "{}: unsupported PNG layout ({}x{}, {} channels after conversion)", what, w, h, channels);
    check_pixels(what, w, h, max_pixels);
    st.px = Pixels{static_cast<int>(w), static_cast<int>(h), alloc_bytes(what, w, h, 3)};
    st.rows.resize(h);
  } catch (...) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw;
  }
  for (png_uint_32 y = 0; y < h; ++y) st.rows[y] = st.px.rgb.get() + static_cast<size_t>(y) * w * 3;
  png_read_image(png, st.rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return std::move(st.px);
}

Pixels decode_pixels(const std::string& b, const std::string& what, int64_t max_pixels) {
  if (is_jpeg(b)) return decode_jpeg(b, what, max_pixels);
  if (is_png(b)) return decode_png(b, what, max_pixels);
  fail("{}: not a JPEG or PNG image ({} bytes; unknown magic)", what, b.size());
}

// Whatever else fails while decoding (memory above all) names the file too.
template <class F>
auto naming(const std::string& what, F f) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    fail("{}: out of memory while decoding the image (std::bad_alloc)", what);
  } catch (const std::exception& e) {
    fail("{}: {}", what, e.what());
  }
}

// [3, h, w] channel planes from packed RGB.
void to_planes(const uint8_t* rgb, int64_t n, uint8_t* out) {
  for (int64_t i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c) out[c * n + i] = rgb[3 * i + c];
}

at::Tensor planes_tensor(const Pixels& px, const std::string& what) {
  const int64_t n = int64_t{px.w} * px.h;
  uint8_t* out = alloc_bytes(what, px.w, px.h, 3).release();
  to_planes(px.rgb.get(), n, out);
  return at::from_blob(out, {3, px.h, px.w}, [](void* p) { delete[] static_cast<uint8_t*>(p); }, at::kByte);
}

}  // namespace

at::Tensor decode_image_bytes(const std::string& b, const std::string& what, int64_t max_pixels) {
  return naming(what, [&] { return planes_tensor(decode_pixels(b, what, max_pixels), what); });
}

at::Tensor decode_image(const std::string& path, int64_t max_pixels) {
  return naming(path, [&] { return planes_tensor(decode_pixels(ImageFile(path).read_all(), path, max_pixels), path); });
}

void load_image_into(const std::string& path, int64_t size, int64_t max_pixels, uint8_t* out) {
  naming(path, [&] {
    const Pixels px = decode_pixels(ImageFile(path).read_all(), path, max_pixels);
    const int s = static_cast<int>(size);
    std::vector<uint8_t> small(static_cast<size_t>(s) * static_cast<size_t>(s) * 3);
    resize_bicubic_rgb(px.rgb.get(), px.w, px.h, small.data(), s, s);
    to_planes(small.data(), int64_t{s} * s, out);
  });
}

void check_image_file(const std::string& path, int64_t max_pixels) {
  const ImageFile f(path);
  const std::string head = f.read_at(0, 8);
  AL_CHECK(is_jpeg(head) || is_png(head), "{}: not a JPEG or PNG image (unknown magic)", path);
  if (const auto wh = f.header_size()) check_pixels(path, wh->first, wh->second, max_pixels);
}

at::Tensor resize_square(const at::Tensor& image, int64_t size) {
  AL_CHECK(image.dim() == 3 && image.size(0) == 3 && image.scalar_type() == at::kByte,
           "resize_square: expected a uint8 [3, H, W] image");
  if (image.size(1) == size && image.size(2) == size) return image;
  const auto hwc = image.permute({1, 2, 0}).contiguous();
  auto out = at::empty({size, size, 3}, at::kByte);
  resize_bicubic_rgb(hwc.data_ptr<uint8_t>(), static_cast<int>(image.size(2)), static_cast<int>(image.size(1)),
                     out.data_ptr<uint8_t>(), static_cast<int>(size), static_cast<int>(size));
  return out.permute({2, 0, 1}).contiguous();
}

at::Tensor normalise_images(const at::Tensor& images, const std::vector<double>& mean, const std::vector<double>& std) {
  const auto m = at::tensor(std::vector<float>(mean.begin(), mean.end()), at::kFloat).to(images.device()).reshape({1, -1, 1, 1});
  const auto s = at::tensor(std::vector<float>(std.begin(), std.end()), at::kFloat).to(images.device()).reshape({1, -1, 1, 1});
  return (images.to(at::kFloat) / 255.0 - m) / s;
}

}  // namespace adaptlab
