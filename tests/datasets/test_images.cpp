// Image data sets from files in their real formats (tools/data/make_image_fixtures.py): JPEG and PNG
// decode as Pillow decodes them, CMYK too; resizing equals Pillow's bicubic;
// image_folder and CIFAR-10/100 binaries load as uint8 and normalise per batch (VTAB-1k: test_vtab1k.cpp).
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/data/image.h"
#include "framework/registry/registries.h"
#include "support/tensor_file.h"
#include "support/image_fixtures.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

std::string fixtures() { return test::image_fixtures(); }

std::unique_ptr<Dataset> dataset(const std::string& name, const std::string& yaml) {
  return registries().datasets.create(name, cfg::parse_string(yaml, "t"));
}

}  // namespace

// Every fixture image (16x16 JPEGs and PNGs) and the odd ones (odd_images.py: Pillow's CMYK JPEG,
// TurboJPEG's YCCK JPEG, a 300x200 photo as JPEG and PNG) against Pillow: decoded exactly, and resized
// exactly too, up (24, 224) and down where antialiasing matters (7; the photo to 24, 7 and, one side each
// way, 224). The bound is measured, not hoped: max |adaptlab - Pillow| over these 601 files x 3 sizes is
// 0 (resample.h is Pillow's fixed-point bicubic); the torch float path it replaced was within 2 on two of
// them and up to 6 on others.
TEST_CASE("images: decoding and bicubic resizing equal Pillow's on every fixture image, up and down", "[datasets][images]") {
  namespace fs = std::filesystem;
  const auto dir = test::fresh_dir("image-ref");
  test::run_python(fmt::format("{}/datasets/odd_images.py", ADAPTLAB_TESTS_DIR), fmt::format("'{}'", dir));
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(fixtures()))
    if (e.path().extension() == ".jpg" || e.path().extension() == ".png") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (const char* f : {"cmyk.jpg", "ycck.jpg", "photo.jpg", "photo.png"}) files.push_back(dir + "/" + f);
  REQUIRE(files.size() == 601);
  std::string args = fmt::format("'{}/ref.safetensors' 7,24,224", dir);
  for (const auto& f : files) args += " '" + f + "'";
  test::run_python(fmt::format("{}/datasets/reference_images.py", ADAPTLAB_TESTS_DIR), args);
  const auto ref = test::load_tensors(dir + "/ref.safetensors");
  int64_t worst = 0;
  std::string worst_at;
  for (size_t i = 0; i < files.size(); ++i) {
    INFO(files[i]);
    const auto img = decode_image(files[i]);
    REQUIRE(img.scalar_type() == at::kByte);
    CHECK(at::equal(img.to(at::kLong), ref.at(fmt::format("decoded{}", i))));
    for (int64_t n : {7, 24, 224}) {
      const auto r = resize_square(img, n).to(at::kLong);
      const int64_t d = (r - ref.at(fmt::format("resized{}_{}", i, n))).abs().max().item<int64_t>();
      if (d > worst) worst = d, worst_at = fmt::format("{} at {}", files[i], n);
    }
  }
  INFO("worst: " << worst_at);
  CHECK(worst == 0);
  // The datasets' path (decoded and resized into the batch, no full-size tensor) is the same.
  auto out = at::empty({3, 24, 24}, at::kByte);
  for (const char* f : {"ycck.jpg", "photo.png"}) {
    load_image_into(dir + "/" + f, 24, kDefaultMaxPixels, out.data_ptr<uint8_t>());
    CHECK(at::equal(out, resize_square(decode_image(dir + "/" + f), 24)));
  }
  const auto bad = test::write_file(dir, "bad.jpg", "\xFF\xD8\xFF\xE0 truncated");
  REQUIRE_THROWS_WITH(decode_image(bad), Catch::StartsWith(bad + ": "));
  const auto txt = test::write_file(dir, "note.png", "hello");
  REQUIRE_THROWS_WITH(decode_image(txt), txt + ": not a JPEG or PNG image (5 bytes; unknown magic)");
  // Too many pixels: refused from the header, by the decoder and by the streamed check (both formats).
  for (const char* f : {"photo.jpg", "photo.png"}) {
    const std::string p = dir + "/" + f, says = p + ": 300x200 pixels is over max_pixels (59999)";
    REQUIRE_THROWS_WITH(decode_image(p, 59999), Catch::StartsWith(says));
    REQUIRE_THROWS_WITH(check_image_file(p, 59999), Catch::StartsWith(says));
    CHECK_NOTHROW(check_image_file(p, 60000));
  }
}

TEST_CASE("image_folder: classes from folders, uint8 storage, normalised batches", "[datasets][images]") {
  auto d = dataset("image_folder", fmt::format("{{dir: '{}/folder', img_size: 16}}", fixtures()));
  CHECK(d->info().num_classes == 3);
  CHECK(d->info().input_shape == std::vector<int64_t>{3, 16, 16});
  CHECK(d->size(Split::train) == 12);
  CHECK(d->size(Split::val) == 6);
  CHECK(d->size(Split::test) == 9);
  CHECK(d->inputs(Split::train).scalar_type() == at::kByte);
  const auto x = d->to_inputs(d->inputs(Split::test).narrow(0, 0, 2));
  CHECK(x.scalar_type() == at::kFloat);
  // (v/255 − mean) / std per channel.
  const double v = d->inputs(Split::test)[0][1][3][5].item<uint8_t>();
  CHECK(x[0][1][3][5].item<float>() == Approx((v / 255.0 - 0.456) / 0.224).epsilon(1e-5));
}

TEST_CASE("cifar: binary records as written (CIFAR-10 and CIFAR-100 fine labels)", "[datasets][images]") {
  auto c10 = dataset("cifar", fmt::format("{{dir: '{}/cifar10', val_size: 5}}", fixtures()));
  CHECK(c10->size(Split::train) + c10->size(Split::val) == 20);
  CHECK(c10->size(Split::test) == 6);
  // The first test record, straight from the file: label byte, then the R, G, B planes.
  std::ifstream f(fixtures() + "/cifar10/test_batch.bin", std::ios::binary);
  std::string rec(3073, '\0');
  f.read(rec.data(), 3073);
  CHECK(c10->labels(Split::test)[0].item<int64_t>() == static_cast<unsigned char>(rec[0]));
  CHECK(c10->inputs(Split::test)[0][2][31][31].item<uint8_t>() == static_cast<unsigned char>(rec[3072]));
  auto c100 = dataset("cifar", fmt::format("{{dir: '{}/cifar100', classes: 100, val_size: 4, img_size: 48}}", fixtures()));
  CHECK(c100->info().num_classes == 100);
  CHECK(c100->inputs(Split::train).sizes() == at::IntArrayRef({16, 3, 48, 48}));
}

TEST_CASE("image_folder: splits from list files instead of class folders", "[datasets][images]") {
  namespace fs = std::filesystem;
  const auto dir = test::fresh_dir("folder-lists");
  fs::copy(fixtures() + "/folder", dir, fs::copy_options::recursive);
  auto folders = dataset("image_folder", fmt::format("{{dir: '{}', img_size: 16}}", dir));
  // The same images, listed: "train/class_k/<file> k" in the folders' order.
  for (const char* split : {"train", "test"}) {
    std::ofstream list(fmt::format("{}/{}.txt", dir, split));
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(fmt::format("{}/{}", dir, split)))
      if (e.is_regular_file()) files.push_back(fs::relative(e.path(), dir));
    std::sort(files.begin(), files.end());
    for (const auto& f : files) list << f.string() << " " << f.parent_path().filename().string().substr(6) << "\n";
  }
  auto lists = dataset("image_folder", fmt::format("{{dir: '{}', img_size: 16, train_list: train.txt, test_list: test.txt, "
                                                   "classes: 3, val_size: 3}}", dir));
  CHECK(lists->size(Split::train) + lists->size(Split::val) == 12);
  CHECK(lists->size(Split::val) == 3);
  CHECK(at::equal(lists->inputs(Split::test), folders->inputs(Split::test)));
  CHECK(at::equal(lists->labels(Split::test), folders->labels(Split::test)));
  {  // Blanks around and between the two, as Python's str.split() takes them (CRLF too): the same split.
    std::ifstream in(dir + "/test.txt");
    std::string text, line;
    while (std::getline(in, line)) text += " \t" + line.replace(line.find(' '), 1, " \t  ") + " \t\r\n";
    std::ofstream(dir + "/test.txt", std::ios::trunc) << text;
  }
  auto blanks = dataset("image_folder", fmt::format("{{dir: '{}', img_size: 16, train_list: train.txt, test_list: test.txt, "
                                                    "classes: 3, val_size: 3}}", dir));
  CHECK(at::equal(blanks->inputs(Split::test), folders->inputs(Split::test)));
  CHECK(at::equal(blanks->labels(Split::test), folders->labels(Split::test)));
  std::ofstream(dir + "/test.txt", std::ios::app) << "test/class_0/0.jpg 3\n";
  REQUIRE_THROWS_WITH(dataset("image_folder", fmt::format("{{dir: '{}', train_list: train.txt, test_list: test.txt, "
                                                          "classes: 3, val_size: 3}}", dir)),
                      Catch::Contains(dir + "/test.txt:10: label '3' is not a class of 0..2"));
  REQUIRE_THROWS_WITH(dataset("image_folder", fmt::format("{{dir: '{}', train_list: train.txt}}", dir)),
                      Catch::Contains("train_list and test_list go together"));
}
