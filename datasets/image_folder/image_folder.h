// Images in class folders: <dir>/<split>/<class>/<image> (JPEG or PNG), classes the sorted folder names
// of the training split; the validation split is its own folder, or (when absent) a seeded `val_size`
// sample of the training images; test is required. Kept as uint8, normalised per batch (image_set.h).
#pragma once
#include <memory>
#include <string>

#include "framework/data/image_set.h"

namespace adaptlab {

struct ImageFolderOptions : ImageOptions {
  std::string dir;             // the root holding the split folders
  std::string train = "train", val = "val", test = "test";  // split folder names
  int val_size = 0;            // without a val folder: this many training images held out (seeded); 0 = error
  int seed = 0;

  template <class V>
  void visit(V& v) {
    v.required("dir", dir, "root folder: <dir>/<split>/<class>/<image>");
    v("train", train, "training split folder");
    v("val", val, "validation split folder (when it is missing, val_size training images are held out)");
    v("test", test, "test split folder");
    v("val_size", val_size, "without a val folder: training images held out as validation (seeded)");
    v("seed", seed, "seed of the held-out sample");
    visit_image(v);
    visit_cache(v);
    v.check(val_size >= 0, "val_size", "must be >= 0");
  }
};

std::unique_ptr<Dataset> make_image_folder(const ImageFolderOptions& options);

}  // namespace adaptlab
