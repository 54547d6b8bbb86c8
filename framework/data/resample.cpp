#include "framework/data/resample.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace adaptlab {
namespace {

constexpr int kBits = 22;  // Pillow's PRECISION_BITS (32 - 8 - 2) for 8-bit images

double bicubic(double x) {  // Pillow's: a = -0.5, support 2
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// Per output index: the first input index, how many follow, and their fixed-point weights (Pillow's
// precompute_coeffs + normalize_coeffs_8bpc, with the box (0, in)).
struct Taps {
  int ksize = 0;
  std::vector<int> first, count;
  std::vector<int32_t> weight;  // [out][ksize]
};

Taps taps(int in, int out) {
  const double scale = static_cast<double>(in) / out, filterscale = std::max(scale, 1.0);
  const double support = 2.0 * filterscale, ss = 1.0 / filterscale;
  Taps t;
  t.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  t.first.resize(static_cast<size_t>(out));
  t.count.resize(static_cast<size_t>(out));
  t.weight.assign(static_cast<size_t>(out) * static_cast<size_t>(t.ksize), 0);
  std::vector<double> k(static_cast<size_t>(t.ksize));
  for (int xx = 0; xx < out; ++xx) {
    const double center = (xx + 0.5) * scale;
    const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
    const int n = std::min(static_cast<int>(center + support + 0.5), in) - xmin;
    double ww = 0.0;
    for (int x = 0; x < n; ++x) ww += (k[static_cast<size_t>(x)] = bicubic((x + xmin - center + 0.5) * ss));
    int32_t* w = &t.weight[static_cast<size_t>(xx) * static_cast<size_t>(t.ksize)];
    for (int x = 0; x < n; ++x) {
      const double v = ww != 0.0 ? k[static_cast<size_t>(x)] / ww : k[static_cast<size_t>(x)];
      w[x] = static_cast<int32_t>(v < 0 ? -0.5 + v * (1 << kBits) : 0.5 + v * (1 << kBits));
    }
    t.first[static_cast<size_t>(xx)] = xmin;
    t.count[static_cast<size_t>(xx)] = n;
  }
  return t;
}

inline uint8_t clip8(int32_t v) { return static_cast<uint8_t>(std::clamp(v >> kBits, 0, 255)); }

// One weighted sum of `n` RGB pixels `step` bytes apart into out[0..2].
inline void blend(const uint8_t* p, size_t step, const int32_t* w, int n, uint8_t* out) {
  int32_t s0 = 1 << (kBits - 1), s1 = s0, s2 = s0;
  for (int i = 0; i < n; ++i, p += step) {
    s0 += p[0] * w[i];
    s1 += p[1] * w[i];
    s2 += p[2] * w[i];
  }
  out[0] = clip8(s0);
  out[1] = clip8(s1);
  out[2] = clip8(s2);
}

}  // namespace

void resize_bicubic_rgb(const uint8_t* src, int w, int h, uint8_t* dst, int out_w, int out_h) {
  const Taps tv = taps(h, out_h);
  // The source rows the vertical pass reads (Pillow's ybox_first .. ybox_last).
  const int y0 = tv.first.front(), y1 = tv.first.back() + tv.count.back();
  std::vector<uint8_t> rows;
  const uint8_t* mid = src;  // rows y0..y1 of out_w pixels, where row y0 is mid's first
  if (out_w != w) {
    const Taps th = taps(w, out_w);
    rows.resize(static_cast<size_t>(y1 - y0) * static_cast<size_t>(out_w) * 3);
    for (int y = y0; y < y1; ++y) {
      const uint8_t* in = src + static_cast<size_t>(y) * static_cast<size_t>(w) * 3;
      uint8_t* out = rows.data() + static_cast<size_t>(y - y0) * static_cast<size_t>(out_w) * 3;
      for (int xx = 0; xx < out_w; ++xx)
        blend(in + static_cast<size_t>(th.first[static_cast<size_t>(xx)]) * 3, 3,
              &th.weight[static_cast<size_t>(xx) * static_cast<size_t>(th.ksize)], th.count[static_cast<size_t>(xx)],
              out + static_cast<size_t>(xx) * 3);
    }
    mid = rows.data();
  } else {
    mid = src + static_cast<size_t>(y0) * static_cast<size_t>(w) * 3;
  }
  const size_t stride = static_cast<size_t>(out_w) * 3;
  if (out_h == h) {  // no vertical pass (then y0 = 0, y1 = h)
    std::memcpy(dst, mid, stride * static_cast<size_t>(h));
    return;
  }
  for (int yy = 0; yy < out_h; ++yy) {
    const uint8_t* col = mid + static_cast<size_t>(tv.first[static_cast<size_t>(yy)] - y0) * stride;
    const int32_t* wt = &tv.weight[static_cast<size_t>(yy) * static_cast<size_t>(tv.ksize)];
    for (int xx = 0; xx < out_w; ++xx)
      blend(col + static_cast<size_t>(xx) * 3, stride, wt, tv.count[static_cast<size_t>(yy)],
            dst + static_cast<size_t>(yy) * stride + static_cast<size_t>(xx) * 3);
  }
}

}  // namespace adaptlab
