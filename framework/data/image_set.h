// What the image datasets (image_folder, vtab1k, cifar) share: every image decoded once, in parallel
// (oneTBB), resized to the model's size and kept as uint8 [n, 3, S, S] (a 224² image is 147 KB; never a
// float32 split: VTAB's sun397 test split would be 13 GB), normalised per batch on the device by
// to_inputs. With `cache: false` (image files only) nothing is decoded up front: each file is checked
// (it opens, it starts as a JPEG or PNG) and the images of a batch are decoded and resized in parallel
// when the batch is gathered (on the trainer's prefetch thread: framework/data/batch_stream.h). A file
// that cannot be read or decoded is an error naming it and the list line that named it — or, with
// skip_bad_images, left out and counted (when cached; streamed, only what the check finds is skipped).
// What is not a regular file (a FIFO, /dev/zero, a folder, a dangling link) and an image whose header
// says more than max_pixels pixels are such broken images, refused before they are read or decoded.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "framework/data/dataset.h"
#include "framework/data/image.h"

namespace adaptlab {

struct ImageOptions {
  int img_size = 224;                                  // square side after resizing
  std::vector<double> mean = {0.485, 0.456, 0.406};    // per channel, on [0, 1] values (ImageNet's)
  std::vector<double> std = {0.229, 0.224, 0.225};
  bool skip_bad_images = false;                        // leave out (and count) unreadable images
  bool cache = true;                                   // decode every image once and keep it (uint8)
  int64_t max_pixels = kDefaultMaxPixels;              // largest image (width x height) decoded

  template <class V>
  void visit_image(V& v) {
    v("img_size", img_size, "square side images are resized to (bicubic, antialiased)");
    v("mean", mean, "per-channel mean subtracted after scaling to [0, 1]");
    v("std", std, "per-channel standard deviation divided by");
    v("skip_bad_images", skip_bad_images, "skip (and count) images that cannot be read instead of failing");
    v.check(img_size > 0, "img_size", "must be > 0");
    v.check(mean.size() == 3 && std.size() == 3, "mean", "mean and std need 3 values (RGB)");
    for (double s : std) v.check(s > 0, "std", "must be > 0");
  }
  // Image-file datasets: whether decoded images are kept or decoded per batch, and the largest accepted.
  template <class V>
  void visit_cache(V& v) {
    v("cache", cache,
      "keep every decoded image in memory as uint8 (S·S·3 bytes each); false: decode each batch's images when it "
      "is gathered, in parallel, ahead of the model (for splits too large to keep)");
    v("max_pixels", max_pixels,
      "largest image accepted, in pixels (width x height, read from the file's header before decoding; default "
      "2^26 = 8192 x 8192): a larger one is refused as a decompression bomb (or skipped with skip_bad_images). "
      "Decoding takes 3 bytes a pixel for each image being decoded (one per core); raise it for larger photos");
    v.check(max_pixels > 0, "max_pixels", "must be > 0");
  }
};

struct ImageEntry {
  std::string path;    // the file
  int64_t label = 0;
  std::string origin;  // where it was named: "train800.txt:12" (or the folder)
};

struct DecodedImages {
  at::Tensor images;                // uint8 [n, 3, S, S]; undefined when streamed
  at::Tensor labels;                // int64 [n]
  std::vector<ImageEntry> entries;  // streamed: the files, decoded per batch
  int64_t skipped = 0;
};

// A list file of "relative/path label" lines (paths relative to `root`, labels in 0..classes-1; blank
// lines skipped; blanks around and between the two ignored as Python's str.split() does, a path may
// hold blanks; every line checked, errors at file:line); at most `limit` entries when limit > 0.
std::vector<ImageEntry> read_image_list(const std::string& list, const std::string& root, int64_t classes, int limit = 0);
// Decodes (JPEG / PNG) and resizes every entry in parallel; errors and skips as the file comment says.
DecodedImages decode_images(const std::vector<ImageEntry>& entries, const ImageOptions& o);
// decode_images when o.cache, else the checked entries, to be decoded per batch.
DecodedImages load_images(const std::vector<ImageEntry>& entries, const ImageOptions& o);
// uint8 [b, 3, S, S]: the entries at `index`, decoded and resized in parallel (an error names the file).
at::Tensor decode_batch(const std::vector<ImageEntry>& entries, const at::Tensor& index, int64_t size,
                        int64_t max_pixels = kDefaultMaxPixels);

class ImageDataset : public Dataset {
 public:
  ImageDataset(ImageOptions o, int64_t num_classes) : o_(std::move(o)), classes_(num_classes) {}
  DataInfo info() const override { return DataInfo{classes_, {3, o_.img_size, o_.img_size}, false}; }
  const at::Tensor& inputs(Split s) const override;
  const at::Tensor& labels(Split s) const override { return split_[static_cast<int>(s)].labels; }
  at::Tensor gather(Split s, const at::Tensor& index) const override;
  at::Tensor to_inputs(const at::Tensor& stored) const override;

 protected:
  void set_split(Split s, DecodedImages d) { split_[static_cast<int>(s)] = std::move(d); }
  ImageOptions o_;
  int64_t classes_;
  DecodedImages split_[3];
};

// A seeded sample of `n` indices in [0, total) and the rest (both ascending): a validation slice.
std::pair<std::vector<size_t>, std::vector<size_t>> seeded_split(size_t total, size_t n, int seed);

}  // namespace adaptlab
