// VTAB-1k (Zhai et al. 2019) in the layout the NOAH / PYRA code reads: one folder per task under a root,
// holding the images and the list files train800.txt, val200.txt, train800val200.txt and test.txt
// ("relative/path label" a line). Training uses train800val200 (as PYRA / NOAH) or train800; val200 is
// the validation split; test the test split. The common preparation script names two folders `cifar`
// and `oxford_iiit_pet`: both those and the task names are accepted. Images are resized to img_size
// (224, bicubic) and normalised with ImageNet's mean / std (configurable), as the reference code.
// The 19 tasks and their groups: Natural (cifar100, caltech101, dtd, oxford_flowers102, oxford_pet,
// svhn, sun397), Specialized (patch_camelyon, eurosat, resisc45, diabetic_retinopathy), Structured
// (clevr_count, clevr_dist, dmlab, kitti, dsprites_loc, dsprites_ori, smallnorb_azi, smallnorb_ele).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "framework/data/image_set.h"

namespace adaptlab {

struct Vtab1kOptions : ImageOptions {
  std::string task;                      // one of the 19 (see above)
  std::string dir;                       // the VTAB-1k root
  std::string train = "train800val200";  // train800val200 | train800
  int train_size = 0, val_size = 0, test_size = 0;  // 0: the whole list; N: its first N lines

  template <class V>
  void visit(V& v) {
    v.required("task", task, "one of the 19 VTAB-1k tasks (cifar100 … smallnorb_ele; folders cifar, oxford_iiit_pet accepted)");
    v.required("dir", dir, "the VTAB-1k root (one folder per task, with its list files and images)");
    v("train", train, "training list: train800val200 (PYRA, NOAH) or train800");
    v("train_size", train_size, "first N lines of the training list (0: all)");
    v("val_size", val_size, "first N lines of val200.txt (0: all)");
    v("test_size", test_size, "first N lines of test.txt (0: all)");
    visit_image(v);
    visit_cache(v);
    v.check(train == "train800val200" || train == "train800", "train", "must be train800val200 or train800");
    v.check(train_size >= 0 && val_size >= 0 && test_size >= 0, "train_size", "sizes must be >= 0 (0: all)");
  }
};

struct Vtab1kTask {
  std::string name, folder;  // folder: the preparation script's name when it differs
  int64_t classes;
  std::string group;         // natural | specialized | structured
};
const std::vector<Vtab1kTask>& vtab1k_tasks();

std::unique_ptr<Dataset> make_vtab1k(const Vtab1kOptions& options);

}  // namespace adaptlab
