// Batches gathered ahead of the model (framework/data/batch_stream.h): the same batches in the same order
// whatever the prefetch depth; drop_last and the partial last batch; a failure while gathering ahead is
// raised by next() after the good batches before it; image sets streamed (cache: false) gather what the
// cached ones hold and train to bit-identical weights.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "backbones/vit/vit.h"
#include "framework/config/node.h"
#include "framework/data/batch_stream.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"
#include "support/tensor_file.h"
#include "support/image_fixtures.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

// Example i is the value i; gathering example `poison` fails.
class Counting : public Dataset {
 public:
  explicit Counting(int64_t n, int64_t poison = -1)
      : x_(at::arange(n, at::kFloat).unsqueeze(1)), y_(at::arange(n, at::kLong).remainder(3)), poison_(poison) {}
  DataInfo info() const override { return DataInfo{3, {1}, false}; }
  const at::Tensor& inputs(Split) const override { return x_; }
  const at::Tensor& labels(Split) const override { return y_; }
  at::Tensor gather(Split s, const at::Tensor& index) const override {
    if (poison_ >= 0 && index.eq(poison_).any().item<bool>()) throw std::runtime_error(fmt::format("example {} is broken", poison_));
    return Dataset::gather(s, index);
  }

 private:
  at::Tensor x_, y_;
  int64_t poison_;
};

std::vector<Batch> drain(BatchStream& s) {
  std::vector<Batch> out;
  for (Batch b; s.next(b);) out.push_back(b);
  return out;
}

std::string fixtures() { return test::image_fixtures(); }

std::unique_ptr<Dataset> vtab(const std::string& dir, const std::string& extra) {
  return registries().datasets.create(
      "vtab1k", cfg::parse_string(fmt::format("{{task: kitti, dir: '{}', img_size: 16{}}}", dir, extra), "t"));
}

}  // namespace

TEST_CASE("batch stream: the same batches at prefetch depth 0 and 2, partial last batch or drop_last", "[data]") {
  Counting d(10);
  const auto order = at::randperm(10, at::detail::createCPUGenerator(3), at::kLong);
  for (bool drop_last : {false, true}) {
    INFO("drop_last " << drop_last);
    BatchStream sync(d, Split::train, order, 4, at::kCPU, 0, drop_last), ahead(d, Split::train, order, 4, at::kCPU, 2, drop_last);
    const auto a = drain(sync), b = drain(ahead);
    REQUIRE(a.size() == (drop_last ? 2u : 3u));
    CHECK(sync.batches() == static_cast<int64_t>(a.size()));
    REQUIRE(b.size() == a.size());
    for (size_t k = 0; k < a.size(); ++k) {
      CHECK(at::equal(a[k].index, order.narrow(0, static_cast<int64_t>(k) * 4, a[k].index.size(0))));
      CHECK(at::equal(a[k].x.squeeze(1).to(at::kLong), a[k].index));  // example i is the value i
      CHECK(at::equal(a[k].y, a[k].index.remainder(3)));
      CHECK(at::equal(a[k].x, b[k].x));
      CHECK(at::equal(a[k].index, b[k].index));
    }
    CHECK(a.back().index.size(0) == (drop_last ? 4 : 2));  // 10 = 4 + 4 + 2
  }
  // Split order, one batch larger than the split.
  BatchStream whole(d, Split::val, split_order(d, Split::val), 64, at::kCPU, 2);
  const auto w = drain(whole);
  REQUIRE(w.size() == 1u);
  CHECK(at::equal(w[0].index, at::arange(10, at::kLong)));
  REQUIRE_THROWS_WITH(BatchStream(d, Split::val, split_order(d, Split::val), 0, at::kCPU, 2), "batch size must be > 0, got 0");
  // No batches at all (an empty order, or fewer examples than a batch with drop_last): next() says so at
  // once at every depth (it waited forever with prefetch, as no worker started to say it was done).
  for (int depth : {0, 2}) {
    BatchStream none(d, Split::train, at::empty({0}, at::kLong), 4, at::kCPU, depth);
    Batch b;
    CHECK(none.batches() == 0);
    CHECK_FALSE(none.next(b));
    BatchStream short_drop(d, Split::train, order.narrow(0, 0, 3), 4, at::kCPU, depth, /*drop_last=*/true);
    CHECK_FALSE(short_drop.next(b));
  }
}

TEST_CASE("batch stream: a failure while gathering ahead is raised by next(), after the batches before it", "[data]") {
  Counting d(12, /*poison=*/9);  // batches of 3 in split order: the fourth (9, 10, 11) fails
  for (int depth : {0, 1, 3}) {
    INFO("depth " << depth);
    BatchStream s(d, Split::train, split_order(d, Split::train), 3, at::kCPU, depth);
    Batch b;
    for (int k = 0; k < 3; ++k) {
      REQUIRE(s.next(b));
      CHECK(b.index[0].item<int64_t>() == 3 * k);
    }
    REQUIRE_THROWS_WITH(s.next(b), "example 9 is broken");
  }
  // Left before its end: the background thread stops and joins (the test would hang otherwise).
  Counting big(1000);
  BatchStream s(big, Split::train, split_order(big, Split::train), 1, at::kCPU, 4);
  Batch b;
  REQUIRE(s.next(b));
}

TEST_CASE("streamed image sets (cache: false) gather what the cached ones hold, and name a file broken later", "[data][images]") {
  namespace fs = std::filesystem;
  const auto dir = test::fresh_dir("stream-vtab");
  fs::copy(fixtures() + "/vtab1k/kitti", dir + "/kitti", fs::copy_options::recursive);
  auto cached = vtab(dir, "");
  auto streamed = vtab(dir, ", cache: false");
  for (Split s : {Split::train, Split::val, Split::test}) {
    INFO(split_name(s));
    REQUIRE(streamed->size(s) == cached->size(s));
    CHECK(at::equal(streamed->labels(s), cached->labels(s)));
    const auto idx = at::randperm(cached->size(s), at::kLong);
    CHECK(at::equal(streamed->gather(s, idx), cached->gather(s, idx)));
    CHECK(at::equal(cached->gather(s, idx), cached->inputs(s).index_select(0, idx)));
  }
  REQUIRE_THROWS_WITH(streamed->inputs(Split::test),
                      "the test split is decoded per batch (cache: false): it has no whole-split tensor; read it with gather()");
  // A file that breaks after loading fails the batch that holds it, naming the file and its list line.
  const std::string line = fmt::format("{}/kitti/test.txt:3", dir);  // test.txt's third line names images/test/000002.jpg
  std::ofstream(dir + "/kitti/images/test/000002.jpg", std::ios::trunc) << "\xFF\xD8 broken";
  BatchStream s(*streamed, Split::test, split_order(*streamed, Split::test), 2, at::kCPU, 2);
  Batch b;
  REQUIRE(s.next(b));  // images/test/000000.jpg, 000001.jpg
  REQUIRE_THROWS_WITH(s.next(b), Catch::StartsWith(dir + "/kitti/images/test/000002.jpg: ") && Catch::EndsWith("(listed at " + line + ")"));
  // Checked at load: not an image, or missing, is an error naming the line (or skipped and counted).
  std::ofstream(dir + "/kitti/images/test/000002.jpg", std::ios::trunc) << "GIF89a";
  fs::remove(dir + "/kitti/images/test/000004.jpg");
  REQUIRE_THROWS_WITH(vtab(dir, ", cache: false"), Catch::Contains("(listed at " + dir + "/kitti/test.txt:"));
  CHECK(vtab(dir, ", cache: false, skip_bad_images: true")->size(Split::test) == 4);
}

TEST_CASE("training is identical with cached or streamed images and any prefetch depth", "[data][images][train]") {
  auto train = [](const std::string& extra, int prefetch) {
    auto data = vtab(fixtures() + "/vtab1k", extra);
    at::manual_seed(0);
    ViTOptions o;
    o.img_size = 16;
    o.patch_size = 8;
    o.embed_dim = 16;
    o.depth = 1;
    o.num_heads = 2;
    auto b = make_vit(o, data->info().num_classes);
    auto full = registries().methods.create("full", cfg::parse_string("{}", "t"));
    std::vector<Method*> ms = {full.get()};
    for (auto* m : ms) m->attach(*b);
    set_trainable(*b, ms);
    TrainOptions to;
    to.epochs = 2;
    to.batch_size = 5;  // 12 train images: 5 + 5 + 2
    to.prefetch = prefetch;
    std::vector<double> losses;
    fit(*b, ms, *data, to, 7, at::kCPU, [&](const MetricEvent& e) {
      if (e.name == "loss" || e.name == "epoch_loss") losses.push_back(e.value);
    });
    return losses;
  };
  const auto ref = train("", 0);
  REQUIRE(ref.size() >= 4u);  // 2 epoch losses, 2 val losses at least
  CHECK(train("", 2) == ref);
  CHECK(train(", cache: false", 0) == ref);
  CHECK(train(", cache: false", 3) == ref);
}
