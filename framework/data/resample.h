// Pillow's Image.resize(size, Image.BICUBIC) on RGB uint8, bit for bit (src/libImaging/Resample.c: the
// same filter taps, the same 22-bit fixed-point weights, a horizontal pass rounded to uint8, then a
// vertical one). This is what torchvision's Resize(BICUBIC) does to the PIL images the NOAH / PYRA code
// reads. It works on the packed uint8 rows as decoded: no float copy of the source, and the only other
// memory is the horizontally resized rows (source height x out_w x 3 bytes).
#pragma once
#include <cstdint>

namespace adaptlab {

// src: h rows of w RGB pixels (3 bytes each, packed); dst: out_h rows of out_w RGB pixels. A side
// that keeps its length is not resampled (as Pillow); both kept is a copy.
void resize_bicubic_rgb(const uint8_t* src, int w, int h, uint8_t* dst, int out_w, int out_h);

}  // namespace adaptlab
