// VTAB-1k (datasets/vtab1k) on the fixture tools/data/make_image_fixtures.py writes in the layout of
// NOAH's data/vtab-source/get_vtab1k.py: each list's images under images/<list>/NNNNNN.jpg, lines
// "images/<list>/NNNNNN.jpg label\n", train800val200 its own copies of train800's then val200's examples.
// Protocols tune (train800 -> val200) and final (train800val200 -> test) give the splits of the lists
// they name, in list order; missing lists, unknown protocols and tasks are refused with what is known.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/data/image.h"
#include "framework/registry/registries.h"
#include "support/image_fixtures.h"
#include "support/tmp.h"

using namespace adaptlab;
namespace fs = std::filesystem;

namespace {

std::string fixtures() { return test::image_fixtures() + "/vtab1k"; }

std::unique_ptr<Dataset> vtab(const std::string& dir, const std::string& extra) {
  return registries().datasets.create(
      "vtab1k", cfg::parse_string(fmt::format("{{dir: '{}', img_size: 16{}}}", dir, extra), "t.yaml"));
}

// A copy of one fixture task folder, to break.
std::string copy_task(const std::string& name, const std::string& task) {
  const auto dir = test::fresh_dir(name);
  fs::copy(fixtures() + "/" + task, dir + "/" + task, fs::copy_options::recursive);
  return dir;
}

}  // namespace

TEST_CASE("vtab1k: all 19 tasks under both protocols, by NOAH's and PYRA's names and the preparation script's folders", "[datasets][images][vtab1k]") {
  // Names and classes as PYRA's lib/datasets.py build_dataset (nb_classes); cifar100 and oxford_pet sit in
  // the folders cifar and oxford_iiit_pet (NOAH's get_vtab1k.py), which are accepted as names too.
  const std::vector<std::pair<const char*, int64_t>> tasks = {
      {"cifar100", 100},      {"caltech101", 102},   {"dtd", 47},          {"oxford_flowers102", 102},
      {"oxford_pet", 37},     {"svhn", 10},          {"sun397", 397},      {"patch_camelyon", 2},
      {"eurosat", 10},        {"resisc45", 45},      {"diabetic_retinopathy", 5}, {"clevr_count", 8},
      {"clevr_dist", 6},      {"dmlab", 6},          {"kitti", 4},         {"dsprites_loc", 16},
      {"dsprites_ori", 16},   {"smallnorb_azi", 18}, {"smallnorb_ele", 9}, {"cifar", 100},
      {"oxford_iiit_pet", 37}};
  for (const auto& [task, classes] : tasks) {
    INFO(task);
    auto fin = vtab(fixtures(), fmt::format(", task: {}", task));  // protocol final is the default
    CHECK(fin->info().num_classes == classes);
    CHECK(fin->size(Split::train) == 12);  // train800val200.txt: 8 + 4 lines
    CHECK(fin->size(Split::val) == 4);     // val200.txt
    CHECK(fin->size(Split::test) == 6);    // test.txt
    auto tune = vtab(fixtures(), fmt::format(", task: {}, protocol: tune", task));
    CHECK(tune->size(Split::train) == 8);  // train800.txt
    CHECK(tune->size(Split::val) == 4);    // val200.txt
    CHECK(tune->size(Split::test) == 4);   // val200.txt again
  }
}

TEST_CASE("vtab1k: each split holds its list's images and labels in list order (tune: train800, val200, val200. final: train800val200, val200, test)", "[datasets][images][vtab1k]") {
  const std::string task_dir = fixtures() + "/kitti";
  // The image on line i of <list>.txt, decoded and resized as the dataset does (image.h, tested against Pillow).
  auto image = [&](const std::string& list, int i) {
    return resize_square(decode_image(fmt::format("{}/images/{}/{:06d}.jpg", task_dir, list, i)), 16);
  };
  auto check_split = [&](const Dataset& d, Split s, const std::string& list, const std::vector<int64_t>& labels) {
    INFO(split_name(s) << " from " << list);
    REQUIRE(d.size(s) == static_cast<int64_t>(labels.size()));
    CHECK(at::equal(d.labels(s), at::tensor(labels, at::kLong)));
    for (int i = 0; i < static_cast<int>(labels.size()); ++i) CHECK(at::equal(d.inputs(s)[i], image(list, i)));
  };
  // The generator labels line i of every list i % 4 (kitti has 4 classes).
  const std::vector<int64_t> l4 = {0, 1, 2, 3}, l6 = {0, 1, 2, 3, 0, 1}, l8 = {0, 1, 2, 3, 0, 1, 2, 3},
                             l12 = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
  auto tune = vtab(fixtures(), ", task: kitti, protocol: tune");
  check_split(*tune, Split::train, "train800", l8);
  check_split(*tune, Split::val, "val200", l4);
  check_split(*tune, Split::test, "val200", l4);
  auto fin = vtab(fixtures(), ", task: kitti, protocol: final");
  check_split(*fin, Split::train, "train800val200", l12);
  check_split(*fin, Split::val, "val200", l4);
  check_split(*fin, Split::test, "test", l6);
  // As in the real files, train800val200 is train800's examples and then val200's (own copies of them).
  CHECK(at::equal(fin->inputs(Split::train).narrow(0, 0, 8), tune->inputs(Split::train)));
  CHECK(at::equal(fin->inputs(Split::train).narrow(0, 8, 4), tune->inputs(Split::val)));
  // The first N lines of each list; under tune test_size counts lines of val200.txt.
  auto part = vtab(fixtures(), ", task: kitti, protocol: tune, train_size: 5, val_size: 2, test_size: 3");
  check_split(*part, Split::train, "train800", {0, 1, 2, 3, 0});
  check_split(*part, Split::val, "val200", {0, 1});
  check_split(*part, Split::test, "val200", {0, 1, 2});
}

TEST_CASE("vtab1k: a missing list is named with the protocol that reads it, before any image is decoded", "[datasets][images][vtab1k]") {
  const auto no_test = copy_task("vtab-no-test", "kitti");
  fs::remove(no_test + "/kitti/test.txt");
  std::ofstream(no_test + "/kitti/images/train800val200/000000.jpg", std::ios::trunc) << "\xFF\xD8 broken";
  REQUIRE_THROWS_WITH(vtab(no_test, ", task: kitti"),
                      no_test + "/kitti/test.txt: not found; protocol 'final' reads train800val200.txt (train), "
                      "val200.txt (val) and test.txt (test) (NOAH's get_vtab1k.py writes train800.txt, val200.txt, "
                      "train800val200.txt and test.txt in each task folder)");
  CHECK(vtab(no_test, ", task: kitti, protocol: tune")->size(Split::test) == 4);  // tune reads no test.txt

  const auto no_train800 = copy_task("vtab-no-train800", "kitti");
  fs::remove(no_train800 + "/kitti/train800.txt");
  REQUIRE_THROWS_WITH(vtab(no_train800, ", task: kitti, protocol: tune"),
                      no_train800 + "/kitti/train800.txt: not found; protocol 'tune' reads train800.txt (train), "
                      "val200.txt (val) and val200.txt (test) (NOAH's get_vtab1k.py writes train800.txt, val200.txt, "
                      "train800val200.txt and test.txt in each task folder)");
  CHECK(vtab(no_train800, ", task: kitti")->size(Split::train) == 12);  // final reads no train800.txt

  const auto no_val = copy_task("vtab-no-val", "kitti");
  fs::remove(no_val + "/kitti/val200.txt");
  for (const char* protocol : {"tune", "final"})
    REQUIRE_THROWS_WITH(vtab(no_val, fmt::format(", task: kitti, protocol: {}", protocol)),
                        Catch::StartsWith(no_val + "/kitti/val200.txt: not found; protocol '" + protocol + "' reads "));
}

TEST_CASE("vtab1k: an unknown protocol, an unknown task, a stale option and two different folders for one task are refused", "[datasets][images][vtab1k]") {
  REQUIRE_THROWS_WITH(vtab(fixtures(), ", task: kitti, protocol: search"),
                      Catch::StartsWith("t.yaml:1:") &&  // the column follows the fixture's path
                          Catch::EndsWith(": key 'protocol' in dataset 'vtab1k' options: must be tune (train800 -> "
                                          "val200) or final (train800val200 -> test)"));
  REQUIRE_THROWS_WITH(vtab(fixtures(), ", task: dttd"),
                      "unknown VTAB-1k task 'dttd' (did you mean 'dtd'?); known: cifar100, caltech101, dtd, "
                      "oxford_flowers102, oxford_pet, svhn, sun397, patch_camelyon, eurosat, resisc45, "
                      "diabetic_retinopathy, clevr_count, clevr_dist, dmlab, kitti, dsprites_loc, dsprites_ori, "
                      "smallnorb_azi, smallnorb_ele (and the folder names cifar, oxford_iiit_pet)");
  REQUIRE_THROWS_WITH(vtab(fixtures(), ", task: oxford_iiit_pets"),
                      Catch::StartsWith("unknown VTAB-1k task 'oxford_iiit_pets' (did you mean 'oxford_iiit_pet'?); "));
  // The option protocol replaced (train: train800 | train800val200) is an unknown key now.
  REQUIRE_THROWS_WITH(vtab(fixtures(), ", task: kitti, train: train800"), Catch::Contains("'train'"));
  // NOAH's and PYRA's scripts pass --data-path=.../vtab-1k/cifar100, the preparation script writes cifar:
  // either, or one linked to the other, is fine; two different folders are ambiguous.
  const auto both = copy_task("vtab-both", "cifar");
  fs::create_directory_symlink(both + "/cifar", both + "/cifar100");
  CHECK(vtab(both, ", task: cifar100")->size(Split::train) == 12);
  fs::remove(both + "/cifar100");
  fs::copy(both + "/cifar", both + "/cifar100", fs::copy_options::recursive);
  REQUIRE_THROWS_WITH(vtab(both, ", task: cifar"),
                      "VTAB-1k task 'cifar100': both cifar100 and cifar exist under " + both +
                          " and are different folders; keep one (or link one to the other)");
  REQUIRE_THROWS_WITH(vtab(test::fresh_dir("vtab-empty"), ", task: oxford_pet"),
                      Catch::StartsWith("VTAB-1k task 'oxford_pet': no folder oxford_pet (or oxford_iiit_pet) under "));
}

TEST_CASE("vtab1k: a broken image is named with its list line, or skipped and counted", "[datasets][images][vtab1k]") {
  const auto dir = copy_task("vtab-bad", "kitti");
  std::ofstream(dir + "/kitti/images/test/000002.jpg", std::ios::trunc) << "\xFF\xD8 broken";
  fs::remove(dir + "/kitti/images/test/000004.jpg");
  REQUIRE_THROWS_WITH(vtab(dir, ", task: kitti"),
                      Catch::StartsWith(dir + "/kitti/images/test/000002.jpg: ") &&
                          Catch::EndsWith("(listed at " + dir + "/kitti/test.txt:3)"));
  CHECK(vtab(dir, ", task: kitti, skip_bad_images: true")->size(Split::test) == 4);  // 6 listed, 2 unreadable
}
