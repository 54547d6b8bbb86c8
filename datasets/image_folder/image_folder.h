// Images in class folders: <dir>/<split>/<class>/<image> (JPEG or PNG), classes the sorted folder names
// of the training split (each holding at least one image: an empty one is refused); the validation split is its own folder, or (when absent) a seeded `val_size`
// sample of the training images; test is required. Or, with `train_list` (and `test_list`, optionally
// `val_list`), each split from a list file of "relative/path label" lines under <dir>, with `classes`
// classes. Kept as uint8 (or streamed), normalised per batch (image_set.h).
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
  std::string train_list, val_list, test_list;  // list files (relative to dir) instead of class folders
  int classes = 0;                              // with list files: the number of classes


  template <class V>
  void visit(V& v) {
    v.required("dir", dir, "root folder: <dir>/<split>/<class>/<image>");
    v("train", train, "training split folder");
    v("val", val, "validation split folder (when it is missing, val_size training images are held out)");
    v("test", test, "test split folder");
    v("val_size", val_size, "without a val folder: training images held out as validation (seeded)");
    v("seed", seed, "seed of the held-out sample");
    v("train_list", train_list,
      "list file of 'relative/path label' lines (paths and the file relative to dir) for the training split, "
      "instead of class folders; needs test_list and classes");
    v("val_list", val_list, "list file for the validation split (without it, val_size training images are held out)");
    v("test_list", test_list, "list file for the test split");
    v("classes", classes, "with list files: the number of classes (labels 0..classes-1)");
    v.check(train_list.empty() == test_list.empty(), "train_list", "train_list and test_list go together");
    v.check(val_list.empty() || !train_list.empty(), "val_list", "needs train_list and test_list");
    v.check(train_list.empty() || classes >= 2, "classes", "must be >= 2 with list files");
    v.check(!train_list.empty() || classes == 0, "classes", "only with list files (class folders name the classes)");
    visit_image(v);
    visit_cache(v);
    v.check(val_size >= 0, "val_size", "must be >= 0");
  }
};

std::unique_ptr<Dataset> make_image_folder(const ImageFolderOptions& options);

}  // namespace adaptlab
