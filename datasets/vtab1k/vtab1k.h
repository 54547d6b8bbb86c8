// VTAB-1k (Zhai et al. 2019) in the layout NOAH's data/vtab-source/get_vtab1k.py writes (the one the
// NOAH and PYRA loaders read): one folder per task under a root, holding train800.txt, val200.txt,
// train800val200.txt and test.txt ("images/<list>/NNNNNN.jpg label" a line, paths relative to the task
// folder) and the images. Two protocols (README.md):
//   tune:  train = train800, val = val200, test = val200 again (test.txt is not read: choose settings on
//          val200 without looking at the test set, as NOAH's search mode does);
//   final: train = train800val200, val = val200 (inside the training data: seen, not held out), test =
//          test.txt: what NOAH's retraining and PYRA's released runs train and report (the default).
// Task names are NOAH's / PYRA's --data-set names; the preparation script's folders `cifar` and
// `oxford_iiit_pet` (for cifar100, oxford_pet) are accepted as names and as folders. Images are resized
// to img_size (224, bicubic) and normalised with ImageNet's mean / std (configurable), as the reference.
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
  std::string task;                 // one of the 19 (see above)
  std::string dir;                  // the VTAB-1k root
  std::string protocol = "final";   // tune | final
  int train_size = 0, val_size = 0, test_size = 0;  // 0: the whole list; N: its first N lines

  template <class V>
  void visit(V& v) {
    v.required("task", task, "one of the 19 VTAB-1k tasks (cifar100 … smallnorb_ele; folders cifar, oxford_iiit_pet accepted)");
    v.required("dir", dir, "the VTAB-1k root (one folder per task, with its list files and images)");
    v("protocol", protocol,
      "tune: train on train800.txt, validate and test on val200.txt (test.txt unread) | final: train on "
      "train800val200.txt, test on test.txt, val200.txt as val (seen in training), as NOAH's retraining and PYRA");
    v("train_size", train_size, "first N lines of the training list (0: all)");
    v("val_size", val_size, "first N lines of val200.txt (0: all)");
    v("test_size", test_size, "first N lines of the test list (test.txt; val200.txt under tune) (0: all)");
    visit_image(v);
    visit_cache(v);
    v.check(protocol == "tune" || protocol == "final", "protocol",
            "must be tune (train800 -> val200) or final (train800val200 -> test)");
    v.check(train_size >= 0 && val_size >= 0 && test_size >= 0, "train_size", "sizes must be >= 0 (0: all)");
  }
};

struct Vtab1kTask {
  std::string name, folder;  // folder: the preparation script's name when it differs
  int64_t classes;
  std::string group;         // natural | specialized | structured
};
const std::vector<Vtab1kTask>& vtab1k_tasks();

// The list files a protocol reads, in the order train, val, test ("train800", "val200", "val200").
std::vector<std::string> vtab1k_lists(const std::string& protocol);

std::unique_ptr<Dataset> make_vtab1k(const Vtab1kOptions& options);

}  // namespace adaptlab
