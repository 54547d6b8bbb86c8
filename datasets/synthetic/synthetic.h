// Deterministic synthetic image classification: each class is a smooth random pattern (a
// low-resolution random image upsampled bilinearly); an example is its class pattern with a random
// contrast, a random offset and Gaussian pixel noise. `noise` sets the difficulty.
#pragma once
#include <memory>

#include "framework/data/dataset.h"

namespace adaptlab {

struct SyntheticOptions {
  int num_classes = 10;    // number of classes (balanced)
  int img_size = 32;       // height = width
  int channels = 3;        // image channels
  int pattern_res = 4;     // resolution of the random class pattern before upsampling
  int train_size = 2000;   // examples in the train split
  int val_size = 500;      // examples in the validation split
  int test_size = 1000;    // examples in the test split
  double noise = 1.0;      // std of the per-pixel Gaussian noise (patterns have unit std)
  int seed = 0;            // data seed (independent of the run seed, so seeds vary only the training)

  template <class V>
  void visit(V& v) {
    v("num_classes", num_classes, "number of classes");
    v("img_size", img_size, "image height = width");
    v("channels", channels, "image channels");
    v("pattern_res", pattern_res, "class pattern resolution before upsampling");
    v("train_size", train_size, "train examples");
    v("val_size", val_size, "validation examples");
    v("test_size", test_size, "test examples");
    v("noise", noise, "per-pixel Gaussian noise std (patterns have unit std)");
    v("seed", seed, "data seed");
    v.check(num_classes >= 2, "num_classes", "must be >= 2");
    v.check(img_size > 0 && channels > 0, "img_size", "must be > 0");
    v.check(pattern_res > 0 && pattern_res <= img_size, "pattern_res", "must be in [1, img_size]");
    v.check(train_size > 0 && val_size > 0 && test_size > 0, "train_size", "split sizes must be > 0");
    v.check(noise >= 0, "noise", "must be >= 0");
  }
};

std::unique_ptr<Dataset> make_synthetic(const SyntheticOptions& options);

}  // namespace adaptlab
