// CIFAR-10 / CIFAR-100 from their binary distributions: <dir>/data_batch_{1..5}.bin + test_batch.bin
// (CIFAR-10: a label byte, then 3072 bytes R, G, B planes of 32×32) or <dir>/train.bin + test.bin
// (CIFAR-100: coarse and fine label bytes, then the image; the fine label is the class). The validation
// split is a seeded sample of `val_size` training images. Images stay uint8 (resized to img_size).
#pragma once
#include <memory>
#include <string>

#include "framework/data/image_set.h"

namespace adaptlab {

struct CifarOptions : ImageOptions {
  std::string dir;             // folder with the .bin files
  int classes = 10;            // 10 or 100
  int val_size = 5000;         // training images held out as validation (seeded)
  int train_size = 0, test_size = 0;  // 0: all; N: the first N
  int seed = 0;

  CifarOptions() { img_size = 32; }

  template <class V>
  void visit(V& v) {
    v.required("dir", dir, "folder with data_batch_1..5.bin / test_batch.bin (CIFAR-10) or train.bin / test.bin (CIFAR-100)");
    v("classes", classes, "10 (CIFAR-10) or 100 (CIFAR-100, fine labels)");
    v("val_size", val_size, "training images held out as validation (seeded)");
    v("train_size", train_size, "training images kept after holding out (0: all)");
    v("test_size", test_size, "test images: the first N (0: all)");
    v("seed", seed, "seed of the held-out sample");
    visit_image(v);
    v.check(classes == 10 || classes == 100, "classes", "must be 10 or 100");
    v.check(val_size > 0, "val_size", "must be > 0");
    v.check(train_size >= 0 && test_size >= 0, "train_size", "sizes must be >= 0 (0: all)");
  }
};

std::unique_ptr<Dataset> make_cifar(const CifarOptions& options);

}  // namespace adaptlab
