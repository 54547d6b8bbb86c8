#include "datasets/cifar/cifar.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <cstring>
#include <sstream>

#include "framework/core/error.h"
#include "framework/data/image.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {
namespace fs = std::filesystem;

struct Raw {
  at::Tensor images;  // uint8 [n, 3, 32, 32]
  std::vector<int64_t> labels;
};

// Reads the files in order; a label outside [0, classes) is an error naming its own file, its record there
// (counting from 0) and the value.
Raw read_bins(const std::vector<fs::path>& files, int classes) {
  const size_t label_bytes = classes == 10 ? 1 : 2, record = label_bytes + 3072;
  std::vector<std::string> contents;
  size_t total = 0;
  for (const auto& f : files) {
    AL_CHECK(fs::is_regular_file(f), "{}: not found (CIFAR-{} binary version)", f.string(), classes);
    std::ifstream in(f, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    contents.push_back(s.str());
    const std::string& b = contents.back();
    AL_CHECK(!b.empty() && b.size() % record == 0, "{}: {} bytes is not a whole number of {}-byte records", f.string(),
             b.size(), record);
    for (size_t i = 0; i < b.size() / record; ++i) {
      const int64_t label = static_cast<unsigned char>(b[i * record + label_bytes - 1]);  // CIFAR-100: the fine label
      AL_CHECK(label < classes, "{}: record {} (counting from 0) has {}label {}, outside [0, {}) (CIFAR-{})", f.string(),
               i, classes == 100 ? "fine " : "", label, classes, classes);
    }
    total += b.size() / record;
  }
  const auto n = static_cast<int64_t>(total);
  Raw r;
  r.images = at::empty({n, 3, 32, 32}, at::kByte);
  r.labels.reserve(total);
  auto* px = r.images.data_ptr<uint8_t>();
  int64_t k = 0;
  for (const std::string& b : contents)
    for (size_t i = 0; i < b.size() / record; ++i, ++k) {
      const char* rec = b.data() + i * record;
      r.labels.push_back(static_cast<unsigned char>(rec[label_bytes - 1]));
      std::memcpy(px + k * 3072, rec + label_bytes, 3072);
    }
  return r;
}

DecodedImages take(const Raw& r, const std::vector<size_t>& idx, int64_t size, int limit) {
  std::vector<int64_t> keep, labels;
  for (size_t i : idx) {
    if (limit > 0 && static_cast<int>(keep.size()) == limit) break;
    keep.push_back(static_cast<int64_t>(i));
    labels.push_back(r.labels[i]);
  }
  auto imgs = r.images.index_select(0, at::tensor(keep, at::kLong));
  if (size != 32) {
    auto out = at::empty({imgs.size(0), 3, size, size}, at::kByte);
    for (int64_t i = 0; i < imgs.size(0); ++i) out[i].copy_(resize_square(imgs[i], size));
    imgs = out;
  }
  return DecodedImages{imgs, at::tensor(labels, at::kLong), {}, 0};
}

class Cifar : public ImageDataset {
 public:
  explicit Cifar(const CifarOptions& o) : ImageDataset(o, o.classes) {
    const fs::path d(o.dir);
    std::vector<fs::path> train_files, test_files;
    if (o.classes == 10) {
      for (int i = 1; i <= 5; ++i) train_files.push_back(d / fmt::format("data_batch_{}.bin", i));
      test_files = {d / "test_batch.bin"};
    } else {
      train_files = {d / "train.bin"};
      test_files = {d / "test.bin"};
    }
    const Raw train = read_bins(train_files, o.classes), test = read_bins(test_files, o.classes);
    const auto [held, rest] = seeded_split(train.labels.size(), static_cast<size_t>(o.val_size), o.seed);
    set_split(Split::train, take(train, rest, o.img_size, o.train_size));
    set_split(Split::val, take(train, held, o.img_size, 0));
    std::vector<size_t> all(test.labels.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    set_split(Split::test, take(test, all, o.img_size, o.test_size));
  }
};

}  // namespace

std::unique_ptr<Dataset> make_cifar(const CifarOptions& o) { return std::make_unique<Cifar>(o); }

void register_cifar(Registries& r) {
  add_entry<CifarOptions>(r.datasets, "cifar", "CIFAR-10/100 from the binary distribution files",
                          [](const CifarOptions& o) { return make_cifar(o); },
      EntryMeta{.inputs = {{"dir", InputPath::folder}}});  // checked at plan time
}

}  // namespace adaptlab
