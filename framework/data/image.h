// Images from files: JPEG through libjpeg-turbo's TurboJPEG API (Debian libturbojpeg0-dev: SIMD decoding,
// the fastest well-kept decoder) and PNG through libpng (the reference decoder), chosen by the file's
// magic bytes, not its name. Decoded to RGB uint8 as Pillow's Image.open(f).convert('RGB') does (grey
// expanded, alpha dropped, CMYK / YCCK JPEGs with Adobe's inverted CMYK converted as Pillow converts
// them), resized with Pillow's antialiased bicubic bit for bit (resample.h: torchvision's
// Resize(BICUBIC) on PIL images, as the NOAH/PYRA code reads VTAB-1k).
//
// Hostile files: only regular files are read (a FIFO, a device, a folder or a dangling link is refused
// by name before anything is read); an image whose header says more than `max_pixels` pixels is refused
// before it is decoded (a 261 KB PNG can say 16384 x 16384); the decoded image is the one big buffer (3
// bytes a pixel, outside LibTorch's allocator, whose failures abort the process) and running out of
// memory for it is an error naming the file.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace adaptlab {

// The default cap on width x height: 2^26 (a 8192 x 8192 image, 192 MiB decoded; Pillow warns of a
// decompression bomb from 89.5 M pixels). Datasets expose it as `max_pixels`.
inline constexpr int64_t kDefaultMaxPixels = int64_t{1} << 26;

// RGB uint8 [3, H, W]; an unreadable, truncated, too large or unknown file is an error naming it.
at::Tensor decode_image(const std::string& path, int64_t max_pixels = kDefaultMaxPixels);
// The same from bytes in memory (`what` names them in errors).
at::Tensor decode_image_bytes(const std::string& bytes, const std::string& what,
                              int64_t max_pixels = kDefaultMaxPixels);

// Decoded and resized to uint8 [3, size, size] into `out` (3·size·size bytes, channel planes), without
// a full-size tensor; what decode_image refuses is refused the same way.
void load_image_into(const std::string& path, int64_t size, int64_t max_pixels, uint8_t* out);

// What can be told without decoding: a regular file that starts as a JPEG or PNG whose header (when it
// can be found cheaply) says at most max_pixels pixels (else the same errors).
void check_image_file(const std::string& path, int64_t max_pixels = kDefaultMaxPixels);

// uint8 [3, H, W] → uint8 [3, size, size], Pillow's antialiased bicubic (no-op when already that size).
at::Tensor resize_square(const at::Tensor& image, int64_t size);

// uint8 images [B, 3, H, W] → float32, scaled to [0, 1] and normalised per channel: (x/255 − mean) / std.
at::Tensor normalise_images(const at::Tensor& images, const std::vector<double>& mean, const std::vector<double>& std);

}  // namespace adaptlab
