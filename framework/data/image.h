// Images from files: JPEG through libjpeg-turbo's TurboJPEG API (Debian libturbojpeg0-dev: SIMD decoding,
// the fastest well-kept decoder) and PNG through libpng (the reference decoder), chosen by the file's
// magic bytes, not its name. Decoded to RGB uint8 [3, H, W] (grey expanded, alpha dropped), resized
// uint8 → uint8 with antialiased bicubic (torchvision's Resize(BICUBIC) on PIL images, as the NOAH/PYRA
// code reads VTAB-1k; torch's antialiased bicubic agrees with PIL's to about one grey level).
#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace adaptlab {

// RGB uint8 [3, H, W]; an unreadable, truncated or unknown file is an error naming it.
at::Tensor decode_image(const std::string& path);
// The same from bytes in memory (`what` names them in errors).
at::Tensor decode_image_bytes(const std::string& bytes, const std::string& what);

// What can be told without decoding: the file opens and starts as a JPEG or PNG (else the same errors).
void check_image_file(const std::string& path);

// uint8 [3, H, W] → uint8 [3, size, size], antialiased bicubic (no-op when already that size).
at::Tensor resize_square(const at::Tensor& image, int64_t size);

// uint8 images [B, 3, H, W] → float32, scaled to [0, 1] and normalised per channel: (x/255 − mean) / std.
at::Tensor normalise_images(const at::Tensor& images, const std::vector<double>& mean, const std::vector<double>& std);

}  // namespace adaptlab
